"""Snapshot stores: MemoryStore and FolderStore behind one interface; atomic writes; corrupt files."""

from __future__ import annotations

import copy
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tcplog.connectors import procfs
from tcplog.connectors.snapshot_store import FolderStore, safe_name
from tcplog.errors import SnapshotError
from tcplog.snapshot import document
from tcplog.snapshot.store import MemoryStore, SnapshotRef, SnapshotStore, make_id, parse_id

FIXTURES = Path(__file__).parent.parent / "fixtures"
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def base() -> dict:
    return procfs.load_tree(str(FIXTURES / "proc" / "vm-6.18"), host="web1")


def at(doc: dict, t: datetime, host: str = "web1") -> dict:
    doc = copy.deepcopy(doc)
    doc["time"], doc["host"] = document.format_time(t), host
    return doc


@pytest.fixture(params=["memory", "folder"])
def store(request, tmp_path) -> SnapshotStore:
    return MemoryStore() if request.param == "memory" else FolderStore(str(tmp_path / "snapshots"))


# -- the interface, for both stores --------------------------------------------------------------

def test_put_returns_a_ref_with_host_time_and_id(store, base):
    """put gives SnapshotRef(host, aware UTC time, compact id)."""
    ref = store.put(at(base, T0))
    assert ref == SnapshotRef("web1", T0, "20261122T100000000000Z")


def test_refs_are_sorted_oldest_first(store, base):
    """refs(host) orders by time whatever the order of puts."""
    for minutes in (30, 0, 15):
        store.put(at(base, T0 + timedelta(minutes=minutes)))
    assert [r.time for r in store.refs("web1")] == [T0, T0 + timedelta(minutes=15), T0 + timedelta(minutes=30)]


def test_round_trip_gives_the_same_document(store, base):
    """load(put(doc)) == doc."""
    doc = at(base, T0)
    assert store.load(store.put(doc)) == doc


def test_refs_of_an_unknown_host_is_empty(store):
    """No snapshots: []."""
    assert store.refs("nobody") == []


def test_hosts_are_kept_apart(store, base):
    """web1's refs do not include web2's."""
    store.put(at(base, T0, "web1"))
    store.put(at(base, T0, "web2"))
    assert [r.host for r in store.refs("web2")] == ["web2"]


def test_host_lookup_ignores_case(store, base):
    """WEB1 in a log finds web1's snapshots."""
    store.put(at(base, T0))
    assert len(store.refs("WEB1")) == 1


def test_same_host_and_time_replaces(store, base):
    """A second put at the same microsecond replaces the first."""
    store.put(at(base, T0))
    doc = at(base, T0)
    doc["sockstat"]["TCP"]["tw"] = 4242
    store.put(doc)
    (ref,) = store.refs("web1")
    assert store.load(ref)["sockstat"]["TCP"]["tw"] == 4242


def test_put_refuses_an_invalid_document(store, base):
    """A document that does not validate is never stored."""
    doc = at(base, T0)
    doc["sockstat"]["TCP"]["tw"] = "abc"
    with pytest.raises(SnapshotError, match="sockstat.TCP.tw"):
        store.put(doc)
    assert store.refs("web1") == []


def test_put_refuses_a_document_without_host(store, base):
    """A store files by host: no host, no put."""
    doc = at(base, T0)
    doc["host"] = None
    with pytest.raises(SnapshotError, match="host"):
        store.put(doc)


def test_load_of_an_unknown_ref(store):
    """A ref that was never put is a SnapshotError."""
    with pytest.raises(SnapshotError, match="no such snapshot"):
        store.load(SnapshotRef("web1", T0, make_id(T0)))


def test_memory_store_documents_cannot_be_altered_through_load(base):
    """Changing a loaded document does not change the stored one."""
    store = MemoryStore()
    ref = store.put(at(base, T0))
    store.load(ref)["sockstat"]["TCP"]["tw"] = -1
    assert store.load(ref)["sockstat"]["TCP"]["tw"] != -1


def test_id_round_trip():
    """make_id and parse_id are inverses."""
    assert parse_id(make_id(T0 + timedelta(microseconds=7))) == T0 + timedelta(microseconds=7)


# -- FolderStore: layout, atomicity, bad files -----------------------------------------------------

def test_folder_layout(tmp_path, base):
    """<root>/<host>/<YYYYMMDDTHHMMSSffffffZ>.json, no temporary files left."""
    fs = FolderStore(str(tmp_path))
    fs.put(at(base, T0 + timedelta(microseconds=123456)))
    assert os.listdir(tmp_path / "web1") == ["20261122T100000123456Z.json"]


@pytest.mark.parametrize("host,folder", [("web1", "web1"), ("WEB1.Example.com", "web1.example.com"),
                                         ("../../etc", "_.._etc"), ("a/b", "a_b"), ("..", "_"), ("", "_")])
def test_host_names_cannot_leave_the_root(host, folder):
    """Separators and leading dots are neutralised."""
    assert safe_name(host) == folder


