"""Value types shared by the core and its adapters."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Outcome = Literal["answered", "not_stated", "off_topic"]
"""What kind of reply an answer is: the anthology answers it, discusses the subject but does
not give what is asked, or is not about it."""
OUTCOMES: tuple[Outcome, ...] = ("answered", "not_stated", "off_topic")


@dataclass(frozen=True)
class Citation:
    """A quoted passage that an answer rests on; ``n`` is its marker number ``[n]``."""

    n: int
    chunk_id: str
    chapter: int | None
    chapter_title: str
    section: str | None
    section_title: str
    page: int | None
    text: str
    quote: str
    score: float
    authors: str = ""
    page_label: str = ""

    def label(self, lang: str, titled: bool = False) -> str:
        """Where the passage is, e.g. 'kap. 1, avsnitt 1.2, s. 5' (see ``place_label``)."""
        return place_label(lang, self.chapter, self.section, self.section_title,
                           self.page_label, self.chapter_title if titled else "", titled)


def place_label(
    lang: str, chapter: int | None, section: str | None, section_title: str,
    page_label: str, chapter_title: str = "", titled: bool = False,
) -> str:
    """The one way a citation's place is written: 'kap. 1, avsnitt 1.2, s. 5' for prompts
    and the terminal; with ``titled`` also the titles, 'kap. 1 Inledning, avsnitt 1.8
    Avslutning, s. 23' (the web's citation cards). A section without a number is named by
    its title."""
    sv = lang == "sv"
    parts = []
    if chapter is not None:
        title = f" {chapter_title}" if titled and chapter_title else ""
        parts.append(f"{'kap.' if sv else 'ch.'} {chapter}{title}")
    if section:
        title = f" {section_title}" if titled and section_title else ""
        parts.append(f"{'avsnitt' if sv else 'section'} {section}{title}")
    elif section_title:
        parts.append(section_title)
    if page_label:
        parts.append(page_label)
    return ", ".join(parts)


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of an answer, the citation numbers it carries and whether they support it."""

    text: str
    n: tuple[int, ...]
    supported: bool
    support: float = 1.0


@dataclass
class Answer:
    """What the assistant says: text with ``[n]`` markers, and the citations they map to.

    ``answerability`` is "answered" (``answered`` is true), "not_stated" (the anthology
    discusses the subject but does not give what is asked; the closest passages are cited)
    or "off_topic" (a refusal, nothing cited). ``lead`` is the one-line direct answer that
    opens a factoid answer ("Lennart Denvall [1].").
    """

    question: str
    standalone_question: str
    language: str
    answered: bool
    text: str
    mode: str
    citations: list[Citation] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    confidence: float = 0.0
    sentences: list[AnswerSentence] = field(default_factory=list)
    fallback: str | None = None
    note: str | None = None
    model: str = ""
    checks: dict[str, int] = field(default_factory=dict)
    answerability: Outcome = "answered"
    lead: str = ""
    probabilities: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract shared by ``tillit ask --json`` and the HTTP API."""
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "language": self.language,
            "answered": self.answered,
            "answerability": self.answerability,
            "lead": self.lead,
            "answer": self.text,
            "mode": self.mode,
            "citations": [
                {
                    k: v
                    for k, v in asdict(c).items()
                    if k
                    in {"n", "chunk_id", "chapter", "chapter_title", "section", "page", "text",
                        "quote", "score", "section_title", "authors", "page_label"}
                }
                for c in self.citations
            ],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "confidence": round(self.confidence, 4),
            "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()},
            "sentences": [
                {"text": s.text, "n": list(s.n), "supported": s.supported,
                 "support": round(s.support, 4)}
                for s in self.sentences
            ],
            "fallback": self.fallback,
            "note": self.note,
            "model": self.model,
            "checks": dict(self.checks),
        }
