"""journald entries: `journalctl -o json` (and `json-seq`), and the field dict of `-o export`.

    {"MESSAGE":"TCP: out of memory -- consider tuning tcp_mem","PRIORITY":"6","SYSLOG_FACILITY":"0",
     "SYSLOG_IDENTIFIER":"kernel","_TRANSPORT":"kernel","_SOURCE_MONOTONIC_TIMESTAMP":"4621211812000",
     "__REALTIME_TIMESTAMP":"1716285248421000","_BOOT_ID":"...","_HOSTNAME":"web1","__CURSOR":"s=...;i=3;..."}

Every value is a string; MESSAGE may be a JSON array of byte values (non-UTF-8 or control
bytes) or null (over 4096 bytes without `--all`). Header fields: time (__REALTIME_TIMESTAMP µs),
host, program (SYSLOG_IDENTIFIER), pid, facility, severity (PRIORITY), kernel monotonic
seconds (_SOURCE_MONOTONIC_TIMESTAMP µs), boot id, cursor, and the kernel device fields
(_KERNEL_DEVICE, _KERNEL_SUBSYSTEM, _UDEV_SYSNAME) in `extra`. The kernel wrote the entry when
_TRANSPORT is `kernel` (or, lacking _TRANSPORT, the identifier is `kernel` with facility 0).
"""

from __future__ import annotations

from tcplog.framing.context import from_epoch_us
from tcplog.framing.printk import split_prefix
from tcplog.record import Record

NAME = "journal-json"
# JSON lines whose MESSAGE is an array of bytes hide the message text from a byte prefilter.
EXTRA_TRIGGERS = (b'"MESSAGE":[', b'"MESSAGE": [')
KEYS = ("__REALTIME_TIMESTAMP", "__CURSOR", "_TRANSPORT", "__MONOTONIC_TIMESTAMP")
_EXTRA = ("_KERNEL_DEVICE", "_KERNEL_SUBSYSTEM", "_UDEV_SYSNAME", "_UDEV_DEVNODE", "_MACHINE_ID",
          "_SYSTEMD_UNIT", "__SEQNUM")


def is_journal(obj: dict) -> bool:
    return any(k in obj for k in KEYS)


def text_of(value) -> str | None:
    """MESSAGE as text: a string, a list of byte values, or bytes (export binary fields)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, list) and all(isinstance(b, int) and 0 <= b <= 255 for b in value):
        return bytes(value).decode("utf-8", "replace")
    return None


def _int(value) -> int | None:
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("ascii", "replace")
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _str(value) -> str | None:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return value if isinstance(value, str) else None


def decode_fields(obj: dict, raw: bytes, name: str = NAME) -> Record | None:
    """A Record from journald fields; None when there is no MESSAGE to read."""
    message = text_of(obj.get("MESSAGE"))
    if message is None:
        return None
    transport = _str(obj.get("_TRANSPORT"))
    program = _str(obj.get("SYSLOG_IDENTIFIER"))
    facility = _int(obj.get("SYSLOG_FACILITY"))
    if transport is not None:
        kernel = transport == "kernel"
    else:
        kernel = program == "kernel" and facility in (0, None)
    realtime = _int(obj.get("__REALTIME_TIMESTAMP"))
    source_mono = _int(obj.get("_SOURCE_MONOTONIC_TIMESTAMP"))
    mono, caller, text = split_prefix(message.strip("\n"))
    if source_mono is not None and kernel:
        mono = source_mono / 1_000_000
    pid = _int(obj.get("_PID"))
    if pid is None:
        pid = _int(obj.get("SYSLOG_PID"))
    extra = {k: v for k in _EXTRA if (v := _str(obj.get(k))) is not None}
    return Record(raw=raw, text=text, framing=name, kernel=kernel,
                  time=from_epoch_us(realtime) if realtime is not None else None,
                  host=_str(obj.get("_HOSTNAME")), program=program, pid=pid, facility=facility,
                  severity=_int(obj.get("PRIORITY")), monotonic=mono, caller=caller,
                  boot_id=_str(obj.get("_BOOT_ID")), cursor=_str(obj.get("__CURSOR")), extra=extra)
