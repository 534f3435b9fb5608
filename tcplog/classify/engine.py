"""The rule engine: evaluate the catalog (tcplog.classify.loader) for one event → the cause object.

    catalog = load_rules()                       # tcplog/rules/*.toml, validated (re-exported here)
    cause = classify(event, before, after, kernel_release="2.6.32-754.el6", catalog=catalog)

Evaluation, for the rules of the event's family whose `message_ids` (if given) hold its
message id:

1. Each rule is True (its kernel range fits and every condition is True), False (something is
   False) or UNKNOWN (nothing False, something unknown: no snapshot, a missing counter, no kernel
   version). Conditions use three-valued logic (tcplog.classify.predicates).
2. The best True rule wins: highest confidence, then highest priority, then id. Rules marked
   `fallback` are considered only when no other rule is True or UNKNOWN.
3. With no True rule but some UNKNOWN ones, the cause is `ambiguous`: the UNKNOWN rules become
   ranked `candidates`, and the paths they could not resolve become `collect` (which file or
   counter to gather to tell them apart). With nothing True or UNKNOWN either, the cause is
   `ambiguous` with no candidates: no rule explains the event with the evidence at hand.

The engine never guesses: a confident cause needs every condition of its rule to hold. Nor does
it trust a version number the wording contradicts: a wording its family's SINCE says no kernel
before X printed, on a host reporting an older kernel, adds a "probably a backport" note to the
summary and the evidence; a wording its family's UNTIL says no kernel after Y printed, on a host
reporting a kernel of a later series, adds a "printed before an upgrade, or another machine's
snapshot" note the same way (`_note_wording_kernel`).
Output is the cause object (docs/classification.md): id, confidence, summary (placeholders
filled), evidence (value / limit / ratio), remediation (current and suggested values, a command,
why, guardrails), candidates, collect, references.

Remediation entries may be meant for some kernels only (`kernel = { min, max }`: the sysctl that
sets a hash size from 4.7, the module parameter before it). The entries whose range holds the
event's kernel are kept; with the kernel unknown all are, each ranged one starting its `why` with
the kernels it is for. A suggestion is lowered to what the kernel accepts (`suggested.cap`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tcplog.classify import facts as factlib
from tcplog.classify.collect import locate
from tcplog.classify.facts import UNKNOWN, Facts
from tcplog.classify.loader import (
    PLACEHOLDER,
    SYNTHETIC_MESSAGES,
    SYSCTL_NAME,
    Catalog,
    Rule,
    build_catalog,
    compile_rule,
    load_rule_file,
    load_rules,
    rules_dir,
)
from tcplog.classify.predicates import COMBINATORS, PREDICATES, SUGGESTIONS, VALUES
from tcplog.grammars import BY_ID as FAMILIES
from tcplog.kernelver import postdates, predates

__all__ = ["AMBIGUOUS", "SYNTHETIC_MESSAGES", "SYSCTL_NAME", "Catalog", "Rule", "build_catalog", "classify",
           "compile_rule", "evaluate", "expr_text", "load_rule_file", "load_rules", "locate", "render", "rules_dir"]

AMBIGUOUS = "ambiguous"


# -- evaluation ---------------------------------------------------------------------------------


@dataclass
class Verdict:
    rule: Rule
    state: object  # True, False or UNKNOWN
    unknown: list  # paths that could not be resolved (only when state is UNKNOWN)


def evaluate(rule: Rule, facts: Facts) -> Verdict:
    """One rule against the facts: True, False or UNKNOWN, with the unresolved paths. Every
    condition is evaluated, also after a False one: resolving a path may mark the facts as read
    from the snapshot after the event (`Facts.substituted`), which lowers the cause's confidence."""
    false = unknown_state = False
    unknown: list = []
    if not rule.kernel.open:
        if facts.kernel is None:
            unknown_state = True
            unknown.append("kernel.release")
        elif not rule.kernel.contains(facts.kernel):
            false = True
    for test in _rule_conditions(rule):
        local: list = []
        state = test(facts, local)
        if state is False:
            false = True
        elif state is UNKNOWN:
            unknown_state = True
            unknown.extend(local)
    if false:
        return Verdict(rule, False, [])
    if unknown_state:
        return Verdict(rule, UNKNOWN, _dedupe(unknown))
    return Verdict(rule, True, [])


def condition(cond: dict, facts: Facts, unknown: list):
    """One condition → True / False / UNKNOWN; appends the paths it could not resolve to `unknown`."""
    return _form(cond, _compile_condition)(facts, unknown)


