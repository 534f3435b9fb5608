"""Rule files → a validated Catalog. One TOML file per cause, named after its rule id.

    catalog = load_rules()                  # the packaged tcplog/rules/, validated once, cached
    catalog = load_rules("my/rules")        # another folder (every *.toml in it)

Each file is parsed with tomllib, validated against tcplog/schema/rule-1.json (unknown keys are
errors), then checked beyond the schema: the family exists, message ids belong to it (or are
SYNTHETIC_MESSAGES), predicates, value functions and suggestion helpers exist and get only their
own arguments, fact arguments and placeholders are fact paths, kernel bounds are versions, the id
matches the file name, and no id is used twice. Kernel ranges (the rule's, a remediation entry's,
a suggestion cap's) take only `min` and `max`, both versions, not an empty range; a remediation's
range must meet the rule's. Every problem is a RuleError naming the file and the key
(`conditions[0].args.value`, `remediation[1].kernel.max`).
"""

from __future__ import annotations

import ipaddress
import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from tcplog.classify.predicates import COMBINATORS, PREDICATES, SUGGESTIONS, VALUES
from tcplog.counters import synthetic_messages
from tcplog.errors import RuleError
from tcplog.grammars import BY_ID as FAMILIES
from tcplog.kernelver import KernelRange
from tcplog.kernelver import parse as parse_kernel

# Message ids no grammar produces: events made from snapshot counters when the log is silent (tcplog.counters).
SYNTHETIC_MESSAGES = synthetic_messages()

CONFIDENCE = {"high": 0, "medium": 1, "low": 2}
PATH = re.compile(r"^(sysctl:[A-Za-z0-9_.\-/{}]+(\[\d{1,3}\])?"
                  r"|(event|kernel|before|after|delta|listener|neigh|mib)(\.[A-Za-z0-9_\-{}\[\]]+)*)$")
SYSCTL_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_\-/]+)+$")  # `/`: a VLAN device (eth0/100)
PLACEHOLDER = re.compile(r"\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}")
_REMEDY_WORDS = ("suggested", "current", "knob")
_LITERAL_TYPES = {"ratio": (int, float), "tolerance": (int, float), "by": (int, float), "factor": (int, float),
                  "to": (str, int, float, bool), "values": list, "networks": list, "min": str, "max": str, "pattern": str,
                  "value": (str, int, float, bool)}


@dataclass(frozen=True)
class Rule:
    id: str
    status: str
    family: str
    message_ids: frozenset | None
    kernel: KernelRange
    priority: int
    confidence: str
    fallback: bool
    summary: str
    description: str
    conditions: tuple
    evidence: tuple
    remediation: tuple
    references: tuple
    examples: tuple
    source: str

    def applies_to(self, message_id: str) -> bool:
        return self.message_ids is None or message_id in self.message_ids

    @property
    def rank(self) -> tuple:
        return CONFIDENCE[self.confidence], -self.priority, self.id


