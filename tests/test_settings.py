"""The typed settings object."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.settings import Settings


def test_settings_read_the_tillit_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TILLIT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TILLIT_TOP_K", "7")
    monkeypatch.setenv("TILLIT_RETRIEVAL_MODE", "bm25")
    s = Settings()
    assert s.data_dir == tmp_path and s.top_k == 7 and s.retrieval_mode == "bm25"
    assert s.index_dir == tmp_path / "index"


def test_every_field_is_described() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, name


def test_invalid_values_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TILLIT_EMBEDDER", "word2vec")
    with pytest.raises(ValidationError):
        Settings()
