"""Errors a user can act on, each with a message in Swedish and English.

They live in the lowest layer so that both the index and the assistant can raise them.
"""

from __future__ import annotations

from typing import Any


class TillitError(Exception):
    """Base class. ``user_error`` tells adapters whether the caller (not the code) is at fault."""

    user_error = True
    exit_code = 2

    def __init__(self, en: str, sv: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.sv = sv or en

    def __reduce__(self) -> tuple[Any, ...]:
        # Both languages (and a subclass's own fields) survive pickling, e.g. an error
        # raised in a child process, whatever the subclass's constructor takes.
        return (_rebuild, (type(self), self.args, self.__dict__))

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` ("sv" or "en")."""
        return self.sv if lang == "sv" else self.en


def _rebuild(cls: type[TillitError], args: tuple[Any, ...], state: dict[str, Any]) -> TillitError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class InvalidQuestion(TillitError):
    """Empty, too long or otherwise unusable question or history."""


class UnsupportedLanguage(TillitError):
    """The question is in a language other than Swedish or English."""


class IndexMissing(TillitError):
    """No index has been built in the data directory."""

    exit_code = 3


class IndexMismatch(TillitError):
    """The index was built with another embedder or incompatible parameters."""

    exit_code = 3


class IndexCorrupt(TillitError):
    """The index exists but cannot be read."""

    exit_code = 3


class IngestError(TillitError):
    """A source file could not be read or cleaned."""


class BackendUnavailable(TillitError):
    """A backend (embedder, Chroma server) is not reachable or not installed."""

    exit_code = 4


class ModelMissing(TillitError):
    """The configured local language model (or its runtime) is not installed."""

    exit_code = 4


class InvalidConfiguration(TillitError):
    """Settings that cannot work together (e.g. several workers without a Chroma server)."""
