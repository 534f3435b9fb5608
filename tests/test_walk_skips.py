"""A walk of /var/log does not read the files there that hold no log messages.

lastlog, wtmp, btmp, faillog and tallylog are binary login records; RHEL's lastlog is a sparse
file of up to 292 GB once uid 4294967294 has logged in, which a scan would read for minutes.
sysstat's sa/saDD files are binary too. They are skipped with the reason (exit code 0); named on
the command line, a file is read as asked.
"""

from __future__ import annotations

import os

import orjson

from tests.test_cli import events, tcplog

LINE = b"Nov 22 10:00:00 web1 kernel: nf_conntrack: table full, dropping packet\n"


def test_login_records_sysstat_and_sparse_files_are_skipped_by_a_walk(tmp_path):
    (tmp_path / "syslog").write_bytes(LINE)
    with open(tmp_path / "lastlog", "wb") as f:
        f.truncate(2 << 30)  # sparse: no block written
    (tmp_path / "wtmp").write_bytes(b"\x07\x00\x00\x00" * 96)
    (tmp_path / "btmp.1").write_bytes(b"\x06\x00\x00\x00" * 96)
    (tmp_path / "sa").mkdir()
    (tmp_path / "sa" / "sa23").write_bytes(b"\x96\xd5\x71\x21" + b"\0" * 200)
    (tmp_path / "sa" / "sar23").write_bytes(b"Linux 6.1.0 (web1) \t11/23/2026 \t_x86_64_\t(2 CPU)\n")
    with open(tmp_path / "huge.log", "wb") as f:
        f.write(LINE)
        f.truncate(128 << 20)
    r = tcplog("scan", str(tmp_path), "--stats")
    assert r.returncode == 0, r.stderr
    assert [e["family"] for e in events(r.stdout)] == ["conntrack_full"]
    stats = orjson.loads(r.stderr.splitlines()[-1])
    skipped = {os.path.relpath(s["input"], tmp_path): s["reason"] for s in stats["skipped"]}
    assert set(skipped) == {"lastlog", "wtmp", "btmp.1", "sa/sa23", "huge.log"}
    assert skipped["lastlog"].startswith("binary login records") and "sparse file (0.1 GiB" in skipped["huge.log"]
    assert stats["files"] == 2 and stats["unreadable"] == []  # syslog and sa/sar23


def test_a_skipped_kind_named_on_the_command_line_is_read(tmp_path):
    (tmp_path / "wtmp").write_bytes(LINE)  # whatever it holds, named is read
    r = tcplog("scan", str(tmp_path / "wtmp"), "--stats")
    assert [e["family"] for e in events(r.stdout)] == ["conntrack_full"]
    assert orjson.loads(r.stderr.splitlines()[-1])["skipped"] == []
