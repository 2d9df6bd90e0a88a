"""The shipped reader, for real: it loads from the package, reads a pair as a pair, and
tells a sentence that gives the asked-for figure from one that does not."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reader():
    from assistant.reader.model import load_reader

    return load_reader()


def test_a_candidate_scores_the_same_whatever_else_is_in_its_batch(reader) -> None:
    q = "Vad kostar ett pass för barn?"
    short, long_ = ("Ett pass för barn kostar 400 kronor.",
                    "Barn under 18 år behöver vårdnadshavarens medgivande för att få pass, och "
                    "båda vårdnadshavarna ska normalt skriva under ansökan på plats.")
    alone = reader.score(q, [short])
    together = reader.score(q, [long_, short])  # padded to the longer one
    assert np.all((together >= 0) & (together <= 1))
    assert abs(float(alone[0]) - float(together[1])) < 1e-3
    assert reader.score(q, [short])[0] == pytest.approx(alone[0])  # deterministic


def test_the_sentence_with_the_price_answers_a_price_question(reader) -> None:
    q = "Vad kostar ett pass för barn?"
    scores = reader.score(q, ["Ett pass för barn kostar 400 kronor.",
                              "Barn under 18 år behöver vårdnadshavarens medgivande."])
    assert scores[0] > scores[1]
    assert reader.card.trained_layers == 4 and len(reader.card.data_sha256) == 64


def test_bf16_reads_as_fp32_does_and_is_as_independent_of_the_batch(reader) -> None:
    from assistant.reader.model import load_reader

    bf16 = load_reader(precision="bf16")
    q = "Hur många läkare upplever styrningen som negativ?"
    cands = ["Hela 75 procent av läkarna svarade att styrningen var negativ för vården.",
             "Lärarna svarade på samma sätt.",
             "Tillitsdelegationen tillsattes av regeringen för att främja tillitsbaserad "
             "styrning och ledning i offentlig sektor."]
    full, half = reader.score(q, cands), bf16.score(q, cands)
    assert np.abs(full - half).max() < 0.05
    assert np.argmax(half) == np.argmax(full) == 0
    alone = np.concatenate([bf16.score(q, [c]) for c in cands])
    assert np.abs(alone - half).max() < 1e-3


@pytest.mark.parametrize("precision, tolerance", [("fp32", 1e-4), ("bf16", 0.05)])
def test_inference_skips_padding_and_work_but_gives_the_training_paths_logits(
        reader, precision, tolerance) -> None:
    import torch

    from assistant.reader.model import load_reader

    r = reader if precision == "fp32" else load_reader(precision=precision)
    model = r.model
    [(_, ids, mask)] = r.batches("Vem leder arbetet?", [
        "Kort svar.", "Arbetet leds av en styrgrupp med representanter för kommunerna och "
        "regionerna, som möts fyra gånger om året.", "Ingen vet."])
    assert int(mask.sum(1).min()) < int(mask.sum(1).max())  # padding to skip
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16,
                                                enabled=precision == "bf16"):
        every_position = model.upper(model.lower(ids, mask), mask).float()
        served = model(ids, mask).float()
    assert served.shape == (3,)
    assert torch.allclose(served, every_position, atol=tolerance)
    assert len(set(np.round(served.numpy(), 3))) == 3
