"""journald entries: `journalctl -o json` (and `json-seq`), and the field dict of `-o export`.

    {"MESSAGE":"TCP: out of memory -- consider tuning tcp_mem","PRIORITY":"6","SYSLOG_FACILITY":"0",
     "SYSLOG_IDENTIFIER":"kernel","_TRANSPORT":"kernel","_SOURCE_MONOTONIC_TIMESTAMP":"4621211812000",
     "__REALTIME_TIMESTAMP":"1716285248421000","_BOOT_ID":"...","_HOSTNAME":"web1","__CURSOR":"s=...;i=3;..."}

Every value is a string; MESSAGE may be a JSON array of byte values (non-UTF-8 or control
bytes) or null (over 4096 bytes without `--all`). Header fields: time (__REALTIME_TIMESTAMP µs),
host, program (SYSLOG_IDENTIFIER), pid, facility, severity (PRIORITY), kernel monotonic
seconds (_SOURCE_MONOTONIC_TIMESTAMP µs), boot id, cursor, and the kernel device fields
(_KERNEL_DEVICE, _KERNEL_SUBSYSTEM, _UDEV_SYSNAME) in `extra`. The kernel wrote the entry when
_TRANSPORT is `kernel` (or, lacking _TRANSPORT, the identifier is `kernel` with facility 0; or the entry
names no origin at all, as `journalctl -k --output-fields=MESSAGE` prints it: the kernel's by assumption).

The same fields as shippers forward them:

    {"message":"...","host":"web1","source_type":"journald","timestamp":"...","_TRANSPORT":"kernel",
     "__REALTIME_TIMESTAMP":"1795350000123456",...}                              (Vector journald)
    {"date":1795350000.123,"_TRANSPORT":"kernel","_HOSTNAME":"web1","MESSAGE":"..."}  (Fluent Bit systemd)
    {"time":"2026-11-22T10:00:00Z","TRANSPORT":"kernel","HOSTNAME":"web1","MESSAGE":"..."}
                                          (fluent-plugin-systemd fields_strip_underscores)

Without MESSAGE the message is the shipper's (Vector renames it `message`); without _HOSTNAME the
host is the shipper's (Vector moves it to `host`); without __REALTIME_TIMESTAMP (Fluent Bit and
Fluentd keep it only as the event time) the time is the shipper's time key (shipper_json's
`time_of`). A trusted field may have lost its leading underscore (Fluent Bit Strip_Underscores,
fluent-plugin-systemd fields_strip_underscores): `TRANSPORT` with a journald transport value marks
such an entry, and `HOSTNAME`, `PID`, `BOOT_ID`, `SOURCE_MONOTONIC_TIMESTAMP` ... stand in for the
underscored names.
"""

from __future__ import annotations

from tcplog.framing import shipper_json
from tcplog.framing.context import from_epoch_us
from tcplog.framing.printk import split_prefix
from tcplog.record import Record

NAME = "journal-json"
# JSON lines whose MESSAGE is an array of bytes hide the message text from a byte prefilter.
EXTRA_TRIGGERS = (b'"MESSAGE":[', b'"MESSAGE": [')
KEYS = ("__REALTIME_TIMESTAMP", "__CURSOR", "_TRANSPORT", "__MONOTONIC_TIMESTAMP")
# _TRANSPORT's values (systemd.journal-fields(7)): with one of them, `TRANSPORT` is _TRANSPORT stripped.
TRANSPORTS = ("audit", "driver", "syslog", "journal", "stdout", "kernel")
_EXTRA = ("_KERNEL_DEVICE", "_KERNEL_SUBSYSTEM", "_UDEV_SYSNAME", "_UDEV_DEVNODE", "_MACHINE_ID",
          "_SYSTEMD_UNIT", "__SEQNUM")
# Fields that tell who wrote an entry. `journalctl -k -o json --output-fields=MESSAGE,_HOSTNAME` (also export,
# verbose) prints the fields asked for and __CURSOR, __REALTIME_TIMESTAMP, __MONOTONIC_TIMESTAMP, _BOOT_ID,
# none of these: such an entry is read as bare text is, the kernel's by assumption (a grammar matches
# only from the start of the message).
_ORIGIN = ("SYSLOG_IDENTIFIER", "SYSLOG_FACILITY", "_PID", "SYSLOG_PID", "_COMM", "_EXE", "_SYSTEMD_UNIT", "_UID")
# Trusted fields as Fluent Bit (Strip_Underscores) and fluent-plugin-systemd (fields_strip_underscores) name them.
_STRIPPED = {name[1:]: name for name in ("_TRANSPORT", "_HOSTNAME", "_PID", "_BOOT_ID", "_SOURCE_MONOTONIC_TIMESTAMP",
                                         *_EXTRA) if name[1] != "_"}


def is_journal(obj: dict) -> bool:
    return any(k in obj for k in KEYS) or obj.get("TRANSPORT") in TRANSPORTS


def _underscored(obj: dict) -> dict:
    """The entry with its trusted fields' underscores back when a shipper stripped them (TRANSPORT, no _TRANSPORT)."""
    if "_TRANSPORT" in obj or "TRANSPORT" not in obj:
        return obj
    return {_STRIPPED.get(k, k): v for k, v in obj.items()}


def _message(obj: dict) -> str | None:
    """MESSAGE (null stays null: no event); when there is none, the shipper's message key."""
    return shipper_json.text_of(obj["MESSAGE"]) if "MESSAGE" in obj else shipper_json.message_of(obj)


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
    """A Record from journald fields; None when there is no message to read."""
    message = _message(obj)
    if message is None:
        return None
    obj = _underscored(obj)
    transport = _str(obj.get("_TRANSPORT"))
    program = _str(obj.get("SYSLOG_IDENTIFIER"))
    facility = _int(obj.get("SYSLOG_FACILITY"))
    if transport is not None:
        kernel = transport == "kernel"
    elif not any(name in obj for name in _ORIGIN):  # only what --output-fields kept: as bare text, the kernel's
        kernel = True
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
                  time=from_epoch_us(realtime) if realtime is not None else shipper_json.time_of(obj),
                  host=_str(obj.get("_HOSTNAME")) or shipper_json.host_of(obj), program=program, pid=pid,
                  facility=facility, severity=_int(obj.get("PRIORITY")), monotonic=mono, caller=caller,
                  boot_id=_str(obj.get("_BOOT_ID")), cursor=_str(obj.get("__CURSOR")), extra=extra)
