"""Does a sentence carry what the question asks for? Per-sentence evidence checks and the
question-level features the answerability decision is made from.

A sentence *carries the type* when it holds what the expected answer type needs (a
person's name for *vem/who*, a number for *hur många/how many*, a year for *när/when*, a
defining verb for a definition …) and *covers the focus* when it holds the question's
content terms (Snowball stems) — or, across languages, when the embedder puts the terms
close to it. Names and numbers in the question must appear in the evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.question_analysis import QuestionAnalysis
from index.text.analysis import analyze

_CAP = r"[A-ZÅÄÖÉÜ][a-zåäöéüß]+"
TYPE_PATTERNS: dict[str, re.Pattern[str]] = {
    "person": re.compile(
        rf"\b{_CAP}(?:\s+[A-ZÅÄÖ]\.)*\s+(?:(?:af|von|van|de|du)\s+)?{_CAP}(?:-{_CAP})?\b"
        rf"|\b{_CAP}(?:\s+(?:och|&|and)\s+{_CAP})?,?\s+\(?(?:19|20)\d\d"
    ),
    "number": re.compile(
        r"(?<![\d-])(?!(?:1[5-9]|20)\d\d(?:-talet)?\b)\d+(?![\d-]*-talet)|\b(?:två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|tjugo|trettio|fyrtio|femtio|"
        r"hundra|tusen|miljon\w*|miljard\w*|hälften|tredjedel\w*|fjärdedel\w*|majoritet\w*|"
        r"procent|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million\w*|"
        r"half|percent|per cent)\b", re.IGNORECASE),
    "date": re.compile(
        r"\b(?:1[5-9]|20)\d\d\b|\b(?:januari|februari|mars|april|maj|juni|juli|augusti|"
        r"september|oktober|november|december|january|february|march|may|june|july|august|"
        r"october)\b|\b\d{2,4}-talet\b", re.IGNORECASE),
    "place": re.compile(
        rf"(?<![.!?]\s)(?<!^)\b{_CAP}\b|\b\w*(?:kommun|stad|myndighet|region|landsting|"
        r"universitet|högskola|departement|verket|förvaltning|municipality|agency|university)\w*"
    ),
    "name": re.compile(rf"(?<![.!?]\s)(?<!^)\b{_CAP}\b|[”\"«][^”\"»]{{3,}}[”\"»]"),
    "list": re.compile(r",[^,]+(?:,|\boch\b|\band\b|\beller\b)|;|:\s|\b(?:dels|både)\b"),
    "definition": re.compile(
        r"\b(?:är|innebär|definieras|definierar|avses|betyder|handlar om|beskrivs som|"
        r"kan förstås som|syftar på|menas|means|is defined|refers to|is understood)\b",
        re.IGNORECASE),
    "reason": re.compile(
        r"\b(?:eftersom|därför|på grund av|beror på|bero på|leder till|ledde till|orsak\w*|"
        r"skäl\w*|förklaring\w*|because|since|due to|reason\w*)\b", re.IGNORECASE),
    "method": re.compile(
        r"\b(?:genom|med hjälp av|via|metod\w*|arbetssätt\w*|verktyg\w*|by|through|method\w*)\b",
        re.IGNORECASE),
}
# Sentences about the book itself ('I kapitel 3 återkommer jag …') answer little.
_ABOUT_THE_BOOK = re.compile(
    r"\b(?:i (?:detta|det här|nästa|följande) kapitel|i kapitel \d+|kapitel \d+ (?:handlar|tar)|"
    r"återkommer (?:jag|vi)|(?:jag|vi) (?:kommer att|ska) (?:diskutera|beskriva|återkomma)|"
    r"denna antologi|i antologin|this chapter|in chapter \d+)\b",
    re.IGNORECASE,
)
_DEFINING = re.compile(
    r"\b(?:innebär|definieras|definierar|avses|betyder|kan beskrivas som|kan förstås som|"
    r"syftar på|handlar om|means|is defined as|refers to)\b|\b(?:är|is) (?:en|ett|a|an|the)\b",
    re.IGNORECASE,
)


def carries_type(text: str, answer_type: str) -> bool:
    """Does ``text`` hold what an answer of ``answer_type`` needs? (open/yes-no: always)"""
    pattern = TYPE_PATTERNS.get(answer_type)
    return True if pattern is None else bool(pattern.search(text.strip()))


_ASKS_ABOUT_THE_BOOK = re.compile(
    r"\b(?:författ\w*|authors?|skrev|skrivit|skrivet|wrote|written|sidor|pages?|"
    r"hur många kapitel|how many chapters|titel\w*|titles?|heter|called|affiliat\w*|"
    r"arbetar|works?)\b",
    re.IGNORECASE,
)


def asks_about_the_book(question: str) -> bool:
    """Does the question ask what the book says about itself (authors and where they work,
    titles, pages, how many chapters), not what a chapter discusses?"""
    return bool(_ASKS_ABOUT_THE_BOOK.search(question))


_CHAPTER_ASKED = re.compile(r"\b(?:kapitel|kap\.|chapter|ch\.)\s*(\d{1,2})\b", re.IGNORECASE)


def chapters_asked(question: str) -> frozenset[int]:
    """The chapter numbers a question names ('Vem skrev kapitel 3?' → {3}); empty when it
    names none ('Who wrote the introduction?')."""
    return frozenset(int(m.group(1)) for m in _CHAPTER_ASKED.finditer(question))


def about_the_book(text: str) -> bool:
    """Is ``text`` a sentence about the book or chapter itself rather than its subject?"""
    return bool(_ABOUT_THE_BOOK.search(text))


def defines(text: str) -> bool:
    """Does ``text`` read as a definition (är en …, innebär, definieras, avses …)?"""
    return bool(_DEFINING.search(text))


def focus_coverage(analysis: QuestionAnalysis, text: str) -> float:
    """Share of the question's focus stems found in ``text`` (1.0 for no focus)."""
    if not analysis.focus_stems:
        return 1.0
    stems = set(analyze(text))
    return sum(s in stems for s in analysis.focus_stems) / len(analysis.focus_stems)


