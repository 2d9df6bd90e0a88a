"""Value types shared by the core and its adapters."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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

    def label(self, lang: str) -> str:
        """A human reference such as 'kap. 1, avsnitt 1.2, s. 5'."""
        parts = []
        if self.chapter is not None:
            parts.append(f"kap. {self.chapter}" if lang == "sv" else f"ch. {self.chapter}")
        if self.section:
            parts.append(f"avsnitt {self.section}" if lang == "sv" else f"section {self.section}")
        elif self.section_title:
            parts.append(self.section_title)
        if self.page_label:
            parts.append(self.page_label)
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
    answerability: str = "answered"
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
