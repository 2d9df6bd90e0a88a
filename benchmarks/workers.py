"""Several web workers over one Chroma server: RSS per worker and throughput.

The 100 000-chunk stand-in index (``benchmarks.scale``: the chapter's chunks copied with
noisy real vectors) is written into a ``chroma run`` server; ``tillit serve --workers N``
serves it for each N; ``devtools.loadcheck`` sends a mixed load (questions, follow-ups,
half streamed) from a fixed number of clients for a fixed time. Per worker: RSS (what
``top`` shows, shared pages counted in full) and PSS (shared pages split between the
processes that map them: the fair share of each worker). Printed, not asserted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.query_bench import built_with
from devtools.live import free_port, stop_process, worker_pids
from devtools.loadcheck import run_mixed_load

CHROMA = Path(sys.executable).with_name("chroma")


def memory_mb(pid: int) -> dict[str, float]:
    """RSS and PSS of a process in MiB (Linux ``/proc``)."""
    out = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key = line.split(":")[0]
        if key in ("Rss", "Pss"):
            out[key.lower() + "_mb"] = round(int(line.split()[1]) / 1024, 1)
    return out


def start_chroma(path: Path, port: int) -> subprocess.Popen[bytes]:
    """``chroma run`` on localhost, once it answers."""
    from index.store.chroma import make_client

    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            make_client(None, "127.0.0.1", port).heartbeat()
            return proc
        except Exception:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("chroma run did not come up")


def serve_and_load(data_dir: Path, chroma_port: int, workers: int, clients: int,
                   seconds: float, placement: str = "auto") -> dict[str, Any]:
    """Serve ``data_dir`` with ``workers`` processes, load it, measure, stop."""
    port = free_port()
    env = {**os.environ, "TILLIT_CHROMA_HOST": "127.0.0.1", "TILLIT_CHROMA_PORT": str(chroma_port),
           "TILLIT_SHOW_PROGRESS": "false", "TILLIT_RATE_LIMIT_REQUESTS": "0",
           "TILLIT_SERVED_VECTORS": placement, "TILLIT_MAX_QUEUED_ANSWERS": "1000",
           "TILLIT_QUEUE_TIMEOUT_S": "120", "HF_HUB_OFFLINE": "1",
           **{f"TILLIT_{k.upper()}": str(v) for k, v in built_with(data_dir).items()}}
    proc = subprocess.Popen([sys.executable, "-m", "tillit", "--data-dir", str(data_dir),
                             "serve", "--workers", str(workers), "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"serve exited with {proc.returncode}")
            try:
                health = httpx.get(f"{url}/api/health", timeout=5)
            except httpx.TransportError:
                health = None
            if health is not None and health.status_code == 200:
                pids = [proc.pid] if workers == 1 else worker_pids(proc.pid)
                if len(pids) == workers:
                    break
            elif health is not None and health.json().get("error"):
                raise SystemExit(f"the server cannot serve the index: {health.json()['error']}")
            if time.perf_counter() - t0 > 900:
                raise SystemExit("server did not come up")
            time.sleep(1)
        time.sleep(5 if workers == 1 else 20)  # all workers up and warmed, not just one
        started = round(time.perf_counter() - t0, 1)
        idle = [memory_mb(p) for p in pids]
        load = run_mixed_load(url, clients, 5000, seconds)
        loaded = [memory_mb(p) for p in pids]
        supervisor = memory_mb(proc.pid) if workers > 1 else None
    finally:
        stop_process(proc)
    return {
        "workers": workers, "placement": placement, "start_s": started,
        "rss_per_worker_idle_mb": [m["rss_mb"] for m in idle],
        "rss_per_worker_mb": [m["rss_mb"] for m in loaded],
        "pss_per_worker_mb": [m["pss_mb"] for m in loaded],
        "supervisor": supervisor,
        "throughput_rps": load["throughput_rps"], "ok": load["ok"], "5xx": load["5xx"],
        "status": load["status"], "median_ms": load["median_ms"], "p95_ms": load["p95_ms"],
        "clients": clients, "seconds": load["seconds"],
    }
