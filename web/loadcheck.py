"""Startup time and /api/ask latency under concurrent clients, against 127.0.0.1 only.

    python -m web.loadcheck                      # start `python app.py`, then 10 clients
    python -m web.loadcheck --clients 10 --requests 300
    python -m web.loadcheck --url http://127.0.0.1:7860   # an already running server

Bounded: at most 5,000 requests and 600 s; refuses any host but loopback.
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
from pathlib import Path
from urllib.parse import urlparse

import httpx

from web.live import free_port

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "Vad är tillitsbaserad styrning?", "What is trust-based management?",
    "Varför behövs en tillitsreform?", "What are the risks of New Public Management?",
    "Vilken roll har professionen?", "How can managers build trust?",
    "Vad menas med detaljstyrning?", "What is the role of the citizen?",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def start_server(data_dir: str | None) -> tuple[subprocess.Popen[bytes], str, float]:
    """Start ``python app.py`` on a free port; return it, its URL and seconds to first answer."""
    port = free_port()
    env = {**os.environ, "TILLIT_PORT": str(port), "TILLIT_HOST": "127.0.0.1"}
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


def run_load(url: str, clients: int, total: int, limit_s: float = 600.0) -> dict[str, float]:
    """``clients`` threads send ``total`` questions to /api/ask; latency statistics in ms."""
    if urlparse(url).hostname not in LOOPBACK:
        raise SystemExit("refusing to load anything but 127.0.0.1 / localhost")
    total = min(total, 5000)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))
    deadline = time.monotonic() + limit_s

    def client() -> None:
        nonlocal errors
        with httpx.Client(base_url=url, timeout=60) as c:
            for i in counter:
                if time.monotonic() > deadline:
                    return
                t = time.perf_counter()
                try:
                    ok = c.post("/api/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]}
                                ).status_code == 200
                except httpx.HTTPError:
                    ok = False
                dt = (time.perf_counter() - t) * 1000
                with lock:
                    if ok:
                        latencies.append(dt)
                    else:
                        errors += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    lat = sorted(latencies)
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else lat * 99
    return {"clients": clients, "requests": len(lat), "errors": errors,
            "median_ms": round(statistics.median(lat), 1) if lat else 0.0,
            "p95_ms": round(q[94], 1), "p99_ms": round(q[98], 1),
            "max_ms": round(lat[-1], 1) if lat else 0.0,
            "throughput_rps": round(len(lat) / wall, 1)}


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; prints one JSON object."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", help="a running server on 127.0.0.1 (default: start app.py)")
    p.add_argument("--data-dir", help="TILLIT_DATA_DIR for the started server")
    p.add_argument("--clients", type=int, default=10)
    p.add_argument("--requests", type=int, default=200)
    args = p.parse_args(argv)
    proc = None
    result: dict[str, object] = {}
    try:
        if args.url:
            url = args.url.rstrip("/")
        else:
            proc, url, startup = start_server(args.data_dir)
            result["startup_to_first_answer_s"] = round(startup, 2)
        run_load(url, 1, 10)  # warm connections and caches
        result.update(run_load(url, args.clients, args.requests))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(20)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
