"""Catalog lint: every family registered, documented, with goldens covering every wording,
every golden event valid against the shipped JSON Schema, every wording in several framings."""

from __future__ import annotations

import inspect
import json
from importlib import resources
from pathlib import Path

import jsonschema
import orjson
import pytest

from tcplog import docgen, framing
from tcplog.framing.context import FramingContext
from tcplog.grammars import FAMILIES
from tcplog.kernelver import parse as parse_kernel
from tcplog.kernelver import series
from tests import golden

STABLE_IDS = {
    "tw_bucket_overflow", "socket_memory", "orphans", "tcp_mem", "syn_flood", "drop_open_request",
    "ratelimit_suppressed", "log_suppressed", "conntrack_full", "conntrack_expect_full", "conntrack_vmalloc",
    "neigh_overflow", "window_shrunk", "udp_short_packet", "udp_bad_checksum", "martian_source",
    "martian_destination", "netdev_watchdog", "gro_suspect", "hw_csum_failure",
}
REPO = Path(__file__).parent.parent
FAMILY_GOLDENS = golden.ROOT / "families"
SCHEMA = json.loads(resources.files("tcplog").joinpath("schema/event-2.json").read_text())


def family_events(family) -> list[tuple[golden.Case, list[dict]]]:
    _, cases = golden.read(FAMILY_GOLDENS / f"{family.FAMILY}.golden")
    return [(c, [orjson.loads(e) for e in c.expected]) for c in cases]


def test_registry_is_exactly_the_stable_family_ids():
    """The registry holds the twenty stable family ids, each once."""
    ids = [f.FAMILY for f in FAMILIES]
    assert sorted(ids) == sorted(STABLE_IDS) and len(ids) == len(set(ids))


def test_every_grammar_module_is_registered():
    """Every module in grammars/ is in the registry, and nothing else is."""
    modules = {p.stem for p in (REPO / "grammars").glob("*.py") if not p.stem.startswith("_")}
    assert modules == STABLE_IDS


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.FAMILY)
def test_family_is_documented(family):
    """The docstring has examples, a Fields table naming every field and a Message ids table."""
    doc = inspect.getdoc(family) or ""
    assert "Fields:" in doc and "Message ids:" in doc
    missing = [f for f in family.FIELDS if f not in doc] + [m for m in family.MESSAGES if m not in doc]
    assert not missing, f"undocumented in {family.FAMILY}: {missing}"


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.FAMILY)
def test_family_identity_constants(family):
    """Message ids are namespaced by family; triggers are plain ASCII a prefilter can find in JSON."""
    assert family.ORIGIN in ("kernel", "shipper")
    assert family.MESSAGES and all(m.startswith(family.FAMILY + ".") for m in family.MESSAGES)
    assert family.TRIGGERS
    for t in family.TRIGGERS:
        assert isinstance(t, bytes) and t.isascii() and not set(b'"\\/') & set(t), t
    if family.ORIGIN == "shipper":
        assert family.PROGRAMS


def test_no_trigger_holds_the_place_dmesg_colours_split():
    """`dmesg --color` (util-linux print_record) writes colour codes only around its header fields, after the
    message's first `:` followed by a blank (the subsystem prefix, get_subsys_delimiter) and at its end: a
    trigger that holds no `: ` is never split by them, so the prefilter finds coloured lines in raw bytes."""
    split = [(f.FAMILY, t) for f in FAMILIES for t in f.TRIGGERS if b": " in t or b":\t" in t]
    assert not split, split


def test_first_kernels_of_wordings_are_versions_of_the_familys_own_wordings():
    """SINCE names the family's own message ids; its mainline release and the stable releases after it parse,
    and each stable release is of an older series than the mainline one."""
    offenders = []
    for family in FAMILIES:
        for mid, since in getattr(family, "SINCE", {}).items():
            versions = [parse_kernel(v) for v in since]
            if mid not in family.MESSAGES or not since or None in versions:
                offenders.append(f"{family.FAMILY}: {mid} {since}")
            elif any(v.key[:2] >= versions[0].key[:2] for v in versions[1:]):
                offenders.append(f"{family.FAMILY}: {mid}: a stable release not older than {since[0]}")
    assert not offenders, offenders


def test_last_kernels_of_wordings_are_series_of_the_familys_own_wordings():
    """UNTIL names the family's own message ids; each last release parses and names a series (2.6.x for 2.6,
    X.Y from 3.0: a fourth or third number would make that series' own stable releases look later); a
    wording with both bounds ends no earlier than it starts."""
    offenders = []
    for family in FAMILIES:
        since = getattr(family, "SINCE", {})
        for mid, until in getattr(family, "UNTIL", {}).items():
            last = parse_kernel(until)
            if mid not in family.MESSAGES or last is None:
                offenders.append(f"{family.FAMILY}: {mid} {until!r}")
            elif len(last.numbers) != (3 if last.numbers[0] < 3 else 2):
                offenders.append(f"{family.FAMILY}: {mid}: {until} is not a release series")
            elif mid in since and series(last) < series(parse_kernel(since[mid][0])):
                offenders.append(f"{family.FAMILY}: {mid}: ends ({until}) before it starts ({since[mid][0]})")
    assert not offenders, offenders


