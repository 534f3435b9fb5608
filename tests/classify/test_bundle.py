"""The ahead-of-time parse of the packaged rules (tcplog/rules/catalog.json): current, equal to the
TOML files, and ignored as soon as the files differ from what it was made from."""

from __future__ import annotations

import shutil
import tomllib

import orjson
import pytest

from tcplog.classify import bundle, loader


@pytest.fixture
def rules_copy(tmp_path, monkeypatch):
    """A copy of the packaged rules with its bundle, standing in for the packaged folder."""
    root = tmp_path / "rules"
    shutil.copytree(loader.rules_dir(), root)
    monkeypatch.setattr(loader, "rules_dir", lambda: root)
    loader._default_catalog.cache_clear()
    yield root
    loader._default_catalog.cache_clear()


def _summaries(catalog) -> dict[str, str]:
    return {r.id: r.summary for r in catalog.rules}


def test_packaged_bundle_is_current():
    """Made from the rule files as they are now (run `make docs` or `python -m tcplog.classify.bundle`)."""
    root = loader.rules_dir()
    assert (root / bundle.NAME).read_bytes() == bundle.make(root)


def test_bundle_documents_equal_the_toml_parse():
    root = loader.rules_dir()
    rules = orjson.loads((root / bundle.NAME).read_bytes())["rules"]
    expected = {path.stem: tomllib.loads(path.read_text(encoding="utf-8")) for path in sorted(root.glob("*.toml"))}
    assert rules == expected
    assert len(rules) > 50


def test_catalog_from_the_bundle_equals_the_catalog_from_the_files(rules_copy):
    from_bundle = loader._default_catalog()
    from_files = loader.build_catalog(loader.load_rule_file(p, schema=False) for p in sorted(rules_copy.glob("*.toml")))
    assert from_bundle == from_files
    assert from_bundle.rules[0].source == str(rules_copy / f"{from_bundle.rules[0].id}.toml")


def test_current_bundle_is_used_without_parsing_toml(rules_copy, monkeypatch):
    def refuse(_text):
        raise AssertionError("parsed a TOML file although the bundle is current")

    monkeypatch.setattr(loader.tomllib, "loads", refuse)
    assert len(loader._default_catalog().rules) == len(list(rules_copy.glob("*.toml")))


def test_edited_rule_file_is_read_from_the_file(rules_copy):
    path = sorted(rules_copy.glob("*.toml"))[0]
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    old = doc["summary"]
    path.write_text(path.read_text(encoding="utf-8").replace(old, old + " EDITED", 1), encoding="utf-8")
    assert _summaries(loader._default_catalog())[doc["id"]] == old + " EDITED"


def test_added_and_removed_rule_files_are_seen(rules_copy):
    files = sorted(rules_copy.glob("*.toml"))
    removed = files[0].stem
    files[0].unlink()
    ids = {r.id for r in loader._default_catalog().rules}
    assert removed not in ids
    assert len(ids) == len(files) - 1


def test_renamed_rule_file_is_not_taken_from_the_bundle(rules_copy):
    """Same bytes under another name: the id must match the file name, so the loader reads the files and says so."""
    path = sorted(rules_copy.glob("*.toml"))[0]
    path.rename(path.with_name("zz_" + path.name))
    with pytest.raises(loader.RuleError, match="must match the file name"):
        loader._default_catalog()


@pytest.mark.parametrize("content", [b"", b"{not json", b"[]", b'{"digest": "x", "rules": {}}',
                                     b'{"digest": null, "rules": []}'])
def test_damaged_bundle_falls_back_to_the_files(rules_copy, content):
    (rules_copy / bundle.NAME).write_bytes(content)
    expected = loader.build_catalog(loader.load_rule_file(p, schema=False) for p in sorted(rules_copy.glob("*.toml")))
    assert loader._default_catalog() == expected


def test_missing_bundle_falls_back_to_the_files(rules_copy):
    (rules_copy / bundle.NAME).unlink()
    assert len(loader._default_catalog().rules) == len(list(rules_copy.glob("*.toml")))


def test_bundle_whose_rules_disagree_with_its_digest_is_not_trusted(rules_copy):
    """A bundle with the right digest but other stems (hand-edited) is ignored."""
    doc = orjson.loads((rules_copy / bundle.NAME).read_bytes())
    first = next(iter(doc["rules"]))
    doc["rules"].pop(first)
    (rules_copy / bundle.NAME).write_bytes(orjson.dumps(doc))
    assert len(loader._default_catalog().rules) == len(list(rules_copy.glob("*.toml")))