def value(expr, facts: Facts, unknown: list):
    """An expression's value (UNKNOWN when unresolvable), recording unresolved paths."""
    return _form(expr, _compile_value)(facts, unknown)


# Conditions and expressions are rule data, read for every event the rule judges: each is turned
# once into a function of (facts, unknown), by the identity of its document (kept alive here, so
# an id is never another document's).
_FORMS: dict[tuple[int, object], tuple[object, object]] = {}


def _form(node, compile_):
    """`compile_(node)`, once per document and compiler."""
    key = (id(node), compile_)
    entry = _FORMS.get(key)
    if entry is None or entry[0] is not node:
        entry = _FORMS[key] = (node, compile_(node))
    return entry[1]


def _rule_conditions(rule: Rule) -> tuple:
    return _form(rule.conditions, _compile_conditions)


def _compile_conditions(conditions: tuple) -> tuple:
    return tuple(_form(c, _compile_condition) for c in conditions)


def _compile_condition(cond: dict):
    name, args = cond["predicate"], cond["args"]
    if name in COMBINATORS:
        return _compile_combinator(name, tuple(_form(sub, _compile_condition) for sub in args["of"]))
    spec = PREDICATES[name]
    fn = spec.fn
    literals = {k: v for k, v in args.items() if k not in spec.facts}
    facts_args = tuple((k, _form(v, _compile_value)) for k, v in args.items() if k in spec.facts)

    def predicate(facts: Facts, unknown: list):
        local: list = []
        kwargs = dict(literals)
        for k, get in facts_args:
            kwargs[k] = get(facts, local)
        result = fn(**kwargs)
        if result is UNKNOWN:
            unknown.extend(local)
        return result

    return predicate


def _compile_combinator(name: str, subs: tuple):
    """any_of / all_of / none_of with Kleene logic; every member is evaluated (see evaluate)."""

    def combinator(facts: Facts, unknown: list):
        results = []
        for sub in subs:
            local: list = []
            results.append((sub(facts, local), local))
        if name == "any_of":
            if any(s is True for s, _ in results):
                return True
            decided = False if all(s is False for s, _ in results) else UNKNOWN
        elif name == "all_of":
            if any(s is False for s, _ in results):
                return False
            decided = True if all(s is True for s, _ in results) else UNKNOWN
        else:  # none_of
            if any(s is True for s, _ in results):
                return False
            decided = True if all(s is False for s, _ in results) else UNKNOWN
        if decided is UNKNOWN:
            for s, local in results:
                if s is UNKNOWN:
                    unknown.extend(local)
        return decided

    return combinator


def _compile_value(expr):
    if isinstance(expr, str):
        path = expr
        static = "{" not in path  # shown as written (else with its {event.fields.X} filled in)

        def fact(facts: Facts, unknown: list):
            v = facts.get(path)
            if v is UNKNOWN:
                unknown.append(path if static else _shown_path(path, facts))
            return v

        return fact
    if isinstance(expr, list):
        items = tuple(_form(e, _compile_value) for e in expr)
        return lambda facts, unknown: [get(facts, unknown) for get in items]
    if isinstance(expr, dict):
        fn = VALUES[expr["fn"]].fn
        args = tuple((k, _form(v, _compile_value)) for k, v in expr.items() if k != "fn")
        return lambda facts, unknown: fn(**{k: get(facts, unknown) for k, get in args})
    return lambda facts, unknown: expr


def _shown_path(path: str, facts: Facts) -> str:
    expanded = facts.expand(path)
    return path if expanded is UNKNOWN else expanded


def _dedupe(items: list) -> list:
    return list(dict.fromkeys(items))


def classify(event: dict, before: dict | None, after: dict | None, kernel_release: str | None = None,
             catalog: Catalog | None = None) -> dict:
    """The cause object for one event (see the module docstring)."""
    catalog = catalog or load_rules()
    facts = factlib.build(event, before, after, kernel_release)
    rules = catalog.for_event(event.get("family"), event.get("message_id"))
    verdicts = sorted((evaluate(r, facts) for r in rules), key=lambda v: v.rule.rank)
    cause = None
    for pool in ([v for v in verdicts if not v.rule.fallback], [v for v in verdicts if v.rule.fallback]):
        matched = [v for v in pool if v.state is True]
        unknown = [v for v in pool if v.state is UNKNOWN]
        if matched:
            cause = _decided(matched[0], matched[1:] + unknown, facts)
            break
        if unknown:
            cause = _ambiguous(unknown, facts)
            break
    return _note_wording_kernel(cause or _ambiguous([], facts, ruled_out=verdicts), facts)


