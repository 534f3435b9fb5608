"""Properties over generated input: never raises, one out per in, raw kept byte for byte."""

from __future__ import annotations

import base64
import io
from datetime import datetime, timezone

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tcplog import framing
from tcplog.connectors.files import blocks
from tcplog.filter import Filter
from tcplog.framing.context import FramingContext
from tcplog.grammars import FAMILIES
from tcplog.scan import Scanner, Stats

REF = datetime(2026, 11, 22, 12, tzinfo=timezone.utc)
SCANNER = Scanner()
FILTER = Filter()

# Lines built from pieces real logs are made of, so the generator reaches deep into the parsers.
PIECES = [
    "Nov 22 10:00:00 ", "<4>", "<6>1 2026-11-22T10:00:00Z h kernel - - - ", "web1 ", "kernel: ", "nginx[1]: ",
    "[ 12.345678] ", "[ 12.345678@1] ", "[    C1] ", "6,12,345,-;", " SUBSYSTEM=net", "{\"MESSAGE\":", "\"_TRANSPORT\":\"kernel\"",
    "TCP: ", "TCP: TCP: ", "nf_conntrack: ", "Possible SYN flooding on port ", "80", "[::]:443", "1.2.3.4",
    ". Sending cookies.", "  Check SNMP counters.", "table full, dropping packet", "time wait bucket table overflow",
    "too many orphaned sockets", "out of memory -- consider tuning tcp_mem", "martian source ", " from ",
    ", on dev eth0", "ll header: 00000000: ff ff", "neighbour: arp_cache: neighbor table overflow!",
    "NETDEV WATCHDOG: eth0 (e1000e): transmit queue 0 timed out", "callbacks suppressed", "\xff", "\x00", "\\x41",
    "Peer 1.2.3.4:80/443 unexpectedly shrunk window 1:2 (repaired)", "UDP: short packet: From ", " ", ":", ".",
    "\x1b[32m", "\x1b[0m", "\x1b[", "\x1b", "<14>", "kernel[42]: ", "Aug 28 2024 13:16:32 ",
]
lines = st.one_of(
    st.binary(max_size=300).filter(lambda b: b"\n" not in b),
    st.lists(st.sampled_from(PIECES), max_size=12).map(lambda p: "".join(p).encode("utf-8", "surrogatepass")),
)
examples = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ctx() -> FramingContext:
    return FramingContext(reference=REF)


@examples
@given(st.lists(lines, max_size=20))
def test_filter_emits_exactly_one_record_per_input(records):
    """Any input lines: one valid JSON answer each, never an exception."""
    for record in records:
        out = FILTER.process(record, ctx())
        assert out.endswith(b"\n") and out.count(b"\n") == 1
        assert isinstance(orjson.loads(out), dict)


@examples
@given(st.lists(lines, max_size=20))
def test_filter_passthrough_keeps_the_record(records):
    """A record that is not an event comes back as itself (JSON unchanged, raw lines wrapped)."""
    for record in records:
        out = orjson.loads(FILTER.process(record, ctx()))
        if "tcplog" in out:
            continue
        if "message_b64" in out:
            assert base64.b64decode(out["message_b64"]) == record
        elif "message" in out and set(out) == {"message"} and not record.lstrip(b"\x1e").startswith(b"{"):
            assert out["message"].encode() == record


@examples
@given(st.lists(lines, max_size=30))
def test_scan_never_raises_and_raw_is_byte_exact(records):
    """Scanning any bytes never raises, and every event's raw is the exact record."""
    data = b"\n".join(records) + b"\n"
    stats = Stats()
    for event in SCANNER.scan_blocks(blocks(io.BytesIO(data), size=64), ctx(), "x", stats):
        exact = base64.b64decode(event["raw_b64"]) if event["raw_b64"] else event["raw"].encode()
        first_line = exact.split(b"\n")[0]
        assert data.startswith(first_line, event["source"]["offset"])
        assert data[:event["source"]["offset"]].count(b"\n") + 1 == event["source"]["line"]
    assert stats.lines == data.count(b"\n")


@examples
@given(st.text(max_size=400))
def test_every_grammar_never_raises(text):
    """Each family's parse() takes any text and answers a Match or None."""
    for family in FAMILIES:
        result = family.parse(text)
        assert result is None or result.family == family.FAMILY


