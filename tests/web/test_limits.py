"""Load shedding (a semaphore with a bounded queue) and per-client rate limits: 503/429 with
Retry-After instead of crashing; budgets per client; the app recovers."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

import httpx
import pytest

from assistant.core import Assistant
from tillit_web.limits import AnswerGate, Overloaded, RateLimiter, retry_after
from tillit_web.settings import AppSettings

SV_Q = "Vad är tillitsbaserad styrning?"
EN_Q = "What is trust-based management?"


class HeldAssistant:
    """The real assistant, but every answer waits until ``release`` is set (at most
    ``limit`` seconds), so the admitted requests are still running when the last arrives."""

    def __init__(self, inner: Assistant, limit: float = 30.0) -> None:
        self.inner, self.limit = inner, limit
        self.index = inner.index  # the answers' citations are looked up in it
        self.release = threading.Event()

    def answer(self, *args: Any, **kwargs: Any) -> Any:
        self.release.wait(self.limit)
        return self.inner.answer(*args, **kwargs)

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        self.release.wait(self.limit)
        yield from self.inner.stream(*args, **kwargs)

    def info(self) -> dict[str, Any]:
        return self.inner.info()


def test_rate_limiter_token_bucket() -> None:
    now = [0.0]
    rl = RateLimiter(3, 60.0, clock=lambda: now[0])
    assert [rl.check("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert rl.check("a") == pytest.approx(20.0)  # one more every 60/3 s
    assert rl.check("b") == 0.0  # budgets are per client
    now[0] = 19.0
    assert 0 < rl.check("a") <= 1.0
    now[0] = 21.0
    assert rl.check("a") == 0.0
    assert RateLimiter(0, 60.0).check("a") == 0.0 and not RateLimiter(0, 60).enabled
    assert retry_after(0.2) == "1" and retry_after(19.5) == "20"


def test_rate_limiter_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RateLimiter, "MAX_CLIENTS", 100)
    now = [0.0]
    rl = RateLimiter(5, 1.0, clock=lambda: now[0])
    for i in range(1000):
        now[0] += 0.01
        rl.check(f"client-{i}")
    assert len(rl) <= 100


def test_gate_sheds_beyond_queue_and_after_timeout() -> None:
    async def scenario() -> tuple[int, int, int]:
        gate = AnswerGate(limit=2, max_waiting=1, timeout=0.3)
        done = shed = 0

        async def job(hold: float) -> None:
            nonlocal done, shed
            try:
                async with gate.slot():
                    await asyncio.sleep(hold)
                    done += 1
            except Overloaded:
                shed += 1

        await asyncio.gather(*(job(0.1) for _ in range(5)))  # 2 run, 1 waits, 2 shed
        assert (gate.running, gate.waiting) == (0, 0)
        await asyncio.gather(*(job(1.0) for _ in range(3)))  # the waiter times out
        return done, shed, gate.shed

    done, shed, counted = asyncio.run(scenario())
    assert (done, shed) == (3 + 2, 2 + 1) and counted == 3


def _post_held(url: str, held: HeldAssistant, n: int, shed: int, path: str,
               json: dict[str, Any], headers: dict[str, str] | None = None
               ) -> list[httpx.Response]:
    """Post ``n`` requests at once; release the held answers once ``shed`` came back 503.

    However slowly the requests arrive, the admitted ones are still running when the last
    one does; if fewer are shed, the hold ends after its limit and the test's count fails.
    """
    def one(_: int) -> httpx.Response:
        with httpx.Client(base_url=url, timeout=90) as c:
            return c.post(path, json=json, headers=headers or {})

    responses: list[httpx.Response] = []
    with ThreadPoolExecutor(n) as pool:
        for future in as_completed([pool.submit(one, i) for i in range(n)]):
            responses.append(future.result())
            if sum(r.status_code == 503 for r in responses) == shed:
                held.release.set()
    return responses


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
def test_overload_is_shed_with_503_and_retry_after_then_recovers(
    path: str, start_server: Any, settings: AppSettings, assistant: Assistant
) -> None:
    held = HeldAssistant(assistant)
    server = start_server(settings, held, max_concurrent_answers=2,
                          max_queued_answers=2, queue_timeout_s=60, retry_after_s=7,
                          rate_limit_requests=0)

    responses = _post_held(server.url, held, 10, 6, path, {"question": SV_Q},
                           {"Accept-Language": "sv"})
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 4 + [503] * 6, codes  # 2 computing + 2 queued; the rest shed
    for r in responses:
        if r.status_code == 503:
            assert r.headers["retry-after"] == "7"
            body = r.json()
            assert body["kind"] == "Overloaded" and "7 sekunder" in body["error"]
        else:
            assert "answer" in r.text
    r = httpx.post(server.url + path, json={"question": EN_Q}, timeout=30)
    assert r.status_code == 200  # recovered


def test_waiting_too_long_is_shed(
    start_server: Any, settings: AppSettings, assistant: Assistant
) -> None:
    held = HeldAssistant(assistant)
    server = start_server(settings, held, max_concurrent_answers=1,
                          max_queued_answers=10, queue_timeout_s=0.5, rate_limit_requests=0)

    t0 = time.monotonic()
    codes = [r.status_code for r in _post_held(server.url, held, 3, 2, "/api/ask",
                                                {"question": EN_Q})]
    assert sorted(codes) == [200, 503, 503]
    assert time.monotonic() - t0 < 20


def test_rate_limit_per_client_with_retry_after(
    start_server: Any, settings: AppSettings, assistant: Assistant
) -> None:
    server = start_server(settings, assistant, rate_limit_requests=3, rate_limit_window_s=60)
    with httpx.Client(base_url=server.url, timeout=30) as c:
        # Behind a trusted proxy (here: loopback) X-Forwarded-For names the client.
        a = {"X-Forwarded-For": "10.1.1.1"}
        assert [c.post("/api/ask", json={"question": EN_Q}, headers=a).status_code
                for _ in range(3)] == [200, 200, 200]
        r = c.post("/api/ask/stream", json={"question": EN_Q}, headers=a)
        assert r.status_code == 429
        assert 1 <= int(r.headers["retry-after"]) <= 20
        assert r.json()["kind"] == "RateLimited" and "Too many" in r.json()["error"]
        r = c.post("/api/feedback", json={"question": SV_Q, "answer": "x", "vote": "up"},
                   headers={**a, "Accept-Language": "sv"})
        assert r.status_code == 429 and "För många" in r.json()["error"]
        b = {"X-Forwarded-For": "10.1.1.2"}
        assert c.post("/api/ask", json={"question": EN_Q}, headers=b).status_code == 200
        assert c.get("/api/health", headers=a).status_code == 200  # health is not limited


def test_rate_limit_counts_proxy_users_not_addresses(
    start_server: Any, settings: AppSettings, assistant: Assistant
) -> None:
    server = start_server(settings, assistant, rate_limit_requests=2,
                          auth_header="X-Remote-User")
    with httpx.Client(base_url=server.url, timeout=30) as c:
        for user, expected in (("anna", [200, 200, 429]), ("bo", [200, 200, 429])):
            got = [c.post("/api/ask", json={"question": EN_Q},
                          headers={"X-Remote-User": user}).status_code for _ in range(3)]
            assert got == expected
