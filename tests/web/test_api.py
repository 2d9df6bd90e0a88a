"""HTTP API against a real uvicorn server: contract, limits, error codes, headers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devtools.live import LiveServer
from tests.web.sse import read_events
from tillit_web.render import quote_spans
from tillit_web.settings import AppSettings

SV_Q = "Vad är tillitsbaserad styrning?"
EN_Q = "What is trust-based management?"


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def test_health_reports_loaded_index(client: httpx.Client) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["index_loaded"] is True
    assert body["chunks"] > 10
    assert body["embedder_id"]
    assert body["documents"] >= 1


def test_ask_returns_the_cli_json_contract(client: httpx.Client) -> None:
    r = client.post("/api/ask", json={"question": SV_Q})
    assert r.status_code == 200
    body = r.json()
    for key in ("question", "standalone_question", "language", "answered", "answer", "mode",
                "citations", "timings_ms"):
        assert key in body
    assert body["language"] == "sv" and body["answered"] is True
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", body["answer"])}
    assert markers == {c["n"] for c in body["citations"]}
    for c in body["citations"]:
        assert c["quote"] and quote_spans(c["text"], c["quote"])  # highlightable
        assert c["chunk_id"] and c["chapter"] is not None


def test_ask_follow_up_uses_history(client: httpx.Client) -> None:
    r = client.post("/api/ask", json={"question": "Och varför är det viktigt?",
                                      "history": [SV_Q]})
    assert r.status_code == 200
    assert SV_Q in r.json()["standalone_question"]


def test_ask_lang_forces_answer_language(client: httpx.Client) -> None:
    r = client.post("/api/ask", json={"question": SV_Q, "lang": "en"})
    assert r.status_code == 200
    assert r.json()["language"] == "en"


@pytest.mark.parametrize(
    ("payload", "headers", "status", "pattern"),
    [
        ({"question": ""}, {}, 422, "empty"),
        ({"question": "   \n\t "}, {"Accept-Language": "sv-SE,sv;q=0.9"}, 422, "tom"),
        ({"question": "x" * 2001}, {}, 422, r"too long \(2001 characters; at most 2000\)"),
        ({"question": "å" * 2001}, {"Accept-Language": "sv"}, 422, r"för lång.*högst 2000"),
        ({"question": EN_Q, "history": ["q"] * 21}, {}, 422, r"history.*21.*at most 20"),
        ({"question": SV_Q, "history": ["q"] * 21}, {}, 422, r"Historiken.*21.*högst 20"),
        ({"question": SV_Q, "history": ["x" * 2001]}, {}, 422, "för lång"),
        ({"question": EN_Q, "lang": "de"}, {}, 422, "not supported"),
        ({"question": 5}, {}, 422, r"question: Input should be a valid string"),
        ({"question": 5}, {"Accept-Language": "sv"}, 422, r"question: måste vara text"),
        ({"history": []}, {}, 422, r"question: Field required"),
        ({"question": SV_Q, "history": "not a list"}, {}, 422, "history"),
    ],
)
def test_ask_limits_and_errors(
    client: httpx.Client, payload: dict[str, Any], headers: dict[str, str], status: int,
    pattern: str,
) -> None:
    r = client.post("/api/ask", json=payload, headers=headers)
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "kind", "status"}
    assert body["status"] == status
    assert re.search(pattern, body["error"]), body["error"]


def test_ask_malformed_json(client: httpx.Client) -> None:
    r = client.post("/api/ask", content=b'{"question": ', headers={
        "Content-Type": "application/json", "Accept-Language": "sv"})
    assert r.status_code == 422
    assert r.json()["error"] == "Förfrågan är inte giltig JSON."


def test_body_limit_with_and_without_content_length(client: httpx.Client) -> None:
    big = json.dumps({"question": "x" * 70_000}).encode()
    r = client.post("/api/ask", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert "at most 64000 bytes" in r.json()["error"]

    def chunks() -> Iterator[bytes]:  # chunked transfer: no Content-Length header
        for i in range(0, len(big), 8192):
            yield big[i:i + 8192]

    r = client.post("/api/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_stream_sends_deltas_then_answer(client: httpx.Client) -> None:
    with client.stream("POST", "/api/ask/stream", json={"question": EN_Q}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        assert r.headers["x-accel-buffering"] == "no"
        events = read_events(r)
    kinds = [e for e, _ in events]
    assert kinds[-2:] == ["answer", "done"]
    deltas = [d["text"] for e, d in events if e == "delta"]
    assert len(deltas) >= 2
    answer = events[-2][1]
    assert "".join(deltas).strip() == answer["answer"].strip()
    assert answer["language"] == "en" and answer["citations"]


def test_stream_errors_are_plain_http_errors(client: httpx.Client) -> None:
    r = client.post("/api/ask/stream", json={"question": ""}, headers={"Accept-Language": "en"})
    assert r.status_code == 422
    assert r.json()["kind"] == "InvalidQuestion"


def test_missing_index_gives_503_but_feedback_works(
    start_server: Any, tmp_path: Any
) -> None:
    server = start_server(AppSettings(data_dir=tmp_path / "empty", show_progress=False))
    with httpx.Client(base_url=server.url, timeout=30) as c:
        r = c.get("/api/health")
        assert r.status_code == 503 and r.json()["index_loaded"] is False
        r = c.post("/api/ask", json={"question": SV_Q}, headers={"Accept-Language": "sv"})
        assert r.status_code == 503
        assert r.json()["kind"] == "IndexMissing"
        assert "/" not in r.json()["error"].replace("/ ", "")  # no file paths
        r = c.post("/api/feedback", json={"question": SV_Q, "answer": "a", "vote": "up"})
        assert r.status_code == 201


class _Broken:
    """An assistant that fails with an internal error that mentions a secret path."""

    def info(self) -> dict[str, Any]:
        return {"chunks": 1, "embedder_id": "x", "documents": {}}

    def answer(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom in /secret/path/file.py")

    def stream(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom in /secret/path/file.py")


def test_internal_error_hides_details(start_server: Any, settings: AppSettings) -> None:
    server = start_server(settings, _Broken())
    with httpx.Client(base_url=server.url, timeout=30) as c:
        for path in ("/api/ask", "/api/ask/stream"):
            r = c.post(path, json={"question": SV_Q}, headers={"Accept-Language": "en"})
            assert r.status_code == 500
            assert r.json() == {"error": "An internal error occurred. Please try again later.",
                                "kind": "InternalError", "status": 500}
            assert "secret" not in r.text and "Traceback" not in r.text


def test_cors_allowlist(start_server: Any, settings: AppSettings, assistant: Any) -> None:
    allowed = "http://intranet.example:8080"
    server = start_server(settings, assistant, allowed_origins=[allowed])
    with httpx.Client(base_url=server.url, timeout=30) as c:
        pre = c.options("/api/ask", headers={
            "Origin": allowed, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,accept-language"})
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == allowed
        r = c.post("/api/ask", json={"question": SV_Q}, headers={"Origin": allowed})
        assert r.headers["access-control-allow-origin"] == allowed
        r = c.post("/api/ask", json={"question": SV_Q}, headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in r.headers
        pre = c.options("/api/ask", headers={"Origin": "http://evil.example",
                                             "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in pre.headers
        csp = c.get("/embed").headers["content-security-policy"]
        assert f"frame-ancestors 'self' {allowed}" in csp


def test_default_is_same_origin_only(client: httpx.Client) -> None:
    r = client.post("/api/ask", json={"question": SV_Q}, headers={"Origin": "http://other.example"})
    assert "access-control-allow-origin" not in r.headers
    for path in ("/", "/embed", "/widget-demo", "/docs"):
        r = client.get(path)
        assert r.status_code == 200, path
        csp = r.headers["content-security-policy"]
        assert csp.endswith("frame-ancestors 'self'"), path
        script_src = re.search(r"script-src ([^;]*)", csp)
        assert script_src and "unsafe-inline" not in script_src.group(1)
        assert "unsafe-eval" not in csp
        assert "connect-src 'self'" in csp
        nonce = re.search(r"'nonce-([^']+)'", csp)
        # every script tag in the page carries this response's nonce
        tags = re.findall(r"<script\b[^>]*>", r.text)
        assert tags and nonce and all(f'nonce="{nonce.group(1)}"' in t for t in tags), path


def test_pages_are_offline(client: httpx.Client) -> None:
    """Nothing in the pages, the theme or the widget points at another host."""
    pages = [client.get(p).text for p in ("/", "/widget-demo", "/embed", "/docs")]
    config = client.get("/config")
    assert config.status_code == 200
    widget = client.get("/widget.js")
    for text in [*pages, config.text, widget.text]:
        assert "fonts.googleapis" not in text and "cdn.jsdelivr" not in text
        assert "unpkg.com" not in text
    for text in pages:
        assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?//""",
                             text)
    theme_css = client.get("/theme.css")
    assert theme_css.status_code == 200 and "@import" not in theme_css.text
    assert "googleapis" not in theme_css.text and "system-ui" in theme_css.text
    assert client.get("/docs-static/swagger-ui-bundle.js").status_code == 200
    assert client.get("/widget.css").headers["content-type"].startswith("text/css")
    assert widget.headers["content-type"].startswith("text/javascript")
    code = re.sub(r"/\*.*?\*/", "", widget.text, flags=re.S)  # drop comments
    assert "http" not in code  # the widget only talks to the server it came from
    assert "innerHTML" not in code and "insertAdjacentHTML" not in code
    assert "/api/ask" in client.get("/openapi.json").text