def wording_since(family: str | None, message_id: str | None) -> tuple[str, ...] | None:
    """The first kernels with this wording (the family's SINCE: mainline, then stable), or None."""
    return _family_table("SINCE", family, message_id)


def wording_until(family: str | None, message_id: str | None) -> str | None:
    """The last mainline release with this wording (the family's UNTIL), or None."""
    return _family_table("UNTIL", family, message_id)


def _family_table(name: str, family: str | None, message_id: str | None):
    module = FAMILIES.get(family or "")
    return getattr(module, name, {}).get(message_id) if module is not None else None


def _note_wording_kernel(cause: dict, facts: Facts) -> dict:
    """The kernel's version against the wording's, in the summary and as evidence, rather than trusted:
    * older than every kernel that printed it (the family's SINCE): the kernel carries a backport
      (RHEL and Ubuntu kernels take newer code under their old version);
    * of a later series than the last that printed it (UNTIL; kernelver.postdates: that series' own
      stable releases kept the wording): that kernel cannot have printed the line, which predates
      an upgrade to it (the snapshot's kernel, or the one given, is not the one that printed it),
      or the snapshot is another machine's."""
    if facts.kernel is None:
        return cause
    family, message_id = facts.event.get("family"), facts.event.get("message_id")
    since = wording_since(family, message_id)
    if since is not None and predates(facts.kernel, since):
        first = since[0] + (f" (stable: {', '.join(since[1:])})" if since[1:] else "")
        _note(cause, facts, f"not in kernels before {first}",
              "probably a backport (RHEL and Ubuntu kernels carry newer code under an older version)",
              "kernel older than the wording: a backport?", first)
    until = wording_until(family, message_id)
    if until is not None and postdates(facts.kernel, until):
        _note(cause, facts, f"not in kernels after {until}",
              "the line was printed by an older kernel, before an upgrade, or the snapshot is another machine's",
              "kernel newer than the wording: printed before an upgrade?", until)
    return cause


def _note(cause: dict, facts: Facts, wording: str, meaning: str, name: str, limit: str) -> None:
    cause["summary"] += (f" (this wording is {wording}, but the kernel is {facts.kernel_release}: {meaning},"
                         " so rules bound to kernel versions may misjudge it)")
    cause["evidence"].append({"name": name, "path": "kernel.release", "value": facts.kernel_release,
                              "limit": limit, "ratio": None})


# -- output -------------------------------------------------------------------------------------


def _decided(win: Verdict, others: list[Verdict], facts: Facts) -> dict:
    rule = win.rule
    confidence = rule.confidence
    summary = render(rule.summary, facts)[0]
    if facts.substituted:  # the state came from a snapshot taken after the event
        confidence = {"high": "medium", "medium": "low"}.get(confidence, confidence)
        summary += " (state read from the snapshot taken after the event)"
    return {
        "id": rule.id,
        "confidence": confidence,
        "summary": summary,
        "evidence": [_evidence(e, facts) for e in rule.evidence],
        "remediation": [x for r in rule.remediation if _for_kernel(r, facts) and (x := _remedy(r, facts)) is not None],
        "candidates": [_candidate(v, facts) for v in others],
        "collect": [],
        "references": list(rule.references),
    }


