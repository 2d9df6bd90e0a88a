"""Errors a user can act on. They live in :mod:`index.errors` (the lowest layer, so that the
index can raise them without importing the assistant); this module re-exports them."""

from __future__ import annotations

from index.errors import (
    BackendUnavailable,
    IndexCorrupt,
    IndexMismatch,
    IndexMissing,
    IngestError,
    InvalidConfiguration,
    InvalidQuestion,
    ModelMissing,
    TillitError,
    UnsupportedLanguage,
)

__all__ = [
    "BackendUnavailable",
    "IndexCorrupt",
    "IndexMismatch",
    "IndexMissing",
    "IngestError",
    "InvalidConfiguration",
    "InvalidQuestion",
    "ModelMissing",
    "TillitError",
    "UnsupportedLanguage",
]
