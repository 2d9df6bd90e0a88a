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
