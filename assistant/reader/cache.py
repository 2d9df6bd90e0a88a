"""A reader that remembers what it read: the probabilities of recent (question, candidates).

The key is the question with the exact candidate texts, so a new build of the index (other
sentences or sections) never meets an old entry. Shared by every thread of a worker.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from assistant.reading import SentenceReader


class CachedReader:
    """``reader`` with a least-recently-used memory of its last ``size`` readings."""

    def __init__(self, reader: SentenceReader, size: int) -> None:
        self.reader = reader
        self.size = size
        self._memory: OrderedDict[tuple[str, tuple[str, ...]], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def score(self, question: str, candidates: Sequence[str]) -> np.ndarray:
        """The reader's probabilities, from memory when this reading was made recently."""
        key = (question, tuple(candidates))
        with self._lock:
            known = self._memory.get(key)
            if known is not None:
                self._memory.move_to_end(key)
                self.hits += 1
                return known.copy()
            self.misses += 1
        probs = self.reader.score(question, candidates)
        with self._lock:
            self._memory[key] = probs.copy()
            self._memory.move_to_end(key)
            while len(self._memory) > self.size:
                self._memory.popitem(last=False)
        return probs
