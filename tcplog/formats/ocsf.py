"""The native event as an OCSF 1.7.0 Detection Finding (class 2004, category 2 Findings).

| OCSF attribute | from |
| --- | --- |
| `class_uid` 2004, `category_uid` 2, `activity_id` 1 (Create), `type_uid` 200401 | fixed |
| `time` (ms epoch) | `time` (else `first_time`, else the time the command started) |
| `start_time`, `end_time`, `count` | `first_time`, `last_time`, `count` |
| `severity_id` | `kernel.level` (0-1 Fatal/Critical ... 6-7 Informational); without a level: Medium for a finding, Informational otherwise |
| `status_id` | 1 (New) |
| `confidence_id` | the cause's confidence: low 1, medium 2, high 3 |
| `is_alert` | the cause is decided (not null, not `ambiguous`) |
| `finding_info` | `uid` (stable digest of host, source position and raw), `title` (cause summary, else message id), `desc`, `types` (family, message id), `analytic` (the cause's rule: type Rule), `first_seen_time`/`last_seen_time`, `data_sources` |
| `evidences` | one per cause evidence item, as `data` {name, path, value, limit, ratio}; the raw line when there is none |
| `remediation` | `desc` (the remediation steps, or what to collect for `ambiguous`), `references` (the cause's). No `kb_article_list`: an OCSF KB article is a vendor patch (its `uid`, `os` and `severity` are required), which a kernel tuning reference is not |
| `device`, `observables` | the host (`hostname`, `boot_uid`); the host name as a Hostname observable |
| `metadata` | `version` 1.7.0, `product` {name tcplog, vendor_name tcplog}, `log_name`, `log_provider`, `event_code` |
| `message`, `raw_data` | the summary or message id, `raw` |
| `unmapped.tcplog` | the native event without `raw` |
"""

from __future__ import annotations

import hashlib
from datetime import datetime

OCSF_VERSION = "1.7.0"
SCHEMA = "ocsf-1.7.0-detection_finding.json"
CLASS_UID, CATEGORY_UID, ACTIVITY_CREATE = 2004, 2, 1

_SEVERITY_BY_LEVEL = {0: 6, 1: 5, 2: 5, 3: 4, 4: 3, 5: 2, 6: 1, 7: 1}
_SEVERITY_NAMES = {0: "Unknown", 1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical", 6: "Fatal"}
_CONFIDENCE = {"low": 1, "medium": 2, "high": 3}


def convert(event: dict, received: str | None = None) -> dict:
    cause = event.get("cause") or None
    decided = bool(cause) and cause.get("id") not in (None, "ambiguous")
    kernel, source = event.get("kernel") or {}, event.get("source") or {}
    level = kernel.get("level")
    severity = _SEVERITY_BY_LEVEL.get(level) if isinstance(level, int) else (3 if decided else 1)
    title = (cause or {}).get("summary") or event.get("message_id")
    host = event.get("host")
    doc = {
        "class_uid": CLASS_UID, "class_name": "Detection Finding",
        "category_uid": CATEGORY_UID, "category_name": "Findings",
        "activity_id": ACTIVITY_CREATE, "activity_name": "Create",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE, "type_name": "Detection Finding: Create",
        "time": _ms(event.get("time") or event.get("first_time") or received),
        "start_time": _ms(event.get("first_time")),
        "end_time": _ms(event.get("last_time")),
        "count": event.get("count"),
        "severity_id": severity, "severity": _SEVERITY_NAMES[severity],
        "status_id": 1, "status": "New",
        "confidence_id": _CONFIDENCE.get((cause or {}).get("confidence")),
        "is_alert": decided,
        "message": title,
        "finding_info": _clean({
            "uid": _uid(event),
            "title": title,
            "desc": _desc(event, cause),
            "types": [event.get("family"), event.get("message_id")],
            "analytic": _clean({"uid": cause["id"], "name": cause["id"], "type_id": 1, "type": "Rule"})
            if cause else None,
            "first_seen_time": _ms(event.get("first_time")),
            "last_seen_time": _ms(event.get("last_time")),
            "data_sources": ["kernel log"],
        }),
        "evidences": _evidences(event, cause),
        "remediation": _remediation(cause) if cause else None,
        "device": _clean({"hostname": host, "name": host, "type_id": 0, "type": "Unknown",
                          "boot_uid": kernel.get("boot_id")}) if host else None,
        "observables": [{"name": "device.hostname", "type_id": 1, "type": "Hostname", "value": host}]
        if host else None,
        "metadata": _clean({
            "version": OCSF_VERSION,
            "product": {"name": "tcplog", "vendor_name": "tcplog"},
            "log_name": source.get("file"),
            "log_provider": source.get("framing"),
            "event_code": event.get("message_id"),
        }),
        "raw_data": event.get("raw"),
        "unmapped": {"tcplog": {k: v for k, v in event.items() if k != "raw"}},
    }
    return _clean(doc)


def _evidences(event: dict, cause: dict | None) -> list[dict]:
    items = [{"name": e.get("name"), "data": e} for e in (cause or {}).get("evidence") or []]
    return items or [{"name": "log line", "data": {"raw": event.get("raw"), "message_id": event.get("message_id")}}]


def _remediation(cause: dict) -> dict:
    steps = [" ".join(filter(None, [r.get("command") or f"{r.get('direction')} {r.get('knob')}", "-",
                                    r.get("why")])) for r in cause.get("remediation") or []]
    collect = [f"collect {c.get('what')} from {c.get('where')}" for c in cause.get("collect") or []]
    refs = cause.get("references") or []
    return _clean({
        "desc": "; ".join(steps + collect) or "no action: the message explains itself",
        "references": refs or None,
    })


def _desc(event: dict, cause: dict | None) -> str | None:
    if not cause:
        return None
    if cause.get("id") == "ambiguous":
        cands = ", ".join(c.get("id", "?") for c in cause.get("candidates") or [])
        return f"{cause.get('summary')} (candidates: {cands})" if cands else cause.get("summary")
    return cause.get("summary")


def _uid(event: dict) -> str:
    src = event.get("source") or {}
    key = "\x1f".join(str(x) for x in (event.get("host"), src.get("file"), src.get("line"), src.get("offset"),
                                        src.get("cursor"), event.get("time"), event.get("raw")))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _ms(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def _clean(d: dict) -> dict | None:
    out = {k: v for k, v in d.items() if v is not None}
    return out or None
