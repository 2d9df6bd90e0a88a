"""The reader's batching, with a tiny fake model over the real tokenizer: candidates are read
shortest first in batches, and every probability lands on its own candidate."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from assistant.reader.model import BATCH_PAIRS, Reader, ReaderCard, resolve_precision


class TokenSum(nn.Module):
    """Logit = mean id of a pair's real tokens / 10 000 (padding would change it)."""

    def __init__(self) -> None:
        super().__init__()
        self.widths: list[int] = []

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        self.widths.append(int(ids.shape[1]))
        real = mask.to(torch.float32)
        return (ids.to(torch.float32) * real).sum(1) / real.sum(1) / 10_000


@pytest.fixture(scope="module")
def tokenizer():
    from assistant.reader.tokenizer import E5Tokenizer
    from assistant.reader.weights import read_e5

    return E5Tokenizer(read_e5().vocabulary)


def reader(tokenizer) -> Reader:
    return Reader(TokenSum(), tokenizer, ReaderCard(4, 0.5, "0" * 64, {}))


CANDIDATES = [
    "Kort.",
    "En mycket längre mening om tillitsbaserad styrning i kommuner och regioner i Sverige.",
    "Mellanlång mening om styrning.",
] * 5 + ["Sist, och lite längre än den korta."]


def test_every_probability_lands_on_its_own_candidate(tokenizer) -> None:
    r = reader(tokenizer)
    together = r.score("Vad är tillit?", CANDIDATES)
    alone = np.concatenate([r.score("Vad är tillit?", [c]) for c in CANDIDATES])
    assert together.shape == (len(CANDIDATES),)
    assert np.allclose(together, alone, atol=1e-6)
    assert len(set(np.round(together[:3], 6))) == 3  # the fake tells the three apart


def test_candidates_are_read_in_batches_padded_to_their_own_longest(tokenizer) -> None:
    r = reader(tokenizer)
    r.score("Vad är tillit?", CANDIDATES)
    model = r.model
    assert isinstance(model, TokenSum)
    batches = -(-len(CANDIDATES) // BATCH_PAIRS)
    assert len(model.widths) == batches
    assert model.widths == sorted(model.widths)  # shortest first
    assert model.widths[0] < model.widths[-1]


def test_no_candidates_read_nothing(tokenizer) -> None:
    r = reader(tokenizer)
    assert r.score("Vad?", []).shape == (0,)
    model = r.model
    assert isinstance(model, TokenSum) and model.widths == []


def test_precision_auto_is_bf16_only_where_the_cpu_has_it(monkeypatch) -> None:
    from assistant.reader import model

    monkeypatch.setattr(model, "native_bf16", lambda: True)
    assert resolve_precision("auto") == "bf16"
    monkeypatch.setattr(model, "native_bf16", lambda: False)
    assert resolve_precision("auto") == "fp32"
    assert resolve_precision("int8") == "int8"
    with pytest.raises(ValueError):
        resolve_precision("fp8")
