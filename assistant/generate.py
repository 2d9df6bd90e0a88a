"""Generated answers through any LangChain chat model: prompt assembly within the model's
window, token streaming under a deadline, and follow-up condensing."""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from assistant.errors import TillitError
from assistant.prompts import GenerationPrompts
from assistant.verify import strip_markers


class GenerationFailed(TillitError):
    """The model failed, timed out or could not be reached; ``reason`` says which."""

    exit_code = 4
    user_error = False

    def __init__(self, reason: str, detail: str = "") -> None:
        what = f"{reason}: {detail}" if detail else reason
        super().__init__(f"The language model failed ({what}).",
                         f"Språkmodellen misslyckades ({what}).")
        self.reason = reason
        self.detail = detail


@dataclass
class ChatBackend:
    """A LangChain chat model and what the generator needs to know about it."""

    model: BaseChatModel
    name: str
    count_tokens: Callable[[str], int]
    context_tokens: int
    serial: bool = False
    """In-process models run one generation at a time."""


@dataclass(frozen=True)
class Passage:
    """A numbered passage as the model sees it."""

    n: int
    label: str
    text: str


class Generator:
    """Streams answers from a chat model with a deadline; condenses follow-ups."""

    def __init__(
        self,
        backend: ChatBackend,
        prompts: dict[str, GenerationPrompts],
        *,
        max_answer_tokens: int,
        timeout_s: float,
        first_token_timeout_s: float,
        condense_timeout_s: float,
    ) -> None:
        self.backend = backend
        self.prompts = prompts
        self.max_answer_tokens = max_answer_tokens
        self.timeout_s = timeout_s
        self.first_token_timeout_s = first_token_timeout_s
        self.condense_timeout_s = condense_timeout_s
        self._lock = threading.Lock() if backend.serial else None

    @property
    def name(self) -> str:
        """The model's name, shown with generated answers."""
        return self.backend.name

    def answer_messages(
        self, question: str, passages: Sequence[Passage], lang: str
    ) -> tuple[list[BaseMessage], int]:
        """System and user messages for ``question``, and how many passages fit the window.

        The lowest-ranked passages are left out first; the last one left is cut to fit.
        """
        p = self.prompts[lang]
        system = p.system.format(refusal=p.refusal)
        budget = self.backend.context_tokens - self.max_answer_tokens - 32
        kept = list(passages)
        while True:
            user = p.user.format(question=question, passages=self._passages(p, kept),
                                 refusal=p.refusal)
            used = self.backend.count_tokens(system) + self.backend.count_tokens(user)
            if used <= budget or not kept:
                break
            if len(kept) == 1:
                over = used - budget
                text = kept[0].text
                cut = max(0, len(text) - int(over * 4 * 1.2) - 20)
                if cut == 0:
                    kept = []
                else:
                    kept = [Passage(kept[0].n, kept[0].label, text[:cut] + " …")]
                    if cut < 40:
                        kept = []
                continue
            kept = kept[:-1]
        if not kept:
            raise GenerationFailed("context", "the question leaves no room for passages")
        return [SystemMessage(system), HumanMessage(user)], len(kept)

    @staticmethod
    def _passages(p: GenerationPrompts, passages: Sequence[Passage]) -> str:
        return "\n\n".join(
            p.passage.format(n=x.n, label=x.label, text=re.sub(r"\s+", " ", x.text).strip())
            for x in passages
        )

    def stream(
        self, messages: list[BaseMessage], first_token_timeout_s: float | None = None,
        timeout_s: float | None = None,
    ) -> Iterator[str]:
        """The model's reply token by token; ``GenerationFailed`` on error or deadline.

        The model runs in a worker thread so a stalled server or a slow prompt cannot hold
        the caller past its deadline; a cancelled worker stops at its next token.
        """
        first_limit = first_token_timeout_s or self.first_token_timeout_s
        total_limit = timeout_s or self.timeout_s
        items: queue.Queue[tuple[str, Any]] = queue.Queue()
        cancel = threading.Event()
        model = self.backend.model
        lock = self._lock

        def work() -> None:
            # A serial model busy past our first-token deadline: give up rather than queue.
            if lock is not None and not lock.acquire(timeout=first_limit):
                return
            try:
                if cancel.is_set():
                    return
                for chunk in model.stream(messages):
                    if cancel.is_set():
                        return
                    text = chunk.content if isinstance(chunk.content, str) else chunk.text
                    if text:
                        items.put(("token", text))
                items.put(("done", None))
            except Exception as exc:  # any backend failure becomes a fallback
                items.put(("error", exc))
            finally:
                if lock is not None:
                    lock.release()

        threading.Thread(target=work, daemon=True, name="tillit-generate").start()
        start = time.monotonic()
        got_first = False
        try:
            while True:
                now = time.monotonic()
                remaining = start + total_limit - now
                if not got_first:
                    remaining = min(remaining, start + first_limit - now)
                try:
                    if remaining <= 0:
                        raise queue.Empty
                    kind, value = items.get(timeout=remaining)
                except queue.Empty:
                    what = "first token" if not got_first else "answer"
                    raise GenerationFailed("timeout", f"no {what} in time") from None
                if kind == "token":
                    got_first = True
                    yield value
                elif kind == "done":
                    return
                else:
                    raise GenerationFailed("error", f"{type(value).__name__}: {value}")
        finally:
            cancel.set()

    def complete(self, messages: list[BaseMessage], timeout_s: float) -> str:
        """The whole reply as one string, within ``timeout_s``."""
        return "".join(self.stream(messages, timeout_s, timeout_s))

    def condense(self, question: str, history: Sequence[str], lang: str) -> str | None:
        """A standalone version of a follow-up question, or None when the model fails
        (the caller then uses the non-LLM condenser)."""
        p = self.prompts[lang]
        user = p.condense_user.format(
            question=question, history="\n".join(f"- {h}" for h in history[-4:])
        )
        try:
            reply = self.complete([SystemMessage(p.condense_system), HumanMessage(user)],
                                  self.condense_timeout_s)
        except GenerationFailed:
            return None
        line = strip_markers(reply.strip().splitlines()[0] if reply.strip() else "")
        line = re.sub(r"^(?:fristående fråga|standalone question)\s*:\s*", "", line,
                      flags=re.IGNORECASE).strip(" \"'”“")
        if not line or len(line) > 4 * len(question) + 300:
            return None
        return line

    def earlier_label(self, lang: str) -> str:
        """How the prompt names the earlier questions a follow-up leans on."""
        return self.prompts[lang].earlier

    def is_refusal(self, text: str, lang: str) -> bool:
        """Does the model's answer open with the refusal sentence (in either language)?
        A refusal of part of the question after an answer is not a refusal."""
        def norm(t: str) -> str:
            t = strip_markers(t).replace("’", "'").replace("`", "'").lower()
            return re.sub(r"[^\w']+", " ", t).strip()

        opening = norm(text)[:60]
        return any(opening.startswith(norm(p.refusal)[:30]) for p in self.prompts.values())
