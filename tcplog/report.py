"""Native events -> one self-contained HTML page: per-host timelines, incidents, causes, totals.

Pure: handed the events (dicts) and a few numbers, returns the page as text. No network fetches:
CSS is inline and the plots are SVG drawn here. Each host gets two stacked-bar timelines over the
same buckets, events by family and events by cause; time is the wall clock, or seconds since boot
for a host whose records carry none (dmesg, kmsg).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone
from html import escape

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#17becf")
CAUSE_PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#386cb0",
                 "#f0027f", "#bf5b17", "#1f78b4", "#33a02c", "#fb9a99", "#6a3d9a")
AMBIGUOUS_COLOR = "#c7c7c7"
W, H, LEFT, RIGHT, TOP, BOTTOM = 1120, 150, 44, 12, 10, 26
UNKNOWN_HOST = "(no host)"


def build(events: list[dict], sources: list[str], bad_lines: int, generated: str) -> str:
    hosts: dict[str, list[dict]] = defaultdict(list)
    for e in events:
        hosts[e.get("host") or UNKNOWN_HOST].append(e)
    families = sorted({e.get("family") or "?" for e in events})
    causes = sorted({_cause_id(e) for e in events})
    fam_color = {f: PALETTE[i % len(PALETTE)] for i, f in enumerate(families)}
    decided = [c for c in causes if c not in ("ambiguous", "none")]
    cause_color = {c: CAUSE_PALETTE[i % len(CAUSE_PALETTE)] for i, c in enumerate(decided)}
    cause_color.update(ambiguous=AMBIGUOUS_COLOR, none="#e8e8e8")
    times = sorted(e["time"] for e in events if e.get("time"))
    incidents = _incidents(events)
    decided = [e for e in events if _cause_id(e) not in ("ambiguous", "none")]
    parts = [_HEAD, "<h1>tcplog report</h1>",
             f"<p class=sub>{escape(', '.join(sources))} &middot; generated {escape(generated)}</p>",
             "<section class=cards>",
             _card("events", len(events), "id=total-events"),
             _card("kernel lines", sum(int(e.get("count") or 1) for e in events)),
             _card("hosts", len(hosts), "id=total-hosts"),
             _card("findings", len(decided), "id=total-findings"),
             _card("ambiguous", sum(1 for e in events if _cause_id(e) == "ambiguous")),
             _card("incidents", len(incidents), "id=total-incidents"),
             _card("bad lines skipped", bad_lines, "id=bad-lines"),
             "</section>",
             f"<p class=range id=time-range>time range: {escape(times[0]) if times else '—'} → "
             f"{escape(times[-1]) if times else '—'}"
             f"{'' if len(times) == len(events) else f' ({len(events) - len(times)} events without a wall clock)'}</p>",
             "<h2>Timelines</h2>"]
    for host in sorted(hosts, key=lambda h: (h == UNKNOWN_HOST, h)):
        parts.append(_host_section(host, hosts[host], fam_color, cause_color))
    parts += ["<h2>Totals</h2><div class=cols>",
              _count_table("events by family", Counter(e.get("family") or "?" for e in events), fam_color, "by-family"),
              _count_table("events by cause", Counter(_cause_id(e) for e in events), cause_color, "by-cause"),
              _count_table("events by host", Counter(e.get("host") or UNKNOWN_HOST for e in events), {}, "by-host"),
              "</div>",
              _incident_section(incidents),
              _findings_section(decided),
              _ambiguous_section([e for e in events if _cause_id(e) == "ambiguous"]),
              "</body></html>"]
    return "\n".join(parts)


def _cause_id(e: dict) -> str:
    return (e.get("cause") or {}).get("id") or "none"


def _card(label: str, value, attrs: str = "") -> str:
    return f"<div class=card><div class=num {attrs}>{value}</div><div class=lbl>{escape(label)}</div></div>"


def _position(e: dict):
    """(x value, wall?) for the timeline: epoch seconds of the wall time, else seconds since boot."""
    if e.get("time"):
        return datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp(), True
    mono = (e.get("kernel") or {}).get("monotonic")
    return (float(mono), False) if mono is not None else (None, False)


def _host_section(host: str, events: list[dict], fam_color: dict, cause_color: dict) -> str:
    points = [(x, wall, e) for e in events for x, wall in [_position(e)] if x is not None]
    wall = any(w for _, w, _ in points)
    points = [(x, e) for x, w, e in points if w == wall]
    untimed = len(events) - len(points)
    span = f"{len(events)} events"
    out = [f"<section class=host data-host='{escape(host)}'><h3>{escape(host)} <small>{span}"
           f"{f', {untimed} not on the time axis' if untimed else ''}</small></h3>"]
    if points:
        used_f = sorted({e.get("family") or "?" for _, e in points})
        used_c = sorted({_cause_id(e) for _, e in points})
        out.append("<div class=plotlabel>events by family</div>")
        out.append(_svg(points, lambda e: e.get("family") or "?", fam_color, wall) + _legend(used_f, fam_color))
        out.append("<div class=plotlabel>events by cause</div>")
        out.append(_svg(points, _cause_id, cause_color, wall) + _legend(used_c, cause_color))
    out.append("</section>")
    return "\n".join(out)


def _svg(points: list, key, colors: dict, wall: bool) -> str:
    lo = min(x for x, _ in points)
    hi = max(x for x, _ in points)
    n = 40 if hi > lo else 1
    width = (hi - lo) / n if hi > lo else 1.0
    buckets: list[Counter] = [Counter() for _ in range(n)]
    for x, e in points:
        buckets[min(int((x - lo) / width), n - 1) if hi > lo else 0][key(e)] += 1
    peak = max(sum(b.values()) for b in buckets) or 1
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    bw = pw / n
    g = [f"<svg class=plot xmlns='http://www.w3.org/2000/svg' width='{W}' height='{H}' viewBox='0 0 {W} {H}' "
         f"role=img>", f"<rect x='{LEFT}' y='{TOP}' width='{pw}' height='{ph}' fill='#fbfbfd' stroke='#ddd'/>"]
    for frac in ((0.5, 1.0) if peak % 2 == 0 else (1.0,)):
        y = TOP + ph - ph * frac
        g.append(f"<line x1='{LEFT}' x2='{LEFT + pw}' y1='{y:.1f}' y2='{y:.1f}' stroke='#e6e6ee'/>"
                 f"<text x='{LEFT - 6}' y='{y + 4:.1f}' text-anchor=end class=ax>{peak * frac:g}</text>")
    for i, b in enumerate(buckets):
        y = TOP + ph
        for name in sorted(b):
            h = ph * b[name] / peak
            y -= h
            g.append(f"<rect x='{LEFT + i * bw + 1:.1f}' y='{y:.1f}' width='{max(bw - 2, 1):.1f}' height='{h:.1f}' "
                     f"fill='{colors.get(name, '#888')}'><title>{escape(name)}: {b[name]}</title></rect>")
    for j in range(5):
        x = lo + (hi - lo) * j / 4 if hi > lo else lo
        px = LEFT + pw * j / 4
        anchor = "start" if j == 0 else "end" if j == 4 else "middle"
        g.append(f"<text x='{px:.1f}' y='{H - 8}' text-anchor={anchor} class=ax>{escape(_tick(x, wall))}</text>")
    g.append("</svg>")
    return "".join(g)


def _tick(x: float, wall: bool) -> str:
    if wall:
        return datetime.fromtimestamp(x, timezone.utc).strftime("%Y-%m-%d %H:%M:%S") + "Z"
    return f"{x:.0f} s since boot"


def _legend(names: list[str], colors: dict) -> str:
    return "<div class=legend>" + "".join(
        f"<span><i style='background:{colors.get(n, '#888')}'></i>{escape(n)}</span>" for n in names) + "</div>"


def _count_table(title: str, counts: Counter, colors: dict, ident: str) -> str:
    rows = "".join(f"<tr><td>{_swatch(colors.get(k))}{escape(str(k))}</td><td class=n>{v}</td></tr>"
                   for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))
    return f"<table id={ident}><caption>{escape(title)}</caption>{rows}</table>"


def _swatch(color: str | None) -> str:
    return f"<i class=sw style='background:{color}'></i>" if color else ""


def _incidents(events: list[dict]) -> list[tuple[dict, list[dict]]]:
    groups: dict[str, tuple[dict, list[dict]]] = {}
    for e in events:
        inc = e.get("incident")
        if inc and inc.get("id"):
            groups.setdefault(inc["id"], (inc, []))[1].append(e)
    return sorted(groups.values(), key=lambda g: (g[0].get("first_time") or "", g[0]["id"]))


def _incident_section(incidents: list) -> str:
    if not incidents:
        return "<h2>Incidents</h2><p>No incidents: scan with <code>--incident-window</code> to group events.</p>"
    out = ["<h2>Incidents</h2>"]
    for inc, evs in incidents:
        when = f"{inc.get('first_time') or '?'} → {inc.get('last_time') or '?'}" if inc.get("first_time") else \
            "no wall clock"
        decided = sorted({_cause_id(e) for e in evs} - {"ambiguous", "none"})
        out.append(f"<details class=incident open><summary><b>{escape(inc.get('cause') or '?')}</b> — "
                   f"{escape(inc.get('summary') or '')} <small>({escape(when)})</small></summary>")
        if inc.get("advice"):
            out.append(f"<p class=advice>{escape(inc['advice'])}</p>")
        out.append("<p>causes: " + (", ".join(f"<a href='#cause-{escape(c)}'>{escape(c)}</a>" for c in decided)
                                    or "none decided (see ambiguous below)") + "</p></details>")
    return "\n".join(out)


def _findings_section(decided: list[dict]) -> str:
    by_cause: dict[str, list[dict]] = defaultdict(list)
    for e in decided:
        by_cause[_cause_id(e)].append(e)
    out = ["<h2>Findings: decided causes, evidence and remediation</h2>"]
    if not by_cause:
        out.append("<p>No decided cause.</p>")
    for cid in sorted(by_cause):
        evs = by_cause[cid]
        cause = evs[0]["cause"]
        hosts = ", ".join(sorted({e.get("host") or UNKNOWN_HOST for e in evs}))
        out.append(f"<div class=finding id='cause-{escape(cid)}'><h3>{escape(cid)} <small>{len(evs)} events · "
                   f"{escape(hosts)} · confidence {escape(cause.get('confidence') or '?')}</small></h3>"
                   f"<p>{escape(cause.get('summary') or '')}</p>")
        ev_rows = "".join(f"<tr><td>{escape(str(x.get('name')))}</td><td>{escape(_v(x.get('value')))}</td>"
                          f"<td>{escape(_v(x.get('limit')))}</td></tr>" for x in cause.get("evidence") or [])
        if ev_rows:
            out.append(f"<table class=ev><tr><th>evidence</th><th>value</th><th>limit</th></tr>{ev_rows}</table>")
        for r in cause.get("remediation") or []:
            cmd = f"<code>{escape(r['command'])}</code> " if r.get("command") else ""
            guards = "".join(f"<li>{escape(g)}</li>" for g in r.get("guardrails") or [])
            out.append(f"<div class=fix>{cmd}<b>{escape(str(r.get('direction')))} {escape(str(r.get('knob')))}</b>"
                       f" — {escape(r.get('why') or '')}{f'<ul class=guard>{guards}</ul>' if guards else ''}</div>")
        out.append("</div>")
    return "\n".join(out)


def _ambiguous_section(events: list[dict]) -> str:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for e in events:
        cause = e["cause"]
        key = (e.get("family"), tuple(c.get("id") for c in cause.get("candidates") or []))
        groups[key].append(e)
    out = ["<h2>Ambiguous: what to collect</h2>"]
    if not groups:
        out.append("<p>None.</p>")
    for (family, cands), evs in sorted(groups.items(), key=lambda kv: (-len(kv[1]), str(kv[0]))):
        collect = {(c.get("what"), c.get("where")) for e in evs for c in e["cause"].get("collect") or []}
        rows = "".join(f"<li><b>{escape(str(w))}</b> from <code>{escape(str(p))}</code></li>" for w, p in sorted(
            collect, key=str))
        out.append(f"<div class=amb><h3>{escape(str(family))} <small>{len(evs)} events · "
                   f"{escape(', '.join(sorted({e.get('host') or UNKNOWN_HOST for e in evs})))}</small></h3>"
                   f"<p>candidates: {escape(', '.join(c for c in cands if c) or _NO_RULE)}</p>"
                   f"<ul>{rows or '<li>a snapshot closer to the event</li>'}</ul></div>")
    return "\n".join(out)


_NO_RULE = "none: no rule explains it with the evidence at hand"


def _v(x) -> str:
    return "?" if x is None else str(x)


_HEAD = """<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>tcplog report</title>
<meta name=viewport content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px 32px;color:#1d1d28;background:#fff}
h1{margin:0 0 4px;font-size:26px} h2{margin:28px 0 10px;border-bottom:2px solid #eceef4;padding-bottom:4px}
h3{margin:14px 0 6px;font-size:16px} small{color:#667;font-weight:normal}
.sub,.range{color:#556;margin:2px 0} .cards{display:flex;gap:12px;flex-wrap:wrap;margin:14px 0}
.card{background:#f4f6fb;border-radius:8px;padding:10px 16px;min-width:110px}
.num{font-size:24px;font-weight:600} .lbl{color:#667;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.host{border:1px solid #eceef4;border-radius:8px;padding:4px 14px 10px;margin:10px 0}
.plotlabel{font-size:12px;color:#667;margin-top:4px} svg.plot{display:block;max-width:100%;height:auto}
.ax{font-size:11px;fill:#667} .legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;margin:4px 0}
.legend i,.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.cols{display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start}
table{border-collapse:collapse;font-size:13px} caption{text-align:left;font-weight:600;padding:4px 0}
td,th{padding:3px 10px;border-bottom:1px solid #eceef4;text-align:left} td.n{text-align:right;font-variant-numeric:tabular-nums}
.incident{background:#fafbfe;border-left:4px solid #4e79a7;padding:6px 12px;margin:8px 0}
.advice{margin:6px 0;color:#334} .finding,.amb{border-left:4px solid #59a14f;padding:2px 12px;margin:10px 0}
.amb{border-left-color:#c7c7c7} .fix{margin:6px 0} code{background:#f0f2f7;padding:1px 4px;border-radius:3px}
.guard{margin:2px 0 0;color:#8a4b08;font-size:12px}
</style></head><body>"""
