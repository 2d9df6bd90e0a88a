"""The web layer's settings (server, limits, access, insights) and the one settings object of
a running Tillit, ``AppSettings``: the core's ``Settings`` with this section as ``web``.

The web layer owns its section; the root (the ``tillit`` command, and each server worker)
makes ``AppSettings``. The variables keep their flat names (``TILLIT_HOST``, ``TILLIT_PORT``
…).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from assistant.settings import Settings

_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+$")


class WebSettings(BaseSettings):
    """Server, access and limit settings of the web layer, read from ``TILLIT_*`` environment
    variables when the ``Settings`` they belong to is made."""

    model_config = SettingsConfigDict(env_prefix="TILLIT_", extra="ignore")

    host: str = Field(
        default="127.0.0.1",
        description="Interface to listen on (TILLIT_HOST). Use 0.0.0.0 to serve the network.",
    )
    port: int = Field(default=7860, ge=0, le=65535, description="TCP port (TILLIT_PORT).")
    root_path: str = Field(
        default="",
        description="Public path prefix when served behind a reverse proxy, e.g. /tillit "
        "(TILLIT_ROOT_PATH). The proxy strips it before forwarding.",
    )
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins (scheme://host[:port]) allowed to call the API from the browser "
        "and to frame the chat, comma separated (TILLIT_ALLOWED_ORIGINS). Empty: only the "
        "server's own origin.",
    )
    max_body_bytes: int = Field(
        default=64_000, ge=1_000, description="Largest request body accepted (413 beyond)."
    )
    feedback_max_comment_chars: int = Field(
        default=2000, ge=0, description="Longest feedback comment accepted."
    )
    feedback_max_answer_chars: int = Field(
        default=20_000, ge=100, description="Longest answer text a feedback record may carry."
    )
    stream_delay_ms: int = Field(
        default=25, ge=0, le=1000,
        description="Pause between streamed pieces of quoted answers in the chat UI, so the "
        "text visibly streams; with a language model, the shortest interval between updates "
        "of its draft.",
    )
    concurrency: int = Field(
        default=4, ge=1, le=64, description="Chat answers computed at once by the UI queue."
    )
    warm_up: bool = Field(
        default=True,
        description="Answer one question before serving so the first user does not wait for "
        "lazy model loading.",
    )
    workers: int = Field(
        default=1, ge=1, le=32,
        description="Server processes (TILLIT_WORKERS, or `tillit serve --workers N`). More "
        "than one needs a Chroma server (TILLIT_CHROMA_HOST): the workers then hold no "
        "passage vectors and share the build's mapped files. Answer slots, queue and rate "
        "limits below apply per worker.",
    )
    max_concurrent_answers: int = Field(
        default=4, ge=1, le=64,
        description="API answers (/api/ask, /api/ask/stream) computed at once "
        "(TILLIT_MAX_CONCURRENT_ANSWERS); the rest wait in a queue.",
    )
    max_queued_answers: int = Field(
        default=64, ge=0, le=10_000,
        description="API requests that may wait for an answer slot (TILLIT_MAX_QUEUED_ANSWERS); "
        "beyond that they are shed at once with 503 and Retry-After. Also the size of the "
        "chat's queue.",
    )
    queue_timeout_s: float = Field(
        default=20.0, gt=0, le=600,
        description="Longest wait for an answer slot (TILLIT_QUEUE_TIMEOUT_S); then 503 with "
        "Retry-After.",
    )
    retry_after_s: int = Field(
        default=5, ge=1, le=3600,
        description="Seconds given in Retry-After when a request is shed for load (503).",
    )
    rate_limit_requests: int = Field(
        default=60, ge=0,
        description="Questions and votes one client may send per window "
        "(TILLIT_RATE_LIMIT_REQUESTS; 0 turns rate limiting off). A client is the "
        "authenticated user under TILLIT_AUTH_HEADER, else its address (X-Forwarded-For from "
        "a trusted proxy). Beyond it: 429 with Retry-After.",
    )
    rate_limit_window_s: float = Field(
        default=60.0, gt=0, le=86_400,
        description="The window of TILLIT_RATE_LIMIT_REQUESTS, in seconds "
        "(TILLIT_RATE_LIMIT_WINDOW_S). The budget refills evenly over it (token bucket).",
    )
    auth_token: SecretStr | None = Field(
        default=None,
        description="Shared secret (TILLIT_AUTH_TOKEN). When set, every route (API, chat, "
        "widget, docs) needs `Authorization: Bearer <token>` or HTTP Basic with the token as "
        "password (browsers ask for it). Unset: no access control.",
    )
    auth_header: str = Field(
        default="",
        description="Name of a header set by a trusted reverse proxy after it authenticated "
        "the user (TILLIT_AUTH_HEADER, e.g. X-Remote-User). When set, requests without it "
        "(non-empty) get 401. Only safe when the server is reachable through the proxy alone.",
    )
    log_questions: bool = Field(
        default=False,
        description="Write the text of questions to the log (TILLIT_LOG_QUESTIONS). Off by "
        "default: only their length, language and timings are logged.",
    )

    source_url: str = Field(
        default="",
        description="Link from each citation card to the page in your own copy of the book "
        "(TILLIT_SOURCE_URL), a template with {page} (and optionally {chapter}), e.g. "
        "https://intranet.example/sou-2018-38.pdf#page={page}. Empty: no such link.",
    )
    insights: bool = Field(
        default=False,
        description="Keep statistics for the editors at /admin (TILLIT_INSIGHTS): questions "
        "per day, how they were answered, votes, and the text of questions that were not "
        "answered or got a thumbs-down. Off: nothing of it is stored.",
    )
    insights_retention_days: int = Field(
        default=90, ge=1, le=3650,
        description="Days the insights are kept (TILLIT_INSIGHTS_RETENTION_DAYS); older ones "
        "are deleted.",
    )
    admin_token: SecretStr | None = Field(
        default=None,
        description="Token that opens /admin (TILLIT_ADMIN_TOKEN), as Bearer or as the HTTP "
        "Basic password; it also passes TILLIT_AUTH_TOKEN's check.",
    )
    admin_group: str = Field(
        default="",
        description="Group whose members may open /admin (TILLIT_ADMIN_GROUP), read from the "
        "header TILLIT_AUTH_GROUPS_HEADER that the authenticating proxy sets. Needs "
        "TILLIT_AUTH_HEADER.",
    )
    auth_groups_header: str = Field(
        default="X-Remote-Groups",
        description="Header with the user's groups, comma separated, set by the "
        "authenticating proxy (TILLIT_AUTH_GROUPS_HEADER).",
    )

    @field_validator("source_url")
    @classmethod
    def _check_source_url(cls, value: str) -> str:
        value = value.strip()
        if value and not re.match(r"^https?://", value):
            raise ValueError("TILLIT_SOURCE_URL must start with http:// or https://")
        return value

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [v for v in re.split(r"[,\s]+", value) if v]
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _check_origins(cls, value: list[str]) -> list[str]:
        out = []
        for origin in value:
            origin = origin.rstrip("/")
            if not _ORIGIN.match(origin):
                raise ValueError(
                    f"not an origin (scheme://host[:port], no path): {origin!r}"
                )
            out.append(origin)
        return out

    @field_validator("auth_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("admin_token", mode="before")
    @classmethod
    def _empty_admin_token_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("auth_token", "admin_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("tokens (TILLIT_AUTH_TOKEN, TILLIT_ADMIN_TOKEN) must be at least "
                             "16 characters long")
        return value

    @field_validator("auth_header", "auth_groups_header")
    @classmethod
    def _check_header(cls, value: str) -> str:
        value = value.strip()
        if value and not re.fullmatch(r"[A-Za-z0-9-]+", value):
            raise ValueError(f"not a header name: {value!r}")
        return value

    @property
    def auth_enabled(self) -> bool:
        """True when a token or a proxy header is required."""
        return self.auth_token is not None or bool(self.auth_header)

    @field_validator("root_path")
    @classmethod
    def _check_root_path(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith("/"):
            raise ValueError("root_path must start with '/' (e.g. /tillit)")
        return value


class AppSettings(Settings):
    """The one settings object of a running Tillit: the core's settings and the web layer's
    section (``web``), each read from its ``TILLIT_*`` variables."""

    web: WebSettings = Field(
        default_factory=WebSettings,
        description="The web layer's section (host, port, limits, access, insights); its "
        "variables keep their flat names, e.g. TILLIT_PORT.",
    )
