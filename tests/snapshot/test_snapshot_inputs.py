"""Saved host state as people hand it over: tarballs, tar copies of /proc, Windows text, files that are no dump.

Each input is a real file built in tmp_path; the command-line cases run `python -m tcplog snapshot --from`
and check the exit code, stderr and the document.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest
import zstandard

from tcplog.connectors import procfs, snapshot_sources, sosreport, sysctl_text
from tcplog.errors import InputError
from tcplog.snapshot import document

FIXTURES = Path(__file__).parent.parent / "fixtures"
SOS = FIXTURES / "sosreport-web1"
VM = FIXTURES / "proc" / "vm-6.18"
SYSCTL = FIXTURES / "sysctl" / "rhel5-2.6.18_sysctl_-a.txt"
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)
TAR_HINT = "empty file (a tar copy of /proc? copy with cp or cat)"
BOOT_ID = "3f0c1b8e-9d57-4a43-8b1e-52a6c0f3d7aa"
DUMP = (b"net.ipv4.tcp_max_tw_buckets = 180000\n"
        b"net.ipv4.tcp_mem = 196608\t262144\t393216\n"
        b"kernel.hostname = win1\n")


def tcplog(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tcplog", *args], capture_output=True, timeout=60)


def snapshot_from(path: Path) -> subprocess.CompletedProcess:
    return tcplog("snapshot", "--from", str(path))


def sos_tar() -> bytes:
    """The sample sosreport as an uncompressed tar, its folder named as sos names it."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        tar.add(SOS, arcname="sosreport-web1-2026-11-23-abcdefg")
    return buf.getvalue()


COMPRESS = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress,
            "zst": lambda data: zstandard.ZstdCompressor().compress(data)}
KIND = {"gz": "gzip", "bz2": "bz2", "xz": "xz", "zst": "zstd"}


# -- archives and compressed files ------------------------------------------------------------------------

@pytest.mark.parametrize("ext", ["xz", "gz", "bz2", "zst", None])
def test_sosreport_tarball_is_read_as_its_folder(tmp_path, ext):
    """`snapshot --from sosreport-….tar.xz` (as sos packs it, any compression or none): the document the
    folder gives, its files named inside the archive, and no scratch folder left behind."""
    tarball = tmp_path / (f"sosreport-web1-2026-11-23-abcdefg.tar.{ext}" if ext else "sosreport-web1.tar")
    tarball.write_bytes(COMPRESS[ext](sos_tar()) if ext else sos_tar())
    before = scratch_folders()
    r = snapshot_from(tarball)
    assert r.returncode == 0, r.stderr
    doc = document.load_bytes(r.stdout, "<stdout>")
    folder = snapshot_sources.load_all(str(SOS))[0]
    inside = f"{tarball}!sosreport-web1-2026-11-23-abcdefg"
    assert {k: v.replace(inside, str(SOS)) for k, v in doc["sources"].items()} == folder["sources"]
    assert [e["error"].replace(inside, str(SOS)) for e in doc["errors"]] == [e["error"] for e in folder["errors"]]
    for key in ("host", "time", "kernel", "boot", "sysctl", "sockstat", "netstat", "memory"):
        assert doc[key] == folder[key], key
    assert scratch_folders() == before


def scratch_folders() -> set[str]:
    """The scratch folders packed reports are unpacked into (connectors.sos_archive), in the temp folder."""
    return {p.name for p in Path(tempfile.gettempdir()).iterdir() if p.name.startswith("tcplog-sos-")}


@pytest.mark.parametrize("ext", ["bz2", "zst"])
def test_a_tarball_that_is_no_sosreport_is_refused_naming_its_compression(tmp_path, ext):
    """A tarball of something else (its folder is no `sosreport-…`) is refused: extract it first."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        tar.add(SOS, arcname="web1-state")
    tarball = tmp_path / f"web1-state.tar.{ext}"
    tarball.write_bytes(COMPRESS[ext](buf.getvalue()))
    with pytest.raises(InputError, match=rf"compressed tar archive \({KIND[ext]}\) that is no sosreport or supportconfig: extract it"):
        snapshot_sources.load_all(str(tarball))


def test_plain_tar_of_another_folder_is_refused(tmp_path):
    """An uncompressed tar that is no report is an archive too, not sysctl text."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        tar.add(SOS, arcname="copy")
    tarball = tmp_path / "copy.tar"
    tarball.write_bytes(buf.getvalue())
    r = snapshot_from(tarball)
    assert r.returncode == 1 and b"a tar archive that is no sosreport or supportconfig: extract it and give the folder" in r.stderr


