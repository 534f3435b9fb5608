"""Counter-only events (tcplog.counters): a counter that rose between two snapshots of one boot is an event."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from importlib import resources

import jsonschema
import pytest

from tcplog import counters
from tcplog.snapshot import document
from tests.test_cli import events, tcplog

EARLY, LATE = "2026-11-20T09:55:00.000000Z", "2026-11-20T10:05:00.000000Z"
BOOT = {"time": "2026-11-14T11:00:00.000000Z", "id": "3f0c1b8e-9d57-4a43-8b1e-52a6c0f3d7aa"}
SCHEMA = json.loads(resources.files("tcplog").joinpath("schema/event-2.json").read_text())
# every counter at its `before` value; RISE adds to each in the `after` snapshot
TCPEXT = {"TCPTimeWaitOverflow": 10, "TCPAbortOnMemory": 20, "ListenOverflows": 30, "ListenDrops": 30,
          "TCPReqQFullDrop": 40}
CONNTRACK = {"drop": 50, "early_drop": 60, "insert_failed": 0}
RISE = {"netstat.TcpExt.TCPTimeWaitOverflow": 100, "netstat.TcpExt.TCPAbortOnMemory": 200,
        "netstat.TcpExt.ListenOverflows": 300, "netstat.TcpExt.TCPReqQFullDrop": 400, "conntrack.stat.drop": 500,
        "conntrack.stat.early_drop": 600, "neighbour.arp_cache.table_fulls": 700,
        "neighbour.ndisc_cache.table_fulls": 800}


def snapshot(time: str, rise: dict[str, int] | None = None, host: str = "web1", boot: dict | None = None) -> dict:
    """A valid document of `host` at `time`: every signal's counter, raised by `rise` (path -> amount)."""
    doc = document.new(host, datetime.fromisoformat(time.replace("Z", "+00:00")))
    doc["kernel"] = {"release": "5.15.0-91-generic", "version": "#101-Ubuntu SMP"}
    doc["boot"] = dict(boot or BOOT)
    doc["netstat"] = {"TcpExt": dict(TCPEXT)}
    doc["conntrack"] = {"count": 1000, "max": 262144, "buckets": 65536, "expect_max": 4096, "stat": dict(CONNTRACK)}
    doc["neighbour"] = {t: {"entries": 5, "gc_thresh1": 128, "gc_thresh2": 512, "gc_thresh3": 1024,
                            "table_fulls": 70 + i, "stat": {}} for i, t in enumerate(("arp_cache", "ndisc_cache"))}
    for path, amount in (rise or {}).items():
        section, group, name = path.split(".")
        doc[section][group][name] += amount
    return document.validate(doc, "<test>")


def counted(got: list[dict]) -> list[dict]:
    return [e for e in got if e["source"]["framing"] == "snapshot"]


def test_each_counter_that_rose_gives_exactly_one_event_with_its_delta():
    """One event per rising counter of a pair: its family, synthetic message id, before/after and delta."""
    got = [e for e, _, _ in counters.findings([snapshot(EARLY), snapshot(LATE, RISE)])]
    assert {e["fields"]["counter"]: e["fields"]["delta"] for e in got} == RISE
    assert len(got) == len(RISE)
    by_counter = {e["fields"]["counter"]: e for e in got}
    assert by_counter["netstat.TcpExt.ListenOverflows"]["message_id"] == "syn_flood.accept_queue_counter"
    assert by_counter["netstat.TcpExt.TCPReqQFullDrop"]["message_id"] == "syn_flood.syn_drop_counter"
    assert by_counter["conntrack.stat.early_drop"]["message_id"] == "conntrack_full.early_drop_counter"
    assert by_counter["netstat.TcpExt.TCPAbortOnMemory"]["family"] == "socket_memory"
    ndisc = by_counter["neighbour.ndisc_cache.table_fulls"]
    assert (ndisc["message_id"], ndisc["fields"]["table"], ndisc["fields"]["before"], ndisc["fields"]["after"]) \
        == ("neigh_overflow.counter", "ndisc_cache", 71, 871)
    assert all(e["fields"]["silent"] == e["fields"]["delta"] and e["fields"]["logged"] == 0 for e in got)


