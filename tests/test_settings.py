"""The typed settings object."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant import settings as settings_module
from assistant.settings import (
    Settings,
    known_variables,
    report_unknown_variables,
    unknown_variable_warnings,
    unknown_variables,
)
from tillit_web.settings import AppSettings


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


def test_the_web_section_reads_its_flat_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TILLIT_PORT", "8123")
    monkeypatch.setenv("TILLIT_ROOT_PATH", "/tillit/")
    monkeypatch.setenv("TILLIT_TOP_K", "9")
    s = AppSettings()
    assert (s.web.port, s.web.root_path, s.top_k) == (8123, "/tillit", 9)
    monkeypatch.delenv("TILLIT_PORT")
    assert AppSettings().web.port == 7860
    assert "web" not in Settings.model_fields  # the core knows nothing of the web


def test_every_documented_variable_is_read() -> None:
    root = Path(__file__).resolve().parent.parent
    texts = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    documented = set()
    for path in texts:
        documented |= set(re.findall(r"TILLIT_[A-Z0-9_]*[A-Z0-9]", path.read_text("utf-8")))
    # "TILLIT_CHUNK_*" names a group; TILLIT_PROT is the README's example of a misspelling.
    documented -= {"TILLIT_CHUNK", "TILLIT_PROT"}
    assert {"TILLIT_PORT", "TILLIT_TOP_K", "TILLIT_AUTH_TOKEN"} <= documented
    assert documented - known_variables(AppSettings) == set()
    assert "TILLIT_PORT" not in known_variables()  # the core's own variables only


def test_unknown_variables_are_named_with_the_closest_valid_one() -> None:
    env = {"TILLIT_TOPK": "3", "TILLIT_PROT": "1", "TILLIT_TOP_K": "5", "HOME": "/",
           "TILLIT_ZZZZZZZZZZZZ": "x", "TILLIT_DEBUG": "1"}
    assert unknown_variables(env, AppSettings) == [("TILLIT_PROT", "TILLIT_PORT"),
                                      ("TILLIT_TOPK", "TILLIT_TOP_K"),
                                      ("TILLIT_ZZZZZZZZZZZZ", None)]
    warnings = unknown_variable_warnings(env, AppSettings)
    assert "TILLIT_PROT is not a Tillit setting" in warnings[0]
    assert "did you mean TILLIT_PORT?" in warnings[0] and "did you mean" not in warnings[2]


def test_start_up_logs_and_the_cli_prints_an_unknown_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import logging

    from tillit.cli import main

    monkeypatch.setattr(settings_module, "_reported", set())
    monkeypatch.setenv("TILLIT_MAX_QUESTON_CHARS", "10")
    log = logging.getLogger("tillit.test")
    with caplog.at_level(logging.WARNING):
        assert report_unknown_variables(log.warning, AppSettings)
    assert "did you mean TILLIT_MAX_QUESTION_CHARS?" in caplog.text
    assert report_unknown_variables(log.warning, AppSettings) == []  # once per process
    monkeypatch.setattr(settings_module, "_reported", set())
    assert main(["--data-dir", str(tmp_path), "feedback", "export", str(tmp_path / "f.csv")]) == 0
    err = capsys.readouterr().err
    assert "tillit: warning: TILLIT_MAX_QUESTON_CHARS is not a Tillit setting" in err
    assert "did you mean TILLIT_MAX_QUESTION_CHARS?" in err


def test_an_invalid_value_is_a_one_line_usage_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tillit.cli import main

    monkeypatch.setenv("TILLIT_PORT", "not-a-port")
    assert main(["--data-dir", str(tmp_path), "info"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tillit: Invalid setting: TILLIT_PORT: Input should be a valid integer")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_constructors_take_settings_explicitly() -> None:
    """Defaults live in Settings only: the parts take the values as arguments."""
    from assistant.retrieval import Retriever
    from index.build.run import build_index

    retriever = inspect.signature(Retriever).parameters
    for name in ("mode", "fusion", "dense_weight", "rrf_k"):
        assert retriever[name].default is inspect.Parameter.empty, name
    build = inspect.signature(build_index).parameters
    assert build["chunk_vectors"].default is inspect.Parameter.empty
    assert "batch_size" not in build
    assert Settings().dense_weight == 0.5 and Settings().chunk_vectors == "pooled"
