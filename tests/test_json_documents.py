"""Records printed over many lines as JSON: `dmesg --json` and `journalctl -o json-pretty` (and `jq .`).

Sniffed by their first bytes, read object by object (tcplog.framing.json_objects), every byte and
line counted once, bad objects counted as unframed, never split by workers.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcplog import framing
from tcplog.connectors import workers
from tcplog.framing import dmesg_json, json_objects, json_pretty
from tcplog.scan import Stats
from tests import conftest
from tests.test_cli import events, tcplog
from tests.test_journal_verbose import _same, journalctl, real_journal, reconciled  # noqa: F401  (a fixture)
from tests.test_journal_verbose import scan as verbose_scan

CT = "nf_conntrack: nf_conntrack: table full, dropping packet"
SYN = "TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  Check SNMP counters."
NEIGH = "neighbour: arp_cache: neighbor table overflow!"

# util-linux's print_record() through lib/jsonwrt.c: 3 spaces an indent level, `},{` between elements.
DMESG = b"""{
   "dmesg": [
      {
         "pri": 4,
         "time": 12345.678901,
         "msg": "%(ct)s"
      },{
         "fac": "kern",
         "pri": "warn",
         "time":   601.749973,
         "caller": "C1",
         "msg": "%(syn)s"
      },{
         "pri": 4,
         "time": [Sun Nov 22 10:00:00 2026] ,
         "msg": "%(neigh)s"
      },{
         "pri": 12,
         "time":     5.000000,
         "msg": "nf_conntrack: table full, dropping packet"
      }
   ]
}
""" % {b"ct": CT.encode(), b"syn": SYN.encode(), b"neigh": NEIGH.encode()}


def scan(data: bytes, reader, name: str = "doc.json") -> tuple[list[dict], Stats]:
    return verbose_scan(data, name, reader)


# --- sniffing -----------------------------------------------------------------------------------------------------

def test_each_output_is_sniffed_by_its_first_bytes_and_nothing_else():
    pretty = b'{\n\t"__CURSOR" : "s=1",\n\t"MESSAGE" : "x"\n}\n'
    jq = b'{\n  "log": "Nov 22 10:00:00 web1 kernel: x",\n  "date": 1795370000.0\n}\n'
    assert framing.streamed(DMESG[:512]) is dmesg_json
    assert framing.streamed(b"\xef\xbb\xbf" + DMESG[:512]) is dmesg_json
    assert framing.streamed(b'{"dmesg":[{"pri":4,"time":1.0,"msg":"x"}]}') is dmesg_json  # jq -c of it
    assert framing.streamed(pretty) is json_pretty and framing.streamed(jq) is json_pretty
    for other in (b'{"__CURSOR":"s=1","MESSAGE":"x"}\n{"__CURSOR":"s=2"}\n',  # -o json: one line a record
                  b"Nov 22 10:00:00 web1 kernel: " + CT.encode() + b"\n",
                  b"[12345.678901] " + CT.encode() + b"\n",
                  b"{\n}\n", b"{ not json\n"):
        assert framing.streamed(other) is None, other


# --- dmesg --json -------------------------------------------------------------------------------------------------

def test_dmesg_json_elements_are_records_with_pri_time_and_caller():
    got, stats = scan(DMESG, dmesg_json)
    assert [e["message_id"] for e in got] == ["conntrack_full.pr_fmt", "syn_flood.slab", "neigh_overflow.table"]
    ct, syn, neigh = got
    assert ct["kernel"]["monotonic"] == 12345.678901 and ct["kernel"]["level"] == 4 and ct["time"] is None
    assert ct["kernel"]["facility"] == 0 and ct["source"]["framing"] == "dmesg-json"
    assert syn["kernel"]["caller"] == "C1" and syn["kernel"]["level"] == 4 and syn["kernel"]["monotonic"] == 601.749973
    # a util-linux that passes -T's stamp through unquoted: not JSON, read key by key; a derived wall time
    assert neigh["time"] == "2026-11-22T10:00:00.000000Z" and neigh["time_derived"] and neigh["kernel"]["level"] == 4
    assert stats.not_kernel == 1  # facility 1 (PRI 12): user space writing to /dev/kmsg
    assert stats.candidates == 4 and stats.unframed == 0 and reconciled(stats, DMESG)
    for e in got:  # the element's own line and offset
        assert DMESG[e["source"]["offset"]:].startswith(b"{") and e["raw"].startswith("{") and e["raw"].endswith("}")
        assert e["source"]["line"] == DMESG[:e["source"]["offset"]].count(b"\n") + 1
    assert orjson.loads(ct["raw"])["msg"] == CT


def test_dmesg_json_bad_elements_are_counted_once_and_the_rest_read():
    """A broken string, no message, an element the document ends inside: unframed, once each."""
    doc = DMESG.replace(b'"time":     5.000000,\n         "msg": "nf_conntrack: table full, dropping packet"',
                        b'"time":     5.000000')  # the PRI 12 element without msg
    doc = doc.replace(b'"msg": "%s"' % SYN.encode(), b'"msg": "TCP: broken \\')  # a string cut in the middle
    doc = doc[:-len(b"      }\n   ]\n}\n")]  # cut inside the last element
    got, stats = scan(doc, dmesg_json)
    assert [e["message_id"] for e in got] == ["conntrack_full.pr_fmt", "neigh_overflow.table"]
    assert stats.unframed == 2 and stats.candidates == 4 and reconciled(stats, doc)


def test_dmesg_json_message_alone_is_a_kernel_record():
    doc = b'{\n   "dmesg": [\n      {\n         "msg": "%s"\n      }\n   ]\n}\n' % CT.encode()
    (event,), stats = scan(doc, dmesg_json)
    assert event["family"] == "conntrack_full" and event["kernel"]["monotonic"] is None and reconciled(stats, doc)


def test_dmesg_json_an_element_past_the_bound_is_counted_not_kept(monkeypatch):
    monkeypatch.setattr(json_objects, "MAX_ENTRY", 300)
    doc = DMESG.replace(b'"msg": "%s"' % CT.encode(), b'"msg": "%s %s"' % (CT.encode(), b"x" * 400))
    got, stats = scan(doc, dmesg_json)
    assert [e["message_id"] for e in got] == ["syn_flood.slab", "neigh_overflow.table"]
    assert stats.unframed == 1 and reconciled(stats, doc)


def test_real_dmesg_json_of_this_machine_reads_every_record():
    """`dmesg --json` of this machine's ring buffer: one record per element, none unframed, all counted."""
    tool = conftest.require_tool("dmesg", "prints the kernel ring buffer as JSON")
    run = subprocess.run([tool, "--json"], capture_output=True, timeout=60)
    if run.returncode != 0 and b"unrecognized option" in run.stderr:
        pytest.fail(f"dmesg has no --json (util-linux 2.37+ needed): {run.stderr.decode()}")
    assert run.returncode == 0, run.stderr.decode()
    doc = run.stdout
    assert framing.streamed(doc[:512]) is dmesg_json
    _, stats = scan(doc, dmesg_json)
    assert stats.candidates == len(orjson.loads(doc)["dmesg"]) > 0
    assert stats.unframed == 0 and reconciled(stats, doc)


