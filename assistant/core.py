"""The assistant: ``answer(question, history) -> Answer``. Every adapter calls this."""

from __future__ import annotations

import logging
import re
import time
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from assistant.answerability import AnswerabilityModel, Decision
from assistant.compose import (
    ScoredSentence,
    citation_label,
    compose,
    compose_not_stated,
    quoted_sentences,
    render_checked,
    score_sentences,
    select_sentences,
)
from assistant.conversation import condense, earlier_context
from assistant.errors import InvalidQuestion, TillitError
from assistant.evidence import Candidate, question_features
from assistant.generate import GenerationFailed, Generator, Passage
from assistant.language import detect_language
from assistant.lead import extract_lead
from assistant.prompts import AnswerTemplate
from assistant.question_analysis import QuestionAnalysis, analyse_question
from assistant.retrieval import Mode, Retrieval, Retriever
from assistant.types import Answer
from assistant.verify import Verifier, split_answer, tidy
from index.analysis import analyze
from index.served import ServedIndex

log = logging.getLogger(__name__)
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


@lru_cache(maxsize=1)
def _injection_patterns() -> tuple[re.Pattern[str], ...]:
    text = (resources.files("assistant") / "resources" / "injection_rules.toml").read_text(
        encoding="utf-8")
    return tuple(re.compile(p) for p in tomllib.loads(text)["patterns"])