@pytest.mark.parametrize("change", [
    pytest.param(lambda d: d, id="flat"),
    pytest.param(lambda d: d["conntrack"]["stat"].update(drop=1), id="falling"),
    pytest.param(lambda d: d["conntrack"]["stat"].pop("drop"), id="missing-after"),
    pytest.param(lambda d: d.update(conntrack=None), id="section-null"),
    pytest.param(lambda d: d["conntrack"]["stat"].update(drop="9000"), id="malformed-string"),
    pytest.param(lambda d: d["conntrack"]["stat"].update(drop=True), id="malformed-bool"),
    pytest.param(lambda d: d["conntrack"]["stat"].update(drop=9000.5), id="malformed-float"),
])
def test_a_counter_that_did_not_rise_or_cannot_be_read_gives_nothing(change):
    """Flat, falling, missing, null and malformed counters make no event."""
    after = copy.deepcopy(snapshot(LATE))
    change(after)
    assert [e for e, _, _ in counters.findings([snapshot(EARLY), after])] == []


@pytest.mark.parametrize("boot", [
    pytest.param({"time": BOOT["time"], "id": "0b5c1f4e-1111-4a43-8b1e-52a6c0f3d7aa"}, id="other-boot-id"),
    pytest.param({"time": "2026-11-20T10:00:00.000000Z", "id": None}, id="booted-between"),
])
def test_snapshots_of_different_boots_are_never_compared(boot):
    """A reboot between the snapshots resets every counter: no event, however much a counter 'rose'."""
    after = snapshot(LATE, RISE, boot=boot)
    assert [e for e, _, _ in counters.findings([snapshot(EARLY), after])] == []


def test_only_consecutive_snapshots_are_paired():
    """Three snapshots give two pairs, each with its own delta; never first against last."""
    mid = "2026-11-20T10:00:00.000000Z"
    docs = [snapshot(LATE, {"conntrack.stat.drop": 30}), snapshot(EARLY), snapshot(mid, {"conntrack.stat.drop": 10})]
    got = [(e["first_time"], e["fields"]["delta"]) for e, _, _ in counters.findings(docs)]
    assert got == [(EARLY, 10), (mid, 20)]


def test_lines_the_log_shows_for_the_same_pair_are_left_out_of_the_silent_part():
    """Lines logged for a counter between the same two snapshots (any host spelling) are `logged`, the rest `silent`."""
    seen = counters.Seen()
    seen.note_lines(("web1", "conntrack.stat.drop", EARLY, LATE), 401)
    seen.note_lines(("web1", "conntrack.stat.drop", EARLY, "2026-11-20T10:06:00.000000Z"), 7)  # another pair
    seen.note_lines(("web1", "netstat.TcpExt.TCPAbortOnMemory", EARLY, LATE), 1000)  # more than counted
    after = snapshot(LATE, {"conntrack.stat.drop": 9000, "netstat.TcpExt.TCPAbortOnMemory": 600}, host="WEB1")
    found = counters.findings([snapshot(EARLY), after], seen=seen)
    got = {e["fields"]["counter"]: e["fields"] for e, _, _ in found}
    assert got["conntrack.stat.drop"] == {"counter": "conntrack.stat.drop", "before": 50, "after": 9050,
                                               "delta": 9000, "logged": 401, "silent": 8599}
    assert (got["netstat.TcpExt.TCPAbortOnMemory"]["logged"], got["netstat.TcpExt.TCPAbortOnMemory"]["silent"]) \
        == (1000, 0)


def _write(tmp_path, *docs) -> list[str]:
    args = []
    for i, doc in enumerate(docs):
        path = tmp_path / f"s{i}.json"
        path.write_bytes(document.dumps(doc))
        args += ["--snapshot", str(path)]
    return args


def _scan(tmp_path, log: str, *docs, extra=()) -> list[dict]:
    path = tmp_path / "messages"
    path.write_text(log)
    r = tcplog("scan", str(path), *_write(tmp_path, *docs), "--reference-time", "2026-11-21T00:00:00Z", *extra)
    assert r.returncode == 0, r.stderr
    return events(r.stdout)


