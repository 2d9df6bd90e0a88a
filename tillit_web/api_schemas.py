"""The request bodies of the HTTP API (the answers are ``Answer.to_dict()`` objects)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field, field_validator

_SURROGATES = re.compile(r"[\ud800-\udfff]")


def _no_surrogates(value: Any) -> Any:
    """Lone UTF-16 surrogates (``"\\ud800"`` in JSON) are not text: replace them."""
    if isinstance(value, str):
        return _SURROGATES.sub("\ufffd", value)
    if isinstance(value, list):
        return [_no_surrogates(v) for v in value]
    return value


class AskRequest(BaseModel):
    """A question, the earlier questions of the conversation, and optionally the language."""

    question: str = Field(description="The question, in Swedish or English.")
    history: list[str] = Field(
        default_factory=list, description="Earlier questions of the conversation, oldest first."
    )
    lang: str | None = Field(
        default=None, description="'sv' or 'en' to force the answer language; default: detected."
    )

    _clean = field_validator("question", "history", "lang")(_no_surrogates)


class FeedbackRequest(BaseModel):
    """A vote on one answer."""

    question: str = Field(description="The question that was answered.")
    answer: str = Field(description="The answer text that is rated.")
    chunk_ids: list[str] = Field(default_factory=list, description="Cited chunk ids.")
    vote: str | int | bool = Field(description="'up' or 'down' (also 1/-1, true/false).")
    comment: str = Field(default="", description="Optional free-text comment.")
    lang: str | None = Field(default=None, description="Language of the answer ('sv'/'en').")

    _clean = field_validator("question", "answer", "chunk_ids", "comment", "lang")(_no_surrogates)
