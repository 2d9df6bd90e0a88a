"""Run questions through the assistant (the same composition root as the app) and score them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tqdm import tqdm

from assistant.core import Assistant
from assistant.errors import TillitError
from assistant.language import detect_language
from assistant.retrieval import Mode
from assistant.types import Answer
from assistant.verify import strip_markers
from eval.matching import all_groups_match, contains_any
from eval.metrics import QuestionResult, grouped
from eval.questions import EvalQuestion


def run_question(assistant: Assistant, q: EvalQuestion, mode: Mode, k: int) -> QuestionResult:
    """Retrieve and answer one question (its history fed as the conversation)."""
    answer, retrieval = assistant.answer_traced(q.question, q.history, mode=mode, k=k)
    rank = None
    if q.answerable:
        for i, hit in enumerate(retrieval.hits, start=1):
            if contains_any(hit.chunk.text, q.source_any):
                rank = i
                break
    cited_text = [c.text for c in answer.citations]
    return QuestionResult(
        id=q.id, lang=q.lang, qtype=q.qtype, answerable=q.answerable, question=q.question,
        standalone=answer.standalone_question, mode=mode, answered=answer.answered,
        answer=answer.text, retrieved=[h.chunk.chunk_id for h in retrieval.hits],
        cited=[c.chunk_id for c in answer.citations],
        cited_quotes=[c.quote for c in answer.citations], expected=q.source_any,
        hit_rank=rank,
        citation_hit=any(contains_any(t, q.source_any) for t in cited_text)
        if q.answerable else None,
        answer_pass=all_groups_match(answer.text, q.answer_any) if q.answerable else None,
        retrieval_ms=answer.timings_ms.get("retrieval", 0.0),
        answer_ms=answer.timings_ms.get("answer", 0.0),
        total_ms=answer.timings_ms.get("total", 0.0),
        confidence=answer.confidence,
        answer_mode=answer.mode,
        fallback=answer.fallback,
        language_match=answer_language(answer) == q.lang if answer.answered else None,
        markers_written=_markers(answer, "markers_written"),
        markers_supported=_markers(answer, "markers_supported"),
        sentences=len(answer.sentences),
        unsupported=sum(not s.supported for s in answer.sentences),
        first_token_ms=answer.timings_ms.get("first_token"),
    )


def _markers(answer: Answer, key: str) -> int:
    """Markers the writer put in the answer (a quoted answer's markers all quote their
    passage, so they all count as supported)."""
    if answer.mode == "llm":
        return answer.checks.get(key, 0)
    return sum(len(s.n) for s in answer.sentences)


def answer_language(answer: Answer) -> str | None:
    """The language the answer's sentences are written in (None if undecidable)."""
    text = " ".join(s.text for s in answer.sentences) or answer.text
    try:
        return detect_language(strip_markers(text))
    except TillitError:
        return None


def evaluate(
    assistant: Assistant,
    questions: Sequence[EvalQuestion],
    modes: Sequence[Mode] = ("hybrid",),
    k: int = 5,
    show_progress: bool = True,
) -> dict[str, Any]:
    """Every question in every mode: metrics per mode, group, and per-question results."""
    out: dict[str, Any] = {"k": k, "modes": {}}
    for mode in modes:
        results = [
            run_question(assistant, q, mode, k)
            for q in tqdm(questions, desc=f"Evaluating ({mode})", disable=not show_progress)
        ]
        out["modes"][mode] = {
            "metrics": grouped(results),
            "results": [r.__dict__ | {"passed": r.passed} for r in results],
        }
    return out