def test_zip_is_refused(tmp_path):
    """A zip (a report re-packed on Windows) is refused with the same advice."""
    path = tmp_path / "sos.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("sos/sos_commands/kernel/sysctl_-a", DUMP)
    r = snapshot_from(path)
    assert r.returncode == 1 and b"a zip archive: extract it and give the folder" in r.stderr


def test_sosreport_tarball_given_to_explain_judges_the_line(tmp_path):
    """`explain --snapshot sosreport-….tar.gz` reads the packed report's state, as for its folder."""
    tarball = tmp_path / "sosreport-web1.tar.gz"
    tarball.write_bytes(gzip.compress(sos_tar()))
    line = "Nov 20 10:00:00 web1 kernel: TCP: time wait bucket table overflow"
    packed, folder = (tcplog("explain", line, "--snapshot", str(path), "--json") for path in (tarball, SOS))
    assert packed.returncode == 0 == folder.returncode, packed.stderr
    assert orjson.loads(packed.stdout)["cause"] == orjson.loads(folder.stdout)["cause"]
    assert orjson.loads(packed.stdout)["cause"]["id"] != "ambiguous"


@pytest.mark.parametrize("ext", ["gz", "xz", "zst"])
def test_compressed_sysctl_dump_is_read(tmp_path, ext):
    """`sysctl -a | gzip > web1.sysctl.gz`: a single compressed file is read decompressed."""
    path = tmp_path / f"web1.sysctl.{ext}"
    path.write_bytes(COMPRESS[ext](SYSCTL.read_bytes()))
    (doc,) = snapshot_sources.load_all(str(path))
    assert doc["host"] == "db-old" and doc["sysctl"]["net.ipv4.tcp_max_tw_buckets"] == "180000"


def test_compressed_snapshot_document_is_read(tmp_path):
    """A gzipped snapshot document (web1.json.gz) loads like the plain one."""
    plain = snapshot_sources.load_all(str(SYSCTL))[0]
    path = tmp_path / "web1.json.gz"
    path.write_bytes(gzip.compress(orjson.dumps(plain)))
    r = snapshot_from(path)
    assert r.returncode == 0, r.stderr
    assert document.load_bytes(r.stdout, "<stdout>")["sysctl"] == plain["sysctl"]


def test_corrupt_compressed_file_exits_1(tmp_path):
    """gzip magic followed by garbage: exit 1 naming the file and the compression, no traceback."""
    path = tmp_path / "web1.sysctl.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00" + b"garbage" * 10)
    r = snapshot_from(path)
    assert r.returncode == 1 and b"not readable as gzip" in r.stderr and b"Traceback" not in r.stderr


# -- a tar copy of /proc: every file empty ------------------------------------------------------------------

@pytest.fixture
def tar_copy(tmp_path) -> Path:
    """The sample /proc copy as `tar` makes it: every file there, every file 0 bytes."""
    dst = tmp_path / "tarproc"
    shutil.copytree(VM, dst / "proc")
    for f in (dst / "proc").rglob("*"):
        if f.is_file():
            f.write_bytes(b"")
    return dst


def test_tar_copy_of_proc_gives_null_sections_and_the_hint(tar_copy):
    """Empty files are no values: sysctl, memory, counters, listeners, identity null, each error names the file."""
    r = snapshot_from(tar_copy)
    assert r.returncode == 0, r.stderr
    doc = document.load_bytes(r.stdout, "<stdout>")
    for section in ("host", "kernel", "boot", "memory", "sysctl", "sockstat", "sockstat6", "netstat", "snmp",
                    "conntrack", "neighbour", "listeners"):
        assert doc[section] is None, section
    hinted = {e["section"] for e in doc["errors"] if e["error"].startswith(TAR_HINT + ": ")}
    assert {"host", "kernel", "boot", "memory", "sysctl", "sockstat", "netstat", "snmp", "conntrack",
            "neighbour", "listeners"} <= hinted
    assert f"{TAR_HINT}: {tar_copy}/proc/net/sockstat" in {e["error"] for e in doc["errors"]}
    assert b"not read:" in r.stderr and b"sysctl" in r.stderr


