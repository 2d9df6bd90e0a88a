"""The assistant: ``answer(question, history) -> Answer``. Every adapter calls this."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from assistant.compose import compose, score_sentences, select_sentences
from assistant.conversation import condense, earlier_context
from assistant.errors import InvalidQuestion
from assistant.language import detect_language
from assistant.prompts import AnswerTemplate
from assistant.retrieval import Mode, Retrieval, Retriever
from assistant.types import Answer
from index.analysis import analyze
from index.served import ServedIndex

_MARKUP = re.compile(r"<[^>]{0,500}>|&\w+;")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff\ud800-\udfff]")
COVERAGE_WEIGHT = 0.05


@dataclass(frozen=True)
class Evidence:
    """Signals that say whether the anthology answers the question."""

    dense_top: float
    background_top: float
    coverage: float
    sentence_top: float

    @property
    def score(self) -> float:
        """How much closer the question is to the anthology than to off-topic text."""
        return (self.dense_top - self.background_top) + COVERAGE_WEIGHT * self.coverage


def clean_question(text: Any, max_chars: int, what: str = "question") -> str:
    """Strip control characters and whitespace; refuse empty or over-long input."""
    sv_what = "Frågan" if what == "question" else "En tidigare fråga i historiken"
    if not isinstance(text, str):
        raise InvalidQuestion(f"The {what} must be text.", f"{sv_what} måste vara text.")
    text = _CONTROL.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise InvalidQuestion(f"The {what} is empty.", f"{sv_what} är tom.")
    if len(text) > max_chars:
        raise InvalidQuestion(
            f"The {what} is too long ({len(text)} characters; at most {max_chars}).",
            f"{sv_what} är för lång ({len(text)} tecken; högst {max_chars}).",
        )
    return text


def has_content(question: str) -> bool:
    """Does the question hold any words once markup (``<img src=x ...>``) is removed?"""
    return bool(analyze(_MARKUP.sub(" ", question)))


class Assistant:
    """Answers questions about the indexed anthology with cited passages."""

    def __init__(
        self,
        *,
        index: ServedIndex,
        retriever: Retriever,
        templates: dict[str, AnswerTemplate],
        background: np.ndarray,
        top_k: int,
        max_sentences: int,
        refusal_threshold: float,
        max_question_chars: int,
        max_history_turns: int,
    ) -> None:
        self.index = index
        self.retriever = retriever
        self.templates = templates
        self.background = background
        self.top_k = top_k
        self.max_sentences = max_sentences
        self.refusal_threshold = refusal_threshold
        self.max_question_chars = max_question_chars
        self.max_history_turns = max_history_turns

    def standalone(
        self, question: str, history: Sequence[str] = ()
    ) -> tuple[str, str, str | None]:
        """Validate the input; return the question, its standalone query and its context."""
        q = clean_question(question, self.max_question_chars)
        if not isinstance(history, list | tuple):
            raise InvalidQuestion("History must be a list of earlier questions.",
                                  "Historiken måste vara en lista med tidigare frågor.")
        turns = [
            clean_question(h, self.max_question_chars, "history turn")
            for h in list(history)[-self.max_history_turns :] if isinstance(h, str) and h.strip()
        ] if self.max_history_turns else []
        return q, condense(q, turns), earlier_context(q, turns)

    def retrieve(
        self, question: str, history: Sequence[str] = (), k: int | None = None,
        mode: Mode | None = None,
    ) -> Retrieval:
        """Retrieval only (used by evaluation and benchmarks)."""
        _, query, context = self.standalone(question, history)
        return self.retriever.retrieve(query, k or self.top_k, mode, context)

    def evidence(self, retrieval: Retrieval, sentence_top: float) -> Evidence:
        """The signals behind the answer-or-refuse decision."""
        bg = 0.0
        if len(self.background):
            bg = float(np.max(self.background @ retrieval.query_vector))
        return Evidence(retrieval.dense_top, bg, retrieval.lexical_coverage, sentence_top)

    def answer(
        self, question: str, history: Sequence[str] = (), lang: str | None = None,
        mode: Mode | None = None,
    ) -> Answer:
        """Answer ``question`` in its language, quoting and citing the anthology, or refuse."""
        return self.answer_traced(question, history, lang, mode)[0]

    def answer_traced(
        self, question: str, history: Sequence[str] = (), lang: str | None = None,
        mode: Mode | None = None, k: int | None = None,
    ) -> tuple[Answer, Retrieval]:
        """``answer`` plus the ranking it came from, ``k`` passages deep (for evaluation).

        The answer is composed from the first ``top_k`` passages whatever ``k`` is.
        """
        t0 = time.perf_counter()
        q, query, context = self.standalone(question, history)
        language = detect_language(q, lang)
        template = self.templates[language]
        t1 = time.perf_counter()
        ranking = self.retriever.retrieve(query, max(k or 0, self.top_k), mode, context)
        retrieval = replace(ranking, hits=ranking.hits[: self.top_k])
        t2 = time.perf_counter()
        scored = score_sentences(retrieval, self.index)
        ev = self.evidence(retrieval, scored[0].score if scored else 0.0)
        answered = bool(scored) and ev.score > self.refusal_threshold and has_content(q)
        if answered:
            chosen = select_sentences(scored, self.max_sentences)
            text, citations = compose(retrieval, chosen, template)
        else:
            text, citations = f"{template.refusal} {template.refusal_hint}", []
        t3 = time.perf_counter()
        answer = Answer(
            question=q, standalone_question=query, language=language, answered=answered,
            text=text, mode="extractive", citations=citations,
            timings_ms={"prepare": (t1 - t0) * 1e3, "retrieval": (t2 - t1) * 1e3,
                        "answer": (t3 - t2) * 1e3, "total": (t3 - t0) * 1e3},
            confidence=ev.score,
        )
        return answer, replace(ranking, hits=ranking.hits[: k or self.top_k])

    def stream(
        self, question: str, history: Sequence[str] = (), lang: str | None = None,
        mode: Mode | None = None,
    ) -> Iterator[str | Answer]:
        """Yield the answer text in pieces (str), then the complete ``Answer``.

        The extractive composer has the whole answer at once, so it is yielded a sentence
        at a time; generative backends yield tokens through the same interface.
        """
        answer = self.answer(question, history, lang, mode)
        yield from re.findall(r"\S.*?(?:\[\d+\]|[.!?:](?=\s)|$)\s*", answer.text)
        yield answer

    def info(self) -> dict[str, Any]:
        """What the served index holds (for the CLI, the about panel and health checks)."""
        i = self.index.info
        return {
            "build_id": i["build_id"], "created_at": i["created_at"],
            "embedder_id": i["embedder_id"], "chunks": i["chunk_count"],
            "tokens": i["token_count"], "documents": {
                k: {"chapter": v.get("chapter"), "title": v.get("title")}
                for k, v in i["documents"].items()
            },
        }
