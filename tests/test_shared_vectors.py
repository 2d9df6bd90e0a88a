"""Shared vector placement: a serving process that holds no passage vectors answers exactly
as one that holds them all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.errors import IndexCorrupt
from assistant.settings import Settings
from index.embedders.base import LangChainEmbeddings
from index.store.chroma import ChromaStore, close_client, make_client
from index.store.served import SentenceSpans
from index.store.vectors import ArrayVectors, StoreVectors
from tests.fakes import HashingEmbedder

QUESTIONS: list[tuple[str, list[str]]] = [
    ("Vad är tillitsbaserad styrning?", []),
    ("What does the chapter say about New Public Management?", []),
    ("Vilka tre styrprinciper beskriver Adler?", []),
    ("Och varför är det viktigt?", ["Vad är tillitsbaserad styrning?"]),
]


def test_placement_follows_the_chroma_server_unless_set() -> None:
    assert Settings().vector_placement == "memory"
    assert Settings(chroma_host="db.local").vector_placement == "shared"
    assert Settings(chroma_host="db.local", served_vectors="memory").vector_placement == "memory"
    assert Settings(served_vectors="shared").vector_placement == "shared"


def test_a_shared_index_holds_no_passage_vectors_and_answers_the_same(
    corpus_settings: Settings, built_index, real_embedder, assistant,
) -> None:
    from assistant.factory import build_assistant

    shared = build_assistant(corpus_settings.model_copy(update={"served_vectors": "shared"}),
                             embedder=real_embedder)
    assert isinstance(shared.index.passage_vectors, StoreVectors)
    assert isinstance(shared.index.sentence_vectors, np.memmap)
    assert isinstance(assistant.index.passage_vectors, ArrayVectors)
    assert not isinstance(assistant.index.sentence_vectors, np.memmap)

    rows = np.asarray([5, 0, 17])
    np.testing.assert_allclose(shared.index.vectors_at(rows), assistant.index.vectors_at(rows),
                               atol=1e-6)
    for question, history in QUESTIONS:
        mine = shared.retrieve(question, history)
        theirs = assistant.retrieve(question, history)
        assert [h.chunk.chunk_id for h in mine.hits] == [h.chunk.chunk_id for h in theirs.hits]
        np.testing.assert_allclose([h.score for h in mine.hits],
                                   [h.score for h in theirs.hits], atol=1e-5)
        a, b = shared.answer(question, history), assistant.answer(question, history)
        assert a.text == b.text and a.answerability == b.answerability
        assert [c.chunk_id for c in a.citations] == [c.chunk_id for c in b.citations]


def test_store_vectors_come_back_in_the_order_asked_and_a_missing_id_is_corruption(
    tmp_path: Path,
) -> None:
    emb = HashingEmbedder(dim=16)
    client = make_client(tmp_path / "chroma", None, 0)
    store = ChromaStore(client, "passages", LangChainEmbeddings(emb),
                        metadata={"embedder_id": emb.id}, create=True)
    texts = ["tillit i skolan", "kontroll i vården", "styrning och ledning"]
    vectors = emb.embed_passages(texts)
    store.add_vectors(["a", "b", "c"], texts, [{"chunk_id": i} for i in "abc"], vectors)
    got = StoreVectors(store).take(np.asarray([2, 0]), ["c", "a"])
    np.testing.assert_allclose(got, vectors[[2, 0]], atol=1e-6)
    with pytest.raises(IndexCorrupt) as err:
        store.vectors(["a", "nope"])
    assert "rebuild" in err.value.message("en") and "bygg om" in err.value.message("sv")
    close_client(client)


def test_sentence_spans_group_rows_by_chunk_in_their_order() -> None:
    rows = [{"chunk_id": "b", "start": 0, "end": 10}, {"chunk_id": "a", "start": 0, "end": 5},
            {"chunk_id": "b", "start": 11, "end": 30}, {"chunk_id": "gone", "start": 0, "end": 3}]
    spans = SentenceSpans.of(rows, {"a": 0, "b": 1, "empty": 2})
    assert spans.ptr.tolist() == [0, 1, 3, 3]
    assert spans.row.tolist() == [1, 0, 2]  # the vector rows, in chunk order
    assert list(zip(spans.start.tolist(), spans.end.tolist(), strict=True)) == [
        (0, 5), (0, 10), (11, 30)]


def test_served_sentences_are_the_chunks_own(assistant) -> None:
    index = assistant.index
    for chunk in index.chunks[:40]:
        spans = index.sentences_of(chunk.chunk_id)
        assert spans, chunk.chunk_id
        assert all(0 <= s < e <= len(chunk.text) for s, e, _ in spans)
        assert [s for s, _, _ in spans] == sorted(s for s, _, _ in spans)
        first = chunk.text[spans[0][0]:spans[0][1]]
        v = assistant.embedder.embed_passages([first])[0]
        assert float(v @ spans[0][2]) > 0.95  # the stored vector is this sentence's
    assert index.sentences_of("no such chunk") == []
