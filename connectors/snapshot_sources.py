"""Any saved host state -> snapshot documents: the one place that knows every source.

    a tcplog snapshot document (JSON) or a series of them (NDJSON, from --interval/--count)
    a sosreport folder            (connectors.sosreport)
    a copied /proc tree           (connectors.procfs.load_tree)
    a saved `sysctl -a` file      (connectors.sysctl_text)

Used by `tcplog snapshot --from`, `tcplog explain --snapshot` and `tcplog scan --snapshot`.
Raises InputError / SnapshotError naming the path; never executes anything it reads.
"""

from __future__ import annotations

import os

from tcplog.connectors import procfs, sosreport, sysctl_text
from tcplog.connectors.procfs import read_bounded
from tcplog.errors import InputError
from tcplog.snapshot.document import MAX_BYTES, load_bytes


def load_all(path: str, host: str | None = None) -> list[dict]:
    """Every snapshot document the path holds (one for all sources but an NDJSON series)."""
    if not os.path.exists(path):
        raise InputError(path, "no such file or directory")
    if os.path.isdir(path):
        if sosreport.detect(path):
            return [sosreport.load(path, host=host)[0]]
        if procfs.is_tree(path):
            return [procfs.load_tree(path, host=host)]
        raise InputError(path, "neither a sosreport nor a copied /proc tree (no net/ or sys/net/)")
    try:
        data = read_bounded(path, MAX_BYTES * 64)
    except OSError as exc:
        raise InputError(path, (exc.strerror or str(exc)).lower()) from None
    if data is None:
        raise InputError(path, "too large for a snapshot file")
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
    return [sysctl_text.load(path, host=host)]
