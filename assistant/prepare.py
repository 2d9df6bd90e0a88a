"""Stages 1–3 of the answer pipeline as one step: validate → condense → retrieve → evidence.

Every path that answers or studies a question starts here: plain and streamed answers,
retrieval for the evaluation and benchmarks, and the decision's training features. The
result, a ``Prepared``, is what the later stages (read, decide, compose) take.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from assistant.compose import ScoredSentence, score_sentences
from assistant.conversation import Condenser, Standalone, standalone
from assistant.crosslingual import Glossary
from assistant.question_analysis import QuestionAnalysis, analyse_question
from assistant.retrieval import Mode, Retrieval, Retriever
from assistant.tuning import SentenceWeights
from assistant.validate import Request, validate
from index.store.served import ServedIndex


@dataclass(frozen=True)
class Limits:
    """What a request may hold."""

    max_question_chars: int
    max_history_turns: int


@dataclass(frozen=True)
class Ranked:
    """A question made standalone and its passages, ``depth`` deep."""

    request: Request
    standalone: Standalone
    ranking: Retrieval
    timings_ms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Prepared:
    """What the later stages work from: the ranked passages, the first ``top_k`` of them
    (``retrieval``, what an answer is composed from), the question's analysis and the
    sentences of those passages scored against it, best first."""

    ranked: Ranked
    retrieval: Retrieval
    analysis: QuestionAnalysis
    scored: tuple[ScoredSentence, ...]

    @property
    def request(self) -> Request:
        """The validated request."""
        return self.ranked.request

    @property
    def standalone(self) -> Standalone:
        """The question made standalone."""
        return self.ranked.standalone


class Preparation:
    """Validates, condenses, retrieves and scores the evidence of a question.

    ``crosslingual_dense_weight`` is the fusion weight for a question in another language than the
    collection's (word matching helps little there); ``condenser`` is the chat model that
    rewrites follow-ups (None: the rule-based condenser only); ``glossary`` gives a question in
    another language the collection's words for its terms, for word matching (None: none)."""

    def __init__(
        self, *, index: ServedIndex, retriever: Retriever, limits: Limits, top_k: int,
        collection_language: str, crosslingual_dense_weight: float | None,
        weights: SentenceWeights, condenser: Condenser | None = None,
        glossary: Glossary | None = None,
    ) -> None:
        self.index = index
        self.retriever = retriever
        self.limits = limits
        self.top_k = top_k
        self.collection_language = collection_language
        self.crosslingual_dense_weight = crosslingual_dense_weight
        self.weights = weights
        self.condenser = condenser
        self.glossary = glossary

    def fusion_weight(self, language: str) -> float | None:
        """The dense weight for a question in ``language`` (None: the configured one)."""
        return None if language == self.collection_language else self.crosslingual_dense_weight

    def rank(
        self, question: str, history: Sequence[str] = (), lang: str | None = None,
        mode: Mode | None = None, depth: int | None = None, use_model: bool = True,
    ) -> Ranked:
        """Validate, condense (with the chat model when ``use_model``) and retrieve
        ``depth`` passages (default ``top_k``)."""
        t0 = time.perf_counter()
        req = validate(question, history, lang, self.limits.max_question_chars,
                       self.limits.max_history_turns)
        timings = {"prepare": (time.perf_counter() - t0) * 1e3}
        s = standalone(req.question, req.turns, req.language,
                       self.condenser if use_model else None)
        if s.condense_ms is not None:
            timings["condense"] = s.condense_ms
        t1 = time.perf_counter()
        lexical = context = None
        if self.glossary is not None:
            lexical = self.glossary.expand(s.query, req.language, self.collection_language)
            if s.context is not None:
                context = self.glossary.expand(s.context, req.language,
                                               self.collection_language)
        ranking = self.retriever.retrieve(s.query, depth or self.top_k, mode, s.context,
                                          self.fusion_weight(req.language), lexical, context)
        timings["retrieval"] = (time.perf_counter() - t1) * 1e3
        return Ranked(req, s, ranking, timings)

    def prepare(
        self, question: str, history: Sequence[str] = (), lang: str | None = None,
        mode: Mode | None = None, depth: int | None = None, use_model: bool = True,
        exclude_doc: str | None = None,
    ) -> Prepared:
        """``rank`` (at least ``top_k`` deep), then the evidence of the first ``top_k``
        passages; ``exclude_doc`` hides one document's passages (so that a question meets
        passages like its own that lack its answer, for training the decision: ask for a
        ``depth`` that leaves enough after it)."""
        ranked = self.rank(question, history, lang, mode, max(depth or 0, self.top_k),
                           use_model)
        hits = [h for h in ranked.ranking.hits if h.chunk.doc_id != exclude_doc]
        retrieval = replace(ranked.ranking, hits=hits[: self.top_k])
        req, s = ranked.request, ranked.standalone
        analysis = analyse_question(s.query, req.language, asked=req.question)
        scored = score_sentences(retrieval, self.index, analysis, self.weights)
        return Prepared(ranked, retrieval, analysis, tuple(scored))
