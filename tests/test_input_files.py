"""Bad input files are first class: every malformed archive, compressed file, directory entry or
text encoding gets a clear error or is read, nothing is lost or read twice, `--stats` adds up, and
`--workers 2` gives what one process gives."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import random
import subprocess
import sys
import tarfile
import threading
import zlib

import orjson
import pytest
import zstandard

from tcplog.connectors import files, walk

K = b"Nov 21 10:00:03 web-07 kernel: TCP: time wait bucket table overflow"
PACK = {"gzip": lambda d: zlib.compress(d, 6, 31), "bz2": bz2.compress, "xz": lzma.compress,
        "zstd": zstandard.ZstdCompressor().compress}
UNPACK = {"gzip": lambda: zlib.decompressobj(31), "bz2": bz2.BZ2Decompressor, "xz": lzma.LZMADecompressor,
          "zstd": lambda: zstandard.ZstdDecompressor().decompressobj()}


def kernel_lines(n: int, end: bytes = b"\n") -> bytes:
    """n recognised kernel lines, one host each (nothing folds them)."""
    return b"".join(K.replace(b"web-07", b"web-%d" % i) + end for i in range(n))


# Root reads any directory: without the two capabilities that let it, it meets permissions as a user does.
AS_A_USER = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"] if os.geteuid() == 0 else []


def run(*args, timeout: int = 120, prefix: tuple = ()) -> tuple[int, bytes, dict, str]:
    """(exit code, stdout, --stats, stderr) of one `tcplog scan` (behind `prefix`, a command)."""
    r = subprocess.run([*prefix, sys.executable, "-m", "tcplog", "scan", *map(str, args), "--stats", "-q",
                        "--no-classify", "--snapshots", "/nonexistent"], capture_output=True, timeout=timeout)
    stderr = r.stderr.decode()
    return r.returncode, r.stdout, orjson.loads(stderr.strip().splitlines()[-1]), stderr


def scan(*args, prefix: tuple = ()) -> tuple[int, list[dict], dict, str]:
    """One scan with --workers 1 and with --workers 2: the same exit code, output and stats (checked),
    and every event counted in --stats written."""
    code, out, stats, stderr = run(*args, "--workers", "1", prefix=prefix)
    assert run(*args, "--workers", "2", prefix=prefix)[:3] == (code, out, stats)
    got = [orjson.loads(line) for line in out.splitlines()]
    assert stats["events"] == len(got)
    assert stats["candidates"] == (stats["events"] + stats["merged"] + stats["unframed"] + stats["not_kernel"]
                                   + stats["unmatched"])
    return code, got, stats, stderr


def tar_of(members, fmt=tarfile.GNU_FORMAT) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt, encoding="utf-8", errors="surrogateescape") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1_795_000_000
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def reasons(stats: dict) -> list[tuple[str, str]]:
    return [(u["input"], u["reason"]) for u in stats["unreadable"]]


# tar archives


def test_tar_member_name_that_is_not_utf8_is_read_and_shown_escaped(tmp_path):
    """A GNU tar member named `caf\\xe9.log` (Latin-1) is read; its name is valid UTF-8 with the byte escaped."""
    path = tmp_path / "nonutf8.tar"
    path.write_bytes(tar_of([(os.fsdecode(b"caf\xe9.log"), K + b"\n"), ("b.log", K + b"\n")]))
    code, got, stats, _ = scan(path)
    assert code == 0 and stats["unreadable"] == []
    assert sorted(e["source"]["file"] for e in got) == [f"{path}!b.log", f"{path}!caf\\xe9.log"]


def test_file_name_that_is_not_utf8_is_read_and_shown_escaped(tmp_path):
    """A log file named with a Latin-1 byte, found in a directory, is read and named escaped."""
    folder = tmp_path / "logs"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.log"), "wb") as f:
        f.write(K + b"\n")
    code, got, _, _ = scan(folder)
    assert code == 0 and [e["source"]["file"] for e in got] == [f"{folder}/caf\\xe9.log"]


def _bad_checksum(tar: bytes, header: int) -> bytes:
    data = bytearray(tar)
    data[header + 148:header + 156] = b"000000\0 "
    return bytes(data)


@pytest.mark.parametrize("packed", ["plain", "zstd"])
def test_corrupt_tar_header_is_reported_at_that_member(tmp_path, packed):
    """A bad header checksum on the 2nd member: the 1st member's event, then the archive reported
    (tarfile alone would end the archive there silently); a zstd tar (streamed) alike."""
    tar = _bad_checksum(tar_of([("a.log", K + b"\n"), ("b.log", K + b"\n"), ("c.log", K + b"\n")]), 1024)
    path = tmp_path / ("logs.tar" if packed == "plain" else "logs.tar.zst")
    path.write_bytes(tar if packed == "plain" else PACK["zstd"](tar))
    code, got, stats, _ = scan(path)
    assert code == 1 and [e["source"]["file"] for e in got] == [f"{path}!a.log"]
    assert reasons(stats) == [(str(path), "corrupt tar header (bad checksum) at byte 1024, after member a.log: "
                                          "no later member is read")]


@pytest.mark.parametrize("packed", ["plain", "zstd"])
def test_bad_compressed_member_is_reported_and_the_next_member_read(tmp_path, packed):
    """a.log, b.log.gz cut to 20 bytes, c.log: a and c are read, `ARCHIVE!b.log.gz` is reported."""
    tar = tar_of([("a.log", K + b"\n"), ("b.log.gz", gzip.compress(K + b"\n")[:20]), ("c.log", K + b"\n")])
    path = tmp_path / ("logs.tar" if packed == "plain" else "logs.tar.zst")
    path.write_bytes(tar if packed == "plain" else PACK["zstd"](tar))
    code, got, stats, _ = scan(path)
    assert code == 1 and [e["source"]["file"] for e in got] == [f"{path}!a.log", f"{path}!c.log"]
    assert reasons(stats) == [(f"{path}!b.log.gz",
                               "EOFError: Compressed file ended before the end-of-stream marker was reached")]


@pytest.mark.parametrize("packed", ["plain", "gzip", "zstd"])
def test_truncated_tar_keeps_the_members_before_the_cut(tmp_path, packed):
    """A tar (plain, .tar.gz opened by tarfile, .tar.zst streamed) cut at two thirds: the members
    before the cut are read whole, the cut is reported (once a tar.gz gave no event at all)."""
    rnd = random.Random(7)  # noise that does not compress: the cut falls inside the archive's data, not its end
    tar = tar_of([(name, b"".join(line + b"Nov 21 10:00:03 web-07 sshd[1]: %x\n" % rnd.getrandbits(256)
                                  for line in kernel_lines(3000).splitlines(keepends=True)))
                  for name in ("a.log", "b.log", "c.log")])
    data = tar if packed == "plain" else PACK[packed](tar)
    path = tmp_path / f"cut.tar.{packed}"
    path.write_bytes(data[:len(data) * 2 // 3])
    code, got, stats, _ = scan(path)
    files_read = [e["source"]["file"] for e in got]
    assert code == 1 and stats["unreadable"] and files_read[:3000] == [f"{path}!a.log"] * 3000
    assert len(got) >= (6000 if packed == "plain" else 3000)


# compressed files


@pytest.mark.parametrize("kind", ["gzip", "bz2", "xz", "zstd"])
def test_truncated_compressed_log_writes_every_event_it_counts(tmp_path, kind):
    """A compressed log cut in half: every readable byte is scanned (as much as the decompressor
    gives), every event counted is written, and the input is reported unreadable."""
    data = b"".join(K + b"\nNov 21 10:00:03 web-07 sshd[1]: hello %d\n" % i for i in range(20_000))  # one host
    packed = PACK[kind](data)
    half = packed[:len(packed) // 2]
    readable = UNPACK[kind]().decompress(half)  # what `gzip -dc` and the like recover
    path = tmp_path / f"cut.log.{kind}"
    path.write_bytes(half)
    code, got, stats, _ = scan(path)
    assert code == 1 and reasons(stats) == [
        (str(path), "EOFError: Compressed file ended before the end-of-stream marker was reached")]
    assert stats["bytes"] >= len(readable) and len(got) >= readable.count(K + b"\n")


def test_zstd_of_only_its_magic_is_reported(tmp_path):
    """A file holding only the 4-byte zstd magic is a truncated zstd file, not an empty log."""
    path = tmp_path / "magic.zst"
    path.write_bytes(b"\x28\xb5\x2f\xfd")
    code, got, stats, _ = scan(path)
    assert (code, got) == (1, []) and reasons(stats)[0][1].startswith("EOFError")


@pytest.mark.parametrize("kind", ["gzip", "bz2", "xz", "zstd"])
def test_trailing_garbage_keeps_the_events_and_is_reported(tmp_path, kind):
    """Text after the compressed data: every event of the data, then the garbage reported (all four alike)."""
    path = tmp_path / f"trail.log.{kind}"
    path.write_bytes(PACK[kind](kernel_lines(500)) + b"trailing garbage\n")
    code, got, stats, _ = scan(path)
    assert code == 1 and len(got) == 500
    [(where, why)] = reasons(stats)
    assert where == str(path) and why.startswith(f"trailing garbage after the {kind} data")


@pytest.mark.parametrize("kind", ["gzip", "bz2", "xz", "zstd"])
def test_concatenated_streams_and_zero_padding_are_read_whole(tmp_path, kind):
    """Two streams one after the other, then zero padding: both read, no error."""
    path = tmp_path / f"two.log.{kind}"
    path.write_bytes(PACK[kind](kernel_lines(300)) + PACK[kind](kernel_lines(200)) + b"\0" * 1024)
    code, got, stats, _ = scan(path)
    assert (code, len(got), stats["unreadable"]) == (0, 500, [])


def test_journal_export_record_failing_midway_keeps_the_event_before(tmp_path):
    """A journal export whose 2nd record claims a 2^63-byte binary field: the 1st record's event,
    counted in --stats, is written, then the input is reported."""
    good = b"__CURSOR=s=1\n__REALTIME_TIMESTAMP=1795000000000000\n_TRANSPORT=kernel\n_HOSTNAME=web-07\n" \
           b"MESSAGE=TCP: time wait bucket table overflow\n\n"
    bad = b"__CURSOR=s=2\n_TRANSPORT=kernel\nMESSAGE\n" + (1 << 63).to_bytes(8, "little") + b"xx\n\n"
    path = tmp_path / "j.export"
    path.write_bytes(good + bad)
    code, got, stats, _ = scan(path)
    assert code == 1 and len(got) == 1 and "claims 9223372036854775808 bytes" in reasons(stats)[0][1]


# directories


def test_fifo_in_a_directory_is_reported_not_waited_on(tmp_path):
    """A FIFO inside a scanned directory is skipped as not a regular file; the run does not hang."""
    (tmp_path / "a.log").write_bytes(K + b"\n")
    os.mkfifo(tmp_path / "pipe")
    code, got, stats, _ = scan(tmp_path)
    assert code == 1 and len(got) == 1
    assert reasons(stats) == [(str(tmp_path / "pipe"), "not a regular file (FIFO): skipped")]


def test_fifo_named_on_the_command_line_is_read(tmp_path):
    """A FIFO given by name (as `<(...)` gives one) is still read."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "wb") as f:
            f.write(K + b"\n")

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    code, out, stats, _ = run(fifo, "--workers", "1", timeout=30)
    writer.join(5)
    assert code == 0 and len(out.splitlines()) == 1 and stats["files"] == 1


