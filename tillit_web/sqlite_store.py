"""One SQLite file in the data directory, shared by the feedback and insights stores: WAL so
readers do not block the writer, a busy timeout for concurrent workers, and a lock for this
process's writers."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class SqliteStore:
    """Creates the file and its ``schema``; ``durable`` syncs every commit to disk."""

    def __init__(self, path: Path, schema: str, durable: bool = False) -> None:
        self.path = Path(path)
        self.durable = durable
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(schema)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout=30000")
            if self.durable:
                conn.execute("PRAGMA synchronous=FULL")
            yield conn
        finally:
            conn.close()
