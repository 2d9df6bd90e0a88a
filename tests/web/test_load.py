"""A short version of ``python -m devtools.loadcheck`` (10 s, 20 clients) against a live server:
zero 5xx, every answer complete, p95 reported. The full run is recorded in
docs/reliability.md."""

from __future__ import annotations

import os
from typing import Any

import pytest

from assistant.core import Assistant
from devtools.loadcheck import run_mixed_load
from tillit_web.settings import AppSettings


@pytest.mark.slow
def test_short_mixed_load_has_no_5xx(
    start_server: Any, settings: AppSettings, assistant: Assistant
) -> None:
    server = start_server(settings, assistant)
    result = run_mixed_load(server.url, clients=20, total=1000, seconds=10, pid=os.getpid())
    print(result)
    assert result["5xx"] == 0 and result["incomplete"] == 0, result
    assert not any(k.startswith("transport") for k in result["status"]), result
    assert result["ok"] >= 20 and result["p95_ask_ms"] > 0 and result["p95_stream_ms"] > 0
    assert result["ok"] + result["rate_limited_429"] == result["requests"]


def test_load_refuses_other_hosts() -> None:
    with pytest.raises(SystemExit, match="refusing"):
        run_mixed_load("http://example.com", 1, 1, 1)
