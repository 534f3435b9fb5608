"""Rule-catalog lint (Sigma style): every check runs over the whole catalog and lists every offender."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

from tcplog.classify import engine
from tcplog.classify.engine import SYSCTL_NAME, load_rule_file
from tcplog.classify.examples import example_event, problem
from tcplog.errors import RuleError
from tcplog.grammars import FAMILIES

RULE_FILES = sorted(engine.rules_dir().glob("*.toml"))
TOOLS = {"sysctl", "ss", "ethtool", "conntrack", "nstat", "ip", "dmesg", "echo"}
# the one shell form allowed: a module parameter written at run time, where a kernel has no sysctl for it
MODULE_PARAMETER = re.compile(r"^echo \{suggested\} > /sys/module/[a-z_0-9]+/parameters/[a-z_0-9]+$")


def _rules():
    return [load_rule_file(p) for p in RULE_FILES]


def _fail(title: str, offenders: list[str]) -> None:
    assert not offenders, f"{title} ({len(offenders)}):\n  " + "\n  ".join(offenders)


def test_every_rule_file_is_valid():
    """Every file loads: schema-valid TOML, known family, message ids, predicates, paths and helpers."""
    offenders = []
    for path in RULE_FILES:
        try:
            load_rule_file(path)
        except RuleError as e:
            offenders.append(str(e))
    _fail("invalid rule files", offenders)
    assert RULE_FILES


def test_rule_ids_are_unique():
    """No two files share a rule id."""
    seen: dict[str, str] = {}
    offenders = []
    for r in _rules():
        if r.id in seen:
            offenders.append(f"{r.id}: {r.source} and {seen[r.id]}")
        seen[r.id] = r.source
    _fail("duplicate rule ids", offenders)


def test_every_family_has_a_rule():
    """Each of the twenty families is explained by at least one rule."""
    covered = {r.family for r in _rules()}
    _fail("families without a rule", sorted(f.FAMILY for f in FAMILIES if f.FAMILY not in covered))


def test_every_message_id_has_an_applicable_rule():
    """Every wording of every family reaches at least one rule (message_ids filters)."""
    rules = _rules()
    offenders = [m for f in FAMILIES for m in f.MESSAGES
                 if not any(r.family == f.FAMILY and r.applies_to(m) for r in rules)]
    _fail("message ids no rule applies to", offenders)


def test_every_example_classifies_to_its_expected_cause():
    """Each rule's examples, run through the scanner and the whole catalog, give the expected cause."""
    catalog = engine.load_rules()
    offenders = []
    for r in catalog.rules:
        for i, ex in enumerate(r.examples):
            why = problem(ex, catalog, r.family)
            if why:
                offenders.append(f"{r.id} examples[{i}]: {why}")
    _fail("examples that do not classify as expected", offenders)


def test_every_rule_is_the_expected_cause_of_one_of_its_examples():
    """No rule is dead: at least one of its own examples expects it."""
    offenders = [r.id for r in _rules() if not any(ex["expect"] == r.id for ex in r.examples)]
    _fail("rules none of whose examples expect them", offenders)


def test_example_events_carry_the_rule_family():
    """An example's line (or synthetic event) belongs to the family of its rule."""
    offenders = []
    for r in _rules():
        for i, ex in enumerate(r.examples):
            e = example_event(ex)
            if e is None or e["family"] != r.family:
                offenders.append(f"{r.id} examples[{i}]: {None if e is None else e['family']}")
    _fail("examples of another family", offenders)


def test_commands_are_real_tools_and_set_their_own_knob():
    """Commands start with a real tool; `sysctl -w NAME=` writes the remediation's own knob; `echo` only writes
    the suggested value to a module parameter."""
    offenders = []
    for r in _rules():
        for i, rem in enumerate(r.remediation):
            cmd = rem.get("command")
            if cmd is None:
                continue
            words = shlex.split(re.sub(r"\{[^{}]*\}", "X", cmd))
            if words[0] not in TOOLS:
                offenders.append(f"{r.id} remediation[{i}]: unknown tool {words[0]!r}")
            if words[0] == "echo" and not MODULE_PARAMETER.match(cmd):
                offenders.append(f"{r.id} remediation[{i}]: echo only as `echo {{suggested}} > /sys/module/M/parameters/P`")
            if words[:2] == ["sysctl", "-w"]:
                name = words[2].split("=", 1)[0]
                knob = re.sub(r"\{[^{}]*\}", "X", rem["knob"])
                if cmd.split()[2].startswith("{knob}="):  # the knob's own name, as the engine spells it
                    name = knob
                if name != knob or not SYSCTL_NAME.match(knob):
                    offenders.append(f"{r.id} remediation[{i}]: sets {name}, knob is {rem['knob']}")
    _fail("bad remediation commands", offenders)