def entity_coverage(analysis: QuestionAnalysis, text: str) -> float:
    """Share of the question's names and numbers that ``text`` holds (1.0 when none)."""
    wanted = list(analysis.entities) + list(analysis.numbers)
    if not wanted:
        return 1.0
    stems = set(analyze(text))
    found = 0
    for w in wanted:
        if w.isdigit():
            found += bool(re.search(rf"(?<!\d){re.escape(w)}(?!\d)", text))
        else:
            found += any(s in stems for s in analyze(w)) or w.lower() in text.lower()
    return found / len(wanted)


def semantic_focus(term_vectors: np.ndarray, sentence_vectors: np.ndarray) -> float:
    """Mean over the focus terms of their best cosine to any sentence (0 when either is empty).

    Matches English terms to Swedish sentences through the multilingual embedder."""
    if not len(term_vectors) or not len(sentence_vectors):
        return 0.0
    return float(np.mean(np.max(term_vectors @ sentence_vectors.T, axis=1)))


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage with its relevance score."""

    rank: int
    text: str
    score: float
    vector: np.ndarray


FEATURES = (
    "dense_top", "background_top", "margin", "lexical_coverage", "best_score",
    "best_focus", "semantic_focus", "type_top", "type_any", "typed_gap", "typed_focus",
    "entity_coverage", "has_entities", "factoid", "english", "about_book_top",
    "focus_idf_max", "typed_focus_max", "focus_missing", "rarest_missing", "weakest_term",
    "lead_near_focus", "type_in_focus_sentence", "lead_in_focus_sentence",
    "sv_focus_missing", "sv_rarest_missing",
)


def weighted_focus(analysis: QuestionAnalysis, text: str, idf: Callable[[str], float]) -> float:
    """Share of the question's focus stems in ``text``, each weighted by its rarity (idf)."""
    if not analysis.focus_stems:
        return 1.0
    stems = set(analyze(text))
    total = sum(idf(s) for s in analysis.focus_stems)
    return sum(idf(s) for s in analysis.focus_stems if s in stems) / total if total else 1.0


