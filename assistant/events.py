"""The answer stream as typed events: pieces of a generated text, then the final answer."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.retrieval import Retrieval
from assistant.types import Answer


@dataclass(frozen=True)
class Token:
    """A piece of the chat model's text as it comes (replaced by the checked final text)."""

    text: str


@dataclass(frozen=True)
class Final:
    """The complete, checked answer and the ranking it came from."""

    answer: Answer
    retrieval: Retrieval


Event = Token | Final
