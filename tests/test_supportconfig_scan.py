"""A supportconfig scanned as a customer sends it (the `scc_web1_….txz` tarball, or its folder): its
own snapshot judges the events of its one log source, the events name the file they are in with its
own line numbers, and what the tarball holds cannot write outside the scratch folder."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import tempfile
from pathlib import Path

import orjson
import pytest

from tcplog.connectors import sos_archive, supportconfig
from tests.test_cli import tcplog
from tests.test_sos_archive import member, scan

SCC = Path(__file__).parent / "fixtures" / "supportconfig-web1"
TOP = "scc_web1_261120_1105"
REF = ("--reference-time", "2026-11-22T12:00:00Z")


def packed(tmp_path: Path, name: str = f"{TOP}.txz", extra=(), top: str = TOP) -> Path:
    """The sample packed as supportconfig packs it: `tar Jcf … ${BASE}/*` (its files, no folder member)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path in sorted(SCC.iterdir()):
            tar.add(path, arcname=f"{top}/{path.name}")
        for info, data in extra:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    data = buf.getvalue()
    path = tmp_path / name
    if name.endswith("txz"):
        data = lzma.compress(data)
    elif name.endswith("tbz"):
        data = bz2.compress(data)
    elif name.endswith("tgz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def test_the_folder_is_judged_by_its_own_snapshot():
    """messages.txt's events only (not boot.txt's journal and dmesg), named with messages.txt's own
    lines, dates read in the host's zone, causes from the folder's sysctl and sockstat; stats add up."""
    got, stats, err = scan(str(SCC))
    assert "log dates read in Europe/Berlin" in err
    assert len(got) == 5 and {e["source"]["file"] for e in got} == {f"{SCC}/messages.txt"}
    lines = (SCC / "messages.txt").read_bytes().split(b"\n")
    for e in got:
        assert b"kernel:" in lines[e["source"]["line"] - 1]
        assert (SCC / "messages.txt").read_bytes()[e["source"]["offset"]:].startswith(lines[e["source"]["line"] - 1])
    tw = [e for e in got if e["family"] == "tw_bucket_overflow"]
    assert len(tw) == 3 and {e["cause"]["id"] for e in tw} == {"tw_bucket_overflow.limit"}
    assert {e["time"] for e in tw} == {"2026-11-20T10:00:00.000000Z", "2026-11-20T10:00:05.000000Z"}
    assert all(e["host"] == "web1" for e in got)
    assert stats["events"] == 5 and stats["candidates"] == stats["events"] + stats["not_kernel"] + stats["unframed"] \
        + stats["unmatched"]
    assert stats["bytes"] == (SCC / "messages.txt").stat().st_size and stats["files"] == 1


@pytest.mark.parametrize("name", [f"{TOP}.txz", f"{TOP}.tbz", f"{TOP}.tgz", "nts_web1_101120_1105.tbz"])
def test_the_tarball_gives_what_its_folder_gives(tmp_path, name):
    """Same events, causes and stats as the folder, with one and two workers; names are the archive's."""
    before = {p.name for p in Path(tempfile.gettempdir()).iterdir() if p.name.startswith("tcplog-sos-")}
    top = name.split(".")[0]
    archive = packed(tmp_path, name, top=top)
    folder, folder_stats, _ = scan(str(SCC))
    for e in folder:
        e["source"]["file"] = None
    for workers in ("1", "2"):
        got, stats, err = scan(str(archive), "--workers", workers)
        assert {e["source"]["file"] for e in got} == {f"{archive}!{top}/messages.txt"}
        for e in got:
            e["source"]["file"] = None
        assert got == folder and stats == folder_stats
        assert "tcplog-sos-" not in err
    after = {p.name for p in Path(tempfile.gettempdir()).iterdir() if p.name.startswith("tcplog-sos-")}
    assert after <= before


def test_snapshot_from_the_tarball_names_its_members(tmp_path):
    archive = packed(tmp_path)
    r = tcplog("snapshot", "--from", str(archive))
    assert r.returncode == 0, r.stderr
    doc = orjson.loads(r.stdout)
    assert doc["host"] == "web1" and doc["sockstat"]["TCP"]["tw"] == 180000
    assert doc["sources"]["sockstat"] == f"{archive}!{TOP}/proc.txt (/proc/net/sockstat)"
    assert "tcplog-sos-" not in r.stdout.decode()


def test_only_what_tcplog_reads_is_unpacked(tmp_path):
    scratch = sos_archive.Scratch()
    try:
        archive = packed(tmp_path, extra=[member(f"{TOP}/rpm.txt", b"x\n"), member(f"{TOP}/docker/abc.txt", b"x\n")])
        assert sos_archive.is_report(str(archive)) is sos_archive.SUPPORTCONFIG
        folder = Path(scratch.unpack(str(archive)))
        unpacked = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
        assert {"env.txt", "proc.txt", "messages.txt", "basic-environment.txt"} <= unpacked
        assert "rpm.txt" not in unpacked and "docker/abc.txt" not in unpacked
        assert supportconfig.detect(str(folder))
    finally:
        scratch.close()


def test_members_that_would_leave_the_folder_are_not_written(tmp_path):
    """`../`, absolute names, a second top folder, links out of the folder (a file through a link, a
    link read as a section file): nothing is written outside, the links are never followed out."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "shadow").write_text("#==[ Command ]======================================#\n# /usr/sbin/sysctl -a\n"
                                    "net.core.somaxconn = 4096\n")
    hostile = [member(f"{TOP}/../../escaped", b"x"), member(f"/{outside}/abs", b"x"),
               member("other-top/messages.txt", b"x"),
               member(f"{TOP}/sub", link=str(outside)), member(f"{TOP}/sub/env.txt", b"x"),
               member(f"{TOP}/env.txt", link=str(outside / "shadow")),
               member(f"{TOP}/summary.xml", link="../../../../etc/passwd")]
    archive = packed(tmp_path, extra=hostile)
    scratch = sos_archive.Scratch()
    try:
        folder = scratch.unpack(str(archive))
        assert sorted(p.name for p in outside.iterdir()) == ["shadow"]
        assert not any(p.name == "escaped" for p in Path(scratch.folder).parent.iterdir())
        doc, _ = supportconfig.load(folder)
        assert doc["sysctl"]["net.core.somaxconn"] == "128"  # the file member, written first, not the link
    finally:
        scratch.close()
    got, _, _ = scan(str(archive))
    assert len(got) == 5 and sorted(p.name for p in outside.iterdir()) == ["shadow"]


def test_a_folder_without_log_sections_is_named(tmp_path):
    folder = tmp_path / TOP
    folder.mkdir()
    for name in ("basic-environment.txt", "env.txt", "proc.txt"):
        (folder / name).write_bytes((SCC / name).read_bytes())
    r = tcplog("scan", str(folder), "--stats", *REF)
    assert r.returncode == 1 and b"supportconfig holds no log files tcplog reads" in r.stderr
