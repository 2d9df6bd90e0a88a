"""A model-free stand-in embedder, to time everything in a build except the model."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"\w+")


class HashingEmbedder:
    """Hashed bag of words (crc32), L2-normalised; about a microsecond per word."""

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim
        self.id = f"bench-hashing-{dim}"

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            idx = [zlib.crc32(w.encode()) % self.dim for w in _WORD.findall(t.lower())]
            np.add.at(out[i], idx or [0], 1.0)
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Same as passages."""
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Hashed bags of words."""
        return self._embed(texts)
