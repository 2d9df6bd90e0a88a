"""Fake LangChain chat models for generated answers in the web tests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult

# What the fake model answers: a sentence the anthology supports and one it does not.
SUPPORTED = "Tillitsbaserad styrning handlar om att ge medarbetare mer handlingsutrymme"
UNSUPPORTED = "Huvudstaden i Frankrike är Paris"
LLM_REPLY = f"{SUPPORTED} [1]. {UNSUPPORTED} [2]."
LLM_MODEL = "fake-model"


class PacedFakeChat(GenericFakeChatModel):
    """LangChain's fake chat model, waiting ``pause`` seconds before each streamed token."""

    pause: float = 0.0

    def _stream(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in super()._stream(messages, stop, run_manager, **kwargs):
            time.sleep(self.pause)
            yield chunk


class UnreachableChat(BaseChatModel):
    """A chat model whose server cannot be reached."""

    @property
    def _llm_type(self) -> str:
        return "unreachable"

    def _generate(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any,
    ) -> ChatResult:
        raise ConnectionError("connection refused")

    def _stream(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        raise ConnectionError("connection refused")