def test_dmesg_json_file_on_the_command_line(tmp_path):
    path = tmp_path / "dmesg.json"
    path.write_bytes(DMESG)
    got = events(tcplog("scan", str(path)).stdout)
    assert [e["family"] for e in got] == ["conntrack_full", "syn_flood", "neigh_overflow"]
    piped = events(tcplog("scan", "-", stdin=DMESG).stdout)
    assert [e["message_id"] for e in piped] == [e["message_id"] for e in got]


# --- journalctl -o json-pretty, jq . ------------------------------------------------------------------------------

def test_real_json_pretty_output_gives_the_events_of_json(real_journal, tmp_path):  # noqa: F811
    """journalctl -o json-pretty and -o json of one journal give the same events."""
    pretty, one_line = tmp_path / "j.pretty", tmp_path / "j.json"
    pretty.write_bytes(journalctl(real_journal, "-o", "json-pretty"))
    one_line.write_bytes(journalctl(real_journal, "-o", "json"))
    got = events(tcplog("scan", str(pretty)).stdout)
    want = events(tcplog("scan", str(one_line)).stdout)
    assert len(got) == 6 and all(e["source"]["framing"] == "journal-json-pretty" for e in got)
    assert [_same(e) for e in got] == [_same(e) for e in want]
    data = pretty.read_bytes()
    assert all(data[e["source"]["offset"]:].startswith(b"{\n\t\"") for e in got)
    assert [orjson.loads(e["raw"])["__CURSOR"] for e in got] == [orjson.loads(e["raw"])["__CURSOR"] for e in want]