def test_scan_emits_the_counter_events_classified_and_valid(tmp_path):
    """`scan` with two snapshots prints one event per rising counter, classified, valid against the event schema."""
    got = counted(_scan(tmp_path, "", snapshot(EARLY), snapshot(LATE, RISE)))
    assert sorted(e["fields"]["counter"] for e in got) == sorted(RISE)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for e in got:
        assert not list(validator.iter_errors(e)), e
        assert e["cause"]["id"] != "ambiguous" and e["snapshot"]["before"]["time"] == EARLY
        assert e["occurrences"] == {"logged": 0, "suppressed": 0, "counter": e["fields"]["counter"],
                                    "counter_delta": e["fields"]["delta"], "estimate": e["fields"]["delta"],
                                    "basis": "counter"}
    causes = {e["message_id"]: e["cause"]["id"] for e in got}
    assert causes["syn_flood.accept_queue_counter"] == "syn_flood.accept_queue_full"
    assert causes["conntrack_full.early_drop_counter"] == "conntrack_full.early_drop_eviction"


def test_no_counter_events_option_suppresses_them(tmp_path):
    """--no-counter-events: the same input gives no counter-only event."""
    got = _scan(tmp_path, "", snapshot(EARLY), snapshot(LATE, RISE), extra=["--no-counter-events"])
    assert got == []


def test_a_malformed_snapshot_is_refused_and_gives_no_counter_event(tmp_path):
    """A snapshot whose counter is not an integer is named on stderr (exit 1) and pairs with nothing."""
    bad = json.loads(document.dumps(snapshot(LATE, RISE)))
    bad["conntrack"]["stat"]["drop"] = "lots"
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    (tmp_path / "good.json").write_bytes(document.dumps(snapshot(EARLY)))
    r = tcplog("scan", "-", "--snapshot", str(tmp_path / "good.json"), "--snapshot", str(tmp_path / "bad.json"))
    assert r.returncode == 1 and b"conntrack.stat.drop: expected an integer" in r.stderr
    assert events(r.stdout) == []


def test_a_logged_line_of_the_counter_neither_hides_nor_doubles_the_counter_event(tmp_path):
    """A logged 'table full' line (+400 suppressed) between the snapshots: its occurrences carry the whole delta, the
    counter event still comes, and reports only the silent part (delta − lines the log shows)."""
    log = ("Nov 20 10:00:00 web1 kernel: nf_conntrack: nf_conntrack: table full, dropping packet\n"
           "Nov 20 10:00:05 web1 kernel: net_ratelimit: 400 callbacks suppressed\n")
    got = _scan(tmp_path, log, snapshot(EARLY), snapshot(LATE, {"conntrack.stat.drop": 9000}))
    logged = [e for e in got if e["family"] == "conntrack_full" and e["source"]["framing"] != "snapshot"]
    (ct,) = [e for e in counted(got) if e["message_id"] == "conntrack_full.counter"]
    assert logged[0]["occurrences"]["counter_delta"] == 9000 and logged[0]["occurrences"]["logged"] == 1
    assert (ct["fields"]["delta"], ct["fields"]["logged"], ct["fields"]["silent"]) == (9000, 401, 8599)
    assert (ct["occurrences"]["logged"], ct["occurrences"]["estimate"]) == (0, 8599)
    total = sum(e["count"] + e["suppressed"] for e in logged) + ct["occurrences"]["estimate"]
    assert total == 9000


def test_a_logged_line_joined_to_other_snapshots_is_not_subtracted(tmp_path):
    """Only lines joined to the very pair count as logged: a line after the last snapshot leaves the pair all silent."""
    log = "Nov 20 10:30:00 web1 kernel: nf_conntrack: nf_conntrack: table full, dropping packet\n"
    got = _scan(tmp_path, log, snapshot(EARLY), snapshot(LATE, {"conntrack.stat.drop": 9000}))
    (ct,) = counted(got)
    assert (ct["fields"]["logged"], ct["fields"]["silent"]) == (0, 9000)


