"""The reader's memory: the same reading is made once, anything else is read anew."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from assistant.reader.cache import CachedReader


class CountingReader:
    """P(answers) = share of the question's words in the candidate; counts its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[str, ...]]] = []

    def score(self, question: str, candidates: Sequence[str]) -> np.ndarray:
        self.calls.append((question, tuple(candidates)))
        words = set(question.lower().split())
        return np.array([len(words & set(c.lower().split())) / len(words)
                         for c in candidates], dtype=np.float32)


def test_a_repeated_reading_comes_from_memory_and_equals_the_reader_s() -> None:
    inner = CountingReader()
    cached = CachedReader(inner, size=4)
    first = cached.score("vem ledde arbetet", ["arbetet leddes av Anna", "vem då"])
    first[0] = 99.0  # a caller's change must not reach the memory
    again = cached.score("vem ledde arbetet", ["arbetet leddes av Anna", "vem då"])
    assert len(inner.calls) == 1 and (cached.hits, cached.misses) == (1, 1)
    np.testing.assert_allclose(again, inner.score("vem ledde arbetet",
                                                  ["arbetet leddes av Anna", "vem då"]))


def test_other_candidates_or_another_question_are_read_anew() -> None:
    inner = CountingReader()
    cached = CachedReader(inner, size=4)
    cached.score("vem ledde arbetet", ["a b"])
    cached.score("vem ledde arbetet", ["a b c"])  # a rebuilt index gives other sentences
    cached.score("vem ledde projektet", ["a b"])
    assert len(inner.calls) == 3 and cached.hits == 0


def test_the_least_recently_used_reading_is_forgotten_first() -> None:
    inner = CountingReader()
    cached = CachedReader(inner, size=2)
    for q in ("ett", "två", "ett", "tre", "ett", "två"):
        cached.score(q, ["ett två tre"])
    # "ett" was used again before "tre" came, so "två" was forgotten, then read again.
    assert [q for q, _ in inner.calls] == ["ett", "två", "tre", "två"]


def test_threads_share_one_memory() -> None:
    inner = CountingReader()
    cached = CachedReader(inner, size=64)
    cached.score("fråga", ["fråga och svar"])
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: cached.score("fråga", ["fråga och svar"]), range(32)))
    assert len(inner.calls) == 1 and all(r.tolist() == [1.0] for r in results)
