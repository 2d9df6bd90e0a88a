"""What the web layer's routes share: settings, the assistant (if the index opened), feedback."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from assistant.core import Assistant
from assistant.errors import TillitError
from index.store.chroma import close_client
from index.store.served import ServedIndex
from tillit_web.answers import answerability
from tillit_web.feedback import FeedbackStore
from tillit_web.insights import InsightsStore
from tillit_web.limits import AnswerGate, RateLimiter
from tillit_web.settings import AppSettings, WebSettings

log = logging.getLogger("tillit.web")
# Answers under way on a replaced build finish well within this; then its store is closed.
CLOSE_OLD_STORE_AFTER_S = 120.0


@dataclass
class WebState:
    """Shared by the API, the pages and the chat UI of one app."""

    settings: AppSettings
    feedback: FeedbackStore
    assistant: Assistant | None = None
    error: TillitError | None = None
    info: dict[str, Any] = field(default_factory=dict)
    insights: InsightsStore | None = None
    retry_interval_s: float = 10.0
    gate: AnswerGate = field(init=False)
    limiter: RateLimiter = field(init=False)
    _opening: threading.Lock = field(init=False, repr=False)
    _last_attempt: float = field(init=False, default=float("-inf"), repr=False)
    _last_build_check: float = field(init=False, default=float("-inf"), repr=False)
    _failed_build: str | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        self.gate = AnswerGate(self.web.max_concurrent_answers, self.web.max_queued_answers,
                               self.web.queue_timeout_s)
        self.limiter = RateLimiter(self.web.rate_limit_requests, self.web.rate_limit_window_s)
        self._opening = threading.Lock()

    def attach(self, opened: Assistant | TillitError) -> None:
        """Keep the assistant, or the problem that kept it from opening (shown with 503)."""
        if isinstance(opened, TillitError):
            self.assistant, self.error = None, opened
        else:
            self.assistant, self.error, self.info = opened, None, opened.info()

    def open(self) -> None:
        """Open the index through the composition root (without building one: that is the
        server's start-up, or ``tillit index``) and attach the result."""
        from assistant.factory import open_or_build_assistant

        self._last_attempt = time.monotonic()
        try:
            self.attach(open_or_build_assistant(self.settings, build_missing=False))
        except TillitError as exc:
            self.attach(exc)

    def follow_current_build(self) -> None:
        """Serve the build that ``tillit index`` made while this server runs.

        The index pointer is read at most once per ``retry_interval_s``; a newer build is
        opened in a background thread (with the embedder and chat model already loaded)
        while the current one keeps answering, then swapped in; answers under way finish on
        the old one. A newer build that cannot be opened is logged once and the current one
        stays; an unreadable pointer never fails a question.
        """
        now = time.monotonic()
        if self.assistant is None or now - self._last_build_check < self.retry_interval_s:
            return
        self._last_build_check = now
        from assistant.factory import current_build_id

        try:
            newer = current_build_id(self.settings)
        except (TillitError, OSError, ValueError) as exc:
            log.warning("the index pointer cannot be read (%s); serving %s", exc,
                        self.info.get("build_id"))
            return
        if newer is None or newer in (self.info.get("build_id"), self._failed_build):
            return
        if self._opening.acquire(blocking=False):
            threading.Thread(target=self._open_newer, args=(newer, self.assistant), daemon=True,
                             name="tillit-open-newer-build").start()

    def _open_newer(self, build_id: str, old: Assistant) -> None:
        from assistant.factory import open_or_build_assistant

        served = self.info.get("build_id")
        try:
            backend = old.generator.backend if old.generator is not None else None
            opened = open_or_build_assistant(self.settings, embedder=old.embedder,
                                             chat=backend, build_missing=False)
        except TillitError as exc:
            self._failed_build = build_id
            log.warning("build %s cannot be served (%s); still serving %s", build_id,
                        exc.message("en"), served)
        else:
            self.attach(opened)
            log.info("now serving build %s (was %s)", self.info.get("build_id"), served)
            if old.index.store.remote is None:  # an embedded store keeps its files open
                timer = threading.Timer(CLOSE_OLD_STORE_AFTER_S, close_client,
                                        args=(old.index.store.client,))
                timer.daemon = True
                timer.start()
        finally:
            self._opening.release()

    def retry(self) -> bool:
        """On a request while there is no assistant: open the index again (at most once per
        ``retry_interval_s``, one attempt at a time), so that a fixed index is served without
        a restart. True when questions can be answered."""
        if self.assistant is None and self._opening.acquire(blocking=False):
            try:
                if time.monotonic() - self._last_attempt >= self.retry_interval_s:
                    self.open()
            finally:
                self._opening.release()
        return self.ready

    @property
    def web(self) -> WebSettings:
        """The web section of the settings."""
        return self.settings.web

    @property
    def ready(self) -> bool:
        """True when questions can be answered."""
        return self.assistant is not None

    @property
    def index(self) -> ServedIndex | None:
        """The served index, for the reader view and references (None without one)."""
        index = getattr(self.assistant, "index", None)
        return index if isinstance(index, ServedIndex) else None

    def record_answer(self, question: str, answer: dict[str, Any], source: str) -> None:
        """Count an answer for the editors' insights (only when they are on)."""
        if self.insights is not None:
            self.insights.record_answer(question, answerability(answer),
                                        str(answer.get("language") or ""), source)

    def record_vote(self, question: str, vote: int, language: str, source: str) -> None:
        """Count a vote for the editors' insights (only when they are on)."""
        if self.insights is not None:
            self.insights.record_vote(question, vote, language, source)
