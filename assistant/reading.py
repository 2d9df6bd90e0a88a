"""Stage 3b of the answer pipeline, read: the reader scores the best candidate sentences.

The candidates are the retrieved passages' sentences ranked by ``compose.score_sentences``;
the first ``max_candidates`` are read together with the question (``Reader.score``: shortest
first, in batches). A ``Reading`` holds them re-ranked by the reader's probability that they
answer, ranked by the composer's score and the reader's together, and gives the decision
its log-odds (``Reading.features``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from assistant.compose import ScoredSentence
from assistant.reader.model import candidate_text
from assistant.retrieval import Retrieval
from index.text.sentences import points_back, split_sentences


class SentenceReader(Protocol):
    """What the pipeline needs of a reader: P(answers) for each candidate."""

    def score(self, question: str, candidates: Sequence[str]) -> np.ndarray: ...


READER_FEATURES = ("reader_best", "reader_top", "reader_mean3")
"""The reading's features for the decision model trained with the reader
(``Reading.features``)."""


@dataclass(frozen=True)
class Reading:
    """Candidates re-ranked by the reader, with their probabilities (same order), the
    probability at which a candidate counts as answering (the one threshold the decision
    and the reply both use), and the candidates ranked by the composer's score plus the
    reader's weighted log-odds, each carrying that sum (``ranked``)."""

    sentences: tuple[ScoredSentence, ...]
    probabilities: tuple[float, ...]
    threshold: float
    ranked: tuple[ScoredSentence, ...] = ()
    decides: bool = True

    @property
    def best(self) -> float:
        """The highest probability (0 with no candidate)."""
        return max(self.probabilities, default=0.0)

    @property
    def answers(self) -> bool:
        """Does some candidate answer the question (the best one reaches the threshold)?"""
        return bool(self.probabilities) and self.best >= self.threshold

    def features(self) -> dict[str, float]:
        """What the reading tells the learned decision (``READER_FEATURES``), as log-odds:
        the best candidate's, that of the composer's first candidate (the highest composer
        score), and the mean of the best three."""
        if not self.probabilities:
            return dict.fromkeys(READER_FEATURES, log_odds(0.0))
        odds = sorted((log_odds(p) for p in self.probabilities), reverse=True)
        # The composer's first candidate: the highest composer score (``sentences`` is in
        # the reader's order).
        top = max(range(len(self.sentences)), key=lambda i: self.sentences[i].score)
        return {"reader_best": odds[0], "reader_top": log_odds(self.probabilities[top]),
                "reader_mean3": float(np.mean(odds[:3]))}

    def answering(self, threshold: float | None = None) -> list[ScoredSentence]:
        """The candidates at or above the threshold (or ``threshold``), best first, each
        scored by the reader."""
        at = self.threshold if threshold is None else threshold
        return [replace(s, score=p) for s, p in zip(self.sentences, self.probabilities,
                                                    strict=True) if p >= at]


def candidates(retrieval: Retrieval, scored: Sequence[ScoredSentence],
               max_candidates: int, previous: bool = False) -> list[tuple[ScoredSentence, str]]:
    """The sentences the reader reads, each with the text it is shown (section + sentence;
    with ``previous``, for a reader trained so, the sentence before it in its passage when it
    points back to that one)."""
    out = []
    for s in scored[:max_candidates]:
        chunk = retrieval.hits[s.hit_rank].chunk
        section = f"{chunk.section or ''} {chunk.section_title}".strip()
        # Only a sentence that points back is shown with the one before (candidate_text).
        before = previous_sentence(chunk.text, s.start) if previous and points_back(s.text) \
            else ""
        out.append((s, candidate_text(s.text, section, before)))
    return out


def previous_span(text: str, start: int) -> tuple[int, int] | None:
    """(start, end) of the sentence of ``text`` that ends before offset ``start``."""
    before = [(a, b) for a, b in split_sentences(text) if b <= start]
    return before[-1] if before else None


def previous_sentence(text: str, start: int) -> str:
    """The sentence of ``text`` that ends before offset ``start`` ("" for the first)."""
    span = previous_span(text, start)
    return " ".join(text[span[0]:span[1]].split()) if span else ""


