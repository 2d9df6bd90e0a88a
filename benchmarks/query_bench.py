"""Warm query latency (retrieval alone and the full extractive answer) and cold start."""

from __future__ import annotations

import resource
import time
from pathlib import Path
from typing import Any

import numpy as np


def percentiles(ms: list[float]) -> dict[str, float]:
    """Median, p95 and p99 of a list of milliseconds."""
    a = np.asarray(ms, dtype=np.float64)
    return {"median": round(float(np.median(a)), 1), "p95": round(float(np.percentile(a, 95)), 1),
            "p99": round(float(np.percentile(a, 99)), 1), "n": int(a.size)}


def built_with(data_dir: Path) -> dict[str, Any]:
    """The settings the index in ``data_dir`` was built with that serving must match (the
    benchmarks' indexes may use another passage-vector kind than the default)."""
    import json

    from index.store.layout import IndexLayout

    layout = IndexLayout(data_dir / "index")
    pointer = layout.current()
    if pointer is None:
        return {}
    info = json.loads((layout.build_dir(str(pointer["build_id"])) / "build.json")
                      .read_text(encoding="utf-8"))
    return {"chunk_vectors": info.get("chunk_vectors", "pooled")}


def settings_for(data_dir: Path, **overrides: Any) -> Any:
    """Settings that open the index in ``data_dir`` as built."""
    from assistant.settings import Settings

    return Settings(data_dir=data_dir, show_progress=False,
                    **{**built_with(data_dir), **overrides})


def query_latency(data_dir: Path, limit: int | None = None) -> dict[str, Any]:
    """Open the index in ``data_dir``, warm up on the curated questions, then time them."""
    from assistant.factory import build_assistant
    from eval.questions import load_questions

    questions = load_questions()[:limit]
    t0 = time.perf_counter()
    assistant = build_assistant(settings_for(data_dir))
    open_s = time.perf_counter() - t0
    for q in questions:  # warm-up: caches, lazily built structures, the OS page cache
        assistant.answer(q.question, list(q.history))
    retrieval, answer = [], []
    for q in questions:
        t = time.perf_counter()
        assistant.retrieve(q.question, list(q.history))
        retrieval.append((time.perf_counter() - t) * 1e3)
        t = time.perf_counter()
        assistant.answer(q.question, list(q.history))
        answer.append((time.perf_counter() - t) * 1e3)
    return {
        "chunks": len(assistant.index.chunks), "questions": len(questions),
        "open_seconds": round(open_s, 2), "retrieval_ms": percentiles(retrieval),
        "answer_ms": percentiles(answer),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def first_answer(data_dir: Path, question: str) -> dict[str, Any]:
    """Everything from imports to the first answer, in this (fresh) process."""
    t0 = time.perf_counter()
    from assistant.factory import build_assistant

    t1 = time.perf_counter()
    assistant = build_assistant(settings_for(data_dir))
    t2 = time.perf_counter()
    answer = assistant.answer(question)
    t3 = time.perf_counter()
    return {"import_s": round(t1 - t0, 2), "open_s": round(t2 - t1, 2),
            "first_answer_s": round(t3 - t2, 2), "answered": answer.answered,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
