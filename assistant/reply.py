"""Stage 5 of the answer pipeline, compose: the reply a decision calls for, from quotes.

A ``Reply`` is what the user reads: its text (without any notice), the citations its
``[n]`` markers map to, and the notice and fallback reason as fields of their own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.compose import (
    ScoredSentence,
    compose,
    compose_not_stated,
    quoted_sentences,
    select_sentences,
)
from assistant.lead import extract_lead
from assistant.prompts import AnswerTemplate
from assistant.question_analysis import QuestionAnalysis
from assistant.reading import as_read
from assistant.retrieval import Retrieval
from assistant.tuning import LeadWeights
from assistant.types import AnswerSentence, Citation


@dataclass(frozen=True)
class Reply:
    """Text with ``[n]`` markers and what goes with it.

    ``refused`` is set when the chat model declined although the passages were judged to
    answer; ``note`` is a notice shown before the text (why a generated answer fell back to
    quotes), ``fallback`` its reason."""

    text: str
    citations: tuple[Citation, ...] = ()
    sentences: tuple[AnswerSentence, ...] = ()
    mode: str = "extractive"
    lead: str = ""
    note: str | None = None
    fallback: str | None = None
    model: str = ""
    refused: bool = False
    checks: dict[str, int] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)


def refusal(template: AnswerTemplate) -> Reply:
    """The refusal: nothing cited."""
    return Reply(f"{template.refusal} {template.refusal_hint}")


@dataclass(frozen=True)
class Quoting:
    """How a quoted answer is made: at most ``max_sentences`` sentences, runner-ups within
    ``keep_margin`` of the best, and a direct answer line for factoid questions when
    ``direct_answer`` (placed by ``lead``)."""

    max_sentences: int
    keep_margin: float
    direct_answer: bool
    lead: LeadWeights


def direct_answer(best: ScoredSentence | None, analysis: QuestionAnalysis,
                  quoting: Quoting) -> tuple[str, ScoredSentence] | None:
    """The direct answer of a factoid question with the sentence it is taken from, when
    asked for and found."""
    if not quoting.direct_answer or not analysis.factoid or best is None:
        return None
    lead = extract_lead(best.text, analysis, quoting.lead)
    return (lead, best) if lead else None


def quoted(
    retrieval: Retrieval, scored: Sequence[ScoredSentence], analysis: QuestionAnalysis,
    template: AnswerTemplate, quoting: Quoting,
) -> Reply:
    """The answer from the best sentences, each quoted and cited."""
    chosen = as_read(retrieval, select_sentences(list(scored), quoting.max_sentences,
                                                 quoting.keep_margin))
    lead = direct_answer(scored[0] if scored else None, analysis, quoting)
    text, citations = compose(retrieval, chosen, template, lead)
    return Reply(text, tuple(citations), tuple(quoted_sentences(chosen, citations, retrieval)),
                 lead=lead[0] if lead else "")


def quoted_read(
    retrieval: Retrieval, answering: Sequence[ScoredSentence], analysis: QuestionAnalysis,
    template: AnswerTemplate, quoting: Quoting,
) -> Reply:
    """The answer from the sentences the reader says answer, best first, and nothing else."""
    chosen = list(answering[: quoting.max_sentences])
    lead = direct_answer(chosen[0] if chosen else None, analysis, quoting)
    text, citations = compose(retrieval, chosen, template, lead)
    return Reply(text, tuple(citations), tuple(quoted_sentences(chosen, citations, retrieval)),
                 lead=lead[0] if lead else "")


def not_stated(
    retrieval: Retrieval, scored: Sequence[ScoredSentence], analysis: QuestionAnalysis,
    template: AnswerTemplate, unknown: Sequence[str] = (),
) -> Reply:
    """'The anthology mentions X but does not say who' (or does not mention the ``unknown``
    names at all), with the closest passage cited."""
    text, citations = compose_not_stated(retrieval, scored[0], analysis, template, unknown)
    return Reply(text, tuple(citations),
                 tuple(quoted_sentences(list(scored[:1]), citations, retrieval)))
