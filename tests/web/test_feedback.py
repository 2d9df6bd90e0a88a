"""Feedback store: concurrency, export, durability across a server restart."""

from __future__ import annotations

import csv
import json
import multiprocessing
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from tillit_web.feedback import FeedbackStore, parse_vote
from tillit_web.settings import AppSettings


def _write_many(path: str, worker: int, n: int) -> None:
    store = FeedbackStore(Path(path))
    for i in range(n):
        store.add(f"q{worker}-{i}", "a", ["kap01:1.1:001"], "up" if i % 2 else "down")


def test_concurrent_threads_and_processes(tmp_path: Path) -> None:
    path = tmp_path / "fb.sqlite3"
    store = FeedbackStore(path)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda w: _write_many(str(path), w, 25), range(8)))
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(str(path), 100 + w, 25)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert store.count() == 8 * 25 + 2 * 25
    rows = store.rows()
    assert len({r["question"] for r in rows}) == 250
    assert {r["vote"] for r in rows} == {1, -1}
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_export_csv_and_jsonl(tmp_path: Path) -> None:
    store = FeedbackStore.in_data_dir(tmp_path)
    store.add("Vad är tillit?", "Svar [1]", ["kap01:1.1:001", "kap01:1.2:003"], True,
              language="sv", source="ui")
    fid = store.add("=HYPERLINK(\"x\")", "a", [], "down")
    assert store.set_comment(fid, "bra, men kort")
    assert not store.set_comment(9999, "nope")
    assert store.export(tmp_path / "out.csv", "csv") == 2
    with (tmp_path / "out.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["chunk_ids"] == "kap01:1.1:001 kap01:1.2:003" and rows[0]["vote"] == "1"
    assert rows[1]["question"].startswith("'=")  # no formula injection into spreadsheets
    assert rows[1]["comment"] == "bra, men kort"
    assert store.export(tmp_path / "out.jsonl", "jsonl") == 2
    lines = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert lines[0]["chunk_ids"] == ["kap01:1.1:001", "kap01:1.2:003"]
    assert lines[1]["question"] == "=HYPERLINK(\"x\")" and lines[1]["vote"] == -1
    with pytest.raises(ValueError):
        store.export(tmp_path / "out.xml", "xml")  # type: ignore[arg-type]


@pytest.mark.parametrize("vote", ["sideways", 0, 2, None])
def test_bad_votes_rejected(vote: Any) -> None:
    with pytest.raises(ValueError):
        parse_vote(vote)


def test_feedback_api_count_in_equals_count_out_and_survives_restart(
    start_server: Any, settings: AppSettings, assistant: Any
) -> None:
    server = start_server(settings, assistant)
    payloads = [
        {"question": f"Fråga {i}?", "answer": f"Svar {i} [1]", "chunk_ids": ["kap01:1.1:001"],
         "vote": "up" if i % 3 else "down", "comment": "ok" if i % 5 == 0 else "", "lang": "sv"}
        for i in range(30)
    ]
    with httpx.Client(base_url=server.url, timeout=30) as c, ThreadPoolExecutor(10) as pool:
        codes = list(pool.map(lambda p: c.post("/api/feedback", json=p).status_code, payloads))
        assert codes == [201] * 30
        bad = [
            ({"question": "q", "answer": "a", "vote": "maybe"}, 422),
            ({"question": "q", "answer": "a", "vote": "up", "comment": "x" * 2001}, 422),
            ({"question": "q", "answer": "a" * 20_001, "vote": "up"}, 422),
            ({"question": "q", "answer": "a", "vote": "up", "chunk_ids": ["c"] * 51}, 422),
            ({"question": "  ", "answer": "a", "vote": "up"}, 422),
            ({"answer": "a", "vote": "up"}, 422),
        ]
        for payload, status in bad:
            r = c.post("/api/feedback", json=payload)
            assert r.status_code == status, (payload, r.text)
            assert r.json()["error"]
    server.stop()
    # a new app on the same data dir (a restart) sees every vote, and no rejected one
    again = start_server(settings, assistant)
    store = again.server.config.app.state.tillit.feedback  # the new app's own store
    assert store.count() == 30
    rows = store.rows()
    assert sorted(r["question"] for r in rows) == sorted(p["question"] for p in payloads)
    assert sum(r["vote"] == -1 for r in rows) == 10
    assert {r["source"] for r in rows} == {"api"}
    assert FeedbackStore.in_data_dir(settings.data_dir).count() == 30


def test_cli_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tillit.cli import main

    FeedbackStore.in_data_dir(tmp_path).add("Vad är tillit?", "Svar", ["k:1"], "up")
    assert main(["--data-dir", str(tmp_path), "feedback", "export", str(tmp_path / "f.jsonl")]) == 0
    assert "1 feedback record(s)" in capsys.readouterr().out
    assert json.loads((tmp_path / "f.jsonl").read_text())["question"] == "Vad är tillit?"
