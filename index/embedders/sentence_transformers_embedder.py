"""Any SentenceTransformer model: a local directory, or a hub name where there is internet."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.embedders.base import normalise
from index.errors import BackendUnavailable


class SentenceTransformerEmbedder:
    """Wraps ``sentence_transformers.SentenceTransformer`` on the CPU."""

    def __init__(self, model: str, batch_size: int = 32) -> None:
        if not model:
            raise BackendUnavailable(
                "TILLIT_EMBEDDER_MODEL must name a SentenceTransformer model directory.",
                "TILLIT_EMBEDDER_MODEL måste ange en katalog med en SentenceTransformer-modell.",
            )
        local = Path(model).expanduser()
        try:
            from sentence_transformers import SentenceTransformer

            self._model: Any = SentenceTransformer(
                str(local) if local.exists() else model,
                device="cpu",
                local_files_only=local.exists(),
            )
        except Exception as exc:
            raise BackendUnavailable(
                f"Cannot load the SentenceTransformer model '{local.name or model}': "
                f"{type(exc).__name__}",
                f"Kan inte läsa in SentenceTransformer-modellen '{local.name or model}': "
                f"{type(exc).__name__}",
            ) from exc
        name = local.name if local.exists() else model
        self.dim = int(self._model.get_embedding_dimension() or 0)
        self.id = f"sentence-transformers/{name}"
        self.batch_size = batch_size

    def _encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        fn = self._model.encode_query if query else self._model.encode_document
        vecs = fn(list(texts), batch_size=self.batch_size, convert_to_numpy=True,
                  show_progress_bar=False)
        return normalise(vecs)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)
