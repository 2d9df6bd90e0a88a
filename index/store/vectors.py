"""Where a serving process gets passage vectors from: its own array, or the Chroma store.

``memory`` keeps every passage vector in the process (fastest; each process pays the whole
matrix). ``shared`` keeps none: the vectors of a query's candidates are fetched from the
Chroma store by id, so several workers over one Chroma server do not each hold the index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

import numpy as np

VectorPlacement = Literal["memory", "shared"]


class PassageVectors(Protocol):
    """The vectors of some passages, given by build position and chunk id."""

    def take(self, rows: np.ndarray, ids: Sequence[str]) -> np.ndarray:
        """One float32 row per requested passage, in the order asked."""
        ...


class ArrayVectors:
    """Passage vectors from an array indexed by build position (loaded or mapped)."""

    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    def take(self, rows: np.ndarray, ids: Sequence[str]) -> np.ndarray:
        """Rows of the array."""
        return np.asarray(self.array[rows], dtype=np.float32)


class StoreVectors:
    """Passage vectors fetched from the vector store by chunk id, one request per call."""

    def __init__(self, store: _VectorGetter) -> None:
        self.store = store

    def take(self, rows: np.ndarray, ids: Sequence[str]) -> np.ndarray:
        """The stored vectors of ``ids``."""
        return self.store.vectors(ids)


class _VectorGetter(Protocol):
    def vectors(self, ids: Sequence[str]) -> np.ndarray: ...
