"""Index builds: idempotent, incremental, atomic, and refusing a mismatched embedder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.errors import IndexCorrupt, IndexMismatch, IndexMissing
from index.build.run import build_index
from index.store.layout import IndexLayout
from index.store.served import open_index
from tests.fakes import HashingEmbedder


def _build(data: Path, corpus: Path, emb: HashingEmbedder, **kw):
    kw.setdefault("chunk_vectors", "direct")
    return build_index(data_dir=data, sources=[corpus], embedder=emb, chunk_size=64,
                       chunk_overlap=8, show_progress=False, **kw)


def test_build_then_rebuild_is_a_no_op(tmp_path: Path, small_corpus: Path) -> None:
    emb = HashingEmbedder()
    first = _build(tmp_path, small_corpus, emb)
    assert first.changed and first.documents == 2 and first.chunks >= 4
    calls = emb.texts_embedded
    second = _build(tmp_path, small_corpus, emb)
    assert not second.changed and second.build_id == first.build_id
    assert emb.texts_embedded == calls, "nothing is embedded again"
    served = open_index(tmp_path, emb)
    assert served.store.count() == first.chunks
    assert {c.doc_id for c in served.chunks} == {"a", "b"}


def test_a_changed_document_replaces_only_its_chunks(tmp_path: Path, small_corpus: Path) -> None:
    emb = HashingEmbedder()
    _build(tmp_path, small_corpus, emb)
    before = {c.chunk_id: c for c in open_index(tmp_path, emb).chunks}
    (small_corpus / "b.txt").write_text(
        "Vården\n\n3.1 Sjuksköterskor\n\nUndersköterskor i hemtjänsten har fått mer tid.\n",
        encoding="utf-8",
    )
    emb.texts_embedded = 0
    report = _build(tmp_path, small_corpus, emb)
    assert report.changed
    after = {c.chunk_id: c for c in open_index(tmp_path, emb).chunks}
    assert {k: v for k, v in after.items() if v.doc_id == "a"} == {
        k: v for k, v in before.items() if v.doc_id == "a"
    }
    assert any("Undersköterskor" in c.text for c in after.values())
    assert not any("dokumenterar" in c.text for c in after.values())
    assert report.reused == sum(1 for c in after.values() if c.doc_id == "a")
    b_texts = sum(1 for c in after.values() if c.doc_id == "b")
    assert 0 < emb.texts_embedded <= b_texts * 4, "only the changed chapter is embedded"
    assert len(list((tmp_path / "index" / "builds").iterdir())) <= 2


def test_a_crash_mid_build_leaves_the_served_index_intact(
    tmp_path: Path, small_corpus: Path
) -> None:
    emb = HashingEmbedder()
    first = _build(tmp_path, small_corpus, emb)
    (small_corpus / "a.txt").write_text("Skolan\n\n2.1 Nytt\n\nHelt ny text om skolor.\n",
                                        encoding="utf-8")
    crashing = HashingEmbedder(fail_after=0)
    with pytest.raises(RuntimeError, match="simulated crash"):
        _build(tmp_path, small_corpus, crashing)
    layout = IndexLayout(tmp_path / "index")
    assert layout.current()["build_id"] == first.build_id
    assert not list(layout.builds.glob("*.tmp*")), "no half-written build is left"
    served = open_index(tmp_path, emb)
    assert served.store.count() == first.chunks
    assert any("Lärare i skolan" in c.text for c in served.chunks)
    # and the next build completes
    assert _build(tmp_path, small_corpus, emb).changed


def test_an_index_built_with_another_embedder_is_refused(
    tmp_path: Path, small_corpus: Path
) -> None:
    _build(tmp_path, small_corpus, HashingEmbedder(name="one"))
    with pytest.raises(IndexMismatch) as err:
        open_index(tmp_path, HashingEmbedder(name="two"))
    msg = err.value.message("en")
    assert "test-one-256" in msg and "test-two-256" in msg and "--rebuild" in msg
    assert "--rebuild" in err.value.message("sv")


def test_missing_and_corrupt_indexes_give_clear_errors(
    tmp_path: Path, small_corpus: Path
) -> None:
    emb = HashingEmbedder()
    with pytest.raises(IndexMissing, match="tillit index"):
        open_index(tmp_path, emb)
    report = _build(tmp_path, small_corpus, emb)
    chunks_file = tmp_path / "index" / "builds" / report.build_id / "chunks.jsonl"
    chunks_file.write_text(chunks_file.read_text(encoding="utf-8")[:50], encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="rebuild"):
        open_index(tmp_path, emb)
    (tmp_path / "index" / "current.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorrupt):
        open_index(tmp_path, emb)
    assert _build(tmp_path, small_corpus, emb, rebuild=True).changed
    assert open_index(tmp_path, emb).store.count() == report.chunks


def test_a_broken_file_is_reported_and_keeps_its_previous_chunks(
    tmp_path: Path, small_corpus: Path
) -> None:
    emb = HashingEmbedder()
    first = _build(tmp_path, small_corpus, emb)
    (small_corpus / "b.txt").write_bytes("Vården är trög".encode("latin-1"))
    (small_corpus / "c.txt").write_text("Ett nytt kapitel om omsorg och tillit.\n",
                                        encoding="utf-8")
    report = _build(tmp_path, small_corpus, emb)
    assert [("b.txt" in e.message("en")) for e in report.errors] == [True]
    served = open_index(tmp_path, emb)
    assert {c.doc_id for c in served.chunks} == {"a", "b", "c"}
    assert served.store.count() == report.chunks > first.chunks


def test_build_metadata_records_embedder_and_chunking(tmp_path: Path, small_corpus: Path) -> None:
    emb = HashingEmbedder()
    report = _build(tmp_path, small_corpus, emb)
    info = json.loads((tmp_path / "index" / "builds" / report.build_id / "build.json").read_text())
    assert info["embedder_id"] == emb.id and info["chunk_size"] == 64
    assert info["chunk_overlap"] == 8 and info["encoding"] == "cl100k_base"
    served = open_index(tmp_path, emb)
    assert served.store.metadata["embedder_id"] == emb.id


def test_two_data_dirs_do_not_interfere(tmp_path: Path, small_corpus: Path) -> None:
    emb = HashingEmbedder()
    _build(tmp_path / "one", small_corpus, emb)
    other = tmp_path / "corpus2"
    shutil.copytree(small_corpus, other)
    (other / "b.txt").unlink()
    _build(tmp_path / "two", other, emb)
    assert {c.doc_id for c in open_index(tmp_path / "one", emb).chunks} == {"a", "b"}
    assert {c.doc_id for c in open_index(tmp_path / "two", emb).chunks} == {"a"}
