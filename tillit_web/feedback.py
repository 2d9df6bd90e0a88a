"""Durable feedback store: one SQLite file in the data directory (WAL, safe for concurrency).

A record holds the question, the answer text, the cited chunk ids, the vote, an optional
comment, the answer language, where it came from, and the time. Nothing else about the
person is stored.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from tillit_web.sqlite_store import SqliteStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    chunk_ids TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    comment TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT ''
);
"""
COLUMNS = ("id", "created_at", "question", "answer", "chunk_ids", "vote", "comment",
           "language", "source")
FILENAME = "feedback.sqlite3"


def parse_vote(vote: Any) -> int:
    """1 for up/like/True/1, -1 for down/dislike/False/-1; ValueError otherwise."""
    if vote is True or vote in (1, "1", "up", "like", "Like", "+1"):
        return 1
    if vote is False or vote in (-1, "-1", "down", "dislike", "Dislike"):
        return -1
    raise ValueError(f"not a vote: {vote!r}")


def _csv_safe(value: Any) -> Any:
    """Quote text a spreadsheet would run as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class FeedbackStore(SqliteStore):
    """Votes and comments on answers, kept in ``<data_dir>/feedback.sqlite3``."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, SCHEMA, durable=True)  # a committed vote survives a power cut

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> FeedbackStore:
        """The store of a data directory."""
        return cls(Path(data_dir) / FILENAME)

    def _write(self, sql: str, params: Sequence[Any]) -> int:
        """Run one write in its own immediate transaction, retrying if the file is locked."""
        for attempt in range(20):
            try:
                with self._lock, self._connect() as conn:
                    conn.execute("BEGIN IMMEDIATE")
                    cur = conn.execute(sql, params)
                    conn.execute("COMMIT")
                    return int(cur.lastrowid or cur.rowcount)
            except sqlite3.OperationalError as exc:  # another process holds the lock
                if "locked" not in str(exc) or attempt == 19:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def add(
        self,
        question: str,
        answer: str,
        chunk_ids: Sequence[str],
        vote: Any,
        comment: str = "",
        language: str = "",
        source: str = "",
    ) -> int:
        """Store one vote; return its id."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        return self._write(
            "INSERT INTO feedback (created_at, question, answer, chunk_ids, vote, comment, "
            "language, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (now, question, answer, json.dumps(list(chunk_ids), ensure_ascii=False),
             parse_vote(vote), comment, language, source),
        )

    def set_comment(self, feedback_id: int, comment: str) -> bool:
        """Attach a comment to an earlier vote; False if there is no such vote."""
        return self._write(
            "UPDATE feedback SET comment = ? WHERE id = ?", (comment, int(feedback_id))
        ) > 0

    def count(self) -> int:
        """Number of stored votes."""
        with self._connect() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])

    def rows(self) -> list[dict[str, Any]]:
        """All records, oldest first, chunk ids as lists."""
        with self._connect() as conn:
            cur = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id")
            out = [dict(zip(COLUMNS, r, strict=True)) for r in cur.fetchall()]
        for r in out:
            r["chunk_ids"] = json.loads(r["chunk_ids"])
        return out

    def export(self, path: Path, fmt: Literal["csv", "jsonl"] = "csv") -> int:
        """Write all records to ``path`` as CSV or JSON Lines; return how many."""
        rows = self.rows()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "jsonl":
            with path.open("w", encoding="utf-8") as f:
                for r in rows:
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
        elif fmt == "csv":
            with path.open("w", encoding="utf-8", newline="") as f:
                w = csv.DictWriter(f, fieldnames=COLUMNS)
                w.writeheader()
                for r in rows:
                    r = {k: _csv_safe(v) for k, v in r.items()}
                    w.writerow({**r, "chunk_ids": " ".join(r["chunk_ids"])})
        else:
            raise ValueError(f"unknown format {fmt!r}; use 'csv' or 'jsonl'")
        return len(rows)
