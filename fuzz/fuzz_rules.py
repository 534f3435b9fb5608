"""Coverage-guided fuzzing (atheris/libFuzzer) of the rule loader: a TOML rule file from bytes,
through `load_rule_file` (tomllib, the JSON schema, the semantic checks), and a rule it accepts
through the engine.

    python fuzz/fuzz_rules.py -runs=3000 -max_len=8192 CORPUS fuzz/seeds/rules            # `make test` (bounded)
    python fuzz/fuzz_rules.py -max_total_time=3600 -max_len=16384 CORPUS fuzz/seeds/rules   # a long run

The input is written as a rule file named after its `id = "..."` (so the id-matches-the-file check
passes and the semantic checks behind it are reached) and loaded with `load_rule_file`. Only a
RuleError may escape; anything else is a crash. A rule the loader accepts must then be usable:
the engine classifies an event of its family and message id against two valid snapshots (the
sample web-07, then with every counter risen) without an exception, and the cause it gives is
JSON. libFuzzer writes a crashing input to crash-*; it becomes a regression case in
tests/fuzz_regressions/rules/.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # fuzz/: also when loaded by path (the tests)
from _scratch import scratch  # noqa: E402

try:
    import atheris
except ImportError:  # replaying kept crashes (tests/test_fuzz_atheris.py) needs no atheris
    atheris = None

# the loader, the engine, tomllib and jsonschema; not pyparsing (the grammars are fuzzed by fuzz_records.py)
_INSTRUMENT = ["tcplog.classify", "tcplog.kernelver", "tomllib", "jsonschema"]
_FUZZING = atheris is not None and __name__ == "__main__"
with atheris.instrument_imports(include=_INSTRUMENT) if _FUZZING else contextlib.nullcontext():
    import jsonschema  # noqa: F401 (imported by the loader when it validates: instrumented too)
    import orjson

    from tcplog.classify import engine
    from tcplog.classify.loader import FAMILIES, SYNTHETIC_MESSAGES, build_catalog, load_rule_file
    from tcplog.errors import RuleError

REPO = Path(__file__).resolve().parent.parent
BEFORE = orjson.loads((REPO / "samples" / "snapshots" / "web-07.json").read_bytes())
AFTER = orjson.loads(orjson.dumps(BEFORE))
for _group in ("netstat", "snmp"):
    for _counters in (AFTER.get(_group) or {}).values():
        for _name in _counters:
            _counters[_name] += 1
KERNEL = "4.18.0-513.5.1.el8_9.x86_64"
_ID = re.compile(rb'^\s*id\s*=\s*"([A-Za-z0-9_.\-]{1,100})"', re.MULTILINE)


_DIR = scratch("rules")


def one_input(data: bytes) -> None:
    m = _ID.search(data)
    path = os.path.join(_DIR, (m.group(1).decode() if m else "fuzz") + ".toml")
    with open(path, "wb") as f:
        f.write(data)
    try:
        rule = load_rule_file(path)
    except RuleError:
        return
    finally:
        os.unlink(path)
    catalog = build_catalog([rule])
    message_ids = sorted(rule.message_ids) if rule.message_ids is not None else \
        sorted(set(FAMILIES[rule.family].MESSAGES) | {m for m in SYNTHETIC_MESSAGES if m.startswith(rule.family + ".")})
    for message_id in message_ids[:2]:
        event = {"family": rule.family, "message_id": message_id, "host": BEFORE["host"],
                 "time": "2026-11-22T10:00:00.000000Z", "fields": {"port": 443, "src": "10.0.0.1", "dst": "10.0.0.2",
                                                                 "device": "eth0", "count": 3},
                 "raw": None, "suppressed": 0, "count": 1}
        for before, after, kernel in ((BEFORE, AFTER, KERNEL), (None, None, None)):
            cause = engine.classify(event, before, after, kernel_release=kernel, catalog=catalog)
            orjson.dumps(cause)  # a cause must be JSON, as every event carries it


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
