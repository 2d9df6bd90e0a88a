"""``python app.py`` serves everything on one port; ``serve`` builds a missing index."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.core import Assistant
from assistant.errors import IndexMissing, TillitError
from devtools.live import free_port
from tillit_web import server as web_server
from tillit_web.settings import AppSettings, WebSettings

ROOT = Path(__file__).resolve().parents[2]


def test_app_py_serves_everything_on_one_port(index_settings: AppSettings, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(index_settings.data_dir, data)
    port = free_port()
    env = {**os.environ, "TILLIT_DATA_DIR": str(data), "TILLIT_PORT": str(port),
           "TILLIT_HOST": "127.0.0.1", "TILLIT_SHOW_PROGRESS": "false"}
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=30) as c:
            while True:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() - t0 < 120, "server did not come up"
                try:
                    r = c.post("/api/ask", json={"question": "Vad är tillit?"})
                    if r.status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            print(f"first answer {time.monotonic() - t0:.1f} s after start")
            for path, kind in [("/", "text/html"), ("/docs", "text/html"),
                               ("/openapi.json", "application/json"),
                               ("/embed", "text/html"), ("/widget.js", "text/javascript"),
                               ("/widget-demo", "text/html"), ("/api/health", "application/json")]:
                r = c.get(path)
                assert r.status_code == 200, path
                assert r.headers["content-type"].startswith(kind), path
            assert (data / "feedback.sqlite3").exists()
    finally:
        proc.terminate()
        proc.wait(20)


def test_serve_builds_a_missing_index_once(
    index_settings: AppSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []

    def fake_index_corpus(settings: AppSettings, *args: Any, **kwargs: Any) -> Any:
        calls.append(settings.data_dir)  # stands in for the 30 s build: copy a real index
        shutil.copytree(index_settings.data_dir, settings.data_dir, dirs_exist_ok=True)

        class Report:
            chunks, seconds = 1, 0.0

        return Report()

    import assistant.factory

    monkeypatch.setattr(assistant.factory, "index_corpus", fake_index_corpus)
    settings = AppSettings(data_dir=tmp_path / "fresh", show_progress=False)
    first = web_server.prepare_assistant(settings)
    assert isinstance(first, Assistant) and first.info()["chunks"] > 10
    assert calls == [settings.data_dir]
    assert isinstance(web_server.prepare_assistant(settings), Assistant)
    assert len(calls) == 1  # the second start opens the existing index


def _count_opens(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    import assistant.factory

    opened: list[Path] = []
    real = assistant.factory.build_assistant

    def counting(settings: AppSettings, *args: Any, **kwargs: Any) -> Any:
        opened.append(settings.data_dir)
        return real(settings, *args, **kwargs)

    monkeypatch.setattr(assistant.factory, "build_assistant", counting)
    return opened


@pytest.mark.parametrize("broken", [False, True])
def test_serve_opens_the_index_once(
    broken: bool, index_settings: AppSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    shutil.copytree(index_settings.data_dir, data)
    if broken:
        (data / "index" / "current.json").write_text("{not json", encoding="utf-8")
    opened = _count_opens(monkeypatch)
    web = WebSettings(warm_up=False)
    app = web_server.make_app(AppSettings(data_dir=data, show_progress=False, web=web))
    assert opened == [data]  # the app reuses what start-up opened (or why it could not)
    state = app.state.tillit
    assert state.ready is not broken
    if broken:
        assert isinstance(state.error, TillitError)
        assert "tillit index --rebuild" in state.error.message("en")


def test_the_web_shows_the_problem_and_retries_on_request(
    index_settings: AppSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from tillit_web.app import create_app

    data = tmp_path / "data"
    data.mkdir()
    problem = IndexMissing("No index: build it with `tillit index`.")
    app = create_app(AppSettings(data_dir=data, show_progress=False), problem=problem)
    state = app.state.tillit
    state.retry_interval_s = 0.0
    opened = _count_opens(monkeypatch)
    with TestClient(app) as c:
        r = c.get("/api/health")
        assert r.status_code == 503 and "tillit index" in r.json()["error"]
        assert opened == []  # the health check does not open anything
        r = c.post("/api/ask", json={"question": "Vad är tillit?"})
        assert r.status_code == 503 and "tillit index" in r.json()["error"]
        assert opened == [data]  # the question tried once more, and failed the same way
        shutil.copytree(index_settings.data_dir, data, dirs_exist_ok=True)  # the fix
        r = c.post("/api/ask", json={"question": "Vad är tillit?"})
        assert r.status_code == 200 and r.json()["citations"], r.text
        assert c.get("/api/health").status_code == 200
        assert c.post("/api/ask", json={"question": "Vad är tillit?"}).status_code == 200
    assert opened == [data, data]  # a ready app opens nothing again


def test_web_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TILLIT_ALLOWED_ORIGINS", "https://intra.example.se, http://wiki:8080/")
    monkeypatch.setenv("TILLIT_PORT", "8123")
    monkeypatch.setenv("TILLIT_ROOT_PATH", "/tillit/")
    web = AppSettings().web
    assert web.allowed_origins == ["https://intra.example.se", "http://wiki:8080"]
    assert (web.port, web.root_path) == (8123, "/tillit")
    monkeypatch.setenv("TILLIT_ALLOWED_ORIGINS", "https://intra.example.se/path")
    with pytest.raises(ValueError):
        WebSettings()
