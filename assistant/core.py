"""The assistant: ``answer(question, history) -> Answer``. Every adapter calls this.

The answer pipeline is a sequence of stages, each taking and giving typed values: prepare
(``assistant.prepare``: validate → condense → retrieve → evidence, one step for every path)
→ read (``assistant.reading``, with a reader) → decide (``assistant.decide``) → respond
(``assistant.respond``: quotes from ``assistant.reply``, or generate and verify in
``assistant.generated``) → ``Answer``. The ``Assistant`` only sequences them; ``events``
streams the result as ``Token``s and one ``Final``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from assistant.decide import Decider, Verdict, has_content, is_injection
from assistant.errors import TillitError
from assistant.events import Event, Final, Token
from assistant.generate import Generator
from assistant.prepare import Preparation, Prepared
from assistant.reading import ReaderStage, Reading
from assistant.reply import Reply
from assistant.respond import Responder
from assistant.retrieval import Mode, Retrieval, Retriever
from assistant.types import Answer
from assistant.validate import Request, clean_question
from index.embedders.base import Embedder
from index.store.served import ServedIndex

__all__ = ["Assistant", "clean_question", "has_content", "is_injection"]


class Assistant:
    """Answers questions about the indexed collection with cited passages.

    Built by the composition root (``assistant.factory``) from its stages: ``preparation``
    (validate, condense, retrieve, evidence), an optional ``reader``, the ``decider`` and
    the ``responder``; ``llm_problem`` says why generated answers are off, when they are."""

    def __init__(
        self, *, preparation: Preparation, decider: Decider, responder: Responder,
        reader: ReaderStage | None = None, llm_problem: TillitError | None = None,
    ) -> None:
        self.preparation = preparation
        self.decider = decider
        self.responder = responder
        self.reader = reader
        self.llm_problem = llm_problem

    @property
    def index(self) -> ServedIndex:
        """The served index the answers come from."""
        return self.preparation.index

    @property
    def retriever(self) -> Retriever:
        """The retriever (its embedder is the index's)."""
        return self.preparation.retriever

    @property
    def embedder(self) -> Embedder:
        """The embedder the index was built with."""
        return self.preparation.retriever.embedder

    @property
    def generator(self) -> Generator | None:
        """The chat model's answerer (None: quoted answers only)."""
        return self.responder.generator

    def retrieve(
        self, question: str, history: Sequence[str] = (), k: int | None = None,
        mode: Mode | None = None,
    ) -> Retrieval:
        """Retrieval only (used by evaluation and benchmarks)."""
        return self.preparation.rank(question, history, None, mode, k, use_model=False).ranking

    def answer(
        self, question: str, history: Sequence[str] = (), lang: str | None = None,
        mode: Mode | None = None,
    ) -> Answer:
        """Answer ``question`` in its language, citing the collection, or refuse."""
        return self.answer_traced(question, history, lang, mode)[0]

    def answer_traced(
        self, question: str, history: Sequence[str] = (), lang: str | None = None,
        mode: Mode | None = None, k: int | None = None,
    ) -> tuple[Answer, Retrieval]:
        """``answer`` plus the ranking it came from, ``k`` passages deep (for evaluation).

        The answer is composed from the first ``top_k`` passages whatever ``k`` is.
        """
        for event in self.events(question, history, lang, mode, k):
            if isinstance(event, Final):
                return event.answer, event.retrieval
        raise AssertionError("the answer pipeline ended without an answer")

    def stream(
        self, question: str, history: Sequence[str] = (), lang: str | None = None,
        mode: Mode | None = None,
    ) -> Iterator[Event]:
        """``Token``s of the answer text, then the ``Final`` answer (for adapters that show
        an answer as it comes).

        A chat model's tokens come as it writes them, and the final answer's checked text
        replaces them; a quoted answer comes a sentence at a time.
        """
        streamed = False
        for event in self.events(question, history, lang, mode):
            if isinstance(event, Token):
                streamed = True
            elif not streamed:
                yield from (Token(piece) for piece in _pieces(event.answer.text))
            yield event

    def events(
        self, question: str, history: Sequence[str] = (), lang: str | None = None,
        mode: Mode | None = None, k: int | None = None,
    ) -> Iterator[Event]:
        """The answer pipeline: ``Token``s while a chat model writes, then one ``Final``."""
        t0 = time.perf_counter()
        prepared = self.preparation.prepare(question, history, lang, mode, k)
        reading, read_ms = self._read(prepared)
        verdict = self.decider.decide(prepared.request.question, prepared.analysis,
                                      prepared.retrieval, prepared.scored, reading)
        reply: Reply | None = None
        for item in self.responder.respond(prepared, verdict, reading, t0):
            if isinstance(item, Token):
                yield item
            else:
                reply = item
        assert reply is not None, "the responder gave no reply"
        t3 = time.perf_counter()
        # "answer" is the time from the passages to the reply (reading included).
        ranked_ms = sum(prepared.ranked.timings_ms.values())
        timings = {**prepared.ranked.timings_ms, **reply.timings_ms,
                   "answer": (t3 - t0) * 1e3 - ranked_ms,
                   **({"read": read_ms} if reading is not None else {}),
                   "total": (t3 - t0) * 1e3}
        ranking = prepared.ranked.ranking
        answer = _answer(prepared, verdict, reply, timings)
        yield Final(answer, replace(ranking, hits=ranking.hits[: k or self.preparation.top_k]))

    def _read(self, prepared: Prepared) -> tuple[Reading | None, float]:
        """The reader's reading of the best candidates and its time (None without a reader,
        and for a question the decision refuses whatever it reads)."""
        if self.reader is None or self.decider.refused_outright(prepared.request.question,
                                                                prepared.scored):
            return None, 0.0
        t = time.perf_counter()
        reading = self.reader.read(prepared.standalone.query, prepared.retrieval,
                                   prepared.scored)
        return reading, (time.perf_counter() - t) * 1e3

    def evidence_features(
        self, question: str, history: Sequence[str] = (), lang: str | None = None,
        exclude_doc: str | None = None,
    ) -> dict[str, float]:
        """The decision's features for a question as the quoted answer path sees it (for
        training the decision), with the reading's (``Reading.features``) when this assistant
        has a reader. ``exclude_doc`` hides one document's passages, so that a question meets
        passages like its own that lack its answer."""
        p = self.preparation.prepare(question, history, lang, depth=self.preparation.top_k * 4,
                                     use_model=False, exclude_doc=exclude_doc)
        features = self.decider.features(p.analysis, p.retrieval, p.scored)
        if self.reader is not None:
            reading = self.reader.read(p.standalone.query, p.retrieval, p.scored)
            features.update(reading.features())
        return features

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
            "llm": {
                "model": self.generator.name if self.generator else None,
                "problem": self.llm_problem.message("en") if self.llm_problem else None,
            },
        }


def _answer(prepared: Prepared, verdict: Verdict, reply: Reply,
            timings: dict[str, float]) -> Answer:
    """The ``Answer`` the stages add up to (a model's refusal counts as off topic)."""
    req: Request = prepared.request
    outcome = "off_topic" if reply.refused else verdict.outcome
    return Answer(
        question=req.question, standalone_question=prepared.standalone.query,
        language=req.language,
        answered=outcome == "answered", text=reply.text, mode=reply.mode,
        citations=list(reply.citations), timings_ms=timings, confidence=verdict.confidence,
        sentences=list(reply.sentences), fallback=reply.fallback, note=reply.note,
        model=reply.model, checks=dict(reply.checks), answerability=outcome, lead=reply.lead,
        probabilities=verdict.decision.probabilities,
    )


def _pieces(text: str) -> list[str]:
    """A quoted answer's text in streamable pieces: up to each marker or sentence end."""
    return re.findall(r"\S.*?(?:\[\d+\]|[.!?:](?=\s)|$)\s*", text)