@dataclass(frozen=True)
class Catalog:
    rules: tuple[Rule, ...]
    _by_message: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def by_id(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def for_event(self, family: str, message_id: str) -> tuple[Rule, ...]:
        """The rules that judge this message (looked up once per message id)."""
        key = (family, message_id)
        found = self._by_message.get(key)
        if found is None:
            found = self._by_message[key] = tuple(
                r for r in self.rules if r.family == family and r.applies_to(message_id))
        return found

    def families(self) -> set[str]:
        return {r.family for r in self.rules}


# -- loading ------------------------------------------------------------------------------------


def rules_dir() -> Path:
    """The packaged catalog: tcplog/rules/."""
    return Path(str(resources.files("tcplog").joinpath("rules")))


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads(resources.files("tcplog").joinpath("schema/rule-1.json").read_text())


def load_rules(dir: str | Path | None = None, schema: bool = True) -> Catalog:
    """Every `*.toml` rule file of `dir` (default: the packaged catalog), validated; RuleError names file and key.

    `schema=False` skips only the JSON-schema pass (the semantic checks still run): the packaged
    catalog is schema-checked by the test suite (tests/classify/test_rules_lint.py), so tcplog
    does not pay for jsonschema at every start."""
    if dir is None:
        return _default_catalog()
    root = Path(dir)
    if not root.is_dir():
        raise RuleError(str(root), None, "not a folder of rule files")
    return build_catalog(load_rule_file(path, schema) for path in sorted(root.glob("*.toml")))


def build_catalog(rules) -> Catalog:
    """A catalog of compiled rules; a duplicate id is a RuleError naming both files."""
    seen: dict[str, str] = {}
    out: list[Rule] = []
    for rule in rules:
        if rule.id in seen:
            raise RuleError(rule.source, "id", f"duplicate rule id {rule.id!r} (also in {seen[rule.id]})")
        seen[rule.id] = rule.source
        out.append(rule)
    return Catalog(tuple(out))


@lru_cache(maxsize=1)
def _default_catalog() -> Catalog:
    """The packaged catalog, from its ahead-of-time parse while that matches the rule files
    (tcplog.classify.bundle), else from the files."""
    from tcplog.classify import bundle  # (here: `python -m tcplog.classify.bundle` imports this module first)

    root = rules_dir()
    files = bundle.sources(root)
    parsed = bundle.bundled(root, files)
    if parsed is None:
        return build_catalog(load_rule_file(root / f"{stem}.toml", schema=False) for stem, _ in files)
    return build_catalog(compile_rule(parsed[stem], str(root / f"{stem}.toml"), stem, schema=False) for stem, _ in files)


def load_rule_file(path: str | Path, schema: bool = True) -> Rule:
    """One rule file → Rule; any problem is a RuleError naming the file and the key."""
    path = Path(path)
    where = str(path)
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError) as e:  # ValueError: UnicodeDecodeError, TOMLDecodeError, an integer of 5,000 digits
        raise RuleError(where, None, f"not a readable TOML file: {e}") from None
    except RecursionError:  # tomllib recurses per nested array or inline table
        raise RuleError(where, None, "not a readable TOML file: nested too deeply") from None
    return compile_rule(data, where, path.stem, schema)


def compile_rule(data: dict, where: str, stem: str | None = None, schema: bool = True) -> Rule:
    """A parsed rule document → Rule, after the schema and the semantic checks."""
    if schema:
        _validate_schema(data, where)
    rid, family = data["id"], data["family"]
    if stem is not None and stem != rid:
        raise RuleError(where, "id", f"rule id {rid!r} must match the file name ({stem}.toml)")
    if family not in FAMILIES:
        raise RuleError(where, "family", f"unknown family {family!r}")
    if not rid.startswith(family + "."):
        raise RuleError(where, "id", f"rule id {rid!r} must start with its family {family!r}")
    known = set(FAMILIES[family].MESSAGES) | {m for m in SYNTHETIC_MESSAGES if m.startswith(family + ".")}
    for i, mid in enumerate(data.get("message_ids", [])):
        if mid not in known:
            raise RuleError(where, f"message_ids[{i}]", f"unknown message id {mid!r} for family {family!r}")
    kernel = _kernel_range(data["kernel"], where, "kernel") if "kernel" in data else KernelRange()
    for i, cond in enumerate(data["conditions"]):
        _check_condition(cond, where, f"conditions[{i}]")
    for i, ev in enumerate(data["evidence"]):
        _check_expr(ev["value"], where, f"evidence[{i}].value")
        if "limit" in ev:
            _check_expr(ev["limit"], where, f"evidence[{i}].limit")
    _check_placeholders(data["summary"], where, "summary")
    remediation = tuple(_check_remedy(rem, where, f"remediation[{i}]", kernel)
                        for i, rem in enumerate(data["remediation"]))
    for i, ex in enumerate(data["examples"]):
        if "kernel" in ex and parse_kernel(ex["kernel"]) is None:
            raise RuleError(where, f"examples[{i}].kernel", f"not a kernel release: {ex['kernel']!r}")
    return Rule(
        id=rid, status=data["status"], family=family,
        message_ids=frozenset(data["message_ids"]) if "message_ids" in data else None,
        kernel=kernel, priority=data["priority"], confidence=data["confidence"],
        fallback=data.get("fallback", False), summary=data["summary"], description=data.get("description", ""),
        conditions=tuple(data["conditions"]), evidence=tuple(data["evidence"]),
        remediation=remediation, references=tuple(data["references"]),
        examples=tuple(data["examples"]), source=where,
    )


