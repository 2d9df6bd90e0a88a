"""Insights for the editors (opt-in, ``TILLIT_INSIGHTS=true``): what is asked per day, how
it was answered, the votes, and the questions the anthology did not answer or that got a
thumbs-down.

Kept in ``<data_dir>/insights.sqlite3`` and only when the option is on: with it off no store
is opened and nothing is written. Question text is kept only for unanswered questions and
thumbs-down votes, and every record is deleted after ``TILLIT_INSIGHTS_RETENTION_DAYS``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from assistant.types import OUTCOMES
from tillit_web.sqlite_store import SqliteStore

FILENAME = "insights.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    day TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('answer', 'vote')),
    answerability TEXT NOT NULL DEFAULT '',
    vote INTEGER NOT NULL DEFAULT 0,
    language TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_day ON events (day);
"""


@dataclass(frozen=True)
class DaySummary:
    """One day: questions, how many of each kind of reply, and the votes."""

    day: str
    questions: int
    answered: int
    not_stated: int
    off_topic: int
    up: int
    down: int

    def share(self, kind: str) -> float:
        """The share of the day's questions that got this kind of reply (0..1)."""
        return getattr(self, kind) / self.questions if self.questions else 0.0


def _csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class InsightsStore(SqliteStore):
    """Events of answers and votes, kept ``retention_days`` days."""

    def __init__(self, path: Path, retention_days: int = 90) -> None:
        super().__init__(path, SCHEMA)
        self.retention = timedelta(days=retention_days)

    @classmethod
    def in_data_dir(cls, data_dir: Path, retention_days: int = 90) -> InsightsStore:
        """The store of a data directory."""
        return cls(Path(data_dir) / FILENAME, retention_days)

    def _insert(self, now: datetime | None, **fields: Any) -> None:
        now = now or datetime.now(UTC)
        cols = ["created_at", "day", *fields]
        values = [now.isoformat(timespec="seconds"), now.date().isoformat(), *fields.values()]
        with self._lock, self._connect() as conn:
            conn.execute(f"INSERT INTO events ({', '.join(cols)}) VALUES "
                         f"({', '.join('?' * len(cols))})", values)
        self.purge(now)

    def record_answer(
        self, question: str, kind: str, language: str, source: str,
        now: datetime | None = None,
    ) -> None:
        """One answered question; its text is kept only if it was not answered."""
        if kind not in OUTCOMES:
            raise ValueError(f"unknown kind of reply: {kind!r}")
        self._insert(now, kind="answer", answerability=kind, language=language, source=source,
                     question="" if kind == "answered" else question)

    def record_vote(
        self, question: str, vote: int, language: str, source: str,
        now: datetime | None = None,
    ) -> None:
        """One vote; the question's text is kept only with a thumbs-down."""
        self._insert(now, kind="vote", vote=1 if vote > 0 else -1, language=language,
                     source=source, question=question if vote < 0 else "")

    def purge(self, now: datetime | None = None) -> int:
        """Delete what is older than the retention period; return how many."""
        cutoff = ((now or datetime.now(UTC)) - self.retention).isoformat(timespec="seconds")
        with self._lock, self._connect() as conn:
            return conn.execute("DELETE FROM events WHERE created_at < ?", (cutoff,)).rowcount

    def days(self) -> list[DaySummary]:
        """One summary per day, newest first."""
        self.purge()
        sql = """SELECT day,
            SUM(kind = 'answer'), SUM(answerability = 'answered'),
            SUM(answerability = 'not_stated'), SUM(answerability = 'off_topic'),
            SUM(vote = 1), SUM(vote = -1)
            FROM events GROUP BY day ORDER BY day DESC"""
        with self._connect() as conn:
            return [DaySummary(r[0], *(int(x or 0) for x in r[1:]))
                    for r in conn.execute(sql).fetchall()]

    def questions(self) -> list[dict[str, str]]:
        """Questions not answered or voted down, newest first: day, why, language, text."""
        self.purge()
        sql = """SELECT day, CASE WHEN kind = 'vote' THEN 'thumbs_down' ELSE answerability END,
            language, question FROM events WHERE question != '' ORDER BY id DESC"""
        with self._connect() as conn:
            return [dict(zip(("day", "why", "language", "question"), r, strict=True))
                    for r in conn.execute(sql).fetchall()]

    def days_csv(self) -> str:
        """The per-day summary as CSV."""
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(["day", "questions", "answered", "not_stated", "off_topic",
                    "share_answered", "share_not_stated", "share_off_topic", "thumbs_up",
                    "thumbs_down"])
        for d in self.days():
            w.writerow([d.day, d.questions, d.answered, d.not_stated, d.off_topic,
                        *(f"{d.share(k):.3f}" for k in OUTCOMES), d.up, d.down])
        return out.getvalue()

    def questions_csv(self) -> str:
        """The unanswered and voted-down questions as CSV (formula-safe)."""
        out = io.StringIO()
        w = csv.DictWriter(out, fieldnames=["day", "why", "language", "question"])
        w.writeheader()
        for r in self.questions():
            w.writerow({k: _csv_safe(v) for k, v in r.items()})
        return out.getvalue()
