"""Settings of the web layer only; the core's settings live in ``assistant.settings``."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+$")


class WebSettings(BaseSettings):
    """Server, embedding and limit settings, read from ``TILLIT_*`` environment variables."""

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
        description="Pause between streamed pieces in the chat UI, so the text visibly streams.",
    )
    concurrency: int = Field(
        default=4, ge=1, le=64, description="Chat answers computed at once by the UI queue."
    )
    warm_up: bool = Field(
        default=True,
        description="Answer one question before serving so the first user does not wait for "
        "lazy model loading.",
    )

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

    @field_validator("root_path")
    @classmethod
    def _check_root_path(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith("/"):
            raise ValueError("root_path must start with '/' (e.g. /tillit)")
        return value