def test_tar_copy_sysctl_error_is_one_line_with_a_count(tar_copy):
    """Hundreds of empty sysctl files make one error: the first path and how many more."""
    doc = procfs.load_tree(str(tar_copy))
    (line,) = [e["error"] for e in doc["errors"] if e["section"] == "sysctl"]
    assert line.startswith(f"{TAR_HINT}: {tar_copy}/proc/sys/") and line.endswith(" more")


def test_one_empty_sysctl_file_drops_only_its_key(tmp_path):
    """In an otherwise good copy, the empty file's key is absent and named; the other keys stay."""
    copy = tmp_path / "proc"
    shutil.copytree(VM, copy)
    (copy / "sys/net/ipv4/tcp_mem").write_bytes(b"")
    doc = procfs.load_tree(str(copy))
    assert "net.ipv4.tcp_mem" not in doc["sysctl"] and doc["sysctl"]["net.ipv4.tcp_max_tw_buckets"]
    assert {"section": "sysctl", "error": f"{TAR_HINT}: {copy}/sys/net/ipv4/tcp_mem"} in doc["errors"]


def test_sysctl_with_an_empty_value_is_kept(tmp_path):
    """A sysctl whose value is empty reads as one newline (cp/cat keep it): "" and no error."""
    copy = tmp_path / "proc"
    shutil.copytree(VM, copy)
    (copy / "sys/net/ipv4/tcp_available_ulp").write_bytes(b"\n")
    doc = procfs.load_tree(str(copy))
    assert doc["sysctl"]["net.ipv4.tcp_available_ulp"] == ""
    assert not [e for e in doc["errors"] if e["section"] == "sysctl"]


def test_empty_net_tcp_is_no_listener_list(tmp_path):
    """An empty net/tcp (a real one always has its header) gives no listeners from it, and says so."""
    copy = tmp_path / "proc"
    shutil.copytree(VM, copy)
    (copy / "net/tcp").write_bytes(b"")
    (copy / "net/tcp6").write_bytes(b"")
    doc = procfs.load_tree(str(copy))
    assert doc["listeners"] is None
    assert {"section": "listeners", "error": f"{TAR_HINT}: {copy}/net/tcp"} in doc["errors"]


def test_empty_sysctl_dump_in_a_sosreport_is_named(tmp_path):
    """An empty sos_commands/kernel/sysctl_-a: sysctl null and `empty file: PATH` (no /proc hint)."""
    copy = tmp_path / "sos"
    shutil.copytree(SOS, copy, symlinks=True)
    (copy / "sos_commands/kernel/sysctl_-a").write_bytes(b"")
    doc, _ = sosreport.load(str(copy))
    assert doc["sysctl"] is None
    assert {"section": "sysctl", "error": f"empty file: {copy}/sos_commands/kernel/sysctl_-a"} in doc["errors"]


# -- boot.id from the sysctl dump ----------------------------------------------------------------------------

def test_sosreport_without_boot_id_file_takes_it_from_the_sysctl_dump(tmp_path):
    """sos copies proc/stat but not random/boot_id: boot.time from btime, boot.id from kernel.random.boot_id."""
    copy = tmp_path / "sos"
    shutil.copytree(SOS, copy, symlinks=True)
    (copy / "proc/sys/kernel/random/boot_id").unlink()
    doc, _ = sosreport.load(str(copy))
    assert doc["boot"] == {"time": "2026-11-14T11:00:00.000000Z", "id": BOOT_ID}
    assert doc["sources"]["boot"] == f"{copy}/proc/stat, {copy}/sos_commands/kernel/sysctl_-a (kernel.random.boot_id)"
    assert not [e for e in doc["errors"] if e["section"] == "boot"]


