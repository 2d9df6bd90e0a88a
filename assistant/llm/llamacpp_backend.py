"""A local GGUF model in this process through llama-cpp-python and LangChain's
``ChatLlamaCpp``. Installed by ``tillit llm install-local`` (an optional extra)."""

from __future__ import annotations

import os

from assistant.errors import ModelMissing
from assistant.generate import ChatBackend
from assistant.llm.local_model import resolve_model_path
from assistant.settings import Settings


def llamacpp_backend(settings: Settings) -> ChatBackend:
    """``ChatLlamaCpp`` over the configured (or installed) GGUF file."""
    path = resolve_model_path(settings)
    try:
        from langchain_community.chat_models import ChatLlamaCpp
    except ImportError as exc:
        raise ModelMissing(
            "The local model runtime is not installed. Run: tillit llm install-local",
            "Körmiljön för den lokala modellen är inte installerad. Kör: tillit llm install-local",
        ) from exc
    model = ChatLlamaCpp(
        model_path=str(path),
        n_ctx=settings.llm_context_tokens,
        n_threads=settings.llm_threads or os.cpu_count() or 2,
        n_batch=512,
        max_tokens=settings.llm_max_tokens,
        temperature=settings.llm_temperature,
        streaming=True,
        verbose=False,
    )
    llama = model.client

    def count(text: str) -> int:
        return len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    return ChatBackend(
        model=model, name=path.stem, count_tokens=count,
        context_tokens=settings.llm_context_tokens, serial=True,
    )
