"""The packaged rule files, parsed ahead of time: tcplog/rules/catalog.json.

tomllib parses the ~90 rule files in ~35 ms, paid at every start of a command that classifies;
the same documents as one JSON file load in ~2 ms. The bundle holds a digest of the rule files it
was made from, and is used only while the files still give that digest: a rule edited, added or
removed since makes the loader parse the TOML files as before (correct, only slower), and
tests/classify/test_bundle.py fails until the bundle is made again:

    python -m tcplog.classify.bundle          # rewrite tcplog/rules/catalog.json (also `make docs`)
"""

from __future__ import annotations

import hashlib
import sys
import tomllib
from pathlib import Path

import orjson

NAME = "catalog.json"


def sources(root: Path) -> list[tuple[str, bytes]]:
    """Every rule file of the folder as (stem, bytes), in name order."""
    return [(path.stem, path.read_bytes()) for path in sorted(root.glob("*.toml"))]


def digest(files: list[tuple[str, bytes]]) -> str:
    """One digest over the files' names and bytes."""
    h = hashlib.sha256()
    for stem, data in files:
        h.update(stem.encode("utf-8") + b"\0" + len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


def bundled(root: Path, files: list[tuple[str, bytes]]) -> dict[str, dict] | None:
    """The parsed documents by stem, when the folder's bundle was made from exactly these files; else None."""
    try:
        doc = orjson.loads((root / NAME).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(doc, dict) or doc.get("digest") != digest(files) or not isinstance(doc.get("rules"), dict):
        return None
    rules = doc["rules"]
    return rules if list(rules) == [stem for stem, _ in files] else None


def make(root: Path) -> bytes:
    """The bundle of the folder's rule files (raises on a file tomllib cannot read)."""
    files = sources(root)
    rules = {stem: tomllib.loads(data.decode("utf-8")) for stem, data in files}
    return orjson.dumps({"digest": digest(files), "rules": rules}) + b"\n"


def main() -> int:
    from tcplog.classify.loader import rules_dir

    root = rules_dir()
    (root / NAME).write_bytes(make(root))
    print(f"wrote {root / NAME}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
