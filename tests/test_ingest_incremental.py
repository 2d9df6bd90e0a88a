"""Incremental indexing: given files are added or updated, others kept, ``prune`` removes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.errors import IngestError
from index.build.run import build_index
from index.store.layout import IndexLayout
from index.store.served import open_index
from tests.fakes import HashingEmbedder


def _index(data: Path, sources: list[Path], emb: HashingEmbedder, **kw):
    opts = {"chunk_size": 64, "chunk_overlap": 8, "chunk_vectors": "direct", **kw}
    return build_index(data_dir=data, sources=sources, embedder=emb, show_progress=False,
                       **opts)


def _docs(data: Path, emb: HashingEmbedder) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in open_index(data, emb).chunks:
        out.setdefault(c.doc_id, []).append(c.text)
    return out


@pytest.fixture()
def extra(tmp_path: Path) -> Path:
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "c.txt").write_text("Omsorg\n\nHemtjänsten bygger på tillit till personalen.\n",
                                  encoding="utf-8")
    return folder


def test_indexing_a_file_adds_it_and_keeps_the_rest(
    tmp_path: Path, small_corpus: Path, extra: Path
) -> None:
    emb = HashingEmbedder()
    first = _index(tmp_path, [small_corpus], emb)
    before = open_index(tmp_path, emb).chunks
    emb.texts_embedded = 0
    report = _index(tmp_path, [extra / "c.txt"], emb)
    assert report.changed and report.documents == 3 and report.reused == first.chunks
    served = open_index(tmp_path, emb)
    assert {c.doc_id for c in served.chunks} == {"a", "b", "c"}
    assert [c for c in served.chunks if c.doc_id != "c"] == before
    c_chunks = [c for c in served.chunks if c.doc_id == "c"]
    assert 0 < emb.texts_embedded <= 4 * len(c_chunks), "only the new file is embedded"
    assert served.store.count() == report.chunks == first.chunks + len(c_chunks)
    again = _index(tmp_path, [extra / "c.txt"], emb)
    assert not again.changed and again.build_id == report.build_id


def test_an_updated_file_replaces_only_its_own_chunks(
    tmp_path: Path, small_corpus: Path, extra: Path
) -> None:
    emb = HashingEmbedder()
    _index(tmp_path, [small_corpus, extra], emb)
    before = _docs(tmp_path, emb)
    (small_corpus / "b.txt").write_text(
        "Vården\n\n3.1 Sjuksköterskor\n\nUndersköterskor har fått mer tid för de äldre.\n",
        encoding="utf-8")
    report = _index(tmp_path, [small_corpus / "b.txt"], emb)
    after = _docs(tmp_path, emb)
    assert after["a"] == before["a"] and after["c"] == before["c"]
    assert any("Undersköterskor" in t for t in after["b"])
    assert not any("dokumenterar" in t for t in after["b"])
    assert report.reused == len(after["a"]) + len(after["c"])


def test_prune_removes_documents_not_among_the_given_paths(
    tmp_path: Path, small_corpus: Path, extra: Path
) -> None:
    emb = HashingEmbedder()
    _index(tmp_path, [small_corpus, extra], emb)
    report = _index(tmp_path, [small_corpus / "a.txt", extra], emb, prune=True)
    assert report.pruned == ["b"]
    served = open_index(tmp_path, emb)
    assert {c.doc_id for c in served.chunks} == {"a", "c"}
    assert served.store.count() == report.chunks
    assert set(served.info["documents"]) == {"a", "c"}
    assert not any("Sjuksköterskor" in c.text for c in served.chunks)


def test_prune_keeps_a_given_file_that_cannot_be_read(
    tmp_path: Path, small_corpus: Path, extra: Path
) -> None:
    emb = HashingEmbedder()
    _index(tmp_path, [small_corpus, extra], emb)
    (small_corpus / "b.txt").write_bytes("Vården är trög".encode("latin-1"))
    report = _index(tmp_path, [small_corpus], emb, prune=True)
    assert report.pruned == ["c"]
    assert ["b.txt" in e.message("en") for e in report.errors] == [True]
    docs = _docs(tmp_path, emb)
    assert set(docs) == {"a", "b"} and any("dokumenterar" in t for t in docs["b"])


def test_when_every_given_file_fails_the_served_index_is_untouched(
    tmp_path: Path, small_corpus: Path, extra: Path
) -> None:
    emb = HashingEmbedder()
    first = _index(tmp_path, [small_corpus], emb)
    (extra / "c.txt").write_bytes(b"")
    report = _index(tmp_path, [extra / "c.txt"], emb)
    assert not report.changed and report.build_id == first.build_id
    assert "empty" in report.errors[0].message("en")
    assert IndexLayout(tmp_path / "index").current()["build_id"] == first.build_id
    with pytest.raises(IngestError, match="Nothing to index"):
        _index(tmp_path / "fresh", [extra / "c.txt"], emb)


def test_new_chunking_rereads_kept_documents_and_drops_vanished_ones(
    tmp_path: Path, small_corpus: Path, extra: Path
) -> None:
    emb = HashingEmbedder()
    moved = tmp_path / "moved"
    shutil.copytree(extra, moved)
    _index(tmp_path, [small_corpus, moved], emb)
    shutil.rmtree(moved)
    report = _index(tmp_path, [small_corpus / "a.txt"], emb, chunk_size=48)
    assert report.changed and report.reused == 0
    assert [("c.txt" in e.message("en"), "no longer there" in e.message("en"))
            for e in report.errors] == [(True, True)]
    served = open_index(tmp_path, emb)
    assert {c.doc_id for c in served.chunks} == {"a", "b"}
    assert served.info["chunk_size"] == 48


def test_rebuild_recomputes_everything_and_keeps_the_documents(
    tmp_path: Path, small_corpus: Path, extra: Path
) -> None:
    emb = HashingEmbedder()
    first = _index(tmp_path, [small_corpus, extra], emb)
    emb.texts_embedded = 0
    report = _index(tmp_path, [extra], emb, rebuild=True)
    assert report.changed and report.reused == 0 and report.build_id != first.build_id
    assert report.embedded == first.chunks and emb.texts_embedded >= first.chunks
    assert set(_docs(tmp_path, emb)) == {"a", "b", "c"}


def test_two_files_with_one_id_are_reported_not_fatal(
    tmp_path: Path, small_corpus: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.txt").write_text("En annan text om tillit i skolan.\n", encoding="utf-8")
    (other / "manifest.toml").write_text('[[documents]]\nfile = "a.txt"\nid = "b"\n',
                                         encoding="utf-8")
    emb = HashingEmbedder()
    report = _index(tmp_path, [small_corpus, other], emb)
    assert [("a.txt" in e.message("en"), "'b'" in e.message("en")) for e in report.errors] == [
        (True, True)]
    assert set(_docs(tmp_path, emb)) == {"a", "b"}
