"""``tillit serve --workers N``: several processes over one Chroma server, none holding the
passage vectors; refused without a Chroma server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from devtools.live import stop_process, worker_pids
from tests.chroma_server import ChromaServer, free_port, needs_chroma

pytestmark = needs_chroma
ROOT = Path(__file__).resolve().parents[2]


def _mapped_files(pid: int) -> set[str]:
    return {line.split()[-1] for line in Path(f"/proc/{pid}/maps").read_text().splitlines()
            if "/" in line}


def _serve(env: dict[str, str], data: Path, port: int, workers: int,
           log: Path | None = None) -> subprocess.Popen[str]:
    """``tillit serve --workers N``; its output goes to ``log`` when given (a pipe nobody
    reads would fill up and block the supervisor's logging), else to a pipe."""
    cmd = [sys.executable, "-m", "tillit", "--data-dir", str(data), "serve", "--workers",
           str(workers), "--port", str(port)]
    if log is None:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
    with open(log, "w", encoding="utf-8") as out:  # the child keeps its own copy
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)


@pytest.mark.parametrize("how", ["tillit serve --workers 2", "TILLIT_WORKERS=2 app.py"])
def test_several_workers_without_a_chroma_server_are_refused(tmp_path: Path, how: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TILLIT_CHROMA")}
    if how.startswith("tillit"):
        proc = _serve(env, tmp_path / "data", free_port(), 2)
    else:
        env.update(TILLIT_WORKERS="2", TILLIT_DATA_DIR=str(tmp_path / "data"))
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, _ = proc.communicate(timeout=300)  # ~3 s; 15 s on a loaded machine
    assert proc.returncode == 2, out
    assert "2 workers need a Chroma server" in out and "TILLIT_CHROMA_HOST" in out
    assert "Traceback" not in out
    assert not (tmp_path / "data" / "index").exists(), "nothing is built before refusing"


@pytest.mark.slow
def test_two_workers_over_one_chroma_server(
    tmp_path: Path, chroma_server: ChromaServer
) -> None:
    port = free_port()
    data = tmp_path / "data"
    env = {**os.environ, "TILLIT_CHROMA_HOST": "127.0.0.1",
           "TILLIT_CHROMA_PORT": str(chroma_server.port), "TILLIT_SHOW_PROGRESS": "false",
           "TILLIT_RATE_LIMIT_REQUESTS": "0"}
    log = tmp_path / "serve.log"
    proc = _serve(env, data, port, 2, log)
    url = f"http://127.0.0.1:{port}"

    def output() -> str:
        return log.read_text(encoding="utf-8", errors="replace")[-3000:]

    try:
        with httpx.Client(base_url=url, timeout=60) as c:
            deadline = time.monotonic() + 300
            while True:  # the index is built first (no index yet), then the workers start
                assert proc.poll() is None, output()
                assert time.monotonic() < deadline, "server did not come up"
                try:
                    if c.get("/api/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.5)
            workers = worker_pids(proc.pid)
            assert len(workers) == 2, workers
            # Health answers once one worker is up; the other may still be opening the
            # index. Each one, once open, maps the build's vector files (shared placement).
            deadline = time.monotonic() + 120
            while not all(any(m.endswith("sentence_vectors.npy") for m in _mapped_files(pid))
                          for pid in workers):
                assert time.monotonic() < deadline, {p: _mapped_files(p) for p in workers}
                assert worker_pids(proc.pid) == workers
                time.sleep(0.5)
            questions = ["Vad är tillitsbaserad styrning?", "What is trust-based management?"]
            for q in questions * 3:
                r = c.post("/api/ask", json={"question": q})
                assert r.status_code == 200, r.text
                assert r.json()["answered"] and r.json()["citations"]
            assert 'data-mode="inline"' in c.get("/").text  # the widget's chat, not Gradio

            os.kill(workers[0], signal.SIGKILL)  # one worker dies: the other keeps answering
            for q in questions:  # (on new connections: one kept alive to it died with it)
                r = httpx.post(f"{url}/api/ask", json={"question": q}, timeout=60)
                assert r.status_code == 200 and r.json()["answered"], r.text
    finally:
        stop_process(proc)


def test_with_several_workers_the_chat_is_the_widgets(index_settings, assistant) -> None:
    """Gradio keeps a conversation in one process; with several workers the page at / is
    the widget's chat, whose conversation lives in the browser."""
    from fastapi.testclient import TestClient

    from tillit_web.app import create_app

    web = index_settings.web.model_copy(update={"workers": 2})
    app = create_app(index_settings.model_copy(update={"web": web}), assistant)
    with TestClient(app) as client:
        page = client.get("/?lang=en")
        assert page.status_code == 200
        assert 'data-mode="inline"' in page.text and "widget.js" in page.text
        assert "gradio" not in page.text.lower()
        assert client.post("/api/ask", json={"question": "Vad är tillit?"}).status_code == 200
    with TestClient(create_app(index_settings, assistant)) as client:  # one worker: Gradio
        assert "gradio" in client.get("/").text.lower()
