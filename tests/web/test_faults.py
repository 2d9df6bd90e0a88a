"""Faults injected for real: kill -9 mid-build, damaged or foreign indexes, a feedback writer
killed mid-write. The previous index keeps being served, the server never crash-loops and
says how to rebuild, and no acknowledged vote is lost."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from devtools.live import free_port
from tillit_web.feedback import FeedbackStore
from tillit_web.settings import AppSettings

ROOT = Path(__file__).resolve().parents[2]
SV_Q = "Vad är tillitsbaserad styrning?"
LEAKS = ("Traceback", 'File "', "/tmp", "/work", "/root", "/home", "site-packages")


def _copy_index(src: AppSettings, dest: Path) -> AppSettings:
    shutil.copytree(src.data_dir / "index", dest / "index")
    return AppSettings(data_dir=dest, show_progress=False)


def _current_build(data: Path) -> str:
    return str(json.loads((data / "index" / "current.json").read_text())["build_id"])


def _assert_no_leak(text: str, data: Path) -> None:
    for leak in (*LEAKS, str(data)):
        assert leak not in text, f"{leak!r} leaked into {text!r}"


def _env(data: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "TILLIT_DATA_DIR": str(data), "TILLIT_HOST": "127.0.0.1",
            "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1", **extra}


class _Output:
    """Collects a subprocess's output in a thread, so it never blocks on a full pipe."""

    def __init__(self, stream: Any) -> None:
        self.data = b""
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream: Any) -> None:
        for chunk in iter(lambda: stream.read1(4096), b""):
            self.data += chunk

    def wait_for(self, needle: bytes, proc: subprocess.Popen[bytes], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.data:
            assert proc.poll() is None, f"exited early: {self.data[-2000:]!r}"
            assert time.monotonic() < deadline, f"no {needle!r} in {self.data[-2000:]!r}"
            time.sleep(0.05)


# --- kill -9 during an index build ------------------------------------------------------


@pytest.mark.slow
def test_kill_9_mid_rebuild_keeps_serving_the_previous_index(
    index_settings: AppSettings, tmp_path: Path, start_server: Callable[..., Any]
) -> None:
    settings = _copy_index(index_settings, tmp_path / "data")
    data = settings.data_dir
    before = _current_build(data)
    server = start_server(settings)  # opens the index from disk, like a running server
    client = httpx.Client(base_url=server.url, timeout=60)
    assert client.get("/api/health").json()["build_id"] == before

    build = subprocess.Popen(
        [sys.executable, "-m", "tillit", "index", "--rebuild"], cwd=ROOT,
        env=_env(data, TILLIT_SHOW_PROGRESS="true"), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    out = _Output(build.stdout)
    out.wait_for(b"Embedding", build, timeout=120)  # the progress bar has started
    # Stopped in the middle of embedding (seconds of work), so however slowly this test
    # runs the build cannot reach its commit before it is killed.
    os.kill(build.pid, signal.SIGSTOP)
    assert client.post("/api/ask", json={"question": SV_Q}).status_code == 200  # during build
    os.kill(build.pid, signal.SIGKILL)
    assert build.wait(30) == -signal.SIGKILL

    # The half build is on disk but not served: the pointer still names the old build.
    assert _current_build(data) == before
    # Killed while embedding: the build writes nothing before its commit stage, so at most
    # a staging folder (never a finished build) may be left.
    half = [p.name for p in (data / "index" / "builds").iterdir() if p.name != before]
    assert all(".tmp" in name for name in half), half
    r = client.post("/api/ask", json={"question": SV_Q})
    assert r.status_code == 200 and r.json()["answered"]
    server.stop()

    # A restarted server serves the previous build.
    restarted = start_server(settings)
    with httpx.Client(base_url=restarted.url, timeout=60) as c:
        assert c.get("/api/health").json()["build_id"] == before
        assert c.post("/api/ask", json={"question": SV_Q}).json()["answered"]
    restarted.stop()

    # The next build completes, clears the half build and is served after a restart.
    done = subprocess.run(
        [sys.executable, "-m", "tillit", "index", "--rebuild"], cwd=ROOT,
        env=_env(data, TILLIT_SHOW_PROGRESS="false"), capture_output=True, text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    after = _current_build(data)
    assert after != before
    assert not [p for p in (data / "index" / "builds").iterdir() if ".tmp" in p.name]
    fresh = start_server(settings)
    with httpx.Client(base_url=fresh.url, timeout=60) as c:
        assert c.get("/api/health").json()["build_id"] == after
        assert c.post("/api/ask", json={"question": SV_Q}).json()["answered"]
    client.close()


# --- damaged, missing or foreign indexes -------------------------------------------------


def _garble_pointer(data: Path) -> None:
    (data / "index" / "current.json").write_text("{not json", encoding="utf-8")


def _remove_build(data: Path) -> None:
    shutil.rmtree(data / "index" / "builds" / _current_build(data))


def _truncate_chunks(data: Path) -> None:
    path = data / "index" / "builds" / _current_build(data) / "chunks.jsonl"
    path.write_bytes(path.read_bytes()[: 5000])


def _remove_vectors(data: Path) -> None:
    (data / "index" / "builds" / _current_build(data) / "vectors.npy").unlink()


def _garble_chroma(data: Path) -> None:
    folder = data / "index" / "builds" / _current_build(data) / "chroma"
    for f in folder.rglob("*"):
        if f.is_file():
            f.write_bytes(b"\x00garbage" * 100)


def _other_embedder(data: Path) -> None:
    path = data / "index" / "builds" / _current_build(data) / "build.json"
    info = json.loads(path.read_text())
    info["embedder_id"] = "sentence-transformers/some-other-model"
    path.write_text(json.dumps(info))


def _no_index(data: Path) -> None:
    shutil.rmtree(data / "index")


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "garbled pointer": (_garble_pointer, "tillit index --rebuild"),
    "build folder gone": (_remove_build, "tillit index --rebuild"),
    "truncated chunks": (_truncate_chunks, "tillit index --rebuild"),
    "vectors gone": (_remove_vectors, "tillit index --rebuild"),
    "garbled vector store": (_garble_chroma, "tillit index --rebuild"),
    "another embedder": (_other_embedder, "tillit index --rebuild"),
    "no index": (_no_index, "tillit index"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_unusable_index_gives_503_with_a_clear_message(
    damage: str, index_settings: AppSettings, tmp_path: Path, start_server: Callable[..., Any]
) -> None:
    settings = _copy_index(index_settings, tmp_path / "data")
    hurt, hint = DAMAGE[damage]
    hurt(settings.data_dir)
    server = start_server(settings)  # must not raise: the app starts and says why
    with httpx.Client(base_url=server.url, timeout=30) as c:
        for lang, headers in (("en", {}), ("sv", {"Accept-Language": "sv-SE"})):
            r = c.get("/api/health", headers=headers)
            assert r.status_code == 503
            body = r.json()
            assert body["index_loaded"] is False and hint in body["error"], body
            if lang == "sv":
                assert any(w in body["error"] for w in ("index", "Index")) and (
                    "bygg" in body["error"].lower() or "Bygg" in body["error"]), body
            _assert_no_leak(r.text, settings.data_dir)
            r = c.post("/api/ask", json={"question": SV_Q}, headers=headers)
            assert r.status_code == 503 and hint in r.json()["error"]
            _assert_no_leak(r.text, settings.data_dir)
        assert c.get("/").status_code == 200  # the chat page still loads
        assert c.post("/api/feedback", json={"question": "q", "answer": "a",
                                             "vote": "up"}).status_code == 201


def test_core_reports_a_damaged_embedded_store_as_a_damaged_index(
    index_settings: AppSettings, tmp_path: Path
) -> None:
    from assistant.errors import IndexCorrupt
    from assistant.factory import build_assistant

    settings = _copy_index(index_settings, tmp_path / "data")
    _garble_chroma(settings.data_dir)
    with pytest.raises(IndexCorrupt, match="tillit index --rebuild"):
        build_assistant(settings)


def test_app_py_with_a_damaged_index_starts_and_reports_instead_of_crash_looping(
    index_settings: AppSettings, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    _copy_index(index_settings, data)
    _truncate_chunks(data)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT,
                            env=_env(data, TILLIT_PORT=str(port)),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = _Output(proc.stdout)
    try:
        out.wait_for(b"serving the chat", proc, timeout=120)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
            deadline = time.monotonic() + 120  # the message comes before the port is open
            while True:
                try:
                    r = c.get("/api/health")
                    break
                except httpx.TransportError:
                    assert proc.poll() is None, f"exited: {out.data[-2000:]!r}"
                    assert time.monotonic() < deadline, "the server did not open its port"
                    time.sleep(0.1)
            assert r.status_code == 503 and "tillit index --rebuild" in r.json()["error"]
            _assert_no_leak(r.text, data)
            time.sleep(1.0)
            assert proc.poll() is None, "the server must stay up"
            assert c.get("/api/health").status_code == 503
        assert b"tillit index --rebuild" in out.data  # the start-up message says the fix
    finally:
        proc.terminate()
        proc.wait(20)


# --- the feedback store when its writer is killed ----------------------------------------

WRITER = """
import sys
from pathlib import Path
from tillit_web.feedback import FeedbackStore
store = FeedbackStore(Path(sys.argv[1]))
i = 0
while True:
    fid = store.add(f"q{i}", "a", ["kap01:1.1:001"], "up" if i % 2 else "down")
    print(fid, flush=True)  # acknowledged only after the commit returned
    i += 1
"""


def test_feedback_writers_killed_mid_write_lose_nothing_acknowledged(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    FeedbackStore(path)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=ROOT,
                                stdout=subprocess.PIPE, text=True) for _ in range(3)]
    acked: list[int] = []
    lock = threading.Lock()

    def collect(p: subprocess.Popen[str]) -> None:
        assert p.stdout is not None
        for line in p.stdout:
            with lock:
                acked.append(int(line))

    readers = [threading.Thread(target=collect, args=(p,), daemon=True) for p in writers]
    for t in readers:
        t.start()
    in_process = FeedbackStore(path)  # and threads of this process, at the same time
    with_threads: list[int] = []

    def local_writes() -> None:
        for i in range(40):
            with_threads.append(in_process.add(f"t{i}", "a", [], "up"))

    threads = [threading.Thread(target=local_writes) for _ in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acked) < 150 and time.monotonic() < deadline:
        time.sleep(0.05)
    for p in writers:
        os.kill(p.pid, signal.SIGKILL)  # in the middle of a write, most likely
    for p in writers:
        p.wait(10)
    for t in threads + readers:
        t.join(60)
    assert len(acked) >= 150
    reopened = FeedbackStore(path)  # as after a restart
    ids = {r["id"] for r in reopened.rows()}
    assert set(acked) <= ids and set(with_threads) <= ids, "an acknowledged vote was lost"
    assert len(with_threads) == 160
    assert reopened.count() == len(ids) >= len(acked) + 160
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert reopened.add("after", "a", [], "up") > max(ids)