def test_message_ids_are_unique_across_families():
    """No message id is used by two families."""
    ids = [m for f in FAMILIES for m in f.MESSAGES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.FAMILY)
def test_family_goldens_cover_every_wording(family):
    """Goldens: a match case for every message id, at least one near-miss and one malformed case."""
    cases = family_events(family)
    kinds = {c.kind for c, _ in cases}
    assert {"match", "near-miss", "malformed"} <= kinds
    seen = {e["message_id"] for c, events in cases for e in events}
    assert set(family.MESSAGES) <= seen, f"no golden for {set(family.MESSAGES) - seen}"


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.FAMILY)
def test_family_goldens_land_on_their_own_family(family):
    """Every event in a family's golden file is of that family, with exactly its declared fields."""
    for case, events in family_events(family):
        for e in events:
            assert e["family"] == family.FAMILY, case.title
            assert e["message_id"] in family.MESSAGES, case.title
            assert sorted(e["fields"]) == sorted(family.FIELDS), case.title


def test_every_golden_event_is_valid_against_the_shipped_schema():
    """The JSON Schema inside the package accepts every golden event."""
    validator = jsonschema.Draft202012Validator(SCHEMA)
    count = 0
    for path in golden.all_files():
        for case in golden.read(path)[1]:
            for line in case.expected:
                errors = sorted(validator.iter_errors(orjson.loads(line)), key=str)
                assert not errors, f"{path.name} {case.title}: {errors[0].message}"
                count += 1
    assert count > 100


def _dmesg_colour(text: str) -> str:
    """`[ 100.000001] text` as `dmesg --color=always` writes it (util-linux print_record): the stamp green, the
    subsystem prefix up to the first `:` followed by a blank and one more byte (get_subsys_delimiter) brown,
    the rest bold (warn level), each closed by a reset."""
    cut = next((i + 2 for i, c in enumerate(text) if c == ":" and len(text) - i - 1 >= 2 and text[i + 1] in " \t"), 0)
    subsys = f"\x1b[33m{text[:cut]}\x1b[0m" if cut else ""
    return f"\x1b[32m[  100.000001] \x1b[0m{subsys}\x1b[1m{text[cut:]}\x1b[0m"


def _wrappers(text: str) -> dict[str, bytes]:
    """The same kernel text as other framings would carry it."""
    return {
        "dmesg --color": _dmesg_colour(text).encode(),
        "kernel tag, cut": f"kernel: [ 100.000001] {text}".encode(),
        "amlogic stamp": f"[  100.000001@1] {text}".encode(),
        "mediatek prefix": f"<4>[  100.000001] (0)[0:swapper/0]{text}".encode(),
        "unisoc caller": f"Nov 20 10:00:00 h1 kernel: [  100.000001][T597@C0] {text}".encode(),
        "level marker": f"Nov 20 10:00:00 h1 kernel: <4>[ 100.000001] {text}".encode(),
        "year date": f"Nov 20 2026 10:00:00 h1 kernel: {text}".encode(),
        "dmesg-t": text.encode(),
        "rfc3164": f"Nov 20 10:00:00 h1 kernel: [ 100.000001] {text}".encode(),
        "kmsg": f"4,17,100000001,-;{text}".encode(),
        "journal-json": orjson.dumps({"MESSAGE": text, "_TRANSPORT": "kernel", "_HOSTNAME": "h1",
                                      "__REALTIME_TIMESTAMP": "1795370000000000"}),
        "rfc5424": f"<4>1 2026-11-20T10:00:00Z h1 kernel - - - {text}".encode(),
    }


WORDINGS = [(f, e) for f in FAMILIES for c, events in family_events(f) for e in events if c.kind == "match"]


@pytest.mark.parametrize("family,event", WORDINGS,
                         ids=[f"{f.FAMILY}-{i}" for i, (f, _) in enumerate(WORDINGS)])
def test_every_wording_parses_in_several_framings(family, event):
    """A golden's kernel text, re-framed as bare, RFC 3164, kmsg, journal JSON, RFC 5424, coloured dmesg, a
    cut syslog line, an Amlogic stamp, MediaTek's `(CPU)[PID:COMM]`, a Unisoc caller, a level marker after the tag and a date with a year, gives the same event."""
    first_line = event["raw"].split("\n")[0].encode()
    record = framing.decode(first_line, FramingContext(reference=golden.REFERENCE))
    assert record is not None
    text = record.text.strip()
    for name, line in _wrappers(text).items():
        got = golden.run([line.decode()])
        assert len(got) == 1, f"{name}: {line!r}"
        assert (got[0]["family"], got[0]["message_id"]) == (event["family"], event["message_id"]), name
        if "\n" not in event["raw"]:
            assert got[0]["fields"] == event["fields"], name


def test_families_doc_is_generated_from_the_code():
    """docs/families.md is exactly what `python -m tcplog.docgen` prints (run `make docs`)."""
    assert (REPO / "docs" / "families.md").read_text(encoding="utf-8") == docgen.render()
