"""BM25 over the chunks (``bm25s``), with Swedish stemming.

The index is computed once, when a build is made, and saved with the build
(``save``/``load``), so every process serving the build uses the same statistics and
none of them re-tokenises the corpus at start-up.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import bm25s
import numpy as np

from index.text.analysis import analyze

_EMPTY = "\u2205"
LEXICAL_DIR = "bm25"


class LexicalIndex:
    """BM25 scores for every chunk, plus document frequencies for term weighting."""

    def __init__(self, texts: list[str] | None = None) -> None:
        tokens = [analyze(t) for t in texts or []]
        self.n = len(tokens)
        self.df: Counter[str] = Counter()
        for toks in tokens:
            self.df.update(set(toks))
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        if tokens:
            self._bm25.index([t if t else [_EMPTY] for t in tokens], show_progress=False)

    def save(self, folder: Path) -> None:
        """Write the BM25 matrices and the document frequencies into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        if self.n:
            self._bm25.save(str(folder), show_progress=False)
        (folder / "lexical.json").write_text(
            json.dumps({"n": self.n, "df": self.df}, ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path, mapped: bool = False) -> LexicalIndex:
        """Read an index written by ``save``; ``mapped`` maps its matrices read-only."""
        data = json.loads((folder / "lexical.json").read_text(encoding="utf-8"))
        index = cls()
        index.n = int(data["n"])
        index.df = Counter({str(k): int(v) for k, v in data["df"].items()})
        if index.n:
            index._bm25 = bm25s.BM25.load(str(folder), mmap=mapped, show_progress=False)
        return index

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
