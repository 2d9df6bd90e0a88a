"""Bounded load test against 127.0.0.1 only: mixed Swedish/English questions and follow-ups
on ``/api/ask`` and ``/api/ask/stream``; status codes, p95 latency, server RSS before/after.

    python -m devtools.loadcheck                              # start `python app.py`, 10 clients
    python -m devtools.loadcheck --clients 50 --requests 5000 --seconds 120   # the issue's load
    python -m devtools.loadcheck --url http://127.0.0.1:7860 --pid 1234       # a running server

Bounded: at most 5,000 requests and 600 s; refuses any host but loopback. Each simulated
client sends its own ``X-Forwarded-For`` (10.77.x.y), so per-client rate limits apply to it
as to a real user behind a proxy. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from devtools.live import free_port

ROOT = Path(__file__).resolve().parent.parent
MAX_REQUESTS = 5000
MAX_SECONDS = 600.0
# (question, follow-up or None): follow-ups are sent with the question as history.
CONVERSATIONS: list[tuple[str, str | None]] = [
    ("Vad är tillitsbaserad styrning?", "Och varför är det viktigt?"),
    ("What is trust-based management?", "Why does it matter?"),
    ("Varför behövs en tillitsreform?", None),
    ("What are the risks of New Public Management?", "What about the professions?"),
    ("Vilken roll har professionen?", "Hur då?"),
    ("How can managers build trust?", None),
    ("Vad menas med detaljstyrning?", "Vad säger Adler om det?"),
    ("What is the role of the citizen?", "And the politicians?"),
    ("Vilka tre styrprinciper beskriver Adler?", None),
    ("Who wrote the introduction?", "Where does she work?"),
]
QUESTIONS = [q for q, _ in CONVERSATIONS]  # kept for callers of the old interface
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def rss_mb(pid: int) -> float | None:
    """Resident set size of process ``pid`` in MiB (Linux /proc), or None."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def start_server(
    data_dir: str | None, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str, float]:
    """Start ``python app.py`` on a free port; return it, its URL and seconds to first answer."""
    port = free_port()
    env = {**os.environ, "TILLIT_PORT": str(port), "TILLIT_HOST": "127.0.0.1",
           **(extra_env or {})}
    if data_dir:
        env["TILLIT_DATA_DIR"] = data_dir
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=url, timeout=30) as c:
        while time.monotonic() - t0 < 600:
            if proc.poll() is not None:
                raise SystemExit("the server exited during startup")
            try:
                if c.post("/api/ask", json={"question": QUESTIONS[0]}).status_code == 200:
                    return proc, url, time.monotonic() - t0
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the server did not answer within 600 s")


def _percentile(sorted_values: list[float], p: int) -> float:
    if not sorted_values:
        return 0.0
    if len(sorted_values) == 1:
        return round(sorted_values[0], 1)
    return round(statistics.quantiles(sorted_values, n=100)[p - 1], 1)


def _stream(c: httpx.Client, body: dict[str, Any], headers: dict[str, str]) -> int:
    """POST to the streaming endpoint and read it to the end; the status (0: incomplete)."""
    with c.stream("POST", "/api/ask/stream", json=body, headers=headers) as r:
        if r.status_code != 200:
            r.read()
            return r.status_code
        text = "".join(r.iter_text())
    return 200 if "event: answer" in text and "event: done" in text else 0


