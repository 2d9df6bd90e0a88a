"""The direct answer that opens a factoid reply: the name, number, date or place the best
sentence gives, taken nearest to the question's focus ("Lennart Denvall", "70 procent av
alla lärare")."""

from __future__ import annotations

import re

from assistant.question_analysis import QuestionAnalysis
from assistant.tuning import LeadWeights
from index.text.analysis import analyze

_CAP = r"[A-ZÅÄÖÉÜ][a-zåäöéüß]+"
_PERSON = re.compile(rf"{_CAP}(?:\s+[A-ZÅÄÖ]\.)*(?:\s+(?:af|von|van|de|du))?\s+{_CAP}(?:-{_CAP})?")
_SURNAME_YEAR = re.compile(rf"({_CAP})(?:\s+(?:och|&)\s+{_CAP})?,?\s+\(?(?:19|20)\d\d")
_NUMBER = re.compile(
    r"(?:\d+(?:[ ,.]\d+)*|två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|tjugo|hundra|tusen)"
    r"(?:\s*(?:procent|%|kronor|kr|miljoner|miljarder|år|timmar|dagar|veckor|månader))?"
    r"(?:\s+(?:av|of)(?:\s+(?:alla|samtliga|de))?\s+[a-zåäö]+)?",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"(?:(?:\d{1,2}\s+)?(?:januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|"
    r"november|december)\s+)?(?:1[5-9]|20)\d\d(?:-talet)?|\b\d{2,4}-talet", re.IGNORECASE)
_MONTH_AFTER = re.compile(
    r"\s+(?:januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|"
    r"december|january|february|march|may|june|july|august|october)\b", re.IGNORECASE)
_PROPER = re.compile(rf"{_CAP}(?:\s+{_CAP})*")
_TITLE = re.compile(r"[”\"«]([^”\"»]{3,80})[”\"»]")


def _candidates(sentence: str, answer_type: str) -> list[tuple[int, str]]:
    """(offset, text) of the spans of ``answer_type`` in ``sentence``."""
    if answer_type == "person":
        spans = [(m.start(), m.group(0)) for m in _PERSON.finditer(sentence)]
        spans += [(m.start(), m.group(1)) for m in _SURNAME_YEAR.finditer(sentence)]
    elif answer_type == "number":
        spans = [(m.start(), m.group(0)) for m in _NUMBER.finditer(sentence)
                 if not re.fullmatch(r"(?:1[5-9]|20)\d\d", m.group(0).strip())
                 and not _MONTH_AFTER.match(sentence, m.end())]
    elif answer_type == "date":
        spans = [(m.start(), m.group(0)) for m in _DATE.finditer(sentence)]
    elif answer_type == "name":
        spans = [(m.start(1), m.group(1)) for m in _TITLE.finditer(sentence)]
        spans += [(m.start(), m.group(0)) for m in _PROPER.finditer(sentence)
                  if m.start() > 0 and " " in m.group(0)]
    elif answer_type == "place":
        spans = [(m.start(), m.group(0)) for m in _PROPER.finditer(sentence) if m.start() > 0]
    else:
        spans = []
    return [(i, s.strip(" ,.;:()")) for i, s in spans if s.strip(" ,.;:()")]


def extract_lead(sentence: str, analysis: QuestionAnalysis, weights: LeadWeights) -> str | None:
    """The span of the expected type nearest the question's focus in ``sentence``, leaving
    out what the question itself names; None when the sentence holds no such span or it
    stands farther than ``weights.max_distance`` characters from every focus word."""
    asked = {w.lower() for w in (*analysis.focus, *analysis.entities)}
    spans = [(i, s) for i, s in _candidates(sentence, analysis.answer_type)
             if s.lower() not in asked and not all(w.lower() in asked for w in s.split())]
    if not spans:
        return None
    focus = set(analysis.focus_stems)
    anchors = [m.start() for m in re.finditer(r"\w+", sentence)
               if focus & set(analyze(m.group(0)))]
    if not anchors:
        return None

    def distance(span: tuple[int, str]) -> int:
        start, end = span[0], span[0] + len(span[1])
        return min(0 if start <= a <= end else min(abs(start - a), abs(end - a))
                   for a in anchors)

    best = min(spans, key=lambda sp: (distance(sp), sp[0]))
    return best[1] if distance(best) <= weights.max_distance else None