def test_syn_flood_lines_carry_the_counter_of_their_action(tmp_path):
    """A 'Dropping request' line's occurrences count TCPReqQFullDrop; the counter event leaves that line out."""
    log = ("Nov 20 10:00:00 web1 kernel: TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:80. "
           "Dropping request.\n")
    got = _scan(tmp_path, log, snapshot(EARLY), snapshot(LATE, {"netstat.TcpExt.TCPReqQFullDrop": 50}))
    (line,) = [e for e in got if e["family"] == "syn_flood" and e["source"]["framing"] != "snapshot"]
    (drop,) = counted(got)
    assert line["occurrences"]["counter"] == "netstat.TcpExt.TCPReqQFullDrop"
    assert (line["occurrences"]["estimate"], line["occurrences"]["basis"]) == (50, "counter")
    assert (drop["message_id"], drop["fields"]["logged"], drop["fields"]["silent"]) \
        == ("syn_flood.syn_drop_counter", 1, 49)
    assert drop["cause"]["id"] == "syn_flood.syncookies_off_counted"


def test_counter_events_are_identical_whatever_the_workers(tmp_path):
    """A log cut into byte ranges (--workers 2) gives the same events, counter events and their silent parts
    included, as one process."""
    lines = []
    for i in range(16000):  # > 2 × workers.RANGE_BYTES: the file is cut into ranges
        s = f"{i % 60:02d}"
        lines.append(f"Nov 20 10:00:{s} web1 kernel: nf_conntrack: nf_conntrack: table full, dropping packet" if i % 3
                     else f"Nov 20 10:00:{s} web1 kernel: net_ratelimit: {i % 7 + 1} callbacks suppressed")
    path = tmp_path / "big.log"
    path.write_text("\n".join(lines) + "\n")
    assert path.stat().st_size > 2 * (512 << 10)
    args = _write(tmp_path, snapshot(EARLY), snapshot(LATE, {"conntrack.stat.drop": 50000}))
    runs = [tcplog("scan", str(path), *args, "--reference-time", "2026-11-21T00:00:00Z", "--workers", n)
            for n in ("1", "2")]
    assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
    assert runs[0].stdout == runs[1].stdout
    got = events(runs[0].stdout)
    (ct,) = counted(got)
    shown = sum(e["count"] + e["suppressed"] for e in got if e["family"] == "conntrack_full" and e is not ct)
    assert ct["fields"]["logged"] == shown > 10000 and ct["fields"]["silent"] == 50000 - shown


def test_families_lists_the_counter_only_message_ids():
    """`tcplog families --json` gives each family's counter-only message ids with their counters."""
    r = tcplog("families", "--json")
    catalog = {f["family"]: f for f in json.loads(r.stdout)}
    assert catalog["syn_flood"]["counters"] == [
        {"message_id": "syn_flood.accept_queue_counter", "counter": "netstat.TcpExt.ListenOverflows"},
        {"message_id": "syn_flood.syn_drop_counter", "counter": "netstat.TcpExt.TCPReqQFullDrop"}]
    assert catalog["martian_source"]["counters"] == []
    listed = {c["message_id"] for f in catalog.values() for c in f["counters"]}
    assert listed == {s.message_id for s in counters.SIGNALS}


def test_counter_events_name_their_snapshots_as_the_logged_events_do(tmp_path):
    """One spelling of a snapshot's id in every event: the counter event's before/after ids are those the
    enricher gives a logged event joined to the same pair (the store's id, the file name in a folder store)."""
    log = "Nov 20 10:00:00 web1 kernel: nf_conntrack: nf_conntrack: table full, dropping packet\n"
    got = _scan(tmp_path, log, snapshot(EARLY), snapshot(LATE, {"conntrack.stat.drop": 9000}))
    (line,) = [e for e in got if e["source"]["framing"] != "snapshot"]
    (ct,) = [e for e in counted(got) if e["message_id"] == "conntrack_full.counter"]
    ids = [(e["snapshot"]["before"]["id"], e["snapshot"]["after"]["id"]) for e in (line, ct)]
    assert ids[0] == ids[1] == ("20261120T095500000000Z", "20261120T100500000000Z")