def _validate_schema(data: dict, where: str) -> None:
    import jsonschema  # only when validating: ~0.1 s of import that a plain scan does not need

    validator = jsonschema.Draft202012Validator(_schema())
    # an unknown key first: `{ limit = 1 }` is a misspelt `value`, more than a missing one
    errors = sorted(validator.iter_errors(data),
                    key=lambda e: (list(e.absolute_path), e.validator != "additionalProperties", e.message))
    if not errors:
        return
    err = errors[0]
    key = ".".join(str(p) for p in err.absolute_path) or None
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = set(err.schema.get("properties", {}))
        extra = sorted(k for k in err.instance if k not in allowed)
        if extra:
            key = ".".join(filter(None, [key, extra[0]]))
            raise RuleError(where, key, f"unknown key {extra[0]!r}")
    raise RuleError(where, key, err.message if len(err.message) <= 300 else err.message[:300] + "...")


def _check_expr(expr, where: str, key: str) -> None:
    if isinstance(expr, bool):
        raise RuleError(where, key, "a boolean is not an expression")
    if isinstance(expr, (int, float)):
        return
    if isinstance(expr, str):
        if not PATH.match(expr):
            raise RuleError(where, key, f"not a fact path: {expr!r}")
        return
    if isinstance(expr, list):
        for i, e in enumerate(expr):
            _check_expr(e, where, f"{key}[{i}]")
        return
    if isinstance(expr, dict):
        name = expr.get("fn")
        spec = VALUES.get(name)
        if spec is None:
            raise RuleError(where, f"{key}.fn", f"unknown value function {name!r}")
        _check_args({k: v for k, v in expr.items() if k != "fn"}, spec, where, key, "value function " + name)
        return
    raise RuleError(where, key, f"not an expression: {expr!r}")


def _check_args(args: dict, spec, where: str, key: str, what: str) -> None:
    for name in args:
        if name not in spec.args:
            raise RuleError(where, f"{key}.{name}", f"unknown argument {name!r} of {what}")
    for name in spec.required:
        if name not in args:
            raise RuleError(where, key, f"{what} needs argument {name!r}")
    for name, value in args.items():
        if name in spec.facts:
            _check_expr(value, where, f"{key}.{name}")
        elif not isinstance(value, _LITERAL_TYPES.get(name, object)) or isinstance(value, bool) and name != "to":
            raise RuleError(where, f"{key}.{name}", f"bad literal {value!r}")


def _check_condition(cond: dict, where: str, key: str) -> None:
    name, args = cond["predicate"], cond["args"]
    if name in COMBINATORS:
        if set(args) != {"of"} or not isinstance(args["of"], list) or not args["of"]:
            raise RuleError(where, f"{key}.args", f"{name} takes one argument `of`: a non-empty list of conditions")
        for i, sub in enumerate(args["of"]):
            if not isinstance(sub, dict) or set(sub) != {"predicate", "args"} or not isinstance(sub["args"], dict):
                raise RuleError(where, f"{key}.args.of[{i}]", "a condition is {predicate = NAME, args = {...}}")
            _check_condition(sub, where, f"{key}.args.of[{i}]")
        return
    spec = PREDICATES.get(name)
    if spec is None:
        raise RuleError(where, f"{key}.predicate", f"unknown predicate {name!r}")
    _check_args(args, spec, where, f"{key}.args", "predicate " + name)
    if name == "kernel_between":
        for bound in ("min", "max"):
            if bound in args and parse_kernel(args[bound]) is None:
                raise RuleError(where, f"{key}.args.{bound}", f"not a kernel version: {args[bound]!r}")
    if name == "ip_in":
        for i, net in enumerate(args["networks"]):
            try:
                ipaddress.ip_network(net, strict=False)
            except (ValueError, TypeError):
                raise RuleError(where, f"{key}.args.networks[{i}]", f"not a CIDR network: {net!r}") from None


    if name == "matches":
        try:
            re.compile(args["pattern"])
        except re.error as exc:
            raise RuleError(where, f"{key}.args.pattern", f"not a regular expression: {exc}") from None