def test_unlistable_subdirectory_is_reported(tmp_path, monkeypatch):
    """A subdirectory that cannot be listed (permission denied) is named with the reason, in the
    walk and when named itself (no "directory holds no files")."""
    (tmp_path / "a.log").write_bytes(K + b"\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.log").write_bytes(K + b"\n")
    scandir = os.scandir

    def refusing(path="."):
        if os.fspath(path).endswith("sub"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    sub = str(tmp_path / "sub")
    assert list(walk.expand([str(tmp_path)], seen={})) == [
        (str(tmp_path / "a.log"), None), (sub, "permission denied: directory not read")]
    assert list(walk.expand([sub], seen={})) == [(sub, "permission denied: directory not read")]


def test_unreadable_subdirectory_is_reported_by_scan(tmp_path):
    """The same through `scan`, with a real mode 000 subdirectory (as root: without the capabilities
    that bypass permissions, see AS_A_USER)."""
    (tmp_path / "a.log").write_bytes(K + b"\n")
    (tmp_path / "sub").mkdir(mode=0)
    try:
        code, got, stats, _ = scan(tmp_path, prefix=AS_A_USER)
    finally:
        (tmp_path / "sub").chmod(0o755)
    assert code == 1 and len(got) == 1
    assert reasons(stats) == [(str(tmp_path / "sub"), "permission denied: directory not read")]


def test_links_to_a_file_already_read_are_read_once(tmp_path):
    """A symbolic and a hard link to a.log in the same walk, then a.log and the hard link named
    after the folder: one event, a note on stderr per skipped name, exit code 0."""
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "a.log").write_bytes(K + b"\n")
    (folder / "b.log").symlink_to("a.log")
    os.link(folder / "a.log", folder / "c.log")
    code, got, stats, stderr = scan(folder, folder / "a.log", folder / "c.log")
    assert (code, len(got), stats["files"], stats["unreadable"]) == (0, 1, 1, [])
    assert [e["source"]["file"] for e in got] == [str(folder / "a.log")]
    assert f"{folder}/b.log: the same file as {folder}/a.log: read once, skipped" in stderr
    assert f"{folder}/a.log: already read in this run: read once, skipped" in stderr
    assert sum(line.endswith("read once, skipped") for line in stderr.splitlines()) == 4
    assert [s["input"] for s in stats["skipped"]] == [str(folder / n) for n in ("b.log", "c.log", "a.log", "c.log")]
    assert stats["skipped"][0]["reason"] == f"the same file as {folder}/a.log: read once, skipped"


