"""Negatives from the product's own candidates, for the reader's training.

Every hand-written *sibling* question over the chapter asks for something the chapter does
not give, while sharing the words of a sentence that is there. At answer time the reader
meets such a question with the sentences the pipeline ranks highest for it, and must give
them all a low probability. This collects those candidates, exactly as the read stage
shows them (``assistant.reading.candidates``), so that training sees them as negatives
(``eval.reader.pairs.pipeline_pairs``).

    python -m eval.reader.pipeline     # writes eval/data/reader/pipeline_negatives.jsonl

Only sibling questions are used: for a positive question, other candidates than its answer
sentence may also answer it, so they carry no label.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant.core import Assistant
from assistant.reading import candidates
from eval.reader.items import Item

DEPTH = 8
"""Candidates kept per question: the ones the reader's best score most often comes from."""


def collect(assistant: Assistant, items: list[Item], depth: int = DEPTH) -> list[dict[str, Any]]:
    """One row per chapter sibling question: the question and the pipeline's first
    ``depth`` candidates for it."""
    rows: list[dict[str, Any]] = []
    questions = [q for it in items if it.passage.startswith("chapter:") for q in it.sibling]
    for q in tqdm(questions, desc="Pipeline candidates", unit="question"):
        prepared = assistant.preparation.prepare(q.q, (), q.lang, use_model=False)
        cands = candidates(prepared.retrieval, prepared.scored, depth, previous=True)
        rows.append({"q": q.q, "lang": q.lang, "type": q.type,
                     "candidates": [text for _, text in cands]})
    return rows


def main(argv: list[str] | None = None) -> int:
    """Collect the candidates with the shipped pipeline (reader off) and write them."""
    from assistant.factory import open_or_build_assistant
    from assistant.settings import Settings
    from eval.reader.items import load_items
    from eval.reader.pairs import HANDWRITTEN, PIPELINE_NEGATIVES
    from eval.reader.sources import all_passages

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=PIPELINE_NEGATIVES)
    ap.add_argument("--depth", type=int, default=DEPTH)
    args = ap.parse_args(argv)
    assistant = open_or_build_assistant(Settings(reader=False, llm="none"))
    items = load_items([HANDWRITTEN / "chapter.jsonl"], all_passages())
    rows = collect(assistant, items, args.depth)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                        encoding="utf-8")
    print(f"wrote {len(rows)} questions, {sum(len(r['candidates']) for r in rows)} "
          f"candidates to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
