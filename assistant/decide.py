"""Stage 4 of the answer pipeline, decide: answered, not stated or off topic."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from assistant.answerability import AnswerabilityModel, Decision
from assistant.compose import ScoredSentence, first_passages
from assistant.evidence import Candidate, question_features
from assistant.lead import extract_lead
from assistant.question_analysis import WORD, QuestionAnalysis
from assistant.reading import Reading
from assistant.retrieval import Retrieval
from assistant.tuning import DecisionWeights, LeadWeights
from assistant.types import Outcome
from index.embedders.base import Embedder
from index.text.analysis import analyze

# A script or style element's text is code, not words of a question.
_MARKUP = re.compile(r"<(script|style)\b[^>]{0,500}>.{0,2000}?</\1\s*>|<[^>]{0,500}>|&\w+;",
                     re.IGNORECASE | re.DOTALL)
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Evidence:
    """Retrieval signals that say whether the collection is about the question at all."""

    dense_top: float
    background_top: float
    coverage: float
    coverage_weight: float

    @property
    def score(self) -> float:
        """How much closer the question is to the collection than to off-topic text."""
        return (self.dense_top - self.background_top) + self.coverage_weight * self.coverage


@dataclass(frozen=True)
class Verdict:
    """The decision with the evidence behind it."""

    decision: Decision
    evidence: Evidence
    unknown_names: tuple[str, ...] = ()
    """Names of the question the collection never mentions, as the question writes them
    ("Sven Almqvist"): why it is not stated."""

    @property
    def outcome(self) -> Outcome:
        """"answered", "not_stated" or "off_topic"."""
        return self.decision.outcome

    @property
    def confidence(self) -> float:
        """P(answered) from the model, or the evidence score without one."""
        return self.decision.probabilities.get("answered", self.evidence.score)


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
    """Does the question hold any words (not only numbers) once markup (``<img src=x ...>``,
    ``{{7*7}}``, a script element with its code) is removed?"""
    return any(_LETTER.search(t) for t in analyze(_MARKUP.sub(" ", question)))


class Decider:
    """Decides from the question's analysis and the retrieved passages' sentences.

    ``background`` holds vectors of off-topic subject descriptions; ``model`` is the learned
    three-way decision (None: the older rule, a threshold on the evidence score, which can
    only answer or refuse). With a ``Reading`` that decides, the reader decides whether the
    question is answered (its best candidate at the reading's threshold or above); the model
    (or the evidence threshold) then only tells not stated from off topic. With a reading
    that only ranks, ``reader_model`` (the decision trained with the reading's features
    beside the evidence features) decides in ``model``'s place when both are given. The
    decision reads the first ``weights.passages`` passages only. ``known_term`` tells
    whether a stem occurs anywhere in the collection (see ``unknown_names``), whose text is
    in ``names_language``."""

    def __init__(
        self, *, embedder: Embedder, background: np.ndarray, idf: Callable[[str], float],
        model: AnswerabilityModel | None, refusal_threshold: float,
        weights: DecisionWeights, lead: LeadWeights,
        reader_model: AnswerabilityModel | None = None,
        known_term: Callable[[str], bool] | None = None, names_language: str = "sv",
    ) -> None:
        self.embedder = embedder
        self.weights = weights
        self.lead = lead
        self.background = background
        self.idf = idf
        self.model = model
        self.reader_model = reader_model
        self.known_term = known_term
        self.names_language = names_language
        self.refusal_threshold = refusal_threshold

    def evidence(self, retrieval: Retrieval) -> Evidence:
        """The retrieval signals."""
        bg = float(np.max(self.background @ retrieval.query_vector)) if len(
            self.background) else 0.0
        return Evidence(retrieval.dense_top, bg, retrieval.lexical_coverage,
                        self.weights.coverage_weight)

    def features(
        self, analysis: QuestionAnalysis, retrieval: Retrieval, scored: Sequence[ScoredSentence],
        evidence: Evidence | None = None,
    ) -> dict[str, float]:
        """The evidence features the learned decision reads (also for training it);
        ``evidence`` is this retrieval's, when the caller has it already."""
        retrieval, scored = self.first_passages(retrieval, scored)
        ev = evidence or self.evidence(retrieval)
        # Only English focus terms need the embedder to meet the Swedish text (Swedish ones
        # are matched by their stems); a few keep the cost of a question low.
        most = self.weights.max_embedded_terms
        terms = list(analysis.focus)[:most] if analysis.language == "en" else []
        term_vectors = (np.asarray(self.embedder.embed_queries(terms), dtype=np.float32)
                        if terms else np.zeros((0, len(retrieval.query_vector)), np.float32))
        candidates = [Candidate(s.hit_rank, s.text, s.score, s.vector) for s in scored
                      if s.vector is not None]
        return question_features(
            analysis, candidates, [h.chunk.text for h in retrieval.hits], retrieval.dense_top,
            ev.background_top, retrieval.lexical_coverage, term_vectors, idf=self.idf,
            lead=lambda text: extract_lead(text, analysis, self.lead))

    def first_passages(self, retrieval: Retrieval, scored: Sequence[ScoredSentence]
                       ) -> tuple[Retrieval, list[ScoredSentence]]:
        """The first ``weights.passages`` passages and their sentences: what the decision
        reads whatever the answer quotes from (its model was trained on that many)."""
        return first_passages(retrieval, scored, self.weights.passages)

    @staticmethod
    def refused_outright(question: str, scored: Sequence[ScoredSentence]) -> bool:
        """Off topic whatever the evidence: nothing found, no words, or a steering attempt."""
        return not scored or not has_content(question) or is_injection(question)

    def decide(
        self, question: str, analysis: QuestionAnalysis, retrieval: Retrieval,
        scored: Sequence[ScoredSentence], reading: Reading | None = None,
    ) -> Verdict:
        """Off topic for empty, markup-only or steering questions and when nothing was
        found; otherwise what the reader, the model or the evidence threshold says."""
        retrieval, scored = self.first_passages(retrieval, scored)
        ev = self.evidence(retrieval)
        if self.refused_outright(question, scored):
            return Verdict(Decision("off_topic", {}), ev)
        if reading is not None and reading.decides:
            decision = self._read(reading, analysis, retrieval, scored, ev)
        elif self.model is None:
            ok = ev.score > self.refusal_threshold
            decision = Decision("answered" if ok else "off_topic", {})
        else:
            features = self.features(analysis, retrieval, scored, ev)
            decision = (self.reader_model.decide({**features, **reading.features()})
                        if reading is not None and self.reader_model is not None
                        else self.model.decide(features))
        unknown = (self.unknown_names(question, analysis) if decision.outcome == "answered"
                   else ())
        if unknown:
            return Verdict(_not_stated(decision), ev, name_runs(question, unknown))
        return Verdict(decision, ev)

    def unknown_names(self, question: str, analysis: QuestionAnalysis) -> tuple[str, ...]:
        """The names in ``question`` (as asked, not an earlier turn's) that the whole
        collection never mentions ("Vid vilket universitet arbetar Sven Almqvist?"): such a
        question is not answered there, whatever its other words match. A name is a
        capitalised word that does not open a sentence and is not a question word
        (``analysis.entities``). Only for a question in the collection's language: an
        English question names Swedish things by translations the Swedish text never uses
        ("the Trust Delegation"; on dev 12 answerable English questions hold such a name, no
        Swedish one)."""
        known = self.known_term
        if known is None or analysis.language != self.names_language:
            return ()
        asked = _names_in(question)
        return tuple(e for e in analysis.entities
                     if e in asked and analyze(e) and not _mentioned(e, known))

    def _read(self, reading: Reading, analysis: QuestionAnalysis, retrieval: Retrieval,
              scored: Sequence[ScoredSentence], ev: Evidence) -> Decision:
        """Off topic when the model (or the evidence threshold) says so; otherwise the
        reader decides between answered and not stated."""
        best = reading.best
        if self.model is None:
            on_topic = ev.score > self.refusal_threshold
            p = {"answered": best}
        else:
            decision = self.model.decide(self.features(analysis, retrieval, scored, ev))
            on_topic = decision.outcome != "off_topic"
            p = {"answered": best, "not_stated": decision.probabilities["not_stated"],
                 "off_topic": decision.probabilities["off_topic"]}
        if not on_topic:
            return Decision("off_topic", p)
        return Decision("answered" if reading.answers else "not_stated", p)


def _not_stated(decision: Decision) -> Decision:
    """``decision`` turned to not stated, its probability of "answered" moved there."""
    p = dict(decision.probabilities)
    if "answered" in p:
        p["not_stated"] = p.get("not_stated", 0.0) + p["answered"]
        p["answered"] = 0.0
    return Decision("not_stated", p)


def _names_in(question: str) -> set[str]:
    """Capitalised words of ``question`` that do not open one of its sentences."""
    names: set[str] = set()
    for sentence in re.split(r"(?<=[.!?:;])\s+", question.strip()):
        words = WORD.findall(sentence)
        names.update(w for w in words[1:] if w[0].isupper())
    return names


def _mentioned(name: str, known: Callable[[str], bool]) -> bool:
    """Does the collection hold ``name`` (``known``: is a stem in it), in any form? The
    stemmer does not reduce a name and its genitive alike ("Stoker" → stok, "Stokers" →
    stoker; "Power" → pow, "Powers" → power), so the name is also looked up with and without
    a final s."""
    forms = {name, name + "s", name[:-1] if name.endswith("s") else name}
    return any(known(s) for form in forms for s in analyze(form))


def name_runs(question: str, names: Sequence[str]) -> tuple[str, ...]:
    """``names`` as ``question`` writes them: neighbours joined ("Sven Almqvist"), apart ones
    separate; names not in ``question`` (a follow-up's, from the earlier turn) as they are."""
    runs: list[list[str]] = []
    previous = False
    for word in WORD.findall(question):
        here = word in names
        if here and previous:
            runs[-1].append(word)
        elif here:
            runs.append([word])
        previous = here
    found = {w for r in runs for w in r}
    return tuple(" ".join(r) for r in runs) + tuple(n for n in names if n not in found)
