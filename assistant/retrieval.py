"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings, fused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from assistant.tuning import RetrievalWeights
from index.embedders.base import Embedder
from index.store.served import ServedIndex
from index.text.chunking import Chunk

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
    """Ranks chunks for a query; the mode and fusion are chosen by settings (and passed in
    explicitly: their defaults live in ``Settings`` only), the pool and the follow-up
    context's weight by ``weights`` (``Tuning.retrieval``)."""

    def __init__(
        self,
        index: ServedIndex,
        embedder: Embedder,
        *,
        mode: Mode,
        fusion: Fusion,
        dense_weight: float,
        rrf_k: int,
        weights: RetrievalWeights | None = None,
    ) -> None:
        weights = weights or RetrievalWeights()
        self.index = index
        self.embedder = embedder
        self.mode = mode
        self.fusion = fusion
        self.dense_weight = dense_weight
        self.rrf_k = rrf_k
        self.pool = weights.pool
        self.context_weight = weights.context_weight

    def _candidates(self, qv: np.ndarray, lex_all: np.ndarray, mode: Mode, pool: int) -> list[int]:
        found: dict[int, None] = {}
        if mode in ("hybrid", "dense"):
            for cid, _ in self.index.store.search(qv, pool):
                if cid in self.index.position:
                    found[self.index.position[cid]] = None
        if mode in ("hybrid", "bm25"):
            for i in np.argsort(-lex_all)[:pool]:
                if lex_all[i] > 0 or mode == "bm25":
                    found[int(i)] = None
        return list(found)

    def _fuse(self, dense: np.ndarray, lexical: np.ndarray, mode: Mode,
              weight: float | None = None) -> np.ndarray:
        if mode == "dense":
            return dense
        if mode == "bm25":
            return lexical
        w = self.dense_weight if weight is None else weight
        if self.fusion == "rrf":
            d_rank = np.argsort(np.argsort(-dense))
            l_rank = np.argsort(np.argsort(-lexical))
            return w / (self.rrf_k + d_rank + 1) + (1 - w) / (self.rrf_k + l_rank + 1)
        return w * _minmax(dense) + (1 - w) * _minmax(lexical)

    def retrieve(
        self, query: str, k: int, mode: Mode | None = None, context: str | None = None,
        dense_weight: float | None = None, lexical_query: str | None = None,
        lexical_context: str | None = None,
    ) -> Retrieval:
        """The ``k`` best chunks for ``query``.

        ``context`` (the earlier turns a follow-up builds on) adds its own ranking with
        weight ``context_weight``, so passages on the conversation's topic come first.
        ``dense_weight`` overrides the fusion weight (a question in another language than
        the collection's gains little from word matching); ``lexical_query`` replaces
        ``query`` for word matching (the question with its terms in the collection's
        language: ``crosslingual.Glossary.expand``), and ``lexical_context`` ``context``.
        """
        mode = mode or self.mode
        chunks = self.index.chunks
        texts = [query] if context is None else [query, context]
        vecs = self.embedder.embed_queries(texts)
        qv = vecs[0]
        pool = min(len(chunks), max(self.pool, k))
        lex_q = self.index.lexical.scores(lexical_query or query)
        cand = self._candidates(qv, lex_q, mode, pool)
        lex_c = None
        if context is not None:
            lex_c = self.index.lexical.scores(lexical_context or context)
            cand = list(dict.fromkeys(cand + self._candidates(vecs[1], lex_c, mode, pool)))
        idx = np.asarray(cand, dtype=np.int64)
        if idx.size == 0:
            return Retrieval(query, [], qv, self.index.lexical.coverage(query))
        vectors = self.index.vectors_at(idx)
        dense = vectors @ qv
        lexical = lex_q[idx]
        fused = self._fuse(dense, lexical, mode, dense_weight)
        if context is not None and lex_c is not None:
            ctx = self._fuse(vectors @ vecs[1], lex_c[idx], mode, dense_weight)
            fused = _minmax(fused) + self.context_weight * _minmax(ctx)
        order = np.argsort(-fused, kind="stable")[:k]
        hits = [
            Hit(chunks[int(idx[j])], float(fused[j]), float(dense[j]), float(lexical[j]))
            for j in order
        ]
        return Retrieval(query, hits, qv, self.index.lexical.coverage(query))