def question_features(
    analysis: QuestionAnalysis,
    candidates: Sequence[Candidate],
    passages: Sequence[str],
    dense_top: float,
    background_top: float,
    lexical_coverage: float,
    term_vectors: np.ndarray,
    idf: Callable[[str], float] = lambda _: 1.0,
    lead: Callable[[str], str | None] = lambda _: None,
) -> dict[str, float]:
    """The signals the answerability decision is made from (named as in ``FEATURES``).

    ``candidates`` are sorted best first; ``passages`` are the retrieved texts, best first;
    ``idf`` weighs a stem by its rarity in the index; ``lead`` finds the direct answer of
    a factoid question in a sentence."""
    top = list(candidates[:24])
    best = top[0] if top else None
    typed = [c for c in top if carries_type(c.text, analysis.answer_type)]
    focus = [focus_coverage(analysis, c.text) for c in top]
    best_typed = typed[0] if typed else None
    vectors = np.stack([c.vector for c in top]) if top else np.zeros((0, 1))
    joined = " ".join(passages[:2])
    near = list(candidates[:12])
    wfocus = [weighted_focus(analysis, c.text, idf) for c in near]
    typed_w = [w for c, w in zip(near, wfocus, strict=True)
               if carries_type(c.text, analysis.answer_type)]
    all_stems = set(analyze(" ".join(passages)))
    missing = [s for s in analysis.focus_stems if s not in all_stems]
    total_idf = sum(idf(s) for s in analysis.focus_stems) or 1.0
    max_idf = max((idf(s) for s in analysis.focus_stems), default=1.0) or 1.0
    per_term = (np.max(term_vectors @ vectors.T, axis=1)
                if len(term_vectors) and top else np.zeros(0))
    leads = analysis.factoid and any(
        w >= 0.5 and lead(c.text) for c, w in zip(near, wfocus, strict=True))
    focal = near[int(np.argmax(wfocus))] if near else None
    swedish = analysis.language == "sv"
    focus_missing = sum(idf(s) for s in missing) / total_idf
    rarest_missing = max((idf(s) for s in missing), default=0.0) / max_idf
    return {
        "type_in_focus_sentence": float(focal is not None
                                        and carries_type(focal.text, analysis.answer_type)),
        "lead_in_focus_sentence": float(focal is not None and analysis.factoid
                                        and bool(lead(focal.text))),
        "sv_focus_missing": focus_missing if swedish else 0.0,
        "sv_rarest_missing": rarest_missing if swedish else 0.0,
        "focus_idf_max": max(wfocus, default=0.0),
        "typed_focus_max": max(typed_w, default=0.0),
        "focus_missing": focus_missing,
        "rarest_missing": rarest_missing,
        "weakest_term": float(per_term.min()) if len(per_term) else 0.0,
        "lead_near_focus": float(leads),
        "dense_top": dense_top,
        "background_top": background_top,
        "margin": dense_top - background_top,
        "lexical_coverage": lexical_coverage,
        "best_score": best.score if best else 0.0,
        "best_focus": max(focus, default=0.0),
        "semantic_focus": semantic_focus(term_vectors, vectors) if top else 0.0,
        "type_top": float(best is not None and carries_type(best.text, analysis.answer_type)),
        "type_any": float(bool(typed)),
        "typed_gap": (best_typed.score - best.score) if best and best_typed else -0.5,
        "typed_focus": focus_coverage(analysis, best_typed.text) if best_typed else 0.0,
        "entity_coverage": entity_coverage(analysis, joined),
        "has_entities": float(bool(analysis.entities or analysis.numbers)),
        "factoid": float(analysis.factoid),
        "english": float(analysis.language == "en"),
        "about_book_top": float(best is not None and about_the_book(best.text)),
    }
