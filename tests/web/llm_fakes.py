"""Fake LangChain chat models for generated answers in the web tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

# What the fake model answers: a sentence the anthology supports and one it does not.
SUPPORTED = "Tillitsbaserad styrning handlar om att ge medarbetare mer handlingsutrymme"
UNSUPPORTED = "Huvudstaden i Frankrike är Paris"
LLM_REPLY = f"{SUPPORTED} [1]. {UNSUPPORTED} [2]."
LLM_MODEL = "fake-model"


class HeldFakeChat(GenericFakeChatModel):
    """LangChain's fake chat model whose first answer streams ``before`` tokens, then waits
    until ``release`` is set (at most ``limit`` seconds) before the rest; ``holding`` is set
    when it starts to wait. Later answers are not held.

    The test, not the machine's speed, decides when the model goes on: whatever must happen
    while it is busy (a deadline passing, another request) happens before the release.
    """

    before: int = 0
    limit: float = 60.0
    _release: threading.Event = PrivateAttr(default_factory=threading.Event)
    _holding: threading.Event = PrivateAttr(default_factory=threading.Event)
    _calls: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def release(self) -> threading.Event:
        """Set it to let the held answer go on."""
        return self._release

    @property
    def holding(self) -> threading.Event:
        """Set once the first answer waits for ``release``."""
        return self._holding

    @property
    def calls(self) -> int:
        """How many answers the model was asked for."""
        return self._calls

    def _stream(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        with self._lock:
            self._calls += 1
            held = self._calls == 1
        for n, chunk in enumerate(super()._stream(messages, stop, run_manager, **kwargs)):
            if held and n == self.before:
                self._holding.set()
                self._release.wait(self.limit)
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
