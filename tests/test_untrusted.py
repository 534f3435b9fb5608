"""Untrusted input stays data: no code in tcplog evaluates, unpickles or object-loads what it reads."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).parent.parent
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_MODULES = {"pickle", "cPickle", "marshal", "shelve", "yaml", "dill", "jsonpickle"}


def sources():
    for folder in ("tcplog", "grammars", "connectors"):
        yield from sorted((REPO / folder).rglob("*.py"))


def test_no_eval_exec_or_object_deserialisers_in_the_product():
    """No eval/exec/compile, no pickle/marshal/shelve/yaml imports anywhere in tcplog, grammars, connectors."""
    offenders = []
    for path in sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno} {node.func.id}()")
            if isinstance(node, ast.Import):
                offenders += [f"{path.relative_to(REPO)}:{node.lineno} import {a.name}" for a in node.names
                              if a.name.split(".")[0] in FORBIDDEN_MODULES]
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in FORBIDDEN_MODULES:
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno} from {node.module}")
    assert not offenders, "\n".join(offenders)
