"""Follow-up questions: build a standalone retrieval query from the conversation, no LLM."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from index.text.analysis import analyze

# Words that point back into the conversation ('he', 'that', 'there', 'what about ...').
_ANAPHORA = re.compile(
    r"\b(han|hon|hen|den|det|de|dem|denna|detta|dessa|hans|hennes|deras|dess|där|då|"
    r"samma|sådan\w*|också|även|mer|fler|vidare|annars|he|she|they|it|its|his|her|their|them|"
    r"this|that|these|those|there|then|same|such|also|more|else|further)\b",
    re.IGNORECASE,
)
_OPENERS = re.compile(
    r"^\s*(och|men|än|hur då|varför då|vad mer|what about|and|but|how about|why so|"
    r"what else|tell me more|berätta mer)\b",
    re.IGNORECASE,
)
_FOLLOWUP_MAX_TERMS = 3


def is_follow_up(question: str) -> bool:
    """Does ``question`` lean on earlier turns (pronouns, 'and ...', very few content words)?"""
    terms = analyze(question)
    if _OPENERS.search(question):
        return True
    return len(terms) <= _FOLLOWUP_MAX_TERMS and bool(_ANAPHORA.search(question))


def earlier_context(question: str, history: Sequence[str]) -> str | None:
    """The earlier turns a follow-up builds on, joined; None for a standalone question."""
    standalone = condense(question, history)
    rest = standalone[len(question.strip()) :].strip()
    return rest or None


def condense(question: str, history: Sequence[str]) -> str:
    """A standalone query for retrieval: the question, plus the earlier turn it builds on.

    Walks back through the history while the turns are themselves follow-ups, so a chain
    ('Who wrote chapter 9?' → 'Where is he from?' → 'And what did he study?') keeps the
    topic of its first question.
    """
    question = question.strip()
    if not history or not is_follow_up(question):
        return question
    context: list[str] = []
    for turn in reversed(history):
        turn = turn.strip()
        if not turn:
            continue
        context.insert(0, turn)
        if not is_follow_up(turn):
            break
    return " ".join([question, *context])


@dataclass
class Conversation:
    """One user's turns, oldest first; adapters keep one per session, never a global."""

    turns: list[str] = field(default_factory=list)
    max_turns: int = 20

    def add(self, question: str) -> None:
        """Remember a question the user asked."""
        self.turns.append(question)
        del self.turns[: max(len(self.turns) - self.max_turns, 0)]

    def history(self) -> list[str]:
        """The earlier questions, oldest first."""
        return list(self.turns)


@dataclass(frozen=True)
class Standalone:
    """Stage 2 of the answer pipeline, condense: what retrieval searches for (``query``), the
    earlier turns a follow-up builds on (``context``) and what a chat model is asked
    (``for_model``); ``condense_ms`` is the chat model's time when it rewrote the question."""

    query: str
    context: str | None
    for_model: str
    condense_ms: float | None = None


class Condenser(Protocol):
    """A chat model that rewrites a follow-up as a standalone question (None: it could not)."""

    def condense(self, question: str, history: Sequence[str], lang: str) -> str | None: ...

    def earlier_label(self, lang: str) -> str: ...


def standalone(question: str, turns: Sequence[str], language: str,
               model: Condenser | None = None) -> Standalone:
    """The standalone form of ``question``: rule-based, or rewritten by ``model`` when a
    follow-up has earlier turns to lean on (the rule-based query stays when it cannot)."""
    query, context = condense(question, turns), earlier_context(question, turns)
    if model is None or context is None:
        return Standalone(query, context, question)
    started = time.perf_counter()
    rewritten = model.condense(question, turns, language)
    spent = (time.perf_counter() - started) * 1e3
    for_model = rewritten or f"{question}\n({model.earlier_label(language)}: {context})"
    return Standalone(rewritten or query, context, for_model, spent)
