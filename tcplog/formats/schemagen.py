"""Generate the JSON Schemas shipped in tcplog/schema/ from the official definitions.

    # ECS: the field definitions Elastic publishes as @elastic/ecs (generated/ecs_flat.js); the
    # subset tcplog needs (type, normalize, required, allowed values per field) is kept in
    # tests/fixtures/ecs/ecs_flat-9.4.0.json (docs/formats.md shows how it was extracted)
    python -m tcplog.formats.schemagen ecs tests/fixtures/ecs/ecs_flat-9.4.0.json > tcplog/schema/ecs-9.4.0.json
    # OCSF: pydantic-ocsf ships the OCSF schema (ocsf/schemas/v1_7_0.json) and builds its models from it
    PYTHONHASHSEED=0 python -m tcplog.formats.schemagen ocsf > tcplog/schema/ocsf-1.7.0-detection_finding.json

ECS: every field ECS defines, nested by its dotted name, typed, with `allowed_values` as enums
and unknown keys rejected -- except under the custom `tcplog` object and ECS's own free-form
objects (`labels`, ...). OCSF: pydantic's JSON Schema of the Detection Finding model, made strict
(unknown attributes rejected; extra data belongs in `unmapped`). pydantic names colliding enum
definitions in set order, hence PYTHONHASHSEED=0 for a reproducible file.
"""

from __future__ import annotations

import json
import sys

_STRING = {"keyword", "wildcard", "constant_keyword", "match_only_text", "text", "ip", "version"}
_NUMBER = {"float", "scaled_float", "half_float", "double"}


def ecs_schema(flat: dict) -> dict:
    tree: dict = {}
    for name, spec in flat.items():
        node = tree
        for part in name.split("."):
            node = node.setdefault(part, {})
        node["\0spec"] = spec
    props = {k: _ecs_node(v) for k, v in sorted(tree.items())}
    props["tcplog"] = {"type": "object", "description": "tcplog's own fields (custom, outside ECS)"}
    props["ecs"]["required"] = ["version"]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://tcplog.invalid/schema/ecs-9.4.0.json",
            "title": "tcplog event in ECS 9.4.0 (generated from the official ECS field definitions)",
            "type": "object", "properties": props, "required": ["@timestamp", "ecs"],
            "additionalProperties": False}


def _ecs_node(node: dict) -> dict:
    spec = node.get("\0spec")
    children = {k: v for k, v in node.items() if k != "\0spec"}
    if not children:
        return _ecs_leaf(spec)
    obj = {"type": "object", "properties": {k: _ecs_node(v) for k, v in sorted(children.items())},
           "additionalProperties": False}
    if spec and spec["type"] == "nested":
        return {"anyOf": [obj, {"type": "array", "items": obj}]}
    return obj


def _ecs_leaf(spec: dict) -> dict:
    t = spec["type"]
    if t in _STRING:
        one = {"type": "string"}
        if spec.get("allowed_values"):
            one["enum"] = [a["name"] for a in spec["allowed_values"]]
    elif t in ("long", "integer", "short", "byte", "unsigned_long"):
        one = {"type": "integer"}
    elif t in _NUMBER:
        one = {"type": "number"}
    elif t == "boolean":
        one = {"type": "boolean"}
    elif t == "date":
        one = {"type": "string", "format": "date-time"}
    elif t in ("object", "flattened"):
        return {"type": "object"}
    elif t == "nested":
        return {"anyOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]}
    elif t == "geo_point":
        return {"type": ["object", "string", "array"]}
    else:
        one = {}
    if "array" in spec.get("normalize", ()):
        return {"anyOf": [one, {"type": "array", "items": one}]}
    return one


def ocsf_schema() -> dict:
    from ocsf.v1_7_0.events import DetectionFinding

    schema = DetectionFinding.model_json_schema()
    _strict(schema)
    for d in schema.get("$defs", {}).values():
        _strict(d)
    # the class's fixed identity, from the OCSF class definition (the model types them as integers)
    schema["properties"]["class_uid"] = {"const": 2004}
    schema["properties"]["category_uid"] = {"const": 2}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://tcplog.invalid/schema/ocsf-1.7.0-detection_finding.json"
    schema["title"] = "OCSF 1.7.0 Detection Finding (class 2004), from pydantic-ocsf's model of the OCSF schema"
    return schema


def _strict(d: dict) -> None:
    if d.get("type") == "object" and d.get("properties") and d.get("additionalProperties") in (None, True):
        d["additionalProperties"] = False


def main(argv: list[str]) -> int:
    if argv[:1] == ["ecs"] and len(argv) == 2:
        with open(argv[1], encoding="utf-8") as f:
            schema = ecs_schema(json.load(f)["fields"])
    elif argv == ["ocsf"]:
        schema = ocsf_schema()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(schema, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