def test_jq_pretty_print_of_shipper_records():
    """`jq .` over Fluent Bit / Vector records: each object framed as its one-line form would be."""
    records = [{"date": 1795370000.5, "log": f"Nov 22 10:00:00 web1 kernel: {CT}"},
               {"message": NEIGH, "host": "web2", "timestamp": "2026-11-22T10:00:01Z",
                "_TRANSPORT": "kernel", "SYSLOG_IDENTIFIER": "kernel"},
               {"date": 1795370002.0, "log": "Nov 22 10:00:02 web1 sshd[1]: Accepted publickey"}]
    doc = b"".join(orjson.dumps(r, option=orjson.OPT_INDENT_2) + b"\n" for r in records)
    assert framing.streamed(doc[:512]) is json_pretty
    got, stats = scan(doc, json_pretty)
    assert [(e["family"], e["host"]) for e in got] == [("conntrack_full", "web1"), ("neigh_overflow", "web2")]
    assert [e["source"]["framing"] for e in got] == ["json-pretty", "journal-json-pretty"]
    assert stats.candidates == 3 and stats.unframed == 0 and reconciled(stats, doc)


def _entry(i: int, message: str) -> bytes:
    obj = {"__CURSOR": f"s=1;i={i}", "__REALTIME_TIMESTAMP": str(1795370000000000 + i), "_TRANSPORT": "kernel",
           "_HOSTNAME": "web1", "MESSAGE": message}
    return b"{\n" + b",\n".join(b'\t"%s" : %s' % (k.encode(), orjson.dumps(v)) for k, v in obj.items()) + b"\n}\n"


def test_json_pretty_bad_input_is_counted_once_and_the_rest_read():
    """Text between objects (one unframed per run), an object cut off by the next `{` at column 0 or by
    the end, a binary MESSAGE over several lines, journalctl's `-- No entries --`: nothing lost, nothing twice."""
    binary = _entry(3, "x").replace(b'"MESSAGE" : "x"', b'"MESSAGE" : [\n\t\t%s\n\t]'
                                    % b",\n\t\t".join(b"%d" % c for c in NEIGH.encode()))
    doc = (_entry(1, CT) + b"garbage line\nmore garbage\n" + _entry(2, CT)[:-2]  # cut: no closing brace
           + binary + b"-- No entries --\n" + _entry(4, CT) + b"{\n\t\"__CURSOR\" : \"s=1;i=5\",\n")
    got, stats = scan(doc, json_pretty)
    assert [(e["family"], orjson.loads(e["raw"])["__CURSOR"]) for e in got] == [
        ("conntrack_full", "s=1;i=1"), ("neigh_overflow", "s=1;i=3"), ("conntrack_full", "s=1;i=4")]
    assert stats.unframed == 3  # the garbage run, the cut entry 2, the unfinished entry 5
    assert reconciled(stats, doc)
    lines = doc.split(b"\n")
    assert all(lines[e["source"]["line"] - 1] == b"{" for e in got)


def test_json_objects_count_each_line_once_whatever_the_shape():
    """Objects opening and closing mid-line, nested arrays, strings holding braces: lines and bytes add up."""
    doc = b'{"dmesg":[{"msg":"a { [ } ] \\" b"},{"msg":"c","x":[1,{"y":2}]}\n,{"msg":\n"d"}]}\ntrailing\n'
    got = list(json_objects.chunks(io.BytesIO(doc), 2, dmesg_json.parse))
    entries = [c for c in got if c.kind == "entry"]
    assert [c.fields["msg"] for c in entries] == ['a { [ } ] " b', "c", "d"]
    assert sum(c.lines for c in got) == doc.count(b"\n") and sum(c.size for c in got) == len(doc)
    assert [doc[c.offset:c.offset + len(c.raw)] for c in entries] == [c.raw for c in entries]


# --- workers ------------------------------------------------------------------------------------------------------

def test_workers_never_cut_these_outputs(tmp_path):
    pretty, dm = tmp_path / "j.pretty", tmp_path / "d.json"
    pretty.write_bytes(b"".join(_entry(i, CT) for i in range(1000)))
    elements = b",".join(b'{\n         "pri": 4,\n         "time": %d.000000,\n         "msg": "%s"\n      }'
                         % (i, CT.encode()) for i in range(1000))
    dm.write_bytes(b'{\n   "dmesg": [\n      ' + elements + b"\n   ]\n}\n")
    for path in (pretty, dm):
        assert len(workers.plan([(str(path), None)], True, range_bytes=20_000)) == 1
        one = tcplog("scan", str(path), "--workers", "1")
        two = tcplog("scan", str(path), "--workers", "2")
        assert one.stdout == two.stdout and len(events(one.stdout)) == 1000


