"""Host snapshots: parsers, documents, capture, loaders, stores and the snapshot command."""