def test_identity_from_sysctl_fills_only_missing_fields():
    """A read boot.id or kernel release is kept; a null one is filled; boot.time is never touched."""
    doc = document.new("web1", T0)
    doc["boot"] = {"time": "2026-11-14T11:00:00.000000Z", "id": "from-proc"}
    doc["kernel"] = {"release": "4.18.0", "version": None}
    sysctl_text.identity_from_sysctl(doc, {"kernel.random.boot_id": BOOT_ID, "kernel.osrelease": "9.9",
                                           "kernel.version": "#1 SMP"}, "x.sysctl")
    assert doc["boot"] == {"time": "2026-11-14T11:00:00.000000Z", "id": "from-proc"}
    assert doc["kernel"] == {"release": "4.18.0", "version": "#1 SMP"}
    doc["boot"]["id"] = None
    sysctl_text.identity_from_sysctl(doc, {"kernel.random.boot_id": BOOT_ID}, "x.sysctl")
    assert doc["boot"] == {"time": "2026-11-14T11:00:00.000000Z", "id": BOOT_ID}


# -- text that went through Windows, and files that are no dump ---------------------------------------------

def test_utf8_bom_keeps_the_first_key(tmp_path):
    """A UTF-8 byte-order mark is dropped: the first key is read, not lost as `\\ufeffnet.…`."""
    path = tmp_path / "bom.sysctl"
    path.write_bytes(b"\xef\xbb\xbf" + DUMP)
    r = snapshot_from(path)
    assert r.returncode == 0, r.stderr
    doc = document.load_bytes(r.stdout, "<stdout>")
    assert doc["sysctl"]["net.ipv4.tcp_max_tw_buckets"] == "180000" and doc["host"] == "win1"
    assert not [e for e in doc["errors"] if e["section"] == "sysctl"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read(tmp_path, encoding):
    """PowerShell's `sysctl -a > file` (UTF-16 LE with BOM; BE too) reads like the UTF-8 dump."""
    path = tmp_path / "ps.sysctl"
    text = SYSCTL.read_text().replace("\n", "\r\n")
    path.write_bytes(("\ufeff" + text).encode(encoding) if encoding == "utf-16-be" else text.encode(encoding))
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    r = snapshot_from(path)
    assert r.returncode == 0, r.stderr
    doc = document.load_bytes(r.stdout, "<stdout>")
    want = sysctl_text.load(str(SYSCTL), now=T0)
    assert doc["sysctl"] == want["sysctl"] and doc["host"] == "db-old" and doc["boot"] == want["boot"]


def test_utf16_without_a_mark_is_refused(tmp_path):
    """UTF-16 with no BOM cannot be told from binary: exit 1 naming NUL bytes and how to fix it."""
    path = tmp_path / "nobom.sysctl"
    path.write_bytes(DUMP.decode().encode("utf-16-le"))
    r = snapshot_from(path)
    assert r.returncode == 1 and r.stdout == b""
    assert b"binary data (NUL bytes)" in r.stderr and b"save it as UTF-8" in r.stderr


def test_bom_before_a_snapshot_document_is_dropped(tmp_path):
    """A snapshot document saved with a BOM by a Windows editor still loads."""
    plain = snapshot_sources.load_all(str(SYSCTL))[0]
    path = tmp_path / "web1.json"
    path.write_bytes(b"\xef\xbb\xbf" + orjson.dumps(plain))
    assert snapshot_sources.load_all(str(path))[0]["sysctl"] == plain["sysctl"]


def test_file_without_key_value_lines_exits_1(tmp_path):
    """/etc/passwd-like text: exit 1, the file and its first line named, no document."""
    path = tmp_path / "passwd"
    path.write_bytes(b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n")
    r = snapshot_from(path)
    assert r.returncode == 1 and r.stdout == b""
    assert r.stderr.decode().startswith(f"tcplog: {path}: no 'key = value' line: not `sysctl -a` output "
                                        "(line 1: expected 'key = value': 'root:x:0:0:root:/root:/bin/bash')")


def test_empty_file_exits_1(tmp_path):
    """An empty --from file is not a dump either."""
    path = tmp_path / "empty.sysctl"
    path.write_bytes(b"")
    r = snapshot_from(path)
    assert r.returncode == 1 and b"no 'key = value' line: not `sysctl -a` output (the file is empty)" in r.stderr


def test_dump_of_only_error_messages_exits_1(tmp_path):
    """Only `sysctl: permission denied` lines: no key was read, so not a snapshot."""
    path = tmp_path / "denied.sysctl"
    path.write_bytes(b"sysctl: permission denied on key 'net.ipv4.route.flush'\n")
    with pytest.raises(InputError, match="no 'key = value' line.*sysctl message"):
        snapshot_sources.load_all(str(path))
