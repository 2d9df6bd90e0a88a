"""Stage 5 of the answer pipeline, compose: the reply a decision calls for, from quotes.

A ``Reply`` is what the user reads: its text (without any notice), the citations its
``[n]`` markers map to, and the notice and fallback reason as fields of their own."""

from __future__ import annotations

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
from assistant.retrieval import Retrieval
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


def choose(
    scored: list[ScoredSentence], analysis: QuestionAnalysis, max_sentences: int,
    direct_answer: bool,
) -> tuple[list[ScoredSentence], tuple[str, ScoredSentence] | None]:
    """The sentences to quote and, when asked for and found, the direct answer of a factoid
    question with the best sentence it is taken from."""
    chosen = select_sentences(scored, max_sentences)
    lead = (extract_lead(scored[0].text, analysis)
            if direct_answer and analysis.factoid and scored else None)
    return chosen, (lead, scored[0]) if lead else None


def quoted(
    retrieval: Retrieval, scored: list[ScoredSentence], analysis: QuestionAnalysis,
    template: AnswerTemplate, max_sentences: int, direct_answer: bool,
) -> Reply:
    """The answer from the best sentences, each quoted and cited."""
    chosen, lead = choose(scored, analysis, max_sentences, direct_answer)
    text, citations = compose(retrieval, chosen, template, lead)
    return Reply(text, tuple(citations), tuple(quoted_sentences(chosen, citations, retrieval)),
                 lead=lead[0] if lead else "")


def quoted_read(
    retrieval: Retrieval, answering: list[ScoredSentence], analysis: QuestionAnalysis,
    template: AnswerTemplate, max_sentences: int, direct_answer: bool,
) -> Reply:
    """The answer from the sentences the reader says answer, best first, and nothing else."""
    chosen = answering[:max_sentences]
    text_lead = (extract_lead(chosen[0].text, analysis)
                 if direct_answer and analysis.factoid and chosen else None)
    lead = (text_lead, chosen[0]) if text_lead else None
    text, citations = compose(retrieval, chosen, template, lead)
    return Reply(text, tuple(citations), tuple(quoted_sentences(chosen, citations, retrieval)),
                 lead=text_lead or "")


def not_stated(
    retrieval: Retrieval, scored: list[ScoredSentence], analysis: QuestionAnalysis,
    template: AnswerTemplate,
) -> Reply:
    """'The anthology mentions X but does not say who', with the closest passage cited."""
    text, citations = compose_not_stated(retrieval, scored[0], analysis, template)
    return Reply(text, tuple(citations),
                 tuple(quoted_sentences(scored[:1], citations, retrieval)))
