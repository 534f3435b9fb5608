"""ECS and OCSF output: every golden event, through both formats, valid against the shipped JSON
Schemas and the maintained models (ECS: Elastic's field definitions; OCSF: pydantic-ocsf and py-ocsf-models)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import orjson
import pytest

from tcplog import formats
from tests import golden

REPO = Path(__file__).parent.parent
RECEIVED = "2026-01-01T00:00:00.000000Z"
# the golden events (unclassified) and the classified events of the samples (findings and ambiguous)
SAMPLES = subprocess.run([sys.executable, "-m", "tcplog", "scan", str(REPO / "samples" / "logs"), "--incident-window",
                          "5m", "--reference-time", "2026-11-22T20:00:00Z"], capture_output=True, check=False).stdout
EVENTS = [orjson.loads(line) for path in golden.all_files() for case in golden.read(path)[1]
          for line in case.expected] + [orjson.loads(line) for line in SAMPLES.splitlines()]
ECS_FLAT = json.loads((REPO / "tests" / "fixtures" / "ecs" / "ecs_flat-9.4.0.json").read_text())["fields"]


def _validator(name):
    return jsonschema.Draft202012Validator(formats.schema(name), format_checker=jsonschema.FormatChecker())


def _leaves(doc, prefix=""):
    for key, value in doc.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not (name in ECS_FLAT and ECS_FLAT[name]["type"] in ("object", "flattened")):
            yield from _leaves(value, name + ".")
        else:
            yield name, value


def test_goldens_hold_findings_and_plain_events():
    """The golden events give both ECS kinds something to check."""
    kinds = {formats.convert("ecs", e, RECEIVED)["event"]["kind"] for e in EVENTS}
    assert len(EVENTS) > 50 and kinds == {"alert", "event"}


@pytest.mark.parametrize("name", ["ecs", "ocsf"])
def test_every_golden_event_validates_against_the_shipped_schema(name):
    """Each golden event, converted, is valid against tcplog/schema/<format>-*.json; offenders listed."""
    v = _validator(name)
    bad = [(e["message_id"], err.json_path, err.message[:120]) for e in EVENTS
           for err in v.iter_errors(formats.convert(name, e, RECEIVED))]
    assert not bad, bad[:20]


def test_ecs_fields_are_ecs_fields_with_allowed_values():
    """Outside the custom `tcplog` object every key is an ECS field of the right type, values allowed."""
    bad = []
    for e in EVENTS:
        doc = formats.convert("ecs", e, RECEIVED)
        for name, value in _leaves({k: v for k, v in doc.items() if k != "tcplog"}):
            spec = ECS_FLAT.get(name)
            if spec is None:
                bad.append((name, "not an ECS field"))
                continue
            allowed = {a["name"] for a in spec.get("allowed_values", [])}
            values = value if isinstance(value, list) else [value]
            if isinstance(value, list) and "array" not in spec.get("normalize", []):
                bad.append((name, "array where ECS expects one value"))
            if allowed and not set(values) <= allowed:
                bad.append((name, values))
            if spec["type"] == "long" and not all(isinstance(v, int) for v in values):
                bad.append((name, values))
        kinds = {a["name"]: a for a in ECS_FLAT["event.category"]["allowed_values"]}
        for cat in doc["event"]["category"]:
            if not set(doc["event"]["type"]) <= set(kinds[cat].get("expected_event_types", [])):
                bad.append(("event.type", doc["event"]["type"], cat))
    assert not bad, sorted(set(map(str, bad)))[:20]


def test_ecs_finding_is_an_alert_with_the_cause_as_rule():
    """A decided cause makes an alert with rule.*; ambiguous stays an event without a rule."""
    for e in EVENTS:
        doc = formats.convert("ecs", e, RECEIVED)
        cause = (e.get("cause") or {}).get("id")
        if cause and cause != "ambiguous":
            assert doc["event"]["kind"] == "alert" and doc["rule"]["id"] == cause
        else:
            assert doc["event"]["kind"] == "event" and "rule" not in doc
        assert doc["event"]["original"] == e["raw"] and doc["event"]["code"] == e["message_id"]


@pytest.mark.parametrize("model", ["pydantic-ocsf", "py-ocsf-models"])
def test_every_golden_event_is_a_valid_ocsf_detection_finding(model):
    """The maintained OCSF models accept every converted golden event as a Detection Finding."""
    if model == "pydantic-ocsf":
        from ocsf.v1_7_0.events import DetectionFinding
    else:
        from py_ocsf_models.events.findings.detection_finding import DetectionFinding
    for e in EVENTS:
        doc = formats.convert("ocsf", e, RECEIVED)
        DetectionFinding.model_validate(doc)
        assert doc["class_uid"] == 2004 and doc["category_uid"] == 2 and doc["finding_info"]["uid"]


def test_shipped_schemas_reject_what_the_standards_do_not_define():
    """The schemas are strict: an invented ECS field, a wrong event.kind, a wrong OCSF class fail."""
    ecs = formats.convert("ecs", EVENTS[0], RECEIVED)
    ecs["log"]["offset"] = 1
    ecs["event"]["kind"] = "finding"
    assert len(list(_validator("ecs").iter_errors(ecs))) == 2
    ocsf = formats.convert("ocsf", EVENTS[0], RECEIVED)
    ocsf["class_uid"] = 2003
    ocsf["finding"] = {}
    assert len(list(_validator("ocsf").iter_errors(ocsf))) == 2


@pytest.mark.parametrize("name", ["ecs", "ocsf"])
def test_shipped_schema_is_what_the_generator_makes(name):
    """tcplog/schema/<format>-*.json is regenerated from the official definitions, not edited by hand."""
    args = ["ecs", str(REPO / "tests" / "fixtures" / "ecs" / "ecs_flat-9.4.0.json")] if name == "ecs" else ["ocsf"]
    env = dict(os.environ, PYTHONHASHSEED="0")  # pydantic names colliding enums in set order
    out = subprocess.run([sys.executable, "-m", "tcplog.formats.schemagen", *args], capture_output=True, check=True,
                         env=env)
    assert json.loads(out.stdout) == formats.schema(name)


@pytest.mark.parametrize("name", ["native", "ecs", "ocsf"])
def test_scan_writes_the_format_asked(name, tmp_path):
    """`tcplog scan --format` writes every event in that format, identically with workers."""
    outs = []
    for workers in ("1", "2"):
        out = subprocess.run([sys.executable, "-m", "tcplog", "scan", str(REPO / "samples" / "logs"), "--format", name,
                              "--workers", workers, "--reference-time", "2026-11-22T20:00:00Z"],
                             capture_output=True, check=False)
        docs = [orjson.loads(line) for line in out.stdout.splitlines()]
        outs.append([{k: v for k, v in d.items() if k not in ("@timestamp", "time")} for d in docs])
    assert outs[0] == outs[1] and len(outs[0]) > 10
    if name != "native":
        v = _validator(name)
        assert all(v.is_valid(d) for d in [orjson.loads(x) for x in out.stdout.splitlines()])


def test_filter_applies_the_format_to_the_tcplog_object():
    """`tcplog filter --format ocsf`: the record keeps its keys and `tcplog` is a Detection Finding."""
    line = b'{"message":"Nov 21 10:00:00 web1 kernel: nf_conntrack: table full, dropping packet","k":1}\n'
    out = subprocess.run([sys.executable, "-m", "tcplog", "filter", "--format", "ocsf", "--no-classify"],
                         input=line + b"plain line\n", capture_output=True, check=True).stdout.splitlines()
    first = orjson.loads(out[0])
    assert len(out) == 2 and first["k"] == 1 and first["tcplog"]["class_uid"] == 2004
    assert _validator("ocsf").is_valid(first["tcplog"])
