"""Host snapshots: what a host's kernel said about its network stack at one moment.

    document   the `tcplog.snapshot/1` document: shape, validation, safe loading
    parse      pure parsers for /proc, `sysctl -a`, `ss` and `uname` text -> plain dicts
    sections   derived sections (sysctl selection, conntrack, neighbour, listeners)
    store      SnapshotRef, the SnapshotStore interface, and MemoryStore

Capturing (live /proc, copied trees, sosreports) and the folder store are connectors:
tcplog.connectors.procfs, .sysctl_text, .sosreport and .snapshot_store.
"""

from tcplog.snapshot.document import SCHEMA, load_bytes, validate

__all__ = ["SCHEMA", "load_bytes", "validate"]
