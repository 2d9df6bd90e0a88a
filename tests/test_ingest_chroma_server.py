"""Chroma server mode against a real ``chroma run`` started by the test on localhost."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant.errors import BackendUnavailable
from assistant.settings import Settings
from index.store.chroma import READ_TIMEOUT, make_client
from index.store.served import open_index
from tests.chroma_server import ChromaServer, needs_chroma
from tests.fakes import HashingEmbedder

pytestmark = needs_chroma


def test_build_and_ask_through_a_chroma_server(
    tmp_path: Path, small_corpus: Path, chroma_server: ChromaServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from assistant.factory import build_assistant, index_corpus

    monkeypatch.setenv("TILLIT_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("TILLIT_CHROMA_PORT", str(chroma_server.port))
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=small_corpus, show_progress=False,
                        chunk_size=64, chunk_overlap=8)
    assert settings.chroma_host == "127.0.0.1" and settings.chroma_port == chroma_server.port
    emb = HashingEmbedder()
    report = index_corpus(settings, embedder=emb)
    client = make_client(None, "127.0.0.1", chroma_server.port)
    names = [str(getattr(c, "name", c)) for c in client.list_collections()]
    assert len(names) == 1 and names[0].endswith(report.build_id)
    assert not list((tmp_path / "data" / "index" / "builds").glob("*/chroma")), (
        "no embedded store is written in server mode")

    assistant = build_assistant(settings, embedder=emb)
    assert assistant.index.store.remote == ("127.0.0.1", chroma_server.port)
    hits = assistant.retrieve("Lärare i skolan och deras professionella omdöme").hits
    assert hits and hits[0].chunk.doc_id == "a"

    # a second worker opening the same build sees the same BM25 statistics
    other = open_index(settings.data_dir, emb, "127.0.0.1", chroma_server.port)
    query = "sjuksköterskor dokumenterar"
    assert other.lexical.scores(query).tolist() == assistant.index.lexical.scores(query).tolist()

    # the server goes away: a query fails fast with BackendUnavailable ...
    chroma_server.stop()
    t = time.monotonic()
    with pytest.raises(BackendUnavailable) as err:
        assistant.retrieve("Vad gör rektorer?")
    assert time.monotonic() - t < READ_TIMEOUT / 2  # refused at once, not a read timing out
    assert str(chroma_server.port) in err.value.message("en")
    assert "Chroma" in err.value.message("sv")
    with pytest.raises(BackendUnavailable):
        open_index(settings.data_dir, emb, "127.0.0.1", chroma_server.port)

    # ... and the same assistant answers again once it is back
    chroma_server.start()
    hits = assistant.retrieve("Vad gör rektorer?").hits
    assert any("Rektorer" in h.chunk.text for h in hits)


def test_incremental_builds_on_a_server_replace_the_collection(
    tmp_path: Path, small_corpus: Path, chroma_server: ChromaServer
) -> None:
    from index.build.run import build_index

    emb = HashingEmbedder()
    port = chroma_server.port

    def build(sources: list[Path]):
        return build_index(data_dir=tmp_path / "data", sources=sources, embedder=emb,
                           chunk_size=64, chunk_overlap=8, chroma_host="127.0.0.1",
                           chroma_port=port, show_progress=False, chunk_vectors="direct")

    first = build([small_corpus])
    extra = tmp_path / "c.txt"
    extra.write_text("Omsorg\n\nHemtjänsten bygger på tillit.\n", encoding="utf-8")
    second = build([extra])
    third = build([extra])
    assert second.changed and not third.changed and second.chunks > first.chunks
    served = open_index(tmp_path / "data", emb, "127.0.0.1", port)
    assert served.store.count() == second.chunks
    assert {c.doc_id for c in served.chunks} == {"a", "b", "c"}
    names = {str(getattr(c, "name", c)) for c in
             make_client(None, "127.0.0.1", port).list_collections()}
    assert any(n.endswith(second.build_id) for n in names)
    assert len(names) <= 2, "only the served build and the one before it are kept"
