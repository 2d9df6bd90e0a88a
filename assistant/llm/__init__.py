"""Chat-model backends for generated answers, one adapter file per backend."""

from __future__ import annotations

from assistant.generate import ChatBackend
from assistant.settings import Settings


def build_chat_backend(settings: Settings) -> ChatBackend | None:
    """The chat model named by ``settings.llm``; None for quoted (extractive) answers."""
    if settings.llm == "openai":
        from assistant.llm.openai_backend import openai_backend

        return openai_backend(settings)
    if settings.llm == "llamacpp":
        from assistant.llm.llamacpp_backend import llamacpp_backend

        return llamacpp_backend(settings)
    return None
