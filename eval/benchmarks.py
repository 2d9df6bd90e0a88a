"""External retrieval benchmarks on public Swedish data (SweQuAD-MC, SweFAQ; CC BY 4.0).

The passages are indexed through the project's own chunking and Chroma store into a
temporary data directory (never the anthology's index); each question is retrieved and
the rank of its passage is scored with Recall@1/5/10, MRR and nDCG@10.
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant.retrieval import Retriever
from assistant.settings import Settings
from assistant.tuning import RetrievalWeights

DATA = Path(__file__).resolve().parent / "data"
# Published nDCG@10 / Recall@5 on MTEB's SweFAQ retrieval task (other data revision).
REFERENCE = {
    "multilingual-e5-small": (0.712, 0.789),
    "multilingual-e5-base": (0.753, 0.832),
    "bge-m3": (0.766, 0.844),
}


def load_benchmark(name: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """(passage id -> text, [(question, relevant passage id)]) for ``name``."""
    if name == "swequad":
        folder = DATA / "swequad-mc"
        passages = {}
        for line in (folder / "passages.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            passages[row["id"]] = row["text"]
        questions = [
            (row["question"], row["passage"])
            for row in map(json.loads, (folder / "questions.jsonl").read_text().splitlines())
        ]
        return passages, questions
    if name == "swefaq":
        passages, questions = {}, []
        ids: dict[str, str] = {}
        lines = (DATA / "swefaq" / "swefaq_dev.jsonl").read_text(encoding="utf-8").splitlines()
        for row in map(json.loads, lines):
            for answer in row["candidate_answers"]:
                ids.setdefault(answer, f"a{len(ids):04d}")
                passages[ids[answer]] = answer
            questions.append((row["question"], ids[row["candidate_answers"][row["label"]]]))
        return passages, questions
    raise ValueError(f"unknown benchmark {name!r}")


def rank_metrics(ranks: list[int | None]) -> dict[str, float]:
    """Recall@1/5/10, MRR and nDCG@10 for one relevant passage per question (rank 1-based)."""
    n = len(ranks) or 1
    out = {f"recall@{k}": sum(1 for r in ranks if r and r <= k) / n for k in (1, 5, 10)}
    out["mrr"] = sum(1.0 / r for r in ranks if r) / n
    out["ndcg@10"] = sum(1.0 / math.log2(r + 1) for r in ranks if r and r <= 10) / n
    return out


def run_benchmark(name: str, settings: Settings, limit: int | None = None,
                  answers: bool = True) -> dict[str, Any]:
    """Index the benchmark's passages as files in a temporary data dir with the shipped
    configuration (``settings`` as given: chunking, passage vectors, fusion), score each
    retriever, then ask every question end to end as a user would (``answers``)."""
    from assistant.factory import build_assistant, build_embedder, index_corpus
    from index.store.served import open_index

    passages, questions = load_benchmark(name)
    questions = questions[:limit] if limit else questions
    embedder = build_embedder(settings)
    result: dict[str, Any] = {
        "benchmark": name, "passages": len(passages), "questions": len(questions),
        "embedder": embedder.id, "reference": REFERENCE if name == "swefaq" else {},
        "configuration": {k: getattr(settings, k) for k in (
            "chunk_size", "chunk_overlap", "chunk_vectors", "retrieval_mode", "fusion",
            "dense_weight", "top_k")},
        "modes": {},
    }
    with tempfile.TemporaryDirectory(prefix=f"tillit-{name}-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for pid, text in passages.items():
            (corpus / f"{pid}.txt").write_text(text, encoding="utf-8")
        local = settings.model_copy(update={"data_dir": Path(tmp) / "data"})
        t0 = time.perf_counter()
        report = index_corpus(local, [corpus], embedder=embedder)
        result["index_seconds"] = round(time.perf_counter() - t0, 1)
        result["chunks"] = report.chunks
        served = open_index(local.data_dir, embedder)
        for mode in ("bm25", "dense", "hybrid"):
            retriever = Retriever(served, embedder, mode=mode, fusion=settings.fusion,
                                  dense_weight=settings.dense_weight, rrf_k=settings.rrf_k,
                                  weights=RetrievalWeights(pool=60))
            ranks: list[int | None] = []
            for question, pid in tqdm(questions, desc=f"{name} ({mode})",
                                      disable=not settings.show_progress):
                hits = retriever.retrieve(question, 40).hits
                order = list(dict.fromkeys(h.chunk.doc_id for h in hits))
                ranks.append(order.index(pid) + 1 if pid in order else None)
            result["modes"][mode] = {k: round(v, 4) for k, v in rank_metrics(ranks).items()}
        if answers:
            result["answers"] = _answer_end_to_end(
                build_assistant(local, embedder), name, questions, settings.show_progress)
    print(f"{name}: {len(passages)} passages ({result['chunks']} chunks), "
          f"{len(questions)} questions, embedder {embedder.id}, shipped configuration "
          f"{result['configuration']}")
    print(f"{'':10}" + "".join(f"{m:>11}" for m in ("recall@1", "recall@5", "recall@10", "mrr",
                                                     "ndcg@10")))
    for mode, m in result["modes"].items():
        print(f"{mode:10}" + "".join(f"{v:11.3f}" for v in m.values()))
    for key, value in result.get("answers", {}).items():
        if isinstance(value, float):
            print(f"answers: {key} {value:.3f}")
    return result


def _answer_end_to_end(assistant: Any, name: str, questions: list[tuple[str, str]],
                       show_progress: bool) -> dict[str, Any]:
    """Ask every question through ``Assistant.answer`` (what ``/api/ask`` calls) and score
    whether the answer cites the right entry, and (SweQuAD-MC) holds the gold answer."""
    from eval.matching import normalise
    from eval.metrics import wilson

    doc_of = {c.chunk_id: c.doc_id for c in assistant.index.chunks}
    gold = _swequad_gold() if name == "swequad" else {}
    cites, first, answered, holds, framing = [], [], [], [], []
    for question, pid in tqdm(questions, desc=f"{name} (answers)", disable=not show_progress):
        a = assistant.answer(question)
        docs = [doc_of.get(c.chunk_id) for c in a.citations]
        answered.append(a.answered)
        cites.append(a.answered and pid in docs)
        first.append(a.answered and bool(docs) and docs[0] == pid)
        framing.append("antologin" not in a.text.lower())
        if gold.get(question):
            holds.append(a.answered and normalise(gold[question]) in normalise(a.text))
    out: dict[str, Any] = {}
    for key, flags in (("cites_right_entry", cites), ("first_citation_right", first),
                       ("over_refusal", [not x for x in answered]),
                       ("gold_answer_in_answer", holds), ("no_anthology_framing", framing)):
        if flags:
            out[key] = sum(flags) / len(flags)
            out[f"{key}_ci"] = list(wilson(sum(flags), len(flags)))
            out[f"{key}_n"] = len(flags)
    return out


def _swequad_gold() -> dict[str, str]:
    lines = (DATA / "swequad-mc" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return {row["question"]: row.get("answer", "") for row in map(json.loads, lines)}
