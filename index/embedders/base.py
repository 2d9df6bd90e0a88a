"""The embedder interface and its LangChain ``Embeddings`` adapter."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from langchain_core.embeddings import Embeddings


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors. ``id`` is stored with the index."""

    id: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for search queries, shape (n, dim), float32, unit length."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for passages to be searched, shape (n, dim), float32, unit length."""
        ...


def text_key(text: str) -> str:
    """A short stable key for a text (reuse of already computed vectors)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class LangChainEmbeddings(Embeddings):
    """Presents an ``Embedder`` to LangChain; reuses vectors already computed for a text."""

    def __init__(self, embedder: Embedder, known: dict[str, np.ndarray] | None = None) -> None:
        self.embedder = embedder
        self.known = known or {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in texts if text_key(t) not in self.known]
        if missing:
            for t, v in zip(missing, self.embedder.embed_passages(missing), strict=True):
                self.known[text_key(t)] = v
        return [self.known[text_key(t)].tolist() for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self.embedder.embed_queries([text])[0]]


def normalise(vectors: np.ndarray) -> np.ndarray:
    """L2-normalise rows (float32)."""
    v = np.asarray(vectors, dtype=np.float32)
    if v.ndim == 1:
        v = v[None, :]
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.maximum(norms, 1e-12)
