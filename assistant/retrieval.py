"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings, fused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from index.chunking import Chunk
from index.embedders.base import Embedder
from index.served import ServedIndex

Mode = Literal["hybrid", "dense", "bm25"]
Fusion = Literal["weighted", "rrf"]


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the two underlying signals."""

    chunk: Chunk
    score: float
    dense: float
    lexical: float


@dataclass(frozen=True)
class Retrieval:
    """The ranked hits for one query, with the query vector for later stages."""

    query: str
    hits: list[Hit]
    query_vector: np.ndarray
    lexical_coverage: float

    @property
    def dense_top(self) -> float:
        """Highest dense cosine among all hits (the best passage's similarity)."""
        return max((h.dense for h in self.hits), default=0.0)


def _minmax(x: np.ndarray) -> np.ndarray:
    if x.size == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


class Retriever:
    """Ranks chunks for a query; the mode and fusion are chosen by settings."""

    def __init__(
        self,
        index: ServedIndex,
        embedder: Embedder,
        mode: Mode = "hybrid",
        fusion: Fusion = "weighted",
        dense_weight: float = 0.7,
        rrf_k: int = 60,
        pool: int = 30,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.mode = mode
        self.fusion = fusion
        self.dense_weight = dense_weight
        self.rrf_k = rrf_k
        self.pool = pool

    def retrieve(self, query: str, k: int, mode: Mode | None = None) -> Retrieval:
        """The ``k`` best chunks for ``query``."""
        mode = mode or self.mode
        chunks = self.index.chunks
        qv = self.embedder.embed_queries([query])[0]
        pool = min(len(chunks), max(self.pool, k))
        candidates: dict[int, None] = {}
        if mode in ("hybrid", "dense"):
            for cid, _ in self.index.store.search(qv, pool):
                if cid in self.index.position:
                    candidates[self.index.position[cid]] = None
        lex_all = self.index.lexical.scores(query)
        if mode in ("hybrid", "bm25"):
            for i in np.argsort(-lex_all)[:pool]:
                if lex_all[i] > 0 or mode == "bm25":
                    candidates[int(i)] = None
        idx = np.fromiter(candidates, dtype=np.int64)
        dense = self.index.files.vectors[idx] @ qv if idx.size else np.zeros(0)
        lexical = lex_all[idx] if idx.size else np.zeros(0)
        if mode == "dense":
            fused = dense
        elif mode == "bm25":
            fused = lexical
        elif self.fusion == "rrf":
            d_rank = np.argsort(np.argsort(-dense))
            l_rank = np.argsort(np.argsort(-lexical))
            w = self.dense_weight
            fused = w / (self.rrf_k + d_rank + 1) + (1 - w) / (self.rrf_k + l_rank + 1)
        else:
            fused = self.dense_weight * _minmax(dense) + (1 - self.dense_weight) * _minmax(lexical)
        order = np.argsort(-fused, kind="stable")[:k]
        hits = [
            Hit(chunks[int(idx[j])], float(fused[j]), float(dense[j]), float(lexical[j]))
            for j in order
        ]
        return Retrieval(query, hits, qv, self.index.lexical.coverage(query))
