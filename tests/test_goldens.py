"""Every golden case produces exactly its expected events."""

from __future__ import annotations

import orjson
import pytest

from tests import golden
from tests.conftest import UPDATES

CASES = [(path, index) for path in golden.all_files() for index, _ in enumerate(golden.read(path)[1])]


def _id(param) -> str:
    path, index = param
    case = golden.read(path)[1][index]
    return f"{path.parent.name}/{path.stem}#{index}-{case.kind}"


@pytest.mark.parametrize("where", CASES, ids=[_id(c) for c in CASES])
def test_golden_case(where, update_goldens):
    """The case's input yields exactly the recorded events (none for near-miss and malformed)."""
    path, index = where
    header, cases = UPDATES.get(path) or golden.read(path)
    case = cases[index]
    events = golden.run(case.lines)
    if update_goldens:
        case.expected = [golden.dump(e) for e in events]
        UPDATES[path] = (header, cases)
        return
    assert events == [orjson.loads(line) for line in case.expected]
    if case.kind != "match":
        assert events == [], f"{case.kind} case must produce no event"
    else:
        assert events, "a match case must produce at least one event"
