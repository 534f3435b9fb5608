"""Any saved host state -> snapshot documents: the one place that knows every source.

    a tcplog snapshot document (JSON) or a series of them (NDJSON, from --interval/--count)
    a sosreport folder            (connectors.sosreport)
    a supportconfig folder        (connectors.supportconfig: scc_web1_261120_1105/)
    either as it is packed        (connectors.sos_archive: sosreport-web1-….tar.xz, scc_web1_….txz;
                                   its snapshot files unpacked)
    a copied /proc tree           (connectors.procfs.load_tree)
    a saved `sysctl -a` file      (connectors.sysctl_text)

Used by `tcplog snapshot --from`, `tcplog explain --snapshot` and `tcplog scan --snapshot`.
Raises InputError / SnapshotError naming the path; never executes anything it reads.

A file compressed on its own (gzip, bz2, xz, zstd: `web1.json.gz`, `web1.sysctl.xz`) is read
decompressed, at most the size a plain file may have. Another archive is refused with what to do
instead: a tar that holds no sosreport or supportconfig, or a zip, must be extracted and the folder given.
A byte-order mark (UTF-8, or UTF-16 as PowerShell writes) is decoded away before the format
is told from the first byte.
"""

from __future__ import annotations

import io
import os

from tcplog.connectors import archives, decompress, procfs, sizes, sos_archive, sosreport, supportconfig, sysctl_text
from tcplog.connectors.procfs import BOM_UTF8, BOM_UTF16, read_bounded
from tcplog.errors import InputError
from tcplog.snapshot.document import MAX_BYTES, load_bytes

MAX_FILE = MAX_BYTES * 64  # an NDJSON series of documents; decompressed size for a compressed file
ZIP_MAGIC = b"PK\x03\x04"
EXTRACT = "extract it and give the folder"


def load_all(path: str, host: str | None = None) -> list[dict]:
    """Every snapshot document the path holds (one for all sources but an NDJSON series)."""
    if not os.path.exists(path):
        raise InputError(path, "no such file or directory")
    if sos_archive.is_report(path):  # a report as it is packed (sosreport-web1-….tar.xz, scc_web1_….txz)
        scratch = sos_archive.Scratch()
        try:
            folder = scratch.unpack(path, logs=False)
            reader = supportconfig if supportconfig.detect(folder) else sosreport
            return [scratch.named(reader.load(folder, host=host)[0])]
        finally:
            scratch.close()
    if os.path.isdir(path):
        if sosreport.detect(path):
            return [sosreport.load(path, host=host)[0]]
        if supportconfig.detect(path):
            return [supportconfig.load(path, host=host)[0]]
        if procfs.is_tree(path):
            return [procfs.load_tree(path, host=host)]
        raise InputError(path, "neither a sosreport, a supportconfig nor a copied /proc tree (no net/ or sys/net/)")
    data = _plain(path, _read(path))
    if data.lstrip()[:1] == b"{":
        lines = [line for line in data.splitlines() if line.strip()]
        if len(lines) > 1 and all(line.lstrip()[:1] == b"{" for line in lines) and data.lstrip()[1:2] != b"\n":
            docs = [load_bytes(line, f"{path}:{i + 1}") for i, line in enumerate(lines)]
        else:
            docs = [load_bytes(data, path)]
        if host:
            for d in docs:
                d["host"] = host
        return docs
    return [sysctl_text.load(path, host=host, data=data)]


def _read(path: str) -> bytes:
    try:
        data = read_bounded(path, MAX_FILE)
    except OSError as exc:
        raise InputError(path, (exc.strerror or str(exc)).lower()) from None
    if data is None:
        raise InputError(path, "too large for a snapshot file")
    return data


def _plain(path: str, data: bytes) -> bytes:
    """The file's bytes decompressed and as UTF-8 without a byte-order mark; InputError for an archive."""
    kind = decompress.compression(data[:6])
    if kind is not None:
        data = _decompressed(path, data, kind)
        if archives.is_tar(data[:512]):
            raise InputError(path, f"a compressed tar archive ({kind}) that is no sosreport or supportconfig: "
                                   f"{EXTRACT}")
    elif archives.is_tar(data[:512]):
        raise InputError(path, f"a tar archive that is no sosreport or supportconfig: {EXTRACT}")
    elif data.startswith(ZIP_MAGIC):
        raise InputError(path, f"a zip archive: {EXTRACT}")
    if data.startswith(BOM_UTF16):
        return procfs.decode(data).encode()
    return data.removeprefix(BOM_UTF8)


def _decompressed(path: str, data: bytes, kind: str) -> bytes:
    try:
        with decompress.open_stream(io.BytesIO(data), path) as stream:
            out = stream.read(MAX_FILE + 1)
    except decompress.read_errors() as exc:
        raise InputError(path, f"not readable as {kind}: {exc}") from None
    if len(out) > MAX_FILE:
        raise InputError(path, f"decompressed past {sizes.format_size(MAX_FILE)}: too large for a snapshot file")
    return out