def test_a_knob_with_entries_per_kernel_has_one_for_every_kernel_of_the_rule():
    """Entries of one knob split by kernel ranges leave no kernel of the rule without one, and none twice:
    a 4.6 host would otherwise get no buckets remedy, or two."""
    from tcplog.kernelver import KernelRange, parse

    probes = ["2.6.18", "2.6.30", "2.6.31", "2.6.32", "3.0", "3.10", "4.0", "4.1", "4.3", "4.4", "4.6", "4.7",
              "4.18", "5.3", "5.4", "5.15", "6.1", "6.8"]
    offenders = []
    for r in _rules():
        knobs: dict[str, list[KernelRange]] = {}
        for rem in r.remediation:
            knobs.setdefault(rem["knob"], []).append(rem.get("kernel", KernelRange()))
        for knob, ranges in knobs.items():
            if len(ranges) < 2 or all(k.open for k in ranges):
                continue
            for probe in map(parse, probes):
                if r.kernel.contains(probe) and sum(k.contains(probe) for k in ranges) != 1:
                    offenders.append(f"{r.id} {knob}: {sum(k.contains(probe) for k in ranges)} entries for {probe}")
    _fail("knobs whose per-kernel entries leave a gap or overlap", offenders)


def test_no_remediation_breaks_a_standing_guardrail():
    """Never tcp_tw_recycle, never lower tcp_max_orphans, never turn syncookies off."""
    offenders = []
    for r in _rules():
        for i, rem in enumerate(r.remediation):
            where = f"{r.id} remediation[{i}]"
            text = f"{rem['knob']} {rem.get('command', '')}"
            if "tcp_tw_recycle" in text:
                offenders.append(f"{where}: suggests tcp_tw_recycle")
            if rem["knob"] == "net.ipv4.tcp_max_orphans" and rem["direction"] == "lower":
                offenders.append(f"{where}: lowers tcp_max_orphans")
            if rem["knob"] == "net.ipv4.tcp_syncookies" and rem.get("suggested", {}).get("value") == "0":
                offenders.append(f"{where}: disables syncookies")
    _fail("remediations against a guardrail", offenders)


GUARDRAILS = {
    "net.ipv4.tcp_max_tw_buckets": "tcp_tw_recycle",
    "net.ipv4.tcp_max_orphans": "do not lower net.ipv4.tcp_max_orphans",
    "net.netfilter.nf_conntrack_max": "unswappable kernel memory",
    "net.ipv4.tcp_mem": "unswappable kernel memory",
    "net.ipv4.tcp_syncookies": "do not disable net.ipv4.tcp_syncookies",
}


def test_risky_knobs_carry_their_guardrail():
    """Raising TIME_WAIT, orphan, conntrack or TCP memory limits, or touching syncookies, comes with its warning."""
    offenders = []
    for r in _rules():
        for i, rem in enumerate(r.remediation):
            needle = GUARDRAILS.get(rem["knob"])
            if needle and rem["direction"] in ("raise", "set", "keep") and not any(
                    needle in g for g in rem["guardrails"]):
                offenders.append(f"{r.id} remediation[{i}] ({rem['knob']}): no guardrail mentioning {needle!r}")
    _fail("remediations without their guardrail", offenders)


def test_synthetic_message_ids_are_used_and_documented():
    """Every synthetic message id belongs to a family and is keyed by a rule."""
    rules = _rules()
    offenders = [m for m in engine.SYNTHETIC_MESSAGES
                 if m.split(".")[0] not in {f.FAMILY for f in FAMILIES}
                 or not any(r.message_ids and m in r.message_ids for r in rules)]
    _fail("unused or orphan synthetic message ids", offenders)


def test_causes_doc_is_generated_from_the_rules():
    """docs/causes.md is exactly what tcplog.classify.docgen prints (`python -m tcplog.classify.docgen`)."""
    from pathlib import Path

    from tcplog.classify import docgen

    doc = Path(__file__).parents[2] / "docs" / "causes.md"
    assert doc.read_text() == docgen.render(), "regenerate: python -m tcplog.classify.docgen > docs/causes.md"


def test_classification_doc_names_every_predicate_function_and_helper():
    """docs/classification.md documents every predicate, combinator, value function, helper and fact root."""
    from pathlib import Path

    from tcplog.classify import facts, predicates

    text = (Path(__file__).parents[2] / "docs" / "classification.md").read_text()
    names = [*predicates.PREDICATES, *predicates.COMBINATORS, *predicates.VALUES, *predicates.SUGGESTIONS,
             *(f"`{root}" for root in facts.ROOTS), "sysctl:"]
    _fail("undocumented in docs/classification.md", [n for n in names if n not in text])


# -- citations ----------------------------------------------------------------------------------

