"""Where snapshots are kept: `SnapshotRef`, the `SnapshotStore` interface, and `MemoryStore`.

A store holds validated documents by host and capture time. The enricher asks it for a
host's refs (oldest first) and loads the ones that bracket an event. Implementations:

    MemoryStore   here; pure, for tests and as the model of the interface
    FolderStore   tcplog.connectors.snapshot_store: <root>/<host>/<YYYYMMDDTHHMMSSffffffZ>.json

A snapshot's id is its capture time in that compact form, so one host has at most one
snapshot per microsecond; putting a second one with the same host and time replaces it.

    >>> store = MemoryStore()
    >>> ref = store.put(doc)                 # validated; SnapshotError if not
    >>> store.refs("web1")                   # [SnapshotRef(host='web1', time=..., id='20261122T100000000000Z')]
    >>> store.load(ref)["sockstat"]["TCP"]["tw"]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from tcplog.errors import SnapshotError
from tcplog.snapshot.document import dumps, load_bytes, parse_time, validate

ID_FORMAT = "%Y%m%dT%H%M%S%fZ"


@dataclass(frozen=True)
class SnapshotRef:
    """One stored snapshot: its host, capture time (aware, UTC) and id within the host."""

    host: str
    time: datetime
    id: str


class SnapshotStore(Protocol):
    def put(self, doc: dict) -> SnapshotRef:
        """Validate and keep `doc`; SnapshotError when it is not a snapshot or has no host."""

    def refs(self, host: str) -> list[SnapshotRef]:
        """The host's snapshots, oldest first; [] for an unknown host."""

    def load(self, ref: SnapshotRef) -> dict:
        """The validated document; SnapshotError naming it when it is gone or corrupt."""


def make_id(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime(ID_FORMAT)


def parse_id(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, ID_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def ref_of(doc: dict, where: str = "<document>") -> SnapshotRef:
    """The ref a validated document is stored under; SnapshotError when it names no host."""
    if not doc.get("host"):
        raise SnapshotError(where, "host", "a snapshot needs a host to be stored (capture with --host)")
    t = parse_time(doc["time"])
    return SnapshotRef(doc["host"], t, make_id(t))


def host_key(host: str) -> str:
    """Hosts compare case-insensitively (web1 and WEB1 are one host)."""
    return host.casefold()


class MemoryStore:
    """A SnapshotStore in memory; documents are kept as JSON bytes, so callers cannot alter them."""

    WHERE = "<memory>"  # how errors name this store
    MISSING = "no such snapshot"

    def __init__(self):
        self._docs: dict[str, dict[str, tuple[SnapshotRef, bytes]]] = {}

    def put(self, doc: dict) -> SnapshotRef:
        validate(doc, self.WHERE)
        ref = ref_of(doc, self.WHERE)
        self._keep(ref, dumps(doc))
        return ref

    def _keep(self, ref: SnapshotRef, data: bytes) -> None:
        self._docs.setdefault(host_key(ref.host), {})[ref.id] = (ref, data)

    def refs(self, host: str) -> list[SnapshotRef]:
        return sorted((ref for ref, _ in self._docs.get(host_key(host), {}).values()), key=lambda r: r.time)

    def load(self, ref: SnapshotRef) -> dict:
        where = f"{self.WHERE}/{ref.host}/{ref.id}"
        try:
            _, data = self._docs[host_key(ref.host)][ref.id]
        except KeyError:
            raise SnapshotError(where, None, self.MISSING) from None
        return load_bytes(data, where)

    def hosts(self) -> list[str]:
        return sorted({ref.host for docs in self._docs.values() for ref, _ in docs.values()})


class ChainStore:
    """Several stores read as one (e.g. a sosreport's own snapshot over the folder store).

    `refs(host)` merges the stores' refs by time (the first store wins a tie on the same id);
    `load(ref)` asks the store that listed it; `put` goes to the first store.
    """

    def __init__(self, *stores):
        self.stores = [s for s in stores if s is not None]
        self._owner: dict[tuple[str, str], object] = {}

    def put(self, doc: dict) -> SnapshotRef:
        return self.stores[0].put(doc)

    def refs(self, host: str) -> list[SnapshotRef]:
        seen: dict[str, SnapshotRef] = {}
        for store in self.stores:
            for ref in store.refs(host):
                if ref.id not in seen:
                    seen[ref.id] = ref
                    self._owner[(host_key(ref.host), ref.id)] = store
        return sorted(seen.values(), key=lambda r: r.time)

    def load(self, ref: SnapshotRef) -> dict:
        store = self._owner.get((host_key(ref.host), ref.id))
        if store is None:
            self.refs(ref.host)
            store = self._owner.get((host_key(ref.host), ref.id))
        if store is None:
            raise SnapshotError(f"{ref.host}/{ref.id}", None, "no such snapshot")
        return store.load(ref)


__all__ = ["SnapshotRef", "SnapshotStore", "MemoryStore", "ChainStore", "ref_of", "make_id", "parse_id", "host_key"]