def test_two_names_of_one_file_on_the_command_line_read_it_once(tmp_path):
    """a.log and a symbolic link to it, both named: read once; the same path named twice is read
    twice, as asked (`cat f f`)."""
    (tmp_path / "a.log").write_bytes(K + b"\n")
    (tmp_path / "b.log").symlink_to("a.log")
    code, got, _, stderr = scan(tmp_path / "a.log", tmp_path / "b.log")
    assert (code, len(got)) == (0, 1) and "b.log: the same file as" in stderr
    code, got, _, stderr = scan(tmp_path / "a.log", tmp_path / "a.log")
    assert (code, len(got), stderr.count("read once, skipped")) == (0, 2, 0)


# text encodings and line ends


@pytest.mark.parametrize("lines", [3, 40_000])
def test_cr_line_ends_are_read_as_line_ends(tmp_path, lines):
    """`K1\\rK2\\rK3\\r` (old Mac, some network devices): one event per line, lines counted, offsets
    of the file; a 2.8 MB file alike with --workers 2 (one byte range)."""
    path = tmp_path / "cr.log"
    path.write_bytes(kernel_lines(lines, end=b"\r"))
    code, got, stats, _ = scan(path)
    assert (code, len(got), stats["lines"], stats["unreadable"]) == (0, lines, lines, [])
    assert got[1]["source"]["offset"] == len(kernel_lines(1, end=b"\r")) and got[1]["source"]["line"] == 2


