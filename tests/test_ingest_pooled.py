"""Build work done once: pooled passage vectors, the saved BM25 index, no text embedded twice."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.build.run import build_index
from index.embedders.base import text_key
from index.store.lexical import LEXICAL_DIR, LexicalIndex
from index.store.served import ServedIndex, open_index
from tests.fakes import HashingEmbedder


class CountingEmbedder(HashingEmbedder):
    """Remembers every text it embedded."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        self.seen.extend(texts)
        return super().embed_passages(texts)


def _build(data: Path, corpus: Path, emb: HashingEmbedder, **kw):
    kw.setdefault("chunk_vectors", "direct")
    return build_index(data_dir=data, sources=[corpus], embedder=emb, chunk_size=64,
                       chunk_overlap=8, show_progress=False, **kw)


def test_each_text_is_embedded_once(tmp_path: Path, small_corpus: Path) -> None:
    emb = CountingEmbedder()
    report = _build(tmp_path, small_corpus, emb)
    assert len(emb.seen) == len(set(emb.seen)) == report.texts_embedded
    served = open_index(tmp_path, emb)
    assert {text_key(c.embed_text) for c in served.chunks} <= {text_key(t) for t in emb.seen}


def _passage_vectors(served: ServedIndex) -> np.ndarray:
    return served.vectors_at(np.arange(len(served.chunks)))


def test_pooled_passage_vectors_are_built_from_sentence_vectors(
    tmp_path: Path, small_corpus: Path
) -> None:
    emb = CountingEmbedder()
    report = _build(tmp_path, small_corpus, emb, chunk_vectors="pooled")
    served = open_index(tmp_path, emb)
    assert served.info["chunk_vectors"] == "pooled"
    passages = {c.embed_text for c in served.chunks if c.context}
    assert not passages & set(emb.seen), "passages with sentences are not embedded themselves"
    sentences = {c.text[s:e] for c in served.chunks for s, e, _ in served.sentences_of(c.chunk_id)}
    headings = {c.context for c in served.chunks if c.context}
    assert set(emb.seen) == sentences | headings, "only sentences and headings are embedded"
    assert report.texts_embedded == len(emb.seen)
    vectors = _passage_vectors(served)
    for i, chunk in enumerate(served.chunks):
        parts = [(chunk.context, emb.embed_passages([chunk.context])[0])] if chunk.context else []
        parts += [(chunk.text[s:e], v) for s, e, v in served.sentences_of(chunk.chunk_id)]
        expected = sum(len(t) * v for t, v in parts)
        expected = expected / np.linalg.norm(expected)
        assert np.allclose(vectors[i], expected, atol=1e-5), chunk.chunk_id
    hits = served.store.search(vectors[0], 1)
    assert hits[0][0] == served.chunks[0].chunk_id


def test_switching_vector_mode_rebuilds_passage_vectors_but_reuses_sentences(
    tmp_path: Path, small_corpus: Path
) -> None:
    emb = CountingEmbedder()
    direct = _build(tmp_path, small_corpus, emb)
    direct_vectors = _passage_vectors(open_index(tmp_path, emb))
    emb.seen.clear()
    pooled = _build(tmp_path, small_corpus, emb, chunk_vectors="pooled")
    assert pooled.changed and pooled.build_id != direct.build_id
    served = open_index(tmp_path, emb)
    assert not np.allclose(_passage_vectors(served), direct_vectors)
    sentences = {c.text[s:e] for c in served.chunks for s, e, _ in served.sentences_of(c.chunk_id)}
    assert not sentences & set(emb.seen), "sentence vectors of the last build are reused"
    emb.seen.clear()
    back = _build(tmp_path, small_corpus, emb)
    assert back.changed
    assert np.allclose(_passage_vectors(open_index(tmp_path, emb)), direct_vectors, atol=1e-6)


def test_bm25_is_saved_with_the_build_and_loaded_as_is(tmp_path: Path, small_corpus: Path) -> None:
    emb = HashingEmbedder()
    report = _build(tmp_path, small_corpus, emb)
    folder = tmp_path / "index" / "builds" / report.build_id / LEXICAL_DIR
    assert (folder / "lexical.json").exists()
    served = open_index(tmp_path, emb)
    fresh = LexicalIndex([c.embed_text for c in served.chunks])
    for query in ("lärare tillit", "sjuksköterskor dokumenterar patienterna", "okänt ord"):
        assert np.allclose(served.lexical.scores(query), fresh.scores(query))
        assert served.lexical.coverage(query) == fresh.coverage(query)
    assert served.lexical.df == fresh.df and served.lexical.n == fresh.n
    assert served.lexical.scores("lärare").max() > 0
