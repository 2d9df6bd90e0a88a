"""Load shedding and per-client rate limiting for the answer endpoints.

* :class:`AnswerGate` decides how many answers are computed at once (a semaphore). Requests
  beyond that wait in a bounded queue for a bounded time; when the queue is full or the wait
  too long they are shed with ``503`` and ``Retry-After`` instead of piling up threads.
* :class:`RateLimiter` gives each client a token bucket of ``requests`` per ``window``
  seconds; a client over budget gets ``429`` with ``Retry-After`` (seconds until one more
  request is allowed).
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager


class Overloaded(Exception):
    """No answer slot became free in time (or the queue is full)."""


class AnswerGate:
    """At most ``limit`` answers at once; at most ``max_waiting`` waiting, each ``timeout`` s."""

    def __init__(self, limit: int, max_waiting: int, timeout: float) -> None:
        self.limit = limit
        self.max_waiting = max_waiting
        self.timeout = timeout
        self._sem: asyncio.Semaphore | None = None
        self.waiting = 0
        self.running = 0
        self.shed = 0

    def _semaphore(self) -> asyncio.Semaphore:
        if self._sem is None:  # created in the server's event loop, on first use
            self._sem = asyncio.Semaphore(self.limit)
        return self._sem

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one answer slot; raise :class:`Overloaded` if none is free in time."""
        sem = self._semaphore()
        if self.running >= self.limit and self.waiting >= self.max_waiting:
            self.shed += 1
            raise Overloaded
        self.waiting += 1
        try:
            async with asyncio.timeout(self.timeout):
                await sem.acquire()
        except TimeoutError:
            self.shed += 1
            raise Overloaded from None
        finally:
            self.waiting -= 1
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            sem.release()


class RateLimiter:
    """Token buckets per client key: ``requests`` per ``window`` seconds, refilled evenly."""

    MAX_CLIENTS = 50_000  # buckets kept; full (idle) ones are dropped first

    def __init__(
        self, requests: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = float(requests)
        self.rate = requests / window if requests else 0.0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """False when the budget is 0 (rate limiting off)."""
        return self.capacity > 0

    def check(self, key: str) -> float:
        """Spend one request of ``key``'s budget: 0.0 if allowed, else seconds to wait."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > self.MAX_CLIENTS:
                    self._prune(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def _prune(self, now: float) -> None:
        full = [k for k, (tok, at) in self._buckets.items()
                if tok + (now - at) * self.rate >= self.capacity]
        for k in full:
            del self._buckets[k]
        while len(self._buckets) > self.MAX_CLIENTS:  # still too many: drop the oldest
            del self._buckets[next(iter(self._buckets))]

    def __len__(self) -> int:
        return len(self._buckets)


def retry_after(seconds: float) -> str:
    """A Retry-After header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
