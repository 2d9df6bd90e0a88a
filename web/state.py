"""What the web layer's routes share: settings, the assistant (if the index opened), feedback."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.core import Assistant
from assistant.errors import TillitError
from assistant.settings import Settings
from assistant.web_settings import WebSettings
from index.served import ServedIndex
from web.answers import answerability
from web.feedback import FeedbackStore
from web.insights import InsightsStore
from web.limits import AnswerGate, RateLimiter


@dataclass
class WebState:
    """Shared by the API, the pages and the chat UI of one app."""

    settings: Settings
    feedback: FeedbackStore
    assistant: Assistant | None = None
    error: TillitError | None = None
    info: dict[str, Any] = field(default_factory=dict)
    insights: InsightsStore | None = None
    gate: AnswerGate = field(init=False)
    limiter: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.gate = AnswerGate(self.web.max_concurrent_answers, self.web.max_queued_answers,
                               self.web.queue_timeout_s)
        self.limiter = RateLimiter(self.web.rate_limit_requests, self.web.rate_limit_window_s)

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