def test_hostile_host_is_stored_inside_the_root(tmp_path, base):
    """A document naming host ../../x is filed under the root, not above it."""
    fs = FolderStore(str(tmp_path / "root"))
    ref = fs.put(at(base, T0, "../../x"))
    assert Path(fs.path(ref)).resolve().is_relative_to((tmp_path / "root").resolve())
    assert fs.load(ref)["host"] == "../../x"


def test_interrupted_write_leaves_the_old_file_whole(tmp_path, base, monkeypatch):
    """If the rename never happens, the previous snapshot is intact and no temp file stays."""
    fs = FolderStore(str(tmp_path))
    ref = fs.put(at(base, T0))
    before = Path(fs.path(ref)).read_bytes()

    def fail(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", fail)
    doc = at(base, T0)
    doc["sockstat"]["TCP"]["tw"] = 99
    with pytest.raises(OSError):
        fs.put(doc)
    assert Path(fs.path(ref)).read_bytes() == before
    assert os.listdir(tmp_path / "web1") == [f"{ref.id}.json"]


def test_stray_temp_file_is_ignored(tmp_path, base):
    """A `.<id>.*.tmp` left by a crash is neither a ref nor a problem."""
    fs = FolderStore(str(tmp_path))
    fs.put(at(base, T0))
    (tmp_path / "web1" / ".20261122T110000000000Z.abc.tmp").write_text("{")
    assert len(fs.refs("web1")) == 1 and fs.problems == []


def test_corrupt_file_is_skipped_and_reported(tmp_path, base):
    """A truncated snapshot is left out of refs and listed in problems with its path."""
    fs = FolderStore(str(tmp_path))
    good = fs.put(at(base, T0))
    bad = fs.put(at(base, T0 + timedelta(minutes=5)))
    data = Path(fs.path(bad)).read_bytes()
    Path(fs.path(bad)).write_bytes(data[: len(data) // 3])
    assert fs.refs("web1") == [good]
    ((path, why),) = fs.problems
    assert path == fs.path(bad) and why.startswith("not JSON")


def test_load_of_a_corrupt_file_names_the_file_and_field(tmp_path, base):
    """A wrong type inside a stored file: SnapshotError with the path and the field."""
    fs = FolderStore(str(tmp_path))
    ref = fs.put(at(base, T0))
    path = Path(fs.path(ref))
    path.write_bytes(re.sub(rb'"tw": \d+', b'"tw": "abc"', path.read_bytes(), count=1))
    with pytest.raises(SnapshotError) as exc:
        fs.load(ref)
    assert exc.value.where == str(path) and exc.value.field == "sockstat.TCP.tw"


def test_misplaced_file_is_reported(tmp_path, base):
    """A valid snapshot of web2 copied into web1's folder is not web1's."""
    fs = FolderStore(str(tmp_path))
    ref = fs.put(at(base, T0, "web2"))
    (tmp_path / "web1").mkdir()
    os.link(fs.path(ref), tmp_path / "web1" / f"{ref.id}.json")
    assert fs.refs("web1") == [] and "misplaced" in fs.problems[0][1]


def test_file_with_a_foreign_name_is_reported(tmp_path, base):
    """notes.txt in a host folder is a problem, not a crash."""
    fs = FolderStore(str(tmp_path))
    fs.put(at(base, T0))
    (tmp_path / "web1" / "notes.txt").write_text("hello")
    assert len(fs.refs("web1")) == 1 and "not a snapshot file name" in fs.problems[0][1]


def test_oversized_file_is_reported(tmp_path, base):
    """A 9 MB file in the store is refused by size."""
    fs = FolderStore(str(tmp_path))
    fs.put(at(base, T0))
    (tmp_path / "web1" / "20261122T120000000000Z.json").write_bytes(b" " * (9 << 20))
    assert len(fs.refs("web1")) == 1 and "larger than" in fs.problems[0][1]


def test_fixed_file_leaves_the_problem_list(tmp_path, base):
    """A file repaired in place is picked up again and its problem cleared."""
    fs = FolderStore(str(tmp_path))
    ref = fs.put(at(base, T0))
    path = Path(fs.path(ref))
    good = path.read_bytes()
    path.write_bytes(b"{")
    assert fs.refs("web1") == [] and fs.problems
    path.write_bytes(good)
    assert fs.refs("web1") == [ref] and fs.problems == []


def test_folder_store_sees_files_another_process_wrote(tmp_path, base):
    """Two FolderStore objects on one root share the files."""
    FolderStore(str(tmp_path)).put(at(base, T0))
    assert len(FolderStore(str(tmp_path)).refs("web1")) == 1


def test_folder_hosts_lists_host_folders(tmp_path, base):
    """hosts() lists the folders present."""
    fs = FolderStore(str(tmp_path))
    fs.put(at(base, T0, "web2"))
    fs.put(at(base, T0, "web1"))
    assert fs.hosts() == ["web1", "web2"]