def is_injection(question: str) -> bool:
    """Does the question try to steer the assistant (ignore your rules, reveal the prompt …)?"""
    q = question.lower()
    return any(p.search(q) for p in _injection_patterns())


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
        generator: Generator | None = None,
        verifier: Verifier | None = None,
        llm_problem: TillitError | None = None,
        answerability: AnswerabilityModel | None = None,
        collection: str = "anthology",
        collection_language: str = "sv",
        direct_answer: bool = False,
        crosslingual_dense_weight: float | None = None,
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
        self.generator = generator
        self.verifier = verifier
        self.llm_problem = llm_problem
        self.answerability = answerability
        self.collection_language = collection_language
        self.direct_answer = direct_answer
        self.crosslingual_dense_weight = crosslingual_dense_weight
        if collection == "documents":
            self.templates = {k: t.for_documents() for k, t in templates.items()}

    def fusion_weight(self, language: str) -> float | None:
        """The dense weight for a question in ``language`` (None: the configured one)."""
        return None if language == self.collection_language else self.crosslingual_dense_weight

    def _turns(self, history: Sequence[str]) -> list[str]:
        if not isinstance(history, list | tuple):
            raise InvalidQuestion("History must be a list of earlier questions.",
                                  "Historiken måste vara en lista med tidigare frågor.")
        if not self.max_history_turns:
            return []
        return [
            clean_question(h, self.max_question_chars, "history turn")
            for h in list(history)[-self.max_history_turns :] if isinstance(h, str) and h.strip()
        ]

    def standalone(
        self, question: str, history: Sequence[str] = ()
    ) -> tuple[str, str, str | None]:
        """Validate the input; return the question, its standalone query and its context."""
        q = clean_question(question, self.max_question_chars)
        turns = self._turns(history)
        return q, condense(q, turns), earlier_context(q, turns)

    def retrieve(
        self, question: str, history: Sequence[str] = (), k: int | None = None,
        mode: Mode | None = None,
    ) -> Retrieval:
        """Retrieval only (used by evaluation and benchmarks)."""
        q, query, context = self.standalone(question, history)
        return self.retriever.retrieve(query, k or self.top_k, mode, context,
                                       self.fusion_weight(detect_language(q)))

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
        """Answer ``question`` in its language, citing the anthology, or refuse."""
        return self.answer_traced(question, history, lang, mode)[0]

    def answer_traced(
        self, question: str, history: Sequence[str] = (), lang: str | None = None,
        mode: Mode | None = None, k: int | None = None,
    ) -> tuple[Answer, Retrieval]:
        """``answer`` plus the ranking it came from, ``k`` passages deep (for evaluation).

        The answer is composed from the first ``top_k`` passages whatever ``k`` is.
        """
        for item in self._run(question, history, lang, mode, k):
            if isinstance(item, tuple):
                return item
        raise AssertionError("the answer pipeline ended without an answer")

    def stream(
        self, question: str, history: Sequence[str] = (), lang: str | None = None,
        mode: Mode | None = None,
    ) -> Iterator[str | Answer]:
        """Yield the answer text in pieces (str), then the complete ``Answer``.

        A generative backend yields its tokens as they come; the final ``Answer`` holds the
        checked text, which replaces them (markers repaired, unsupported sentences marked,
        or the quoted fallback). The extractive composer yields a sentence at a time.
        """
        streamed = False
        for item in self._run(question, history, lang, mode, None):
            if isinstance(item, tuple):
                answer = item[0]
                if not streamed:
                    yield from re.findall(r"\S.*?(?:\[\d+\]|[.!?:](?=\s)|$)\s*", answer.text)
                yield answer
                return
            streamed = True
            yield item

    def _run(
        self, question: str, history: Sequence[str], lang: str | None, mode: Mode | None,
        k: int | None,
    ) -> Iterator[str | tuple[Answer, Retrieval]]:
        t0 = time.perf_counter()
        q = clean_question(question, self.max_question_chars)
        turns = self._turns(history)
        language = detect_language(q, lang)
        template = self.templates[language]
        query, context = condense(q, turns), earlier_context(q, turns)
        timings: dict[str, float] = {"prepare": (time.perf_counter() - t0) * 1e3}
        for_model = q
        if self.generator is not None and context is not None:
            tc = time.perf_counter()
            rewritten = self.generator.condense(q, turns, language)
            timings["condense"] = (time.perf_counter() - tc) * 1e3
            earlier = self.generator.prompts[language].earlier
            query = rewritten or query
            for_model = rewritten or f"{q}\n({earlier}: {context})"
        t1 = time.perf_counter()
        ranking = self.retriever.retrieve(query, max(k or 0, self.top_k), mode, context,
                                          self.fusion_weight(language))
        retrieval = replace(ranking, hits=ranking.hits[: self.top_k])
        t2 = time.perf_counter()
        analysis = analyse_question(query, language, asked=q)
        scored = score_sentences(retrieval, self.index, analysis)
        decision, ev = self.decide(q, analysis, retrieval, scored)
        answered = decision.outcome == "answered"
        answer = Answer(
            question=q, standalone_question=query, language=language, answered=answered,
            text=f"{template.refusal} {template.refusal_hint}", mode="extractive",
            confidence=decision.probabilities.get("answered", ev.score),
            answerability=decision.outcome, probabilities=decision.probabilities,
        )
        if answered and self.generator is not None:
            yield from self._generate(answer, for_model, retrieval, scored, timings, t0)
        elif answered:
            chosen, lead = self._choose(scored, analysis)
            answer.text, answer.citations = compose(retrieval, chosen, template, lead)
            answer.lead = lead[0] if lead else ""
            answer.sentences = quoted_sentences(chosen, answer.citations, retrieval)
        elif decision.outcome == "not_stated":
            answer.text, answer.citations = compose_not_stated(
                retrieval, scored[0], analysis, template)
            answer.sentences = quoted_sentences(scored[:1], answer.citations, retrieval)
        t3 = time.perf_counter()
        answer.timings_ms = {**timings, "retrieval": (t2 - t1) * 1e3,
                             "answer": (t3 - t2) * 1e3, "total": (t3 - t0) * 1e3}
        yield answer, replace(ranking, hits=ranking.hits[: k or self.top_k])

    def evidence_features(
        self, question: str, history: Sequence[str] = (), lang: str | None = None,
        exclude_doc: str | None = None,
    ) -> dict[str, float]:
        """The decision's features for a question as the quoted answer path sees it (for
        training the decision). ``exclude_doc`` hides one document's passages, so that a
        question meets passages like its own that lack its answer."""
        q = clean_question(question, self.max_question_chars)
        turns = self._turns(history)
        language = detect_language(q, lang)
        query, context = condense(q, turns), earlier_context(q, turns)
        ranking = self.retriever.retrieve(query, self.top_k * 4, None, context,
                                          self.fusion_weight(language))
        hits = [h for h in ranking.hits if h.chunk.doc_id != exclude_doc][: self.top_k]
        retrieval = replace(ranking, hits=hits)
        analysis = analyse_question(query, language, asked=q)
        scored = score_sentences(retrieval, self.index, analysis)
        return self.features(analysis, retrieval, scored)

    def _choose(
        self, scored: list[ScoredSentence], analysis: QuestionAnalysis
    ) -> tuple[list[ScoredSentence], tuple[str, ScoredSentence] | None]:
        """The sentences to quote and, for a factoid question, the direct answer that opens
        the reply with the one sentence it is taken from."""
        chosen = select_sentences(scored, self.max_sentences)
        lead = (extract_lead(scored[0].text, analysis)
                if self.direct_answer and analysis.factoid and scored else None)
        return chosen, (lead, scored[0]) if lead else None

    def features(
        self, analysis: QuestionAnalysis, retrieval: Retrieval, scored: list[ScoredSentence]
    ) -> dict[str, float]:
        """The evidence features the answerability decision reads (also for training)."""
        bg = float(np.max(self.background @ retrieval.query_vector)) if len(
            self.background) else 0.0
        # Only English terms need the embedder to meet the Swedish text (Swedish ones are
        # matched by their stems); at most five keep the cost of a question low.
        terms = list(analysis.focus)[:5] if analysis.language == "en" else []
        term_vectors = (np.asarray(self.retriever.embedder.embed_queries(terms), dtype=np.float32)
                        if terms else np.zeros((0, len(retrieval.query_vector)), np.float32))
        candidates = [Candidate(s.hit_rank, s.text, s.score, s.vector) for s in scored
                      if s.vector is not None]
        return question_features(
            analysis, candidates, [h.chunk.text for h in retrieval.hits], retrieval.dense_top,
            bg, retrieval.lexical_coverage, term_vectors, idf=self.index.lexical.idf,
            lead=lambda text: extract_lead(text, analysis))

    def decide(
        self, question: str, analysis: QuestionAnalysis, retrieval: Retrieval,
        scored: list[ScoredSentence],
    ) -> tuple[Decision, Evidence]:
        """Answered, not stated or off topic (with the older evidence signals beside it)."""
        ev = self.evidence(retrieval, scored[0].score if scored else 0.0)
        if not scored or not has_content(question) or is_injection(question):
            return Decision("off_topic", {}), ev
        if self.answerability is None:
            ok = ev.score > self.refusal_threshold
            return Decision("answered" if ok else "off_topic", {}), ev
        return self.answerability.decide(self.features(analysis, retrieval, scored)), ev

    def _generate(
        self, answer: Answer, question: str, retrieval: Retrieval,
        scored: list[ScoredSentence], timings: dict[str, float], started: float,
    ) -> Iterator[str]:
        """Fill ``answer`` from the generative backend, streaming its tokens; on failure, or
        when no sentence is supported, fall back to the quoted answer and say why.

        ``question`` is what the model is asked: a follow-up comes standalone or with the
        earlier questions it leans on; ``started`` is when the request began."""
        assert self.generator is not None and self.verifier is not None
        gen, lang = self.generator, answer.language
        template = self.templates[lang]
        prompts = gen.prompts[lang]
        answer.model = gen.name
        t0 = time.perf_counter()
        reason: str | None = None
        try:
            passages = [
                Passage(i, citation_label(h, lang), h.chunk.text)
                for i, h in enumerate(retrieval.hits, start=1)
            ]
            messages, kept = gen.answer_messages(question, passages, lang)
            pieces: list[str] = []
            for token in gen.stream(messages):
                if not pieces:
                    timings["first_token"] = (time.perf_counter() - started) * 1e3
                pieces.append(token)
                yield token
            timings["generation"] = (time.perf_counter() - t0) * 1e3
            raw = "".join(pieces)
            if gen.is_refusal(raw, lang):
                answer.answered, answer.mode = False, "llm"
                return
            shown = replace(retrieval, hits=retrieval.hits[:kept])
            tv = time.perf_counter()
            drafts, tidied = tidy(split_answer(raw), raw)
            checked, answer.checks = self.verifier.check(drafts, shown, lang)
            answer.checks.update(tidied)
            timings["verify"] = (time.perf_counter() - tv) * 1e3
            if any(c.supported and c.cited for c in checked):
                answer.mode = "llm"
                answer.text, answer.citations, answer.sentences = render_checked(
                    checked, shown, lang, prompts.unsupported_label
                )
                return
            reason = "unsupported"
        except GenerationFailed as exc:
            reason = exc.reason if exc.reason in ("timeout", "unsupported") else "error"
            log.warning("generation fell back to quotes: %s", exc)
        except Exception:  # a failing check must not lose the answer the user waits for
            reason = "error"
            log.exception("checking the generated answer failed; falling back to quotes")
        chosen = select_sentences(scored, self.max_sentences)
        text, answer.citations = compose(retrieval, chosen, template)
        answer.sentences = quoted_sentences(chosen, answer.citations, retrieval)
        answer.note = prompts.fallback_note(reason)
        answer.text = f"{answer.note} {text}"
        answer.fallback, answer.mode = reason, "extractive"

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