REPO = Path(__file__).parents[2]
REFERENCE = "kernel-net-messages.md"
_DOC_LINK = re.compile(r"\b(docs/[\w.-]+\.md)(?:#([\w-]+))?")
_SECTION = re.compile(r"§(\d+(?:\.\d+)?)(?:\s*\(((?:[^()]|\([^()]*\))*)\))?")  # §5 (label, may hold (one) pair)
# words that name a part of a section rather than what it says ("… row", "… notes", "rule 4")
_PART_WORDS = {"row", "rows", "notes", "note", "rule", "rules", "the", "a", "an", "of", "on", "in", "and", "or",
               "with", "when", "to", "for", "by", "as", "from", "u"}


def _slug(heading: str) -> str:
    """A Markdown heading's anchor as GitHub makes it."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


VENDORED = REPO / "docs" / "reference" / REFERENCE  # the copy shipped with tcplog, so citations resolve


def _reference_text() -> str:
    """The kernel-message reference the rules cite: the copy in docs/reference/."""
    return VENDORED.read_text(encoding="utf-8")


def test_the_shipped_reference_is_the_shared_one_where_that_is_visible():
    """docs/reference/ holds the reference verbatim: where the shared original is beside the checkout
    (or at $TCPLOG_REFERENCE), the two are identical, so a citation means the same in both."""
    for path in (os.environ.get("TCPLOG_REFERENCE"), REPO.parent / "shared" / "reference" / REFERENCE):
        if path and Path(path).is_file():
            assert Path(path).read_bytes() == VENDORED.read_bytes(), f"{VENDORED} differs from {path}: copy it again"
    assert VENDORED.read_text(encoding="utf-8").startswith("# Linux kernel network-stack messages")


def reference_sections(text: str) -> dict[str, str]:
    """Section number → its text (a `##` section holds its `###` subsections), from `## 5. Title` headings."""
    heads = [(m.start(), len(m.group(1)), m.group(2))
             for m in re.finditer(r"^(#{2,}) (\d+(?:\.\d+)?)[. ]", text, re.M)]
    out = {}
    for i, (start, level, number) in enumerate(heads):
        end = next((s for s, lv, _ in heads[i + 1:] if lv <= level), len(text))
        out[number] = text[start:end]
    return out


def citation_problems(reference: str, sections: dict[str, str]) -> list[str]:
    """What is wrong with one `kernel-net-messages.md §N (label), §M` citation: a section the reference
    lacks, or a label whose words the section does not hold (`§9 (hardware checksum notes)`)."""
    cited = _SECTION.findall(reference)
    if not cited:
        return [f"{reference!r}: names no section"]
    problems = []
    for number, label in cited:
        if number not in sections:
            problems.append(f"{reference!r}: no §{number}")
            continue
        text = re.sub(r"[`*]", "", sections[number]).lower()
        words = [w for w in re.findall(r"[a-z0-9_]+(?:\.[a-z0-9_]+)*", label.lower()) if w not in _PART_WORDS]
        missing = [w for w in words if w not in text]
        if missing:
            problems.append(f"{reference!r}: §{number} has no {', '.join(missing)}")
    return problems


def test_citation_check_catches_a_label_the_section_lacks():
    """The check itself: a real section with a made-up part is an offender, a real part is not."""
    sections = {"9": "## 9. UDP short packet / bad checksum\n| `UDP: bad checksum.` | InCsumErrors |"}
    assert citation_problems("kernel-net-messages.md §9 (hardware checksum notes)", sections)
    assert citation_problems("kernel-net-messages.md §12", sections)
    assert not citation_problems("kernel-net-messages.md §9 (bad checksum row)", sections)


def test_every_cited_docs_page_and_anchor_exists():
    """A rule's `docs/X.md#anchor` reference names a page of this repository and one of its headings."""
    offenders = []
    for r in _rules():
        for ref in r.references:
            for page, anchor in _DOC_LINK.findall(ref):
                path = REPO / page
                if not path.is_file():
                    offenders.append(f"{r.id}: {page} does not exist")
                    continue
                headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.M)
                if anchor and anchor not in {_slug(h) for h in headings}:
                    offenders.append(f"{r.id}: {page} has no heading #{anchor}")
    _fail("references to docs that do not resolve", offenders)


def test_every_cited_reference_section_exists():
    """Each `kernel-net-messages.md §N (label)` a rule cites is a section of the reference whose text holds the
    label's words (docs/reference/ holds the reference tcplog ships)."""
    sections = reference_sections(_reference_text())
    offenders = [f"{r.id}: {p}" for r in _rules() for ref in r.references if ref.startswith(REFERENCE)
                 for p in citation_problems(ref, sections)]
    _fail("citations of the kernel-message reference that do not resolve", offenders)
