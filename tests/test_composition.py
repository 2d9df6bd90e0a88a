"""The one composition root: a ready assistant, or one typed problem that says its fix."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import assistant.factory as factory
from assistant.errors import (
    BackendUnavailable,
    IndexCorrupt,
    IndexMissing,
    InvalidConfiguration,
    TillitError,
)
from assistant.reader.model import Reader, file_sha256, shipped_bytes
from assistant.settings import Settings


def _opening_raises(monkeypatch: pytest.MonkeyPatch, exc: Exception) -> list[str]:
    calls: list[str] = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append("open")
        raise exc

    def building(*args: Any, **kwargs: Any) -> Any:
        calls.append("build")
        return SimpleNamespace(chunks=3, seconds=0.1)

    monkeypatch.setattr(factory, "build_assistant", failing)
    monkeypatch.setattr(factory, "index_corpus", building)
    return calls


@pytest.mark.parametrize("raised,chroma_host,expected", [
    (RuntimeError("a bug deep in a library"), None, IndexCorrupt),
    (BackendUnavailable("sqlite said no"), None, IndexCorrupt),
    (BackendUnavailable("the Chroma server is down"), "chroma.example", BackendUnavailable),
    (IndexCorrupt("broken; `tillit index --rebuild`"), None, IndexCorrupt),
])
def test_every_failure_is_one_typed_problem_with_its_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, raised: Exception,
    chroma_host: str | None, expected: type[TillitError],
) -> None:
    _opening_raises(monkeypatch, raised)
    settings = Settings(data_dir=tmp_path, chroma_host=chroma_host)
    with pytest.raises(TillitError) as info:
        factory.open_or_build_assistant(settings, embedder=object())  # type: ignore[arg-type]
    assert type(info.value) is expected
    if expected is IndexCorrupt:
        assert "tillit index" in info.value.message("en")
        assert "tillit index" in info.value.message("sv")


def test_a_missing_index_is_built_once_and_only_when_asked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = _opening_raises(monkeypatch, IndexMissing("no index; run `tillit index`"))
    settings = Settings(data_dir=tmp_path, show_progress=False)
    with pytest.raises(IndexMissing):
        factory.open_or_build_assistant(settings, embedder=object(),  # type: ignore[arg-type]
                                        build_missing=False)
    assert calls == ["open"]
    calls.clear()
    notes: list[str] = []
    with pytest.raises(IndexMissing):  # the stand-in build makes no index: opening fails again
        factory.open_or_build_assistant(settings, embedder=object(),  # type: ignore[arg-type]
                                        notify=notes.append)
    assert calls == ["open", "build", "open"]
    assert "building the bundled anthology's index first" in notes[0]
    assert notes[1] == "Index built: 3 chunks in 0.1 s."


@pytest.mark.parametrize("kind", [IndexMissing, BackendUnavailable, InvalidConfiguration])
def test_an_error_from_a_child_process_keeps_both_languages(kind: type[TillitError]) -> None:
    import pickle

    again = pickle.loads(pickle.dumps(kind("in English", "på svenska")))
    assert type(again) is kind
    assert again.message("en") == "in English" and again.message("sv") == "på svenska"


def test_an_error_with_its_own_constructor_survives_pickling_whole() -> None:
    import pickle

    from assistant.generate import GenerationFailed

    again = pickle.loads(pickle.dumps(GenerationFailed("timeout", "30 s")))
    assert (again.reason, again.detail) == ("timeout", "30 s")
    assert again.message("en") == "The language model failed (timeout: 30 s)."
    assert again.message("sv") == "Språkmodellen misslyckades (timeout: 30 s)."


def test_several_workers_need_a_chroma_server() -> None:
    from tillit_web.server import _check_workers

    _check_workers(Settings(), 1)
    _check_workers(Settings(chroma_host="db.local"), 4)
    with pytest.raises(InvalidConfiguration) as err:
        _check_workers(Settings(), 2)
    assert "TILLIT_CHROMA_HOST" in err.value.message("en")
    assert "Chroma-server" in err.value.message("sv")


def test_the_decision_beside_the_reader_is_used_only_where_the_reader_reads_as_trained(
        ) -> None:
    from assistant.reading import READER_FEATURES

    reader = factory.reader_for(Settings())
    model = factory.reader_decision(Settings(), reader)
    assert model is not None and set(READER_FEATURES) <= set(model.features)
    assert model.trained_with["reader_candidates"] == Settings().reader_candidates
    assert factory.reader_decision(Settings(), None) is None  # TILLIT_READER=false
    assert factory.reader_decision(Settings(answerability="threshold"), reader) is None
    assert factory.reader_decision(Settings(reader_candidates=20), reader) is None
    assert reader is not None
    int8 = Reader(reader.model, reader.tokenizer, reader.card, "int8")
    assert factory.reader_decision(Settings(), int8) is None


def test_the_decision_beside_the_reader_names_the_reader_file_it_was_trained_beside(
        caplog: pytest.LogCaptureFixture, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from eval.train_answerability import reader_file_sha256

    reader = factory.reader_for(Settings())
    assert reader is not None
    shipped = file_sha256(shipped_bytes() or b"")
    assert reader.card.file_sha256 == shipped
    model = factory.reader_decision(Settings(), reader)
    assert model is not None and model.trained_with["reader_sha256"] == shipped
    # what the trainer records: the file it read, TILLIT_READER_PATH's when set
    assert reader_file_sha256(Settings()) == shipped
    candidate = tmp_path / "candidate.pt"
    candidate.write_bytes(shipped_bytes() or b"")
    assert reader_file_sha256(Settings(reader_path=candidate)) == shipped
    assert reader_file_sha256(Settings(reader=False)) is None
    # beside another reader file its readings would mean something else
    other = Reader(reader.model, reader.tokenizer, replace(reader.card, file_sha256="0" * 64))
    with caplog.at_level("WARNING", logger="assistant.factory"):
        assert factory.reader_decision(Settings(), other) is None
    assert "another reader file" in caplog.text
    # a decision that records no reader file is not used either, and the log says why
    caplog.clear()
    unrecorded = replace(model, trained_with={
        k: v for k, v in model.trained_with.items() if k != "reader_sha256"})
    monkeypatch.setattr(factory, "load_model", lambda **_: unrecorded)
    with caplog.at_level("WARNING", logger="assistant.factory"):
        assert factory.reader_decision(Settings(), reader) is None
    assert "records no reader file" in caplog.text
