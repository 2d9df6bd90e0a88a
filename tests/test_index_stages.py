"""The three stages of an index build, each alone: plan, compute, commit."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import index.build.commit
from index.build.commit import Target, commit_build
from index.build.compute import Computed, compute_build
from index.build.plan import BuildPlan, BuildSpec, Previous, plan_build, read_previous
from index.build.run import build_index
from index.store.layout import IndexLayout
from index.store.served import open_index
from index.text.tokens import get_encoding
from tests.fakes import HashingEmbedder


class RecordingEmbedder(HashingEmbedder):
    """The hashing fake, also remembering every text it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        return super().embed_passages(texts)


def _spec(emb: HashingEmbedder, **kw: object) -> BuildSpec:
    return BuildSpec(emb.id, 64, 8, "direct", **kw)  # type: ignore[arg-type]


def _build(data: Path, corpus: Path, emb: HashingEmbedder) -> str:
    report = build_index(data_dir=data, sources=[corpus], embedder=emb, chunk_size=64,
                         chunk_overlap=8, chunk_vectors="direct", show_progress=False)
    return report.build_id


def _plan(data: Path, corpus: Path, emb: HashingEmbedder, **kw: object) -> BuildPlan:
    return plan_build([corpus], _spec(emb, **kw), read_previous(IndexLayout(data / "index"),
                                                                 rebuild=False))


def _compute(data: Path, plan: BuildPlan, emb: HashingEmbedder) -> Computed:
    return compute_build(plan, emb, get_encoding(str(data / "cache" / "tiktoken")))


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with a hash of its content."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".lock"}


def _change_b(corpus: Path) -> None:
    (corpus / "b.txt").write_text(
        "Vården\n\n3.1 Undersköterskor\n\nUndersköterskor i hemtjänsten har fått mer tid.\n",
        encoding="utf-8",
    )


