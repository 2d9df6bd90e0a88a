"""Stage 1 of the answer pipeline, validate: the question, its earlier turns and its language,
checked and cleaned, or a clear error."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.errors import InvalidQuestion
from assistant.language import detect_language

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff\ud800-\udfff]")


@dataclass(frozen=True)
class Request:
    """A checked question: its text, the earlier questions it may lean on, its language."""

    question: str
    turns: tuple[str, ...]
    language: str


def _normalised(text: str) -> str:
    """``text`` without control characters, its whitespace collapsed and trimmed."""
    return re.sub(r"\s+", " ", _CONTROL.sub(" ", text)).strip()


def clean_question(text: Any, max_chars: int, what: str = "question") -> str:
    """Strip control characters and whitespace; refuse empty or over-long input."""
    sv_what = "Frågan" if what == "question" else "En tidigare fråga i historiken"
    if not isinstance(text, str):
        raise InvalidQuestion(f"The {what} must be text.", f"{sv_what} måste vara text.")
    text = _normalised(text)
    if not text:
        raise InvalidQuestion(f"The {what} is empty.", f"{sv_what} är tom.")
    if len(text) > max_chars:
        raise InvalidQuestion(
            f"The {what} is too long ({len(text)} characters; at most {max_chars}).",
            f"{sv_what} är för lång ({len(text)} tecken; högst {max_chars}).",
        )
    return text


def clean_turns(history: Any, max_chars: int, max_turns: int) -> tuple[str, ...]:
    """The last ``max_turns`` earlier questions, each cleaned; blank ones left out."""
    if not isinstance(history, list | tuple):
        raise InvalidQuestion("History must be a list of earlier questions.",
                              "Historiken måste vara en lista med tidigare frågor.")
    if not max_turns:
        return ()
    # Blank turns are left out before counting, so they never push a real one out.
    turns = [h for h in history if isinstance(h, str) and _normalised(h)]
    return tuple(clean_question(h, max_chars, "history turn") for h in turns[-max_turns:])


def validate(
    question: Any, history: Sequence[str], lang: str | None, max_chars: int, max_turns: int,
) -> Request:
    """The checked request; ``lang`` ("sv"/"en") wins over the detected language."""
    q = clean_question(question, max_chars)
    turns = clean_turns(history, max_chars, max_turns)
    return Request(q, turns, detect_language(q, lang))
