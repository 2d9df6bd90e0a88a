"""What a question asks for: its expected answer type, the count it names, and its focus.

Rules per language are data (``resources/question_rules.{sv,en}.toml``): the first type
whose pattern matches the lower-cased question wins; words listed as generic frame the
question without naming its subject and are left out of the focus.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from index.text.analysis import analyze

ANSWER_TYPES = ("person", "place", "number", "date", "name", "list", "definition", "reason",
                "method", "yesno", "open")
FACTOID_TYPES = frozenset({"person", "place", "number", "date", "name"})
WORD = re.compile(r"[^\W_][\w-]*", re.UNICODE)
"""A word of a question, as its focus and names are taken from it."""
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\b")


@dataclass(frozen=True)
class QuestionRules:
    """The reading rules of one language."""

    language: str
    types: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    counts: dict[str, int]
    generic: frozenset[str]


@dataclass(frozen=True)
class QuestionAnalysis:
    """A question read for answering: what type of answer, about what."""

    language: str
    answer_type: str
    count: int | None
    focus: tuple[str, ...]
    focus_stems: tuple[str, ...]
    entities: tuple[str, ...]
    numbers: tuple[str, ...]

    @property
    def factoid(self) -> bool:
        """Does the question ask for one fact (a name, place, number, date or title)?"""
        return self.answer_type in FACTOID_TYPES


@lru_cache(maxsize=4)
def load_rules(lang: str) -> QuestionRules:
    """The rules for ``lang`` ("sv" or "en") from the package's resources."""
    text = (resources.files("assistant") / "resources" / f"question_rules.{lang}.toml"
            ).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    types = tuple(
        (t["type"], tuple(re.compile(p) for p in t["patterns"])) for t in data["types"]
    )
    unknown = {t for t, _ in types} - set(ANSWER_TYPES)
    if unknown:
        raise ValueError(f"question_rules.{lang}.toml: unknown answer type(s) {unknown}")
    return QuestionRules(lang, types, dict(data.get("counts", {})),
                         frozenset(data.get("words", {}).get("generic", [])))


def answer_type(question: str, rules: QuestionRules) -> str:
    """The expected answer type of ``question`` ("open" when no rule matches)."""
    q = question.lower().strip()
    for name, patterns in rules.types:
        if any(p.search(q) for p in patterns):
            return name
    return "open"


def analyse_question(question: str, lang: str, asked: str | None = None) -> QuestionAnalysis:
    """Read ``question`` (in ``lang``) with that language's rules.

    ``asked`` is the question as the user wrote it when ``question`` is a follow-up's
    standalone form (the follow-up plus the earlier turn it leans on): the answer type
    comes from what was asked now, the focus from both."""
    rules = load_rules(lang)
    kind = answer_type(asked or question, rules)
    words = WORD.findall(question)
    lowered = [w.lower() for w in words]
    asked_words = [w.lower() for w in WORD.findall(asked or question)]
    count = next((rules.counts[w] for w in asked_words if w in rules.counts), None)
    if kind not in ("list", "place", "person") or count is None:
        count = count if kind == "list" else None
    focus = tuple(dict.fromkeys(
        w for w, lw in zip(words, lowered, strict=True)
        if lw not in rules.generic and analyze(lw)
    ))
    stems = tuple(dict.fromkeys(s for w in focus for s in analyze(w)))
    entities = tuple(dict.fromkeys(
        w for i, w in enumerate(words)
        if i > 0 and w[0].isupper() and w.lower() not in rules.generic and len(w) > 1
    ))
    return QuestionAnalysis(lang, kind, count, focus, stems, entities,
                            tuple(dict.fromkeys(_NUMBER.findall(question))))