def run_mixed_load(
    url: str, clients: int, total: int, seconds: float, pid: int | None = None,
    stream_share: float = 0.5,
) -> dict[str, Any]:
    """``clients`` threads hold conversations until ``total`` requests or ``seconds`` pass.

    Half of the requests (``stream_share``) go to the streaming endpoint. Returns counts per
    status, latency percentiles (ms) per endpoint and the server's RSS before and after.
    """
    if urlparse(url).hostname not in LOOPBACK:
        raise SystemExit("refusing to load anything but 127.0.0.1 / localhost")
    total, seconds = min(total, MAX_REQUESTS), min(seconds, MAX_SECONDS)
    lat: dict[str, list[float]] = {"ask": [], "stream": []}
    codes: Counter[str] = Counter()
    lock = threading.Lock()
    counter = iter(range(total))
    deadline = time.monotonic() + seconds
    rss_before = rss_mb(pid) if pid else None

    def client(n: int) -> None:
        headers = {"X-Forwarded-For": f"10.77.{n // 250}.{n % 250 + 1}"}
        with httpx.Client(base_url=url, timeout=60) as c:
            for i in counter:
                if time.monotonic() > deadline:
                    return
                question, follow = CONVERSATIONS[(i // 2 + n) % len(CONVERSATIONS)]
                body: dict[str, Any] = {"question": question}
                if i % 2 and follow:
                    body = {"question": follow, "history": [question]}
                endpoint = "stream" if (i * 7919 % 100) < stream_share * 100 else "ask"
                t = time.perf_counter()
                try:
                    if endpoint == "stream":
                        code = _stream(c, body, headers)
                    else:
                        r = c.post("/api/ask", json=body, headers=headers)
                        code = r.status_code if r.status_code != 200 or "answer" in r.json() \
                            else 0
                except httpx.HTTPError as exc:
                    code, name = -1, type(exc).__name__
                    with lock:
                        codes[f"transport:{name}"] += 1
                    continue
                dt = (time.perf_counter() - t) * 1000
                with lock:
                    codes[str(code)] += 1
                    if code == 200:
                        lat[endpoint].append(dt)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    ok = sorted(lat["ask"] + lat["stream"])
    server_errors = sum(v for k, v in codes.items() if k.isdigit() and int(k) >= 500)
    result: dict[str, Any] = {
        "clients": clients, "seconds": round(wall, 1), "requests": sum(codes.values()),
        "ok": len(ok), "status": dict(sorted(codes.items())), "5xx": server_errors,
        "shed_503": codes.get("503", 0), "rate_limited_429": codes.get("429", 0),
        "incomplete": codes.get("0", 0),
        "median_ms": round(statistics.median(ok), 1) if ok else 0.0,
        "p95_ms": _percentile(ok, 95), "p99_ms": _percentile(ok, 99),
        "max_ms": round(ok[-1], 1) if ok else 0.0,
        "p95_ask_ms": _percentile(sorted(lat["ask"]), 95),
        "p95_stream_ms": _percentile(sorted(lat["stream"]), 95),
        "throughput_rps": round(len(ok) / wall, 1) if wall else 0.0,
    }
    if pid:
        result["rss_mb_before"], result["rss_mb_after"] = rss_before, rss_mb(pid)
    return result


def run_load(url: str, clients: int, total: int, limit_s: float = 600.0) -> dict[str, Any]:
    """``/api/ask`` only (the earlier interface): ``clients`` threads, ``total`` requests."""
    return run_mixed_load(url, clients, total, limit_s, stream_share=0.0)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; prints one JSON object."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", help="a running server on 127.0.0.1 (default: start app.py)")
    p.add_argument("--pid", type=int, help="with --url: the server's pid, for RSS")
    p.add_argument("--data-dir", help="TILLIT_DATA_DIR for the started server")
    p.add_argument("--clients", type=int, default=10)
    p.add_argument("--requests", type=int, default=200, help=f"at most {MAX_REQUESTS}")
    p.add_argument("--seconds", type=float, default=120.0, help=f"at most {MAX_SECONDS:.0f}")
    p.add_argument("--stream-share", type=float, default=0.5,
                   help="share of requests sent to /api/ask/stream")
    args = p.parse_args(argv)
    proc = None
    result: dict[str, object] = {}
    try:
        if args.url:
            url, pid = args.url.rstrip("/"), args.pid
        else:
            proc, url, startup = start_server(args.data_dir)
            pid = proc.pid
            result["startup_to_first_answer_s"] = round(startup, 2)
        run_mixed_load(url, 2, 20, 60, None)  # warm connections and caches
        result.update(run_mixed_load(url, args.clients, args.requests, args.seconds, pid,
                                     args.stream_share))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(20)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