def test_the_registry_lists_every_streamed_output():
    """Each STREAMED module sniffs, chunks and decodes; docs name each framing it gives."""
    docs = (Path(__file__).parent.parent / "docs" / "framings.md").read_text()
    for module in framing.STREAMED:
        assert callable(module.sniff) and callable(module.chunks) and callable(module.decode)
        assert re.search(rf"`{re.escape(module.NAME)}`", docs), module.NAME


# --- text before the document ---------------------------------------------------------------------------------------

LEAD = (b"[root@web1 ~]# journalctl -k -o json-pretty\n"
        b"\n"
        b"Nov 22 09:59:59 web1 kernel: TCP: too many orphaned sockets\n")


def test_lines_before_a_json_pretty_document_are_read_as_log_lines():
    """A shell prompt, an empty line and a pasted syslog line before `journalctl -o json-pretty` output:
    the lines are ordinary log lines (a candidate only with a trigger), the objects are read as JSON."""
    doc = LEAD + _entry(1, CT) + _entry(2, NEIGH)
    assert framing.streamed(doc[:512]) is json_pretty
    got, stats = scan(doc, json_pretty)
    assert [(e["family"], e["source"]["framing"], e["source"]["line"]) for e in got] == [
        ("orphans", "rfc3164", 3), ("conntrack_full", "journal-json-pretty", 4),
        ("neigh_overflow", "journal-json-pretty", 11)]
    assert got[0]["raw"] == LEAD.splitlines()[2].decode() and got[0]["source"]["offset"] == LEAD.index(b"Nov")
    assert stats.candidates == 3 and stats.unframed == 0 and reconciled(stats, doc)


def test_lines_before_a_dmesg_json_document_are_read_as_log_lines():
    doc = b"$ dmesg --json\n" + DMESG
    assert framing.streamed(doc[:512]) is dmesg_json
    got, stats = scan(doc, dmesg_json)
    assert [e["message_id"] for e in got] == ["conntrack_full.pr_fmt", "syn_flood.slab", "neigh_overflow.table"]
    assert got[0]["source"]["line"] == 4 and stats.candidates == 4 and reconciled(stats, doc)


def test_text_before_the_document_on_the_command_line(tmp_path):
    path = tmp_path / "pasted.txt"
    path.write_bytes(LEAD + _entry(1, CT))
    got = events(tcplog("scan", str(path)).stdout)
    assert [(e["family"], e["source"]["line"]) for e in got] == [("orphans", 3), ("conntrack_full", 4)]


@pytest.mark.parametrize("lead", [b"a\nb\nc\nd\n", b"$ jq '{}' x\n", b"  indented\n"])
def test_more_text_before_the_document_is_no_json_document(lead):
    """Four lines, a `{` in a line, an indented line: the stream is not sniffed as JSON (read line by line)."""
    assert framing.streamed((lead + _entry(1, CT))[:512]) is None


def test_a_lead_line_that_opens_an_object_ends_the_lead():
    """The reader itself: a `{` in a line before the document ends the lines read as log lines; the text
    before it (a stray run) and the object it opens (cut by the next `{`) are unframed once each, the
    entries after them are read; every line counted once."""
    doc = b"$ echo '{'\n" + _entry(1, CT)
    got, stats = scan(doc, json_pretty)
    assert [e["family"] for e in got] == ["conntrack_full"] and stats.unframed == 2 and reconciled(stats, doc)
    bad = b"\xff\xfe bad bytes \0\n" + _entry(1, CT)
    got, stats = scan(bad, json_pretty)
    assert [e["family"] for e in got] == ["conntrack_full"] and stats.candidates == 1 and reconciled(stats, bad)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=20), st.sampled_from([
    b"$ journalctl -o json-pretty\n", b"\n", b"Nov 22 10:00:00 web1 kernel: " + CT.encode() + b"\n", b"{\n", b"}\n",
    b'\t"MESSAGE" : "' + CT.encode() + b'",\n', b'\t"_TRANSPORT" : "kernel"\n', b"},{\n", b'"\n', b"[\n", b"-- x --\n",
])), max_size=25))
def test_any_stream_is_tiled_by_its_chunks_lead_lines_included(parts):
    """Whatever comes before, in and after the objects: the chunks tile the stream, the scan reconciles."""
    data = b"".join(parts)
    for depth, parse, reader in ((0, json_objects.parse_object, json_pretty), (2, dmesg_json.parse, dmesg_json)):
        got = list(json_objects.chunks(io.BytesIO(data), depth, parse))
        assert sum(c.size for c in got) == len(data)
        assert sum(c.lines for c in got) == data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
        assert reconciled(scan(data, reader)[1], data)
