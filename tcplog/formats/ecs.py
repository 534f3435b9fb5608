"""The native event as an Elastic Common Schema (ECS 9.4.0) document.

Only fields ECS defines, with its allowed values; everything else rides in the custom `tcplog`
object (the native event without `raw`, which is `event.original`). Keys with no value are left
out. A finding -- an event whose cause is decided (cause id neither null nor `ambiguous`) -- is
`event.kind: alert` with the cause as `rule.*`; any other recognised line is `event.kind: event`.

| ECS field | from |
| --- | --- |
| `@timestamp` | `time` (else `first_time`, else the time the command started) |
| `ecs.version` | `9.4.0` |
| `message`, `event.original` | `raw` |
| `host.name`, `host.hostname`, `host.boot.id` | `host`, `kernel.boot_id` |
| `log.syslog.facility.code/name`, `log.syslog.severity.code/name` | `kernel.facility`, `kernel.level` |
| `log.syslog.appname`, `log.syslog.procid` | `source.program`, `source.pid` |
| `log.file.path` | `source.file` (the byte offset is `tcplog.source.offset`: ECS has no `log.offset`) |
| `event.kind` | `alert` for a finding, else `event` |
| `event.category`, `event.type`, `event.outcome` | `["network"]`, `["info"]`, `unknown` |
| `event.code`, `event.provider`, `event.dataset`, `event.module` | `message_id`, `kernel`, `tcplog.kernel`, `tcplog` |
| `event.severity` | `kernel.level` |
| `event.start`, `event.end` | `first_time`, `last_time` (a folded run) |
| `event.reason` | the cause summary (findings) |
| `rule.id`, `rule.name`, `rule.description`, `rule.category`, `rule.reference`, `rule.ruleset` | cause id, cause id, summary, family, references, `tcplog` |
| `tcplog` | the native event without `raw` |
"""

from __future__ import annotations

ECS_VERSION = "9.4.0"
SCHEMA = "ecs-9.4.0.json"

FACILITIES = ("kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv",
              "ftp", "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3",
              "local4", "local5", "local6", "local7")
SEVERITIES = ("emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug")


def is_finding(event: dict) -> bool:
    """The cause is decided: not null, not `ambiguous`."""
    cause = event.get("cause")
    return bool(cause) and cause.get("id") not in (None, "ambiguous")


def convert(event: dict, received: str | None = None) -> dict:
    kernel, source = event.get("kernel") or {}, event.get("source") or {}
    cause = event.get("cause") or None
    finding = is_finding(event)
    facility, level = kernel.get("facility"), kernel.get("level")
    doc = {
        "@timestamp": event.get("time") or event.get("first_time") or received,
        "ecs": {"version": ECS_VERSION},
        "message": event.get("raw"),
        "host": _clean({"name": event.get("host"), "hostname": event.get("host"),
                        "boot": _clean({"id": kernel.get("boot_id")})}),
        "log": _clean({
            "syslog": _clean({
                "facility": _clean({"code": facility, "name": _name(FACILITIES, facility)}),
                "severity": _clean({"code": level, "name": _name(SEVERITIES, level)}),
                "appname": source.get("program"),
                "procid": None if source.get("pid") is None else str(source["pid"]),
            }),
            "file": _clean({"path": source.get("file")}),
        }),
        "event": _clean({
            "kind": "alert" if finding else "event",
            "category": ["network"],
            "type": ["info"],
            "outcome": "unknown",
            "code": event.get("message_id"),
            "provider": "kernel",
            "module": "tcplog",
            "dataset": "tcplog.kernel",
            "severity": level,
            "start": event.get("first_time"),
            "end": event.get("last_time"),
            "reason": cause.get("summary") if finding else None,
            "original": event.get("raw"),
        }),
        "rule": _rule(cause, event) if finding else None,
        "tcplog": {k: v for k, v in event.items() if k != "raw"},
    }
    return _clean(doc)


def _rule(cause: dict, event: dict) -> dict:
    refs = cause.get("references") or []
    return _clean({"id": cause["id"], "name": cause["id"], "description": cause.get("summary"),
                   "category": event.get("family"), "ruleset": "tcplog",
                   "reference": "; ".join(refs) if refs else None})


def _name(names: tuple, code) -> str | None:
    return names[code] if isinstance(code, int) and 0 <= code < len(names) else None


def _clean(d: dict) -> dict | None:
    out = {k: v for k, v in d.items() if v is not None and v != {}}
    return out or None