@pytest.mark.parametrize("bom, codec", [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")])
@pytest.mark.parametrize("lines", [3, 40_000])
def test_utf16_text_is_reported_with_the_conversion(tmp_path, bom, codec, lines):
    """UTF-16 text (either byte order mark, small or split-sized) is reported unreadable with the
    iconv command, never scanned as noise."""
    path = tmp_path / "u16.log"
    path.write_bytes(bom + kernel_lines(lines).decode().encode(codec))
    code, got, stats, _ = scan(path)
    assert (code, got, stats["lines"]) == (1, [], 0)
    [(where, why)] = reasons(stats)
    assert where == str(path) and why.startswith("UTF-16 text (byte order mark") and "iconv -f UTF-16" in why


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_wide_text_without_a_byte_order_mark_is_reported(tmp_path, codec):
    """UTF-16/32 without a BOM (PowerShell `Out-File`, some exports) was scanned as noise and gave
    nothing, silently: it is reported with the conversion, as with a BOM."""
    path = tmp_path / "u16.log"
    path.write_bytes(kernel_lines(3).decode().encode(codec))
    code, got, stats, _ = scan(path)
    [(where, why)] = reasons(stats)
    kind = codec.upper().replace("-LE", "LE").replace("-BE", "BE")
    assert (code, got, where) == (1, [], str(path))
    assert why == f"{kind} text (no byte order mark): tcplog reads UTF-8; convert it first, e.g. iconv -f {kind} -t UTF-8"


@pytest.mark.parametrize("data", [
    "Nov 22 10:00:00 web1 kernel: ünïcödé — ok\n".encode() * 20,  # UTF-8 with non-ASCII
    b"\x00" * 512,  # NULs (a preallocated, never written log)
    b"LPKSHHRH" + bytes(range(256)) * 2,  # binary
])
def test_utf8_nuls_and_binary_are_not_taken_for_wide_text(data):
    assert files.utf16(data[:512]) is None


def test_cr_lines_inside_a_gzip_tar_member(tmp_path):
    """CR line ends are recognised after decompression and inside tar members too."""
    path = tmp_path / "logs.tar.gz"
    path.write_bytes(gzip.compress(tar_of([("cr.log", kernel_lines(3, end=b"\r"))])))
    code, got, _, _ = scan(path)
    assert (code, len(got)) == (0, 3)


def test_nul_runs_around_records_lose_no_event_and_no_line(tmp_path):
    """A crash's zeroed blocks after a record, the next record after them, a preallocated file's NUL
    tail: every kernel record gives its event, `raw` keeps the NULs, every line is counted once."""
    lines = [K + b"\0" * 300, b"\0" * 700 + K.replace(b"web-07", b"web-8"), K.replace(b"web-07", b"web-9") + b"\0\0\r"]
    path = tmp_path / "kern.log"
    path.write_bytes(b"\n".join(lines) + b"\n" + b"\0" * 4096)  # the tail: never written, no newline
    code, got, stats, _ = scan(path)
    assert (code, [e["host"] for e in got]) == (0, ["web-07", "web-8", "web-9"])
    assert [e["raw"].encode() for e in got] == [lines[0], lines[1], lines[2][:-1]]
    assert all(e["message_id"] == "tw_bucket_overflow.legacy" for e in got)
    assert stats["lines"] == 4 and stats["unframed"] == 0