def as_read(retrieval: Retrieval, sentences: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """The sentences as a reader of the quotes needs them, in order: one that points back
    starts at the sentence before it, so that the quote can be read on its own ("Hood och
    Dixon … Den visar att …"); a sentence already quoted within another is left out."""
    out: list[ScoredSentence] = []

    def overlaps(rank: int, a: int, b: int) -> bool:
        return any(o.hit_rank == rank and a < o.end and o.start < b for o in out)

    for s in sentences:
        if overlaps(s.hit_rank, s.start, s.end):
            continue
        text = retrieval.hits[s.hit_rank].chunk.text
        span = previous_span(text, s.start) if points_back(s.text) else None
        if span and not overlaps(s.hit_rank, span[0], s.end):
            s = replace(s, start=span[0], text=text[span[0]:s.end])
        out.append(s)
    return out


def log_odds(p: float) -> float:
    """log(p / (1 − p)), kept finite for p at 0 or 1."""
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def fuse(sentences: Sequence[ScoredSentence], probabilities: Sequence[float],
         weight: float) -> tuple[ScoredSentence, ...]:
    """The sentences ranked by their composer score plus ``weight`` times the reader's
    log-odds, each carrying that sum (0: the composer's order and scores)."""
    fused = [replace(s, score=s.score + weight * log_odds(p))
             for s, p in zip(sentences, probabilities, strict=True)]
    return tuple(sorted(fused, key=lambda s: -s.score))


def read(reader: SentenceReader, question: str, retrieval: Retrieval,
         scored: Sequence[ScoredSentence], max_candidates: int, threshold: float,
         previous: bool = False, weight: float = 0.0, decides: bool = True) -> Reading:
    """The reader's probabilities for the best ``max_candidates`` sentences, best first;
    a candidate at ``threshold`` or above answers (``previous``: see ``candidates``);
    ``weight`` is the reader's share in ``Reading.ranked`` (see ``fuse``); ``decides``: see
    ``Reading``."""
    cands = candidates(retrieval, scored, max_candidates, previous)
    if not cands:
        return Reading((), (), threshold, (), decides)
    probs = reader.score(question, [text for _, text in cands])
    order = np.argsort(-probs, kind="stable")
    return Reading(tuple(cands[i][0] for i in order), tuple(float(probs[i]) for i in order),
                   threshold, fuse([s for s, _ in cands], [float(p) for p in probs], weight),
                   decides)


def focus(retrieval: Retrieval, answering: Sequence[ScoredSentence]
          ) -> tuple[Retrieval, list[ScoredSentence]]:
    """Only the passages holding the sentences the reader says answer, in the order of their
    best sentence, with the sentences pointing at their new place (what a chat model is given,
    so that a generated answer rests on the same evidence as a quoted one)."""
    order: list[int] = []
    for s in answering:
        if s.hit_rank not in order:
            order.append(s.hit_rank)
    place = {old: new for new, old in enumerate(order)}
    hits = [retrieval.hits[i] for i in order]
    return (replace(retrieval, hits=hits),
            [replace(s, hit_rank=place[s.hit_rank]) for s in answering])


class ReaderStage:
    """The read stage as the pipeline holds it: a reader, how many candidates it reads, the
    probability at which a candidate counts as answering, whether the reader was trained
    to read a sentence that points back after the sentence before it, the weight of its
    log-odds beside the composer's score (``fuse``), and whether it decides answered vs not
    stated (``decides``; otherwise it only ranks the quotes)."""

    def __init__(self, reader: SentenceReader, threshold: float, max_candidates: int,
                 previous: bool = False, weight: float = 0.0, decides: bool = True) -> None:
        self.reader = reader
        self.decides = decides
        self.threshold = threshold
        self.max_candidates = max_candidates
        self.previous = previous
        self.weight = weight

    def read(self, question: str, retrieval: Retrieval,
             scored: Sequence[ScoredSentence]) -> Reading:
        """The reader's reading of the best candidates for ``question``."""
        return read(self.reader, question, retrieval, scored, self.max_candidates,
                    self.threshold, self.previous, self.weight, self.decides)
