"""A sosreport as a customer sends it (`sosreport-web1-….tar.xz`) is scanned as its folder is: its own
snapshot judges the events of its one log source, the events name the archive's members, and what
the archive holds cannot write outside the scratch folder it is unpacked into."""

from __future__ import annotations

import io
import lzma
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import orjson
import pytest

from tcplog.connectors import sos_archive, sosreport, walk
from tcplog.errors import InputError
from tests.test_cli import events, tcplog

SOS = Path(__file__).parent / "fixtures" / "sosreport-web1"
TOP = "sosreport-web1-2026-11-20-xkqzvpd"
REF = ("--reference-time", "2026-11-22T12:00:00Z")


def packed(tmp_path: Path, name: str = f"{TOP}.tar.xz", top: str = TOP, extra=()) -> Path:
    """The sample report packed as sos packs it (one top folder, xz), plus `extra` (TarInfo, bytes) members."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        tar.add(SOS, arcname=top)
        for info, data in extra:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    path = tmp_path / name
    path.write_bytes(lzma.compress(buf.getvalue()) if name.endswith(".xz") else buf.getvalue())
    return path


def member(name: str, data: bytes | None = None, link: str | None = None) -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(name)
    if link is not None:
        info.type, info.linkname = tarfile.SYMTYPE, link
    else:
        info.size = len(data or b"")
    return info, data


def scan(*args: str) -> tuple[list[dict], dict, str]:
    r = tcplog("scan", *args, "--stats", *REF)
    assert r.returncode == 0, r.stderr
    return events(r.stdout), orjson.loads(r.stderr.splitlines()[-1]), r.stderr.decode()


def scratch_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).iterdir() if p.name.startswith("tcplog-sos-")}


def test_a_packed_report_gives_what_its_folder_gives_named_inside_the_archive(tmp_path):
    """Same events, causes and stats as the unpacked folder, with one and two workers; the events and
    the zone note name `ARCHIVE!sosreport-…/var/log/…`, never the scratch folder, which is gone after."""
    before = scratch_folders()
    archive = packed(tmp_path)
    (tmp_path / TOP).symlink_to(SOS)  # the folder under the name sos gave it, for the comparison
    folder, folder_stats, _ = scan(str(tmp_path / TOP))
    names = [e["source"]["file"].replace(str(tmp_path / TOP), f"{archive}!{TOP}") for e in folder]
    for e in folder:
        e["source"]["file"] = None
    for workers in ("1", "2"):
        got, stats, err = scan(str(archive), "--workers", workers)
        assert [e["source"]["file"] for e in got] == names
        for e in got:
            e["source"]["file"] = None
        assert got == folder and stats == folder_stats
        assert "tcplog-sos-" not in err
    assert {e["cause"]["id"] for e in got} > {"ambiguous"}  # judged by the report's own snapshot
    assert scratch_folders() == before


def test_a_packed_report_in_a_walked_folder_is_read_as_a_report(tmp_path):
    """`tcplog scan cases/` holding sosreport-….tar.xz beside other logs: the report is a report."""
    cases = tmp_path / "cases"
    cases.mkdir()
    packed(cases)
    (cases / "notes.log").write_bytes(b"Nov 22 10:00:00 db1 kernel: nf_conntrack: table full, dropping packet\n")
    got, stats, _ = scan(str(cases))
    alone, _, _ = scan(str(cases / f"{TOP}.tar.xz"))
    assert [e for e in got if e["host"] == "web1"] == alone
    assert [e["host"] for e in got].count("db1") == 1


def test_only_what_tcplog_reads_is_unpacked(tmp_path):
    scratch = sos_archive.Scratch()
    try:
        folder = Path(scratch.unpack(str(packed(tmp_path, extra=[member(f"{TOP}/sos_commands/block/lsblk", b"x\n")]))))
        unpacked = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
        assert "sos_commands/kernel/sysctl_-a" in unpacked and "var/log/messages" in unpacked
        assert "sos_commands/block/lsblk" not in unpacked
        assert walk.shown(str(folder / "var/log/messages")) == f"{tmp_path / (TOP + '.tar.xz')}!{TOP}/var/log/messages"
    finally:
        scratch.close()
    assert not folder.exists()


def test_members_that_would_leave_the_report_are_not_written(tmp_path):
    """`../`, absolute names, a second top folder, and a link to a folder outside followed by a member
    through it: nothing is written outside the scratch folder, and the report is still read."""
    outside = tmp_path / "outside"
    outside.mkdir()
    hostile = [member(f"{TOP}/../../escaped", b"x"), member(f"/{outside}/abs", b"x"),
               member("other-top/var/log/messages", b"x"),
               member(f"{TOP}/etc", link=str(outside)), member(f"{TOP}/etc/timezone", b"America/New_York\n"),
               member(f"{TOP}/proc/net", link=str(outside)), member(f"{TOP}/proc/net/sockstat", link="/etc/shadow"),
               member(f"{TOP}/proc/net/sockstat6", link="/etc/shadow"),
               member(f"{TOP}/proc/self", link=str(outside)), member(f"{TOP}/proc/self/net/dev", link="x")]
    archive = packed(tmp_path, extra=hostile)
    scratch = sos_archive.Scratch()
    try:
        folder = scratch.unpack(str(archive))
        assert list(outside.iterdir()) == []
        assert not any(p.name == "escaped" for p in Path(scratch.folder).parent.iterdir())
        assert not os.path.islink(os.path.join(folder, "etc"))  # the real folder came first; the link is not made
        doc, _ = sosreport.load(folder)
        (refused,) = [e["error"] for e in doc["errors"] if e["section"] == "sockstat6"]
        assert "outside" in refused and doc["sockstat6"] is None  # a link out of the report is made, never followed
    finally:
        scratch.close()
    got, _, _ = scan(str(archive))
    assert len(got) == 7 and list(outside.iterdir()) == []


def test_a_tarball_of_another_folder_is_read_member_by_member(tmp_path):
    """Its first member is no `sosreport-…` folder: an ordinary archive, every log member read."""
    archive = packed(tmp_path, name="logs.tar.xz", top="web1-logs")
    assert not sos_archive.is_report(str(archive))
    got, stats, _ = scan(str(archive))
    # every log member (messages, the journal dump, dmesg): the same lines more than once, as before
    assert len(got) == 11 and all("!web1-logs/" in e["source"]["file"] for e in got)
    assert {e["cause"]["id"] for e in got} <= {"ambiguous", "ratelimit_suppressed.net_ratelimit"}


def test_a_sosreport_folder_that_is_no_report_is_read_as_a_plain_archive_with_a_note(tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info, data = member(f"{TOP}/var/log/messages",
                            b"Nov 22 10:00:00 web1 kernel: nf_conntrack: table full, dropping packet\n")
        tar.addfile(info, io.BytesIO(data))
    archive = tmp_path / "sosreport-web1.tar"
    archive.write_bytes(buf.getvalue())
    got, stats, err = scan(str(archive))
    assert "holds no sos_commands/ or sos_reports/ with proc/ or etc/: not a sosreport: read as a plain archive" in err
    assert len(got) == 1 and got[0]["source"]["file"] == f"{archive}!{TOP}/var/log/messages"


def test_a_cut_packed_report_is_read_as_far_as_it_goes_and_reported(tmp_path):
    """An xz file cut short: unpacking fails (noted), the plain archive reading gives the members before
    the cut and names the archive unreadable (exit 1)."""
    whole = packed(tmp_path).read_bytes()
    archive = tmp_path / "sosreport-cut.tar.xz"
    archive.write_bytes(whole[:len(whole) * 2 // 3])
    r = tcplog("scan", str(archive), "--stats", *REF)
    assert r.returncode == 1
    assert b"read as a plain archive" in r.stderr
    assert orjson.loads(r.stderr.splitlines()[-1])["unreadable"]


def test_unpack_errors_name_the_archive(tmp_path):
    scratch = sos_archive.Scratch()
    try:
        with pytest.raises(InputError) as exc:
            scratch.unpack(str(packed(tmp_path, name="x.tar.xz", top="web1")))
        assert exc.value.where == str(tmp_path / "x.tar.xz") and "sosreport-" in exc.value.why
    finally:
        scratch.close()


def test_the_scratch_folder_of_a_killed_tcplog_is_removed_by_the_next(tmp_path):
    """A scan killed mid-run leaves its scratch folder; the next one that unpacks a report removes it."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = Path(tempfile.gettempdir()) / f"tcplog-sos-{dead.stdout.strip()}-abc"
    (stale / "x").mkdir(parents=True)
    scan(str(packed(tmp_path)))
    assert not stale.exists()