def _ambiguous(candidates: list[Verdict], facts: Facts, ruled_out: list[Verdict] = ()) -> dict:
    """The cause when no rule decides: the candidates still possible and what to collect; when
    every rule's conditions were false (`ruled_out`), the evidence those rules read, so the numbers
    that ruled them out are shown."""
    family = facts.event.get("family")
    merged: dict[str, list[str]] = {}  # where → whats, in candidate rank order
    for v in candidates:
        names = _evidence_names(v.rule)
        for path in v.unknown:
            item = locate(path, names.get(path), facts.event)
            if item is not None:
                whats = merged.setdefault(item["where"], [])
                if item["what"] not in whats:
                    whats.append(item["what"])
    collect = [{"what": "; ".join(whats), "where": where} for where, whats in merged.items()]
    if not candidates:
        collect.append({"what": "a snapshot taken closer to the event (the rules' conditions were all false)",
                        "where": "tcplog snapshot"})
        summary = f"No {family} rule fits the evidence at hand: cause not decided"
        if ruled_out:
            snapshot = facts.after if facts.substituted else facts.before
            state = f"the snapshot of {snapshot['time']}" if snapshot and snapshot.get("time") else "the evidence at hand"
            summary = (f"No {family} rule fits {state} (ruled out: {', '.join(v.rule.id for v in ruled_out)}): "
                       "the state the event reports was not there when the snapshot was taken (a spike between "
                       "snapshot and event, or another host's snapshot); the evidence shows what the rules read")
    else:
        n = len(candidates)
        causes = "1 possible cause" if n == 1 else f"{n} possible causes"
        if facts.before is None and facts.after is None:
            why = f"No snapshot of this host at the event time: {causes}"
        else:
            why = f"The snapshots leave {causes} undecided"
        wants = ", ".join(c["where"] for c in collect[:4]) or "a snapshot"
        summary = f"{why} ({', '.join(v.rule.id for v in candidates)}); collect {wants} to decide"
    evidence, seen = [], set()
    for v in candidates or ruled_out:
        for e in v.rule.evidence:
            item = _evidence(e, facts)
            if (item["name"], item["path"]) not in seen:
                seen.add((item["name"], item["path"]))
                evidence.append(item)
    return {
        "id": AMBIGUOUS,
        "confidence": "low",
        "summary": summary,
        "evidence": evidence,
        "remediation": [],
        "candidates": [_candidate(v, facts) for v in candidates],
        "collect": collect,
        "references": _dedupe([r for v in candidates or ruled_out for r in v.rule.references]),
    }


def _candidate(v: Verdict, facts: Facts) -> dict:
    return {"id": v.rule.id, "confidence": v.rule.confidence, "summary": render(v.rule.summary, facts)[0],
            "missing": list(v.unknown)}


def _evidence_names(rule: Rule) -> dict[str, str]:
    """Path → the rule's own name for it (evidence values only; limits are named by their path)."""
    return {e["value"]: e["name"] for e in rule.evidence if isinstance(e["value"], str)}


def _evidence(e: dict, facts: Facts) -> dict:
    sink: list = []
    v = _plain(value(e["value"], facts, sink))
    limit = _plain(value(e["limit"], facts, sink)) if "limit" in e else None
    ratio = None
    if _is_num(v) and _is_num(limit) and limit != 0:
        ratio = round(v / limit, 4)
    text = _static_text(e["value"])
    return {"name": e["name"], "path": expr_text(e["value"], facts) if text is None else text,
            "value": v, "limit": limit, "ratio": ratio}


def _static_text(expr) -> str | None:
    """expr_text of an expression that names no {event.fields.X} (the same for every event), else None."""
    return _form(expr, _compile_text)


def _compile_text(expr) -> str | None:
    text = expr_text(expr)  # (without facts: a path's {event.fields.X} as written)
    return None if "{" in text else text


def _for_kernel(r: dict, facts: Facts) -> bool:
    """A remediation entry with a kernel range is for the kernels in it; with the kernel unknown
    every entry is kept (and says which kernels it is for, `_remedy`)."""
    return "kernel" not in r or facts.kernel is None or r["kernel"].contains(facts.kernel)


def _kernel_note(kernel, facts: Facts) -> str:
    """"" when the event's kernel is known; else which kernels a ranged entry or cap is for."""
    if kernel is None or facts.kernel is not None:
        return ""
    return f"For kernels {kernel.describe()} (the event's kernel is not known: check `uname -r`). "


def _capped(suggested, cap: dict | None, facts: Facts):
    """The suggestion lowered to the cap (the most the kernel accepts) on the cap's kernels or an
    unknown one; (value, note for the why or "")."""
    if cap is None or suggested is UNKNOWN:
        return suggested, ""
    kernel = cap.get("kernel")
    if kernel is not None and facts.kernel is not None and not kernel.contains(facts.kernel):
        return suggested, ""
    limit = value(cap["value"], facts, [])
    if not _is_num(limit):
        return suggested, ""
    capped = [min(s, limit) for s in suggested] if isinstance(suggested, list) else min(suggested, limit)
    if capped == suggested:
        return suggested, ""
    note = f" Suggested value capped at {_fmt(limit)}"
    if kernel is not None:
        note += f", the most kernels {kernel.describe()} accept"
        if facts.kernel is None:
            note += " (the event's kernel is not known)"
    note += f": {render(cap['why'], facts)[0]}" if "why" in cap else "."
    return capped, note