def _check_placeholders(text: str, where: str, key: str, extra: tuple[str, ...] = ()) -> None:
    for m in PLACEHOLDER.finditer(text):
        name = m.group(1)
        if name not in extra and not PATH.match(name):
            raise RuleError(where, key, f"placeholder {{{name}}} is not a fact path")


def _kernel_range(spec, where: str, key: str) -> KernelRange:
    """A `{ min, max }` table → KernelRange; unknown keys, bounds that are not versions and an empty
    range are RuleErrors naming the key (also when the schema pass is skipped)."""
    if not isinstance(spec, dict) or not spec:
        raise RuleError(where, key, "a kernel range is { min = VERSION, max = VERSION } with one or both bounds")
    for name, bound in spec.items():
        if name not in ("min", "max"):
            raise RuleError(where, f"{key}.{name}", f"unknown key {name!r}")
        if not isinstance(bound, str) or parse_kernel(bound) is None:
            raise RuleError(where, f"{key}.{name}", f"not a kernel version: {bound!r}")
    kernel = KernelRange(**spec)
    if kernel.empty:
        raise RuleError(where, key, f"empty kernel range: min {kernel.min} is above max {kernel.max}")
    return kernel


def _check_remedy(rem: dict, where: str, key: str, rule_kernel: KernelRange) -> dict:
    """One remediation entry, checked; returned with its kernel ranges compiled to KernelRange."""
    _check_placeholders(rem["knob"], where, f"{key}.knob")
    _check_placeholders(rem["why"], where, f"{key}.why")
    if "command" in rem:
        _check_placeholders(rem["command"], where, f"{key}.command", _REMEDY_WORDS)
    out = dict(rem)
    if "kernel" in rem:
        out["kernel"] = _kernel_range(rem["kernel"], where, f"{key}.kernel")
        if not out["kernel"].meets(rule_kernel):
            raise RuleError(where, f"{key}.kernel", f"kernels {out['kernel']} never meet the rule's kernels "
                                                    f"{rule_kernel}: the entry could never be shown")
    if "suggested" in rem:
        sug = dict(rem["suggested"])
        name = sug.pop("helper")
        cap = sug.pop("cap", None)
        spec = SUGGESTIONS.get(name)
        if spec is None:
            raise RuleError(where, f"{key}.suggested.helper", f"unknown suggestion helper {name!r}")
        _check_args(sug, spec, where, f"{key}.suggested", "helper " + name)
        if cap is not None:
            out["suggested"] = {**rem["suggested"], "cap": _check_cap(cap, where, f"{key}.suggested.cap")}
    return out


def _check_cap(cap, where: str, key: str) -> dict:
    """`cap = { value = EXPR, kernel = { min, max }?, why = TEXT? }`: the most a kernel accepts."""
    if not isinstance(cap, dict):
        raise RuleError(where, key, "a cap is { value = EXPR, kernel = { min, max }, why = TEXT }")
    for name in cap:
        if name not in ("value", "kernel", "why"):
            raise RuleError(where, f"{key}.{name}", f"unknown key {name!r}")
    if "value" not in cap:
        raise RuleError(where, key, "a cap needs its `value`: the most the kernel accepts")
    _check_expr(cap["value"], where, f"{key}.value")
    out = dict(cap)
    if "kernel" in cap:
        out["kernel"] = _kernel_range(cap["kernel"], where, f"{key}.kernel")
    if "why" in cap:
        if not isinstance(cap["why"], str) or len(cap["why"]) < 10:
            raise RuleError(where, f"{key}.why", "a sentence saying why the kernel accepts no more")
        _check_placeholders(cap["why"], where, f"{key}.why")
    return out
