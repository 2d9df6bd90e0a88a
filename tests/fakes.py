"""A small, discriminating embedder for fast unit tests of indexing logic.

Texts are embedded as hashed bags of lower-cased words, so texts that share words are
closer than texts that do not; it counts how many texts it embedded.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np


class HashingEmbedder:
    """Bag-of-words hashed into ``dim`` buckets, L2-normalised."""

    def __init__(self, dim: int = 256, name: str = "hash", fail_after: int | None = None) -> None:
        self.dim = dim
        self.id = f"test-{name}-{dim}"
        self.calls = 0
        self.texts_embedded = 0
        self.fail_after = fail_after

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        if self.fail_after is not None and self.texts_embedded >= self.fail_after:
            raise RuntimeError("simulated crash while embedding")
        self.texts_embedded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"\w+", t.lower()):
                h = int(hashlib.md5(w.encode()).hexdigest(), 16)
                out[i, h % self.dim] += 1.0 if (h >> 64) % 2 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        out[norms[:, 0] == 0, 0] = 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)