def test_the_fake_embedder_tells_the_corpus_texts_apart(small_corpus: Path) -> None:
    emb = HashingEmbedder()
    texts = [line for p in sorted(small_corpus.glob("*.txt"))
             for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    vectors = emb.embed_passages(texts)
    distinct = {tuple(np.round(v, 5)) for v in vectors}
    assert len(distinct) == len(set(texts)) == len(texts)


# --- plan --------------------------------------------------------------------------------

def test_plan_classifies_added_changed_unchanged_and_removed_documents(
    tmp_path: Path, small_corpus: Path
) -> None:
    emb = HashingEmbedder()
    (small_corpus / "c.txt").write_text("Omsorg\n\nHemtjänsten bygger på tillit.\n",
                                        encoding="utf-8")
    _build(tmp_path, small_corpus, emb)
    before = _snapshot(tmp_path / "index")
    _change_b(small_corpus)
    (small_corpus / "c.txt").unlink()
    (small_corpus / "d.txt").write_text("Polisen\n\nPoliser möter allmänheten.\n",
                                        encoding="utf-8")

    plan = _plan(tmp_path, small_corpus, emb, prune=True)
    assert (plan.added, plan.changed, plan.unchanged, plan.removed) == (
        ("d",), ("b",), ("a",), ("c",))
    assert set(plan.rechunk) == {"b", "d"}, "only new and changed documents are chunked"
    assert plan.documents.pruned == ["c"] and set(plan.hashes) == {"a", "b", "d"}
    assert plan.reuse_vectors and plan.reuse_passage_vectors and not plan.up_to_date
    assert _snapshot(tmp_path / "index") == before, "planning writes nothing"

    kept = _plan(tmp_path, small_corpus, emb)  # without prune, c is kept as it was
    assert kept.removed == () and kept.unchanged == ("a", "c")
    assert kept.documents.carried == ["c"]


def test_plan_of_an_unchanged_corpus_is_up_to_date_and_rebuild_redoes_everything(
    tmp_path: Path, small_corpus: Path
) -> None:
    emb = HashingEmbedder()
    _build(tmp_path, small_corpus, emb)
    same = _plan(tmp_path, small_corpus, emb)
    assert same.up_to_date and same.rechunk == () and same.unchanged == ("a", "b")
    again = _plan(tmp_path, small_corpus, emb, rebuild=True)
    assert not again.up_to_date and set(again.rechunk) == {"a", "b"}
    assert not again.reuse_vectors
    other = _plan(tmp_path, small_corpus, HashingEmbedder(name="other"))
    assert set(other.rechunk) == {"a", "b"} and not other.reuse_vectors
    fresh = plan_build([small_corpus], _spec(emb), Previous())
    assert fresh.added == ("a", "b") and set(fresh.rechunk) == {"a", "b"}


# --- compute -----------------------------------------------------------------------------

def test_compute_embeds_only_the_changed_texts_and_reuses_the_rest(
    tmp_path: Path, small_corpus: Path
) -> None:
    _build(tmp_path, small_corpus, HashingEmbedder())
    files = read_previous(IndexLayout(tmp_path / "index"), rebuild=False).files
    assert files is not None
    old_a = {c.chunk_id: v for c, v in zip(files.chunks, files.vectors, strict=True)
             if c.doc_id == "a"}
    before = _snapshot(tmp_path / "index")
    _change_b(small_corpus)

    emb = RecordingEmbedder()
    computed = _compute(tmp_path, _plan(tmp_path, small_corpus, emb), emb)
    assert _snapshot(tmp_path / "index") == before, "computing touches no file of the index"

    # b's book card (index.text.book_cards) did not change, so its vector is reused by text.
    b_chunks = [c for c in computed.chunks if c.doc_id == "b" and c.kind != "card"]
    assert b_chunks and all("Undersköterskor" in c.text for c in b_chunks)
    b_texts = {c.embed_text for c in b_chunks} | {
        c.text[r["start"]:r["end"]] for c in b_chunks for r in computed.sentences
        if r["chunk_id"] == c.chunk_id}
    assert emb.seen and set(emb.seen) <= b_texts, "only the changed document is embedded"
    assert {c.embed_text for c in b_chunks} <= set(emb.seen)
    assert len(emb.seen) == len(set(emb.seen)) == computed.texts_embedded
    assert emb.calls == 1
    assert computed.reused == len(old_a) and computed.new_passages == len(b_chunks)

    assert computed.vectors is not None and len(computed.vectors) == len(computed.chunks)
    for c, v in zip(computed.chunks, computed.vectors, strict=True):
        if c.doc_id == "a":
            assert np.array_equal(v, old_a[c.chunk_id]), "unchanged passages keep their vectors"
        else:
            assert np.allclose(v, HashingEmbedder().embed_passages([c.embed_text])[0])
    assert computed.lexical.n == len(computed.chunks)
    assert computed.lexical.coverage("undersköterskor") == 1.0
    assert computed.lexical.coverage("dokumenterar") == 0.0


def test_compute_from_nothing_embeds_every_text_once(
    tmp_path: Path, small_corpus: Path
) -> None:
    emb = RecordingEmbedder()
    plan = plan_build([small_corpus], _spec(emb), Previous())
    computed = _compute(tmp_path, plan, emb)
    assert computed.reused == 0 and {c.doc_id for c in computed.chunks} == {"a", "b"}
    assert len(emb.seen) == len(set(emb.seen)) == computed.texts_embedded
    assert {c.embed_text for c in computed.chunks} <= set(emb.seen)
    assert computed.sentence_vectors is not None
    assert len(computed.sentence_vectors) == len(computed.sentences) > len(computed.chunks)
    assert not (tmp_path / "index").exists()
    with pytest.raises(ValueError, match="embedder"):
        compute_build(plan, HashingEmbedder(name="other"),
                      get_encoding(str(tmp_path / "cache" / "tiktoken")))


# --- commit ------------------------------------------------------------------------------

def test_commit_swaps_in_the_computed_build_and_prunes_older_ones(
    tmp_path: Path, small_corpus: Path
) -> None:
    emb = HashingEmbedder()
    first = _build(tmp_path, small_corpus, emb)
    _change_b(small_corpus)
    second = _build(tmp_path, small_corpus, emb)
    (small_corpus / "a.txt").write_text("Skolan\n\n2.1 Nytt\n\nHelt ny text om skolor.\n",
                                        encoding="utf-8")
    plan = _plan(tmp_path, small_corpus, emb)
    computed = _compute(tmp_path, plan, emb)
    target = Target.for_data_dir(tmp_path)
    with target.layout.locked():
        committed = commit_build(target, plan, computed)
    assert target.layout.current() == {"build_id": committed.build_id, "key": plan.key,
                                       "collection": committed.collection}
    builds = {d.name for d in target.layout.builds.iterdir()}
    assert builds == {second, committed.build_id}, "the build served until now is kept"
    assert first not in builds
    served = open_index(tmp_path, emb)
    assert [c.chunk_id for c in served.chunks] == [c.chunk_id for c in computed.chunks]
    assert served.store.count() == len(computed.chunks)
    assert any("Helt ny text" in c.text for c in served.chunks)


def test_a_failure_before_the_swap_leaves_the_previous_index_served_and_intact(
    tmp_path: Path, small_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emb = HashingEmbedder()
    first = _build(tmp_path, small_corpus, emb)
    layout = IndexLayout(tmp_path / "index")
    _change_b(small_corpus)
    plan = _plan(tmp_path, small_corpus, emb)
    computed = _compute(tmp_path, plan, emb)
    before = _snapshot(layout.root)
    real_write = index.build.commit.write_build

    def write_then_crash(folder: Path, *args: object) -> None:
        real_write(folder, *args)  # type: ignore[arg-type]
        assert (folder / "build.json").exists() and folder.name.endswith(".tmp")
        raise RuntimeError("simulated crash before the swap")

    monkeypatch.setattr(index.build.commit, "write_build", write_then_crash)
    target = Target.for_data_dir(tmp_path)
    with target.layout.locked(), pytest.raises(RuntimeError, match="before the swap"):
        commit_build(target, plan, computed)

    assert _snapshot(layout.root) == before, "nothing of the failed commit is left"
    assert layout.current()["build_id"] == first
    served = open_index(tmp_path, emb)
    assert any("dokumenterar" in c.text for c in served.chunks)
    assert not any("Undersköterskor" in c.text for c in served.chunks)
    assert served.store.count() == len(served.chunks)

    monkeypatch.setattr(index.build.commit, "write_build", real_write)
    with target.layout.locked():
        committed = commit_build(target, plan, computed)
    assert layout.current()["build_id"] == committed.build_id != first
    assert any("Undersköterskor" in c.text for c in open_index(tmp_path, emb).chunks)