@examples
@given(st.binary(max_size=400))
def test_every_framing_never_raises(data):
    """Each framing, forced or detected, answers a Record or None for any bytes."""
    for name in framing.NAMES:
        framing.decode(data, ctx(), name)


@examples
@given(st.lists(lines, min_size=1, max_size=40), st.integers(min_value=1, max_value=200))
def test_block_size_does_not_change_the_events(records, size):
    """Cutting the input into blocks of any size gives the same events."""
    data = b"\n".join(records) + b"\n"
    whole = list(SCANNER.scan_blocks(blocks(io.BytesIO(data)), ctx(), "x", Stats()))
    cut = list(SCANNER.scan_blocks(blocks(io.BytesIO(data), size=size), ctx(), "x", Stats()))
    assert cut == whole


@examples
@given(st.lists(lines, max_size=30))
def test_prefilter_engines_find_the_same_lines(records):
    """Hyperscan and the regex fallback report hits on exactly the same lines."""
    import pytest

    from tcplog.prefilter import Prefilter, hyperscan

    if hyperscan is None:
        pytest.skip("hyperscan is not installed on this platform")
    data = b"\n".join(records) + b"\n"
    triggers = SCANNER.dispatcher.prefilter.triggers
    fast, slow = Prefilter(triggers, "hyperscan"), Prefilter(triggers, "re")

    def lines_hit(engine):
        return {data.count(b"\n", 0, p) for p in engine.positions(data)}

    assert lines_hit(fast) == lines_hit(slow)


syslog_lines = st.builds(
    lambda pri, mon, day, t, host, prog, pid, mono, text: (
        f"{pri}{mon} {day:>2} {t} {host} {prog}{pid}: {mono}{text}"),
    st.sampled_from(["", "<4>", "<14>", "<0>"]),
    st.sampled_from(["Jan", "Feb", "Dec", "Nov"]),
    st.integers(min_value=1, max_value=31),
    st.sampled_from(["10:00:00", "23:59:59", "00:00:00.123456"]),
    st.sampled_from(["web1", "db-2.example.com", "10.0.0.1", "h"]),
    st.sampled_from(["kernel", "nginx", "systemd-journald", "kern.warn"]),
    st.sampled_from(["", "[1]", "[4242]"]),
    st.sampled_from(["", "[ 12.345678] ", "[12.5][    C1] ", "[  601.749973][ T1234] ", "[  12.345678@1] ",
                     "[  12.345678@3]h ", "[  12.345678@1] [T123] ", "[  12.345678@] ", "<6>",
                     "<4>[ 12.345678] ", "<14>", "<4", ": <4>"]),
    st.sampled_from(PIECES).map(lambda p: p + " tail"),
)


@examples
@given(syslog_lines)
def test_rfc3164_fast_path_agrees_with_the_general_decoder(line):
    """The one-regex fast path reads a line exactly as the general RFC 3164 decoder does."""
    from tcplog.framing import syslog3164

    fast = syslog3164.decode(line, line.encode(), ctx())
    general = syslog3164.decode_general(line, line.encode(), ctx())
    assert fast == general


@examples
@given(st.lists(lines, max_size=25))
def test_filter_batch_prefilter_pass_changes_nothing(records):
    """Marking a batch's candidate lines in one pass gives the answers a search per line gives."""
    records = [r.replace(b"\n", b"") for r in records]
    single = Filter()
    one_by_one = [single.process(r, ctx()) for r in records]
    batched = Filter()
    batched.prepare(records)
    assert [batched.process(r, ctx()) for r in records] == one_by_one


@examples
@given(st.lists(lines, max_size=40))
def test_scan_accounting_reconciles(records):
    """Every candidate line is an event, a folded continuation, unframed, not the kernel's, or unmatched."""
    data = b"\n".join(records) + b"\n"
    stats = Stats()
    events = list(SCANNER.scan_blocks(blocks(io.BytesIO(data), size=128), ctx(), "x", stats))
    assert len(events) == sum(stats.events.values())
    assert stats.candidates == (len(events) + stats.merged + stats.unframed + stats.not_kernel
                                + stats.unmatched)
