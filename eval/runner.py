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
    resting = _resting_quotes(answer)
    checked = _checked_text(answer)
    groups = all_groups_match(checked, q.answer_any) if q.answerable else None
    quote_hit = any(contains_any(t, q.source_any) for t in resting) if q.answerable else None
    lead = getattr(answer, "lead", "") or ""
    return QuestionResult(
        id=q.id, lang=q.lang, qtype=q.kind, answerable=q.answerable, question=q.question,
        standalone=answer.standalone_question, mode=mode, answered=answer.answered,
        answer=answer.text, retrieved=[h.chunk.chunk_id for h in retrieval.hits],
        cited=[c.chunk_id for c in answer.citations],
        cited_quotes=[c.quote for c in answer.citations], expected=q.source_any,
        hit_rank=rank,
        citation_hit=any(contains_any(t, q.source_any) for t in cited_text)
        if q.answerable else None,
        answer_pass=bool(answer.answered and groups and quote_hit) if q.answerable else None,
        groups_match=groups, quote_hit=quote_hit,
        citations_correct=[contains_any(c.quote, q.source_any) for c in answer.citations]
        if q.answerable else [],
        answerability=_answerability(answer),
        lead=lead,
        lead_hit=all_groups_match(lead, q.answer_any) if q.answerable and lead else None,
        retrieval_ms=answer.timings_ms.get("retrieval", 0.0),
        answer_ms=answer.timings_ms.get("answer", 0.0),
        total_ms=answer.timings_ms.get("total", 0.0),
        confidence=answer.confidence,
        answer_mode=answer.mode,
        fallback=answer.fallback,
        language_match=_match(answer_language(answer), q.lang) if answer.answered else None,
        model_checked=bool(answer.checks),
        markers_written=answer.checks.get("markers_written", 0),
        markers_supported=answer.checks.get("markers_supported", 0),
        sentences=answer.checks.get("sentences", 0),
        unsupported=answer.checks.get("unsupported", 0),
        first_token_ms=answer.timings_ms.get("first_token"),
    )


def _answerability(answer: Answer) -> str:
    given = getattr(answer, "answerability", "")
    return str(given) if given else ("answered" if answer.answered else "off_topic")


def _resting_quotes(answer: Answer) -> list[str]:
    """The quotes of the citations that an answer sentence rests on (a generated answer's
    supported sentences only)."""
    if answer.mode != "llm" or not answer.sentences:
        return [c.quote for c in answer.citations]
    numbers = {n for s in answer.sentences if s.supported for n in s.n}
    return [c.quote for c in answer.citations if c.n in numbers]


def _checked_text(answer: Answer) -> str:
    """What an answer vouches for: a generated answer's supported sentences only."""
    if answer.mode == "llm":
        return " ".join(s.text for s in answer.sentences if s.supported)
    return answer.text


def _match(found: str | None, expected: str) -> bool | None:
    return None if found is None else found == expected


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
