"""The assistant: ``answer(question, history) -> Answer``. Every adapter calls this.

The answer pipeline is a sequence of stages, each a function of typed values in its own
module: validate (``assistant.validate``) → condense (``assistant.conversation``) → retrieve
(``assistant.retrieval``) → decide (``assistant.decide``) → compose (``assistant.reply``) or
generate and verify (``assistant.generated``) → ``Answer``. The ``Assistant`` only sequences
them; ``events`` streams the result as ``Token``s and one ``Final``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from assistant.answerability import AnswerabilityModel
from assistant.compose import ScoredSentence, score_sentences
from assistant.conversation import standalone
from assistant.decide import Decider, Verdict, has_content, is_injection
from assistant.errors import TillitError
from assistant.events import Event, Final, Token
from assistant.generate import Generator
from assistant.generated import generated
from assistant.prompts import AnswerTemplate
from assistant.question_analysis import analyse_question
from assistant.reading import Reading, SentenceReader, focus, read
from assistant.reply import Reply, not_stated, quoted, quoted_read, refusal
from assistant.retrieval import Mode, Retrieval, Retriever
from assistant.types import Answer
from assistant.validate import Request, clean_question, validate
from assistant.verify import Verifier
from index.store.served import ServedIndex

__all__ = ["Assistant", "clean_question", "has_content", "is_injection"]


class Assistant:
    """Answers questions about the indexed collection with cited passages."""

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
        generator: Generator | None = None,
        verifier: Verifier | None = None,
        llm_problem: TillitError | None = None,
        answerability: AnswerabilityModel | None = None,
        collection: str = "anthology",
        collection_language: str = "sv",
        direct_answer: bool = False,
        crosslingual_dense_weight: float | None = None,
        reader: SentenceReader | None = None,
        reader_threshold: float = 0.5,
        reader_candidates: int = 20,
        reader_quotes: bool = False,
    ) -> None:
        self.index = index
        self.retriever = retriever
        self.templates = templates
        if collection == "documents":
            self.templates = {k: t.for_documents() for k, t in templates.items()}
        self.top_k = top_k
        self.max_sentences = max_sentences
        self.max_question_chars = max_question_chars
        self.max_history_turns = max_history_turns
        self.generator = generator
        self.verifier = verifier
        self.llm_problem = llm_problem
        self.collection_language = collection_language
        self.direct_answer = direct_answer
        self.crosslingual_dense_weight = crosslingual_dense_weight
        self.reader = reader
        self.reader_threshold = reader_threshold
        self.reader_candidates = reader_candidates
        self.reader_quotes = reader_quotes
        self.decider = Decider(embedder=retriever.embedder, background=background,
                               idf=index.lexical.idf, model=answerability,
                               refusal_threshold=refusal_threshold,
                               reader_threshold=reader_threshold)

    def fusion_weight(self, language: str) -> float | None:
        """The dense weight for a question in ``language`` (None: the configured one)."""
        return None if language == self.collection_language else self.crosslingual_dense_weight

    def _request(self, question: str, history: Sequence[str], lang: str | None) -> Request:
        return validate(question, history, lang, self.max_question_chars,
                        self.max_history_turns)

    def retrieve(
        self, question: str, history: Sequence[str] = (), k: int | None = None,
        mode: Mode | None = None,
    ) -> Retrieval:
        """Retrieval only (used by evaluation and benchmarks)."""
        req = self._request(question, history, None)
        s = standalone(req.question, req.turns, req.language)
        return self.retriever.retrieve(s.query, k or self.top_k, mode, s.context,
                                       self.fusion_weight(req.language))

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
        req = self._request(question, history, lang)
        template = self.templates[req.language]
        prepared = (time.perf_counter() - t0) * 1e3
        s = standalone(req.question, req.turns, req.language, self.generator)
        t1 = time.perf_counter()
        ranking = self.retriever.retrieve(s.query, max(k or 0, self.top_k), mode, s.context,
                                          self.fusion_weight(req.language))
        retrieval = replace(ranking, hits=ranking.hits[: self.top_k])
        t2 = time.perf_counter()
        analysis = analyse_question(s.query, req.language, asked=req.question)
        scored = score_sentences(retrieval, self.index, analysis)
        t_read = time.perf_counter()
        reading = self._read(req.question, s.query, retrieval, scored)
        read_ms = (time.perf_counter() - t_read) * 1e3
        verdict = self.decider.decide(req.question, analysis, retrieval, scored, reading)
        # With a reader, the evidence is what it says answers, best first.
        evidence = scored if reading is None else reading.answering(self.reader_threshold)
        reply: Reply | None = None
        if verdict.outcome == "answered" and self.generator is not None:
            assert self.verifier is not None
            shown, shown_evidence = ((retrieval, evidence) if reading is None
                                     else focus(retrieval, evidence))
            for item in generated(self.generator, self.verifier, template, s.for_model,
                                  shown, shown_evidence, self.max_sentences, t0):
                if isinstance(item, Token):
                    yield item
                else:
                    reply = item
        elif verdict.outcome == "answered" and reading is not None and self.reader_quotes:
            reply = quoted_read(retrieval, evidence, analysis, template, self.max_sentences,
                                self.direct_answer)
        elif verdict.outcome == "answered":
            reply = quoted(retrieval, scored, analysis, template, self.max_sentences,
                           self.direct_answer)
        elif verdict.outcome == "not_stated":
            closest = list(reading.sentences[:1]) if reading is not None else scored
            reply = not_stated(retrieval, closest, analysis, template)
        reply = reply or refusal(template)
        t3 = time.perf_counter()
        timings = {"prepare": prepared, **({"condense": s.condense_ms} if s.condense_ms
                                           is not None else {}),
                   **reply.timings_ms, "retrieval": (t2 - t1) * 1e3, "answer": (t3 - t2) * 1e3,
                   **({"read": read_ms} if reading is not None else {}),
                   "total": (t3 - t0) * 1e3}
        answer = _answer(req, s.query, verdict, reply, timings)
        yield Final(answer, replace(ranking, hits=ranking.hits[: k or self.top_k]))

    def _read(self, asked: str, query: str, retrieval: Retrieval,
              scored: list[ScoredSentence]) -> Reading | None:
        """The reader's reading of the best candidates (None without a reader, and for a
        question the decision refuses whatever it reads)."""
        if self.reader is None or self.decider.refused_outright(asked, scored):
            return None
        return read(self.reader, query, retrieval, scored, self.reader_candidates)

    def evidence_features(
        self, question: str, history: Sequence[str] = (), lang: str | None = None,
        exclude_doc: str | None = None,
    ) -> dict[str, float]:
        """The decision's features for a question as the quoted answer path sees it (for
        training the decision). ``exclude_doc`` hides one document's passages, so that a
        question meets passages like its own that lack its answer."""
        req = self._request(question, history, lang)
        s = standalone(req.question, req.turns, req.language)
        ranking = self.retriever.retrieve(s.query, self.top_k * 4, None, s.context,
                                          self.fusion_weight(req.language))
        hits = [h for h in ranking.hits if h.chunk.doc_id != exclude_doc][: self.top_k]
        retrieval = replace(ranking, hits=hits)
        analysis = analyse_question(s.query, req.language, asked=req.question)
        scored = score_sentences(retrieval, self.index, analysis)
        return self.decider.features(analysis, retrieval, scored)

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


def _answer(req: Request, query: str, verdict: Verdict, reply: Reply,
            timings: dict[str, float]) -> Answer:
    """The ``Answer`` the stages add up to (a model's refusal counts as off topic)."""
    outcome = "off_topic" if reply.refused else verdict.outcome
    return Answer(
        question=req.question, standalone_question=query, language=req.language,
        answered=outcome == "answered", text=reply.text, mode=reply.mode,
        citations=list(reply.citations), timings_ms=timings, confidence=verdict.confidence,
        sentences=list(reply.sentences), fallback=reply.fallback, note=reply.note,
        model=reply.model, checks=dict(reply.checks), answerability=outcome, lead=reply.lead,
        probabilities=verdict.decision.probabilities,
    )


def _pieces(text: str) -> list[str]:
    """A quoted answer's text in streamable pieces: up to each marker or sentence end."""
    return re.findall(r"\S.*?(?:\[\d+\]|[.!?:](?=\s)|$)\s*", text)
