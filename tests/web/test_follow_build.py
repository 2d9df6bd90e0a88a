"""A running server serves the build ``tillit index`` makes, without a restart."""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from index.store.layout import write_json_atomic
from tillit_web.app import open_state
from tillit_web.settings import AppSettings
from tillit_web.state import WebState


def _wait_for(state: WebState, build_id: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while state.info.get("build_id") != build_id:
        assert time.monotonic() < deadline, f"still serving {state.info.get('build_id')}"
        time.sleep(0.2)


@pytest.mark.slow
def test_a_newer_build_is_served_and_a_broken_one_is_not(
    index_settings: AppSettings, tmp_path: Path, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import assistant.factory as factory
    from assistant.factory import current_build_id, index_corpus

    data = tmp_path / "data"
    shutil.copytree(index_settings.data_dir, data)
    settings = AppSettings(data_dir=data, show_progress=False)
    state = open_state(settings)
    state.retry_interval_s = 0.0
    first = state.info["build_id"]
    old = state.assistant
    assert old is not None

    state.follow_current_build()  # nothing new: nothing happens
    _wait_until_idle(state)  # (had it started to open a build, that is finished now)
    assert state.assistant is old

    # The newer build, once opened in the background, waits for ``swap`` before it is
    # served, so the check below runs while it is being opened however slow the machine.
    real_open = factory.open_or_build_assistant
    opened, swap = threading.Event(), threading.Event()

    def open_then_wait(*args: Any, **kwargs: Any) -> Any:
        result = real_open(*args, **kwargs)
        opened.set()
        swap.wait(60)
        return result

    monkeypatch.setattr(factory, "open_or_build_assistant", open_then_wait)
    index_corpus(settings, rebuild=True)
    second = current_build_id(settings)
    assert second is not None and second != first
    state.follow_current_build()
    try:
        assert opened.wait(120), "the newer build was not opened"
        assert state.assistant is old, "the current build answers while the newer one opens"
        assert old.answer("Vad är tillit?").answered
    finally:
        swap.set()
    _wait_for(state, second)
    assert state.assistant is not old and state.assistant.answer("Vad är tillit?").answered

    assert state.assistant.embedder is old.embedder, "model not reloaded"
    _wait_until_idle(state)

    # a pointer to a build that cannot be opened: logged once, the working build stays
    pointer = data / "index" / "current.json"
    good = pointer.read_text(encoding="utf-8")
    write_json_atomic(pointer, {**json.loads(good), "build_id": "no-such-build"})
    served = state.assistant
    with caplog.at_level(logging.WARNING, logger="tillit.web"):
        state.follow_current_build()
        _wait_until_idle(state)
        state.follow_current_build()  # the same broken build is not tried again
        _wait_until_idle(state)
    tries = [r for r in caplog.records if "no-such-build cannot be served" in r.getMessage()]
    assert len(tries) == 1, caplog.text
    assert state.assistant is served and state.info["build_id"] == second
    assert state.assistant.answer("What is trust-based management?").answered

    pointer.write_text("{not json", encoding="utf-8")  # unreadable: questions still answered
    state.follow_current_build()
    assert state.assistant is served
    write_json_atomic(pointer, json.loads(good))


def _wait_until_idle(state: WebState, timeout: float = 60.0) -> None:
    """Until no build is being opened (the background thread released its lock)."""
    deadline = time.monotonic() + timeout
    while not state._opening.acquire(blocking=False):
        assert time.monotonic() < deadline, "a build is still being opened"
        time.sleep(0.1)
    state._opening.release()


def test_the_pointer_is_read_at_most_once_per_interval(
    index_settings: AppSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    assistant,
) -> None:
    import assistant.factory as factory

    reads: list[Path] = []

    def current_build_id(s: AppSettings) -> str:
        reads.append(s.data_dir)
        return str(assistant.info()["build_id"])

    monkeypatch.setattr(factory, "current_build_id", current_build_id)
    state = open_state(index_settings, assistant)
    state.retry_interval_s = 60.0
    for _ in range(5):
        state.follow_current_build()
    assert len(reads) == 1
    assert state.assistant is assistant
