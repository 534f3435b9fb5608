"""A host snapshot from a saved `sysctl -a` output (`sysctl -a > web1.sysctl`).

Only the `sysctl` section is read, plus what the text itself names: `kernel.hostname` gives
the host, `kernel.osrelease`/`kernel.version` the kernel, `kernel.random.boot_id` the boot id,
and the conntrack and neighbour sections get their limits (`nf_conntrack_count`/`_max`/
`_buckets`, `gc_thresh1-3`) from the values. Every other section is null and named in
`errors`. A dump carries no time, so the snapshot is timed by the file's mtime unless a time
is given. Message lines mixed into the dump (`sysctl: permission denied on key ...`) are
reported in `errors`, never read as keys.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

from tcplog.connectors.procfs import MAX_FILE, read_bounded
from tcplog.errors import InputError
from tcplog.snapshot import document, parse, sections

NOT_IN_TEXT = ("page_size", "memory", "sockstat", "sockstat6", "netstat", "snmp", "listeners")


def load(path: str, host: str | None = None, now: datetime | None = None) -> dict:
    """The document for one `sysctl -a` file; InputError naming it when it cannot be read."""
    try:
        data = read_bounded(path, MAX_FILE)
        when = now or datetime.fromtimestamp(os.stat(path).st_mtime, tz=timezone.utc)
    except OSError as exc:
        raise InputError(path, (exc.strerror or str(exc)).lower()) from None
    if data is None:
        raise InputError(path, f"larger than {MAX_FILE} bytes")
    doc = from_text(data.decode("utf-8", "replace"), path, host, when)
    doc["sources"]["time"] = "given" if now else f"mtime of {path}"
    return doc


def from_text(text: str, source: str, host: str | None, time: datetime) -> dict:
    """The document for `sysctl -a` text (pure); `source` names it in sources and errors."""
    doc = document.new(host, time)
    result = parse.sysctl_text(text)
    if not result.value:
        document.add_error(doc, "sysctl", f"{source}: no 'key = value' lines")
    doc["sysctl"] = sections.select_sysctl(result.value) if result.value else None
    doc["sources"]["sysctl"] = source
    for p in result.problems[:5]:
        document.add_error(doc, "sysctl", f"{source}: {p}")
    if len(result.problems) > 5:
        document.add_error(doc, "sysctl", f"{source}: {len(result.problems) - 5} more lines skipped")
    identity_from_sysctl(doc, result.value, source)
    doc["conntrack"] = sections.conntrack(doc["sysctl"], None)
    doc["neighbour"] = sections.neighbour(doc["sysctl"], {})
    for section in NOT_IN_TEXT + tuple(k for k in ("host", "kernel", "boot") if doc[k] is None):
        document.add_error(doc, section, "not in a `sysctl -a` dump")
    return doc


def identity_from_sysctl(doc: dict, values: dict[str, str], source: str) -> None:
    """Fill host, kernel and boot.id from kernel.* keys where the document has none yet."""
    if doc["host"] is None and values.get("kernel.hostname"):
        doc["host"] = document.fitting(doc, "host", values["kernel.hostname"])
        if doc["host"] is not None:
            doc["sources"]["host"] = f"{source} (kernel.hostname)"
    if doc["kernel"] is None and ("kernel.osrelease" in values or "kernel.version" in values):
        doc["kernel"] = {"release": document.fitting(doc, "kernel", values.get("kernel.osrelease") or None,
                                                     document.MAX_STRING),
                         "version": document.fitting(doc, "kernel", values.get("kernel.version") or None,
                                                     document.MAX_STRING)}
        doc["sources"]["kernel"] = f"{source} (kernel.osrelease, kernel.version)"
    if doc["boot"] is None and values.get("kernel.random.boot_id"):
        boot_id = document.fitting(doc, "boot", values["kernel.random.boot_id"])
        if boot_id is not None:
            doc["boot"] = {"time": None, "id": boot_id}
            doc["sources"]["boot"] = f"{source} (kernel.random.boot_id)"