def _remedy(r: dict, facts: Facts) -> dict | None:
    """The remediation filled in for this host; None when its suggested value is the knob's
    current one (raising 4096 to 4096 is no advice: the cause lies elsewhere), unless the advice is
    to keep it (`direction = "keep"`: keep tcp_syncookies at 1 under a spoofed flood). The suggestion is
    capped at what the kernel accepts (`suggested.cap`); with the kernel unknown, an entry meant for
    some kernels (`kernel`) says which in its `why`."""
    knob, _ = render(r["knob"], facts)
    is_sysctl = bool(SYSCTL_NAME.match(knob))
    if is_sysctl:
        knob = factlib.sysctl_spellings(knob)[0]  # a VLAN device as sysctl -w takes it: eth0/100
    current = facts.sysctl_raw(knob) if is_sysctl else UNKNOWN
    suggested, cap_note = UNKNOWN, ""
    if "suggested" in r:
        args = dict(r["suggested"])
        spec = SUGGESTIONS[args.pop("helper")]
        cap = args.pop("cap", None)
        sink: list = []
        resolved = {k: (value(v, facts, sink) if k in spec.facts else v) for k, v in args.items()}
        suggested, cap_note = _capped(spec.fn(_parsed(current), **resolved), cap, facts)
        if suggested is not UNKNOWN and r["direction"] != "keep" and _same(suggested, _parsed(current)):
            return None
    suggested_text = None if suggested is UNKNOWN else _fmt(suggested)
    command = None
    if "command" in r:
        command, complete = render(r["command"], facts, {"suggested": suggested, "current": current, "knob": knob})
        if not complete:
            command = f"sysctl {knob}" if is_sysctl else None
    return {
        "knob": knob,
        "current": None if current is UNKNOWN else current,
        "suggested": suggested_text,
        "direction": r["direction"],
        "command": command,
        "why": _kernel_note(r.get("kernel"), facts) + render(r["why"], facts)[0] + cap_note,
        "guardrails": list(r["guardrails"]),
    }


def _same(suggested, current) -> bool:
    """The suggestion is the knob's current value (a fixed value written as text, `value = "1"`, too)."""
    if current is UNKNOWN:
        return False
    return (_parsed(suggested) if isinstance(suggested, str) else suggested) == current


def _parsed(current):
    if current is UNKNOWN:
        return UNKNOWN
    parts = str(current).split()
    nums = [int(p) if re.fullmatch(r"-?\d+", p) else None for p in parts]
    if not parts or any(n is None for n in nums):
        return UNKNOWN
    return nums[0] if len(nums) == 1 else nums


def render(template: str, facts: Facts, extra: dict | None = None) -> tuple[str, bool]:
    """Fill `{path}` placeholders; returns (text, every placeholder resolved). Unknown → "?"."""
    parts = _template_parts(template)
    if len(parts) == 1:
        return template, True
    complete = True
    out = list(parts)
    for i in range(1, len(parts), 2):  # literal, path, literal, path, …, literal
        name = parts[i]
        v = extra[name] if extra and name in extra else facts.get(name)
        if v is UNKNOWN or v is None:
            complete = False
            out[i] = "?"
        else:
            out[i] = _fmt(v)
    return "".join(out), complete


@lru_cache(maxsize=4096)
def _template_parts(template: str) -> tuple[str, ...]:
    """A template split once into its literal text and placeholder paths, alternating."""
    return tuple(PLACEHOLDER.split(template))


def expr_text(expr, facts: Facts | None = None) -> str:
    """An expression as text (paths with their {event.fields.X} filled in when known)."""
    if isinstance(expr, str):
        return _shown_path(expr, facts) if facts is not None else expr
    if isinstance(expr, list):
        return "[" + ", ".join(expr_text(e, facts) for e in expr) + "]"
    if isinstance(expr, dict):
        args = ", ".join(f"{k}={expr_text(v, facts)}" for k, v in expr.items() if k != "fn")
        return f"{expr['fn']}({args})"
    return _fmt(expr)


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _plain(v):
    """A JSON-safe value: UNKNOWN → None, tuples → lists, listener/neigh dicts kept."""
    if v is UNKNOWN:
        return None
    if isinstance(v, tuple):
        return list(v)
    if isinstance(v, float):
        return round(v, 4)
    return v


def _fmt(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v.is_integer():
            return str(int(v))
        return f"{v:.2f}".rstrip("0").rstrip(".") if abs(v) >= 1 else f"{v:.3g}"
    if isinstance(v, tuple):
        return ".".join(map(str, v))
    if isinstance(v, list):
        return " ".join(_fmt(x) for x in v)
    if isinstance(v, dict):
        return str(v.get("name") or v.get("table") or "?")
    return str(v)
