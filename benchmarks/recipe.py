"""Side by side with the usual recipe: the LangChain tutorial pipeline against Tillit.

Tutorial: the chapter's raw text, ``RecursiveCharacterTextSplitter(chunk_size=1000,
chunk_overlap=200)``, a Chroma collection, ``similarity_search(k=4)``, with the same
embedder. Tillit: the default configuration. Both answer the curated questions' answerable
part; a hit is a retrieved passage containing one of the question's ``source_any`` phrases.

  python -m benchmarks.recipe [--k 4]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.factory import build_embedder, open_or_build_assistant
from assistant.settings import Settings
from eval.matching import contains_any
from eval.metrics import percentile
from eval.questions import load_questions
from index.embedders.base import LangChainEmbeddings


def _summary(name: str, ranks: list[int | None], ms: list[float], k: int) -> dict[str, float]:
    n = len(ranks)
    out = {f"hit@{i}": sum(1 for r in ranks if r and r <= i) / n for i in range(1, k + 1)}
    out["mrr"] = sum(1 / r for r in ranks if r) / n
    out["median_ms"] = statistics.median(ms)
    out["p95_ms"] = percentile(ms, 95)
    print(f"{name:10}" + "".join(f"{v:10.3f}" for v in out.values()))
    return out


def main() -> None:
    """Run both pipelines on the same questions and print figures and ratios."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--k", type=int, default=4)
    args = p.parse_args()
    settings = Settings(show_progress=False)
    embedder = build_embedder(settings)
    questions = [q for q in load_questions() if q.answerable]

    with tempfile.TemporaryDirectory() as tmp:
        raw = (settings.corpus_dir / "01-inledning.txt").read_text(encoding="utf-8")
        docs = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).create_documents(
            [raw]
        )
        client = chromadb.PersistentClient(
            path=str(Path(tmp) / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
        )
        t0 = time.perf_counter()
        store = Chroma.from_documents(
            docs, LangChainEmbeddings(embedder), client=client, collection_name="tutorial"
        )
        build_s = time.perf_counter() - t0
        ranks: list[int | None] = []
        ms: list[float] = []
        for q in questions:
            query = " ".join([q.question, *q.history])  # the tutorial has no condensing
            t = time.perf_counter()
            found = store.similarity_search(query, k=args.k)
            ms.append((time.perf_counter() - t) * 1e3)
            rank = next((i for i, d in enumerate(found, 1)
                         if contains_any(d.page_content, q.source_any)), None)
            ranks.append(rank)
        print(f"tutorial: {len(docs)} chunks of ~1000 characters, built in {build_s:.1f} s")

    assistant = open_or_build_assistant(settings, embedder)
    ours_ranks: list[int | None] = []
    ours_ms: list[float] = []
    for q in questions:
        t = time.perf_counter()
        hits = assistant.retrieve(q.question, q.history, k=args.k).hits
        ours_ms.append((time.perf_counter() - t) * 1e3)
        ours_ranks.append(next((i for i, h in enumerate(hits, 1)
                                if contains_any(h.chunk.text, q.source_any)), None))
    print(f"tillit: {assistant.info()['chunks']} chunks; {len(questions)} answerable questions")
    print(f"{'':10}" + "".join(f"{c:>10}" for c in
                              [*(f'hit@{i}' for i in range(1, args.k + 1)), "mrr", "median_ms",
                               "p95_ms"]))
    tut = _summary("tutorial", ranks, ms, args.k)
    ours = _summary("tillit", ours_ranks, ours_ms, args.k)
    print(f"{'ratio':10}" + "".join(
        f"{(ours[c] / tut[c] if tut[c] else float('inf')):10.2f}" for c in ours))


if __name__ == "__main__":
    main()
