"""A host snapshot from a saved `sysctl -a` output (`sysctl -a > web1.sysctl`).

Only the `sysctl` section is read, plus what the text itself names: `kernel.hostname` gives
the host, `kernel.osrelease`/`kernel.version` the kernel, `kernel.random.boot_id` the boot id,
and the conntrack and neighbour sections get their limits (`nf_conntrack_count`/`_max`/
`_buckets`, `gc_thresh1-3`) from the values. Every other section is null and named in
`errors`. A dump carries no time, so the snapshot is timed by the file's mtime unless a time
is given. Message lines mixed into the dump (`sysctl: permission denied on key ...`) are
reported in `errors`, never read as keys.

Files that went through Windows are read too: a UTF-8 byte-order mark is dropped and UTF-16
with a byte-order mark (PowerShell's `sysctl -a > web1.sysctl`) is decoded. A file that holds
NUL bytes otherwise (binary, or UTF-16 without a mark) or no `key = value` line at all
(`/etc/passwd`) is not a dump: `load` raises InputError naming it.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

from tcplog.connectors.procfs import MAX_FILE, decode, read_bounded
from tcplog.errors import InputError
from tcplog.snapshot import document, parse, sections

NOT_IN_TEXT = ("page_size", "memory", "sockstat", "sockstat6", "netstat", "snmp", "listeners")


def load(path: str, host: str | None = None, now: datetime | None = None, data: bytes | None = None) -> dict:
    """The document for one `sysctl -a` file (its bytes when `data` is given); InputError naming it
    when it cannot be read or is no `sysctl -a` output."""
    try:
        data = read_bounded(path, MAX_FILE) if data is None else data
        when = now or datetime.fromtimestamp(os.stat(path).st_mtime, tz=timezone.utc)
    except OSError as exc:
        raise InputError(path, (exc.strerror or str(exc)).lower()) from None
    if data is None or len(data) > MAX_FILE:
        raise InputError(path, f"larger than {MAX_FILE} bytes")
    text = decode(data)
    if "\x00" in text:
        raise InputError(path, "binary data (NUL bytes), not `sysctl -a` output "
                               "(UTF-16 without a byte-order mark? save it as UTF-8)")
    result = parse.sysctl_text(text)
    if not result.value:
        first = f" ({result.problems[0]})" if result.problems else " (the file is empty)"
        raise InputError(path, f"no 'key = value' line: not `sysctl -a` output{first}")
    doc = _document(result, path, host, when)
    doc["sources"]["time"] = "given" if now else f"mtime of {path}"
    return doc


def from_text(text: str, source: str, host: str | None, time: datetime) -> dict:
    """The document for `sysctl -a` text (pure); `source` names it in sources and errors."""
    return _document(parse.sysctl_text(text), source, host, time)


def _document(result: parse.Parsed, source: str, host: str | None, time: datetime) -> dict:
    doc = document.new(host, time)
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
    """Fill host, kernel and boot.id from kernel.* keys where the document has none yet: a field
    that is null (boot.id when only btime was found, as in a sosreport) is filled, one read stays."""
    if doc["host"] is None and values.get("kernel.hostname"):
        doc["host"] = document.fitting(doc, "host", values["kernel.hostname"])
        if doc["host"] is not None:
            doc["sources"]["host"] = f"{source} (kernel.hostname)"
    kernel = doc["kernel"] or {"release": None, "version": None}
    filled = []
    for field, key in (("release", "kernel.osrelease"), ("version", "kernel.version")):
        if kernel[field] is None and values.get(key):
            kernel[field] = document.fitting(doc, "kernel", values[key], document.MAX_STRING)
            filled += [key] if kernel[field] is not None else []
    if filled:
        doc["kernel"] = kernel
        _add_source(doc, "kernel", f"{source} ({', '.join(filled)})")
    boot = doc["boot"] or {"time": None, "id": None}
    if boot["id"] is None and values.get("kernel.random.boot_id"):
        boot["id"] = document.fitting(doc, "boot", values["kernel.random.boot_id"])
        if boot["id"] is not None:
            doc["boot"] = boot
            _add_source(doc, "boot", f"{source} (kernel.random.boot_id)")


def _add_source(doc: dict, section: str, source: str) -> None:
    before = doc["sources"].get(section)
    doc["sources"][section] = f"{before}, {source}" if before else source
