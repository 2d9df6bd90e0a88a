"""The answer pipeline's tuned weights, in one typed place.

Each stage reads its own frozen part, passed to it by the composition root
(``assistant.factory``); the values are the ones chosen on the dev split
(``docs/eval/tuning.md``). A sweep (``python -m eval.sweep``) builds a new ``Tuning`` with
``dataclasses.replace`` and a new assistant around it; nothing is patched at run time.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RetrievalWeights:
    """How the retriever (``assistant.retrieval``) gathers and ranks passages beyond what the
    settings choose (mode, fusion, dense weight, RRF constant)."""

    pool: int = 30
    """Candidates taken from each ranking (dense, BM25) before fusion."""
    context_weight: float = 0.5
    """Weight of the earlier turns' own ranking for a follow-up question."""


@dataclass(frozen=True)
class SentenceWeights:
    """How the extractive composer (``assistant.compose``) scores and keeps sentences: the
    dense cosine to the question plus these."""

    term_overlap: float = 0.15
    """Weight of the share (idf-weighted) of the question's focus terms a sentence holds."""
    passage_rank: float = 0.03
    """Bonus for a sentence of a higher-ranked passage (scaled from 1 for the first to 0 at
    ``rank_depth``)."""
    rank_depth: int = 5
    """Passages that get the rank bonus (five, as when an answer quoted from five: the
    decision's model was trained on those scores, and the first five keep them)."""
    keep_margin: float = 0.035
    """Runner-up sentences within this much of the best one are quoted too."""
    inherit_penalty: float = 0.01
    """A sentence opening with 'Dessa', 'They' … inherits its predecessor's score minus this
    (per sentence back)."""
    caption_penalty: float = 0.05
    """Captions and headings (no closing punctuation) rarely answer by themselves."""
    about_book_penalty: float = 0.06
    """Sentences about the book ('I kapitel 3 återkommer jag …') only when nothing else
    answers."""
    defines_bonus: float = 0.03
    """A defining sentence, for a definition question."""
    type_bonus: float = 0.02
    """A sentence carrying the expected answer type (a name, a year …) for a factoid one."""
    card_bonus: float = 0.05
    """A book card (``index.text.book_cards``) for a question about chapters, authors or
    pages."""


@dataclass(frozen=True)
class ReaderWeights:
    """How the reader's probabilities (``assistant.reading``) rank the quoted sentences."""

    rank_weight: float = 0.02
    """Weight of the reader's log-odds added to a candidate's composer score: quotes are
    picked by the sum (the two disagree in different places; on dev each alone put the
    source first less often than their sum)."""


@dataclass(frozen=True)
class DecisionWeights:
    """The evidence the decision (``assistant.decide``) reads."""

    passages: int = 5
    """The decision reads the first this many passages (the model was trained on five),
    whatever ``top_k`` the answer quotes from."""
    coverage_weight: float = 0.05
    """Weight of the question's lexical coverage in the on-topic evidence score."""
    max_embedded_terms: int = 5
    """At most this many English focus terms are embedded to meet the Swedish text."""


@dataclass(frozen=True)
class LeadWeights:
    """The direct answer line (``assistant.lead``)."""

    max_distance: int = 30
    """A direct answer is given only when its span stands within this many characters of a
    word of the question's focus (a lead farther away was mostly wrong on dev)."""


@dataclass(frozen=True)
class SupportWeights:
    """How a generated sentence's support by a passage is judged (``assistant.verify``): the
    best cosine to one of the passage's sentences plus these."""

    threshold_sv: float = 0.94
    """Support a Swedish sentence needs."""
    threshold_en: float = 0.86
    """Support an English sentence needs."""
    word_share: float = 0.1
    """Weight of the share of the sentence's words the passage holds."""
    number_penalty: float = 0.2
    """Subtracted when the sentence names a number the passage does not."""

    @property
    def thresholds(self) -> dict[str, float]:
        """The support needed, by language."""
        return {"sv": self.threshold_sv, "en": self.threshold_en}


@dataclass(frozen=True)
class Tuning:
    """Every stage's tuned weights."""

    retrieval: RetrievalWeights = field(default_factory=RetrievalWeights)
    sentences: SentenceWeights = field(default_factory=SentenceWeights)
    reader: ReaderWeights = field(default_factory=ReaderWeights)
    decision: DecisionWeights = field(default_factory=DecisionWeights)
    lead: LeadWeights = field(default_factory=LeadWeights)
    support: SupportWeights = field(default_factory=SupportWeights)
