"""Generated answers through the HTTP API, with a fake LangChain chat model over the real
index: checked sentences in the JSON, the SSE stream's final answer replacing the raw tokens,
the quoted fallback when the model fails, and the model in /api/health."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from assistant.core import Assistant
from assistant.events import Token
from devtools.live import LiveServer
from tests.web.llm_fakes import LLM_MODEL, LLM_REPLY, SUPPORTED, UNSUPPORTED, HeldFakeChat
from tests.web.sse import read_events
from tillit_web.settings import AppSettings

SV_Q = "Vad är tillitsbaserad styrning?"
# The model cites passage [19] of five: the checker repairs the marker.
BAD_MARKER_REPLY = f"{SUPPORTED} [19]. {UNSUPPORTED} [2]."


def markers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", text)}


@pytest.fixture
def llm_client(
    start_server: Any, settings: AppSettings, llm_assistant: Callable[..., Assistant]
) -> Iterator[httpx.Client]:
    server = start_server(settings, llm_assistant())
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def test_generated_answer_has_checked_sentences(llm_client: httpx.Client) -> None:
    r = llm_client.post("/api/ask", json={"question": SV_Q})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["mode"], body["model"], body["fallback"]) == ("llm", LLM_MODEL, None)
    assert body["answered"] is True and body["language"] == "sv"
    sentences = body["sentences"]
    assert [s["supported"] for s in sentences] == [True, False]
    assert sentences[0]["text"].startswith(SUPPORTED)
    assert sentences[1]["text"].startswith(UNSUPPORTED)
    cited = {c["n"] for c in body["citations"]}
    assert cited == {1}
    assert sentences[0]["n"] == [1]  # every number points at a citation that supports it
    assert sentences[1]["n"] == []  # no number points at a passage that does not say it
    for s in sentences:
        assert 0.0 <= s["support"] <= 1.2
    assert markers(body["answer"]) == cited
    # the unsupported sentence carries the label in the text too; the supported one not
    assert re.search(r"Paris\. \(ej belagt i källorna\)$", body["answer"])
    assert body["answer"].count("ej belagt") == 1
    assert body["checks"]["sentences"] == 2 and body["checks"]["unsupported"] == 1
    for c in body["citations"]:
        assert c["chunk_id"] and c["text"]


def test_stream_ends_with_the_checked_answer_that_replaces_the_tokens(
    start_server: Any, settings: AppSettings, llm_assistant: Callable[..., Assistant]
) -> None:
    server = start_server(settings, llm_assistant(BAD_MARKER_REPLY))
    with httpx.Client(base_url=server.url, timeout=60) as c, \
            c.stream("POST", "/api/ask/stream", json={"question": SV_Q}) as r:
        assert r.status_code == 200
        events = read_events(r)
    kinds = [e for e, _ in events]
    assert kinds[-2:] == ["answer", "done"] and set(kinds[:-2]) == {"delta"}
    raw = "".join(d["text"] for e, d in events if e == "delta")
    assert raw == BAD_MARKER_REPLY  # the model's tokens, wrong marker and all
    final = events[-2][1]
    assert final["mode"] == "llm" and final["fallback"] is None
    assert final["answer"] != raw and "[19]" not in final["answer"]
    cited = {c["n"] for c in final["citations"]}
    assert markers(final["answer"]) == cited and cited
    assert all(set(s["n"]) <= cited and bool(s["n"]) == s["supported"]
               for s in final["sentences"])
    assert final["checks"]["markers_out_of_range"] == 1
    assert [s["supported"] for s in final["sentences"]] == [True, False]


def test_unreachable_model_falls_back_to_quotes(
    start_server: Any, settings: AppSettings, llm_assistant: Callable[..., Assistant]
) -> None:
    server = start_server(settings, llm_assistant(None))
    with httpx.Client(base_url=server.url, timeout=60) as c:
        r = c.post("/api/ask", json={"question": SV_Q})
        assert r.status_code == 200, r.text
        body = r.json()
        with c.stream("POST", "/api/ask/stream", json={"question": SV_Q}) as s:
            assert s.status_code == 200
            events = read_events(s)
    assert (body["fallback"], body["mode"], body["answered"]) == ("error", "extractive", True)
    assert body["note"].startswith("Språkmodellen kunde inte svara")
    assert body["answer"].startswith("Enligt antologin")
    cited = {c["n"] for c in body["citations"]}
    assert cited and markers(body["answer"]) == cited
    assert body["sentences"] and all(s["supported"] for s in body["sentences"])
    assert [e for e, _ in events][-2:] == ["answer", "done"]
    assert events[-2][1]["fallback"] == "error" and events[-2][1]["citations"]


def test_health_names_the_model_or_the_problem(
    start_server: Any, settings: AppSettings, llm_assistant: Callable[..., Assistant],
    assistant: Assistant, index_settings: AppSettings, tmp_path: Path,
) -> None:
    from assistant.factory import build_assistant

    missing = AppSettings(data_dir=index_settings.data_dir, show_progress=False, llm="llamacpp",
                       llm_model_path=tmp_path / "missing.gguf")
    broken = build_assistant(missing, assistant.embedder)
    cases = [(llm_assistant(), LLM_MODEL, False), (assistant, None, False), (broken, None, True)]
    for a, model, problem in cases:
        server = start_server(settings, a)
        body = httpx.get(server.url + "/api/health", timeout=30).json()
        assert body["status"] == "ok"
        assert body["llm"]["model"] == model
        assert bool(body["llm"]["problem"]) is problem, body["llm"]
    # and the quoted answers still work without the model that could not be loaded
    assert broken.answer(SV_Q).mode == "extractive"


def test_stream_holds_an_answer_slot_without_blocking_the_server(
    start_server: Any, settings: AppSettings, index_settings: AppSettings, assistant: Assistant
) -> None:
    """While a model streams, the answer slot stays taken (the gate counts it) and other
    requests are served (the tokens are awaited off the event loop)."""
    from assistant.factory import build_assistant
    from assistant.generate import ChatBackend

    # The model streams two tokens, then waits (up to 60 s) until the probe below is done.
    model = HeldFakeChat(messages=itertools.cycle([LLM_REPLY]), before=2, limit=60.0)
    held = build_assistant(index_settings, assistant.embedder,
                           chat=ChatBackend(model, LLM_MODEL, lambda t: len(t) // 4, 4096))
    server: LiveServer = start_server(settings, held)
    gate = cast(Any, server.server.config.app).state.tillit.gate
    seen: dict[str, Any] = {}

    try:
        with httpx.Client(base_url=server.url, timeout=60) as c, \
                c.stream("POST", "/api/ask/stream", json={"question": SV_Q}) as r:
            events: list[str] = []
            for line in r.iter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                    events.append(event)
                    if event == "delta" and events.count("delta") == 2:
                        assert model.holding.wait(60), "the model never started"
                        seen["running"] = gate.running
                        # Answered while the model is still busy: were its tokens awaited
                        # on the event loop, this would wait for the 60 s hold and time out.
                        seen["health"] = httpx.get(server.url + "/api/health",
                                                   timeout=30).status_code
                        seen["held"] = not model.release.is_set()
                        model.release.set()
    finally:
        model.release.set()
    assert events[-2:] == ["answer", "done"]
    assert seen == {"running": 1, "health": 200, "held": True}
    deadline = time.monotonic() + 60
    while gate.running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gate.running == 0


class _FailsMidway:
    """An assistant whose answer fails after the first streamed token."""

    def info(self) -> dict[str, Any]:
        return {"chunks": 1, "embedder_id": "x", "documents": {}}

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        yield Token("Tillit ")
        raise RuntimeError("boom in /secret/path/file.py")


def test_failure_after_the_stream_started_is_an_error_event(
    start_server: Any, settings: AppSettings
) -> None:
    server: LiveServer = start_server(settings, _FailsMidway())
    with httpx.Client(base_url=server.url, timeout=30) as c, \
            c.stream("POST", "/api/ask/stream", json={"question": SV_Q},
                     headers={"Accept-Language": "en"}) as r:
        assert r.status_code == 200
        events = read_events(r)
    assert events == [
        ("delta", {"text": "Tillit "}),
        ("error", {"error": "An internal error occurred. Please try again later.",
                   "kind": "InternalError", "status": 500}),
        ("done", {}),
    ]
    assert cast(Any, server.server.config.app).state.tillit.gate.running == 0
    body = httpx.get(server.url + "/api/health", timeout=30).json()
    assert body["llm"] == {"model": None, "problem": None}
