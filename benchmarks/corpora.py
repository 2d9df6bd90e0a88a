"""The corpora the build benchmark indexes, written into a folder on demand.

* ``chapter``: the bundled chapter (``corpus/``), as shipped.
* ``swequad``: the SweQuAD-MC passages (``eval/data/swequad-mc/passages.jsonl``), one
  text file per passage.
* ``synthetic-10x`` / ``synthetic-100x``: 10 and 100 times the size of the whole
  anthology, made by deterministic recombination of the chapter's paragraphs. The
  anthology (SOU 2018:38, about 400 pages in 17 chapters) is taken as 17 times the
  bundled chapter (23 pages), so 10x is 170 chapter-sized documents and 100x is 1 700.
  Each document draws the chapter's paragraphs in a seeded random order, so chunk texts
  are new but most sentences recur (which sentence-level deduplication exploits).
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHAPTER_DIR = PROJECT_ROOT / "corpus"
SWEQUAD = PROJECT_ROOT / "eval" / "data" / "swequad-mc" / "passages.jsonl"
ANTHOLOGY_CHAPTERS = 17
CORPORA = ("chapter", "swequad", "synthetic-10x", "synthetic-100x")


def chapter_paragraphs() -> list[str]:
    """The cleaned running-text paragraphs of the bundled chapter."""
    from index.formats.registry import discover, load_document
    from index.text.cleaning import clean_pages

    paras: list[str] = []
    for path in discover([CHAPTER_DIR]):
        doc = load_document(path)
        cleaned = clean_pages(doc.pages, doc.has_pages)
        paras.extend(p for p in cleaned.text[: cleaned.body_end].split("\n\n") if p.strip())
    return paras


def write_corpus(name: str, folder: Path, limit: int | None = None) -> Path:
    """Write corpus ``name`` into ``folder`` (replaced) and return the folder to index."""
    if name == "chapter":
        return CHAPTER_DIR
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    if name == "swequad":
        rows = [json.loads(line) for line in SWEQUAD.read_text(encoding="utf-8").splitlines()]
        for row in rows[:limit]:
            (folder / f"{row['id']}.txt").write_text(row["text"], encoding="utf-8")
        return folder
    if name.startswith("synthetic-"):
        factor = int(name.split("-", 1)[1].rstrip("x"))
        paras = chapter_paragraphs()
        docs = factor * ANTHOLOGY_CHAPTERS if limit is None else limit
        for n in range(docs):
            rng = random.Random(n)
            order = rng.sample(range(len(paras)), len(paras))
            text = "\n\n".join(paras[i] for i in order)
            (folder / f"doc{n:05d}.txt").write_text(f"Dokument {n}\n\n{text}\n", encoding="utf-8")
        return folder
    raise ValueError(f"unknown corpus {name!r} (choose from {', '.join(CORPORA)})")
