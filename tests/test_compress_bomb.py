"""Compressed inputs are bounded: `scan --max-input-bytes SIZE` stops a gzip/bz2/xz/zstd input (or a
compressed tar, or a compressed tar member) after SIZE decompressed bytes, keeps what was found
before, and reports the input unreadable (exit code 1) with the reason; memory stays flat."""

from __future__ import annotations

import bz2
import io
import json
import lzma
import subprocess
import sys
import tarfile
import zlib
from pathlib import Path

import pytest
import zstandard

from tcplog.connectors import decompress, files, sizes

REPO = Path(__file__).parent.parent
KERN_LOG = (REPO / "samples" / "logs" / "kern.log").read_bytes()
MiB = 1 << 20
# runs tcplog as a child and prints the child's peak RSS (KiB) and exit code, then its stderr
PEAK = ("import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode, r.stdout.count(b'\\n'))\n"
        "sys.stdout.write(r.stderr.decode())\n")


def _gzip(path: Path, parts) -> Path:
    """A gzip file written piece by piece (a 200 MB bomb never sits in memory)."""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(path, "wb") as f:
        for part in parts:
            f.write(c.compress(part))
        f.write(c.flush())
    return path


def _zeros(total: int, line: bool = False):
    piece = (b"\0" * 1023 + b"\n") * 1024 if line else b"\0" * MiB
    for _ in range(total // MiB):
        yield piece


def _scan(*args) -> tuple[int, int, int, dict, str]:
    """(peak RSS in KiB, exit code, event lines written, --stats, stderr) of one `tcplog scan`."""
    r = subprocess.run([sys.executable, "-c", PEAK, sys.executable, "-m", "tcplog", "scan", *map(str, args),
                        "--stats", "-q", "--no-classify", "--snapshots", "/nonexistent"],
                       capture_output=True, timeout=300)
    head, _, stderr = r.stdout.decode().partition("\n")
    rss, code, written = map(int, head.split())
    return rss, code, written, json.loads(stderr.strip().splitlines()[-1]), stderr


def test_gzip_bomb_is_cut_at_the_limit_with_the_reason_and_flat_memory(tmp_path):
    """200 MB of zeros in a 200 KB gzip, after real kernel lines: read up to 20M, reported, exit 1."""
    bomb = _gzip(tmp_path / "kern.log.gz", [KERN_LOG, *_zeros(200 * MiB), KERN_LOG])
    assert bomb.stat().st_size < 400_000
    rss, code, written, stats, stderr = _scan(bomb, "--max-input-bytes", "20M")
    assert code == 1
    why = "decompressed past --max-input-bytes 20M (possible compression bomb)"
    assert stats["unreadable"] == [{"input": str(bomb), "reason": why}]
    assert f"tcplog: {bomb}: {why}" in stderr
    assert stats["bytes"] == 20 * MiB  # read exactly up to the limit
    _, _, _, plain, _ = _scan(REPO / "samples" / "logs" / "kern.log")
    assert stats["events"] == plain["events"]  # every line before the bomb was scanned
    # and written, including the last one of the host (held for a suppression notice): the input
    # ends at the limit, the pipeline flushes, and only then is the input reported
    assert written == stats["events"]
    assert rss < 120 * 1024, f"peak RSS {rss} KiB"


def test_default_limit_reads_a_large_input_whole_in_flat_memory(tmp_path):
    """200 MB of decompressed lines, under the default ceiling (64G): read to the end, exit 0, memory flat."""
    log = _gzip(tmp_path / "big.gz", [KERN_LOG, *_zeros(200 * MiB, line=True), KERN_LOG])
    rss, code, written, stats, _ = _scan(log)
    assert code == 0 and stats["unreadable"] == []
    assert stats["bytes"] == 200 * MiB + 2 * len(KERN_LOG)
    _, _, once, plain, _ = _scan(REPO / "samples" / "logs" / "kern.log")
    assert written == 2 * once and stats["events"] == 2 * plain["events"]
    assert rss < 100 * 1024, f"peak RSS {rss} KiB"


@pytest.mark.parametrize("kind", ["bz2", "xz", "zstd"])
def test_every_compression_is_bounded(tmp_path, kind):
    """bz2, xz and zstd inputs stop at the limit too."""
    data = KERN_LOG + b"\0" * (8 * MiB)
    packed = {"bz2": bz2.compress, "xz": lzma.compress, "zstd": zstandard.ZstdCompressor().compress}[kind](data)
    path = tmp_path / f"kern.log.{kind}"
    path.write_bytes(packed)
    _, code, _, stats, _ = _scan(path, "--max-input-bytes", "1M")
    assert code == 1 and stats["bytes"] == MiB
    assert stats["unreadable"] == [{"input": str(path), "reason": "decompressed past --max-input-bytes 1M "
                                                                 "(possible compression bomb)"}]


def _tar(members) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1_795_000_000
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def test_compressed_tar_listing_stops_at_the_limit(tmp_path):
    """A tar.gz whose second member is 64 MB of zeros: the first member is scanned, the bomb member
    is reported by name and nothing after it is decompressed."""
    path = tmp_path / "logs.tar.gz"
    tar = _tar([("a/kern.log", KERN_LOG), ("a/zeros", b"\0" * (64 * MiB)), ("b/kern.log", KERN_LOG)])
    _gzip(path, [tar[i:i + MiB] for i in range(0, len(tar), MiB)])
    _, code, written, stats, _ = _scan(path, "--max-input-bytes", "2M")
    assert code == 1
    assert stats["unreadable"] == [{"input": f"{path}!a/zeros", "reason": "decompressed past --max-input-bytes 2M "
                                    "(possible compression bomb); no later member is read"}]
    _, _, once, plain, _ = _scan(REPO / "samples" / "logs" / "kern.log")
    assert written == once and stats["events"] == plain["events"]  # a/kern.log, whole


def test_compressed_member_of_a_plain_tar_is_bounded(tmp_path):
    """A gzip member inside a plain tar is bounded as an input of its own, named ARCHIVE!MEMBER."""
    path = tmp_path / "logs.tar"
    inner = zlib.compressobj(9, zlib.DEFLATED, 31)
    member = inner.compress(KERN_LOG + b"\0" * (16 * MiB)) + inner.flush()
    path.write_bytes(_tar([("kern.log.1.gz", member), ("kern.log", KERN_LOG)]))
    _, code, written, stats, _ = _scan(path, "--max-input-bytes", "4M")
    assert code == 1 and [u["input"] for u in stats["unreadable"]] == [f"{path}!kern.log.1.gz"]
    assert "--max-input-bytes 4M" in stats["unreadable"][0]["reason"]
    _, _, _, plain, _ = _scan(REPO / "samples" / "logs" / "kern.log")
    # the bomb member's events before the limit, then the next member read whole: all written
    assert stats["events"] == 2 * plain["events"] and written == stats["events"]


def test_workers_get_the_limit(tmp_path):
    """With --workers 2 the bomb is cut in a worker process and the other input is read whole."""
    bomb = _gzip(tmp_path / "a.gz", [KERN_LOG, *_zeros(32 * MiB)])
    plain = tmp_path / "b.log"
    plain.write_bytes(KERN_LOG)
    _, code, _, stats, _ = _scan(bomb, plain, "--max-input-bytes", "1M", "--workers", "2")
    assert code == 1 and [u["input"] for u in stats["unreadable"]] == [str(bomb)]
    assert stats["files"] == 1 and stats["bytes"] == MiB + len(KERN_LOG)


def test_zero_means_no_limit_and_sizes_parse():
    """`0` is no limit; K/M/G/T are powers of 1024; anything else is a usage error."""
    assert sizes.parse_size("0") is None
    assert sizes.parse_size("10G") == 10 << 30 and sizes.parse_size("500M") == 500 << 20
    assert sizes.parse_size("64KiB") == 64 << 10 and sizes.parse_size("1048576") == MiB
    assert sizes.format_size(10 << 30) == "10G" and sizes.format_size(1000) == "1000"
    with pytest.raises(ValueError):
        sizes.parse_size("ten gigabytes")
    r = subprocess.run([sys.executable, "-m", "tcplog", "scan", "-", "--max-input-bytes", "lots"],
                       input=b"", capture_output=True)
    assert r.returncode == 2 and b"not a size" in r.stderr


def test_blocks_hand_on_every_byte_before_the_limit():
    """The reader stops at exactly the limit; blocks yield every byte up to it, then the error
    (or, deferred, after the caller flushed: raise_if_cut)."""
    data = b"".join(b"line %d\n" % i for i in range(100_000))
    packed = zlib.compress(data, wbits=31)
    for defer in (False, True):
        decompress.set_max_input_bytes(100_000)
        try:
            stream = decompress.open_stream(io.BytesIO(packed), "x.gz")
            got = []
            if defer:
                got = list(files.blocks(stream, size=4096, defer_limit=True))
                with pytest.raises(decompress.InputTooLarge):
                    files.raise_if_cut(stream)
            else:
                with pytest.raises(decompress.InputTooLarge) as exc:
                    for block in files.blocks(stream, size=4096):
                        got.append(block)
                assert exc.value.where == "x.gz"
        finally:
            decompress.set_max_input_bytes(decompress.DEFAULT_MAX_INPUT_BYTES)
        assert b"".join(got) == data[:100_000]
