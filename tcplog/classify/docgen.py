"""docs/causes.md is generated from the rule files (tcplog/rules/*.toml):

    python -m tcplog.classify.docgen > docs/causes.md

Every cause id with its status, confidence, kernel range, summary, conditions, evidence,
remediation (with the kernels each entry is for, caps and guardrails) and references. A test fails when the file differs from what this
prints, so the catalog documentation cannot drift from the rules.
"""

from __future__ import annotations

import sys

from tcplog.classify.engine import SYNTHETIC_MESSAGES, Catalog, Rule, expr_text, load_rules
from tcplog.grammars import FAMILIES

HEADER = """# Causes

Generated from the rule files in `tcplog/rules/` by `python -m tcplog.classify.docgen`;
do not edit by hand. One rule file per cause: its id is the `cause.id` of the events it
explains. How rules are evaluated, the fact paths and the predicates: docs/classification.md.

Summaries are templates: `{path}` is filled from the event, its snapshots and the kernel
version (`?` when unknown). `ambiguous` is the cause when no rule is decided by the evidence;
it lists the rules below as candidates and what to collect to tell them apart.

"""


def _anchor(rule_id: str) -> str:
    return rule_id.replace(".", "")


def _condition(cond: dict) -> str:
    name, args = cond["predicate"], cond["args"]
    if "of" in args and isinstance(args["of"], list):
        return f"{name}(" + ", ".join(_condition(c) for c in args["of"]) + ")"
    return f"{name}(" + ", ".join(f"{k}={expr_text(v)}" for k, v in args.items()) + ")"


def _suggested(rem: dict) -> str:
    sug = dict(rem.get("suggested") or {})
    if not sug:
        return ""
    helper = sug.pop("helper")
    cap = sug.pop("cap", None)
    args = ", ".join(f"{k}={expr_text(v)}" for k, v in sug.items())
    capped = ""
    if cap is not None:
        kernels = f" on kernels {cap['kernel'].describe()}" if "kernel" in cap else ""
        capped = f", at most `{expr_text(cap['value'])}`{kernels}"
    return f" (suggested: `{helper}({args})`{capped})"


def _kernels(rem: dict) -> str:
    return f" (kernels {rem['kernel'].describe()})" if "kernel" in rem else ""


def _rule(r: Rule) -> str:
    out = [f"### `{r.id}`\n\n"]
    ids = ", ".join(f"`{m}`" for m in sorted(r.message_ids)) if r.message_ids else "all of the family"
    flags = " · fallback" if r.fallback else ""
    out.append(f"Status: {r.status} · confidence: {r.confidence} · priority: {r.priority} · "
               f"kernel: {r.kernel}{flags} · message ids: {ids}\n\n")
    out.append(f"> {r.summary}\n\n")
    if r.description.strip():
        out.append(" ".join(r.description.split()) + "\n\n")
    if r.conditions:
        out.append("When (all hold):\n\n")
        out.extend(f"- `{_condition(c)}`\n" for c in r.conditions)
        out.append("\n")
    else:
        out.append("When: always — the message itself is the evidence.\n\n")
    if r.evidence:
        out.append("Evidence shown:\n\n")
        for e in r.evidence:
            limit = f" vs `{expr_text(e['limit'])}`" if "limit" in e else ""
            out.append(f"- {e['name']}: `{expr_text(e['value'])}`{limit}\n")
        out.append("\n")
    if r.remediation:
        out.append("Remediation:\n\n")
        for rem in r.remediation:
            cmd = f": `{rem['command']}`" if "command" in rem else ""
            out.append(f"- **{rem['knob']}**{_kernels(rem)} — {rem['direction']}{_suggested(rem)}{cmd}. {rem['why']}\n")
            out.extend(f"  - guardrail: {g}\n" for g in rem["guardrails"])
        out.append("\n")
    out.append("References: " + "; ".join(r.references) + "\n\n")
    return "".join(out)


def render(catalog: Catalog | None = None) -> str:
    """The whole of docs/causes.md."""
    catalog = catalog or load_rules()
    out = [HEADER, "| cause id | confidence | kernel | status |\n| --- | --- | --- | --- |\n"]
    ordered = [r for f in FAMILIES for r in sorted(catalog.rules, key=lambda r: r.rank) if r.family == f.FAMILY]
    for r in ordered:
        out.append(f"| [`{r.id}`](#{_anchor(r.id)}) | {r.confidence} | {r.kernel} | {r.status} |\n")
    out.append("\nSynthetic message ids (made from snapshot counters, no log line):\n\n")
    out.extend(f"- `{m}`: {text}\n" for m, text in SYNTHETIC_MESSAGES.items())
    for f in FAMILIES:
        rules = [r for r in ordered if r.family == f.FAMILY]
        out.append(f"\n## {f.FAMILY}\n\n")
        out.extend(_rule(r) for r in rules)
    return "".join(out).rstrip("\n") + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(render())
