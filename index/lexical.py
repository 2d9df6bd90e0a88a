"""BM25 over the chunks (``bm25s``), with Swedish stemming."""

from __future__ import annotations

import math
from collections import Counter

import bm25s
import numpy as np

from index.analysis import analyze


class LexicalIndex:
    """BM25 scores for every chunk, plus document frequencies for term weighting."""

    def __init__(self, texts: list[str]) -> None:
        self.tokens = [analyze(t) for t in texts]
        self.n = len(texts)
        self.df: Counter[str] = Counter()
        for toks in self.tokens:
            self.df.update(set(toks))
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        self._bm25.index([t if t else ["\u2205"] for t in self.tokens], show_progress=False)

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency; unknown terms get the highest weight."""
        return math.log(1.0 + (self.n + 1) / (self.df.get(term, 0) + 0.5))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for ``query`` (zeros when no term is known)."""
        terms = [t for t in analyze(query) if t in self.df]
        if not terms or self.n == 0:
            return np.zeros(self.n, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float32)

    def coverage(self, query: str) -> float:
        """Share of the query's content terms (idf-weighted) that occur in the corpus at all."""
        terms = analyze(query)
        if not terms:
            return 0.0
        total = sum(self.idf(t) for t in terms)
        known = sum(self.idf(t) for t in terms if t in self.df)
        return known / total if total else 0.0
