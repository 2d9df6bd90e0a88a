"""Optional access control: a shared token (Bearer or Basic) or a trusted proxy header, for
the API and the UI alike; off by default."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from assistant.core import Assistant
from tillit_web.settings import AppSettings, WebSettings

TOKEN = "s3cret-token-for-tests-0123456789"
ROUTES = [("GET", "/"), ("GET", "/embed"), ("GET", "/widget.js"), ("GET", "/docs"),
          ("GET", "/openapi.json"), ("GET", "/api/health"), ("POST", "/api/ask"),
          ("POST", "/api/feedback")]
BODIES = {"/api/ask": {"question": "Vad är tillit?"},
          "/api/feedback": {"question": "q", "answer": "a", "vote": "up"}}


def _call(c: httpx.Client, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    return c.request(method, path, json=BODIES.get(path), headers=headers)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_token_required_everywhere_when_configured(
    start_server: Any, settings: AppSettings, assistant: Assistant
) -> None:
    server = start_server(settings, assistant, auth_token=TOKEN)
    with httpx.Client(base_url=server.url, timeout=30) as c:
        for method, path in ROUTES:
            for bad in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                        {"Authorization": _basic("x", "wrong")}, {"Authorization": "Basic !!"},
                        {"X-Remote-User": "anna"}):
                r = _call(c, method, path, bad)
                assert r.status_code == 401, (path, bad)
                assert TOKEN not in r.text
            r = _call(c, method, path, {})
            assert r.json() == {"error": "Authentication required.", "kind": "Unauthorized",
                                "status": 401}
            assert r.headers["www-authenticate"].startswith("Basic")  # browsers prompt
            ok = {200, 201}
            assert _call(c, method, path, {"Authorization": f"Bearer {TOKEN}"}
                         ).status_code in ok, path
            assert _call(c, method, path, {"Authorization": _basic("anna", TOKEN)}
                         ).status_code in ok, path
        r = c.get("/api/health", headers={"Accept-Language": "sv"})
        assert r.json()["error"] == "Inloggning krävs."
        # Streaming and CORS pre-flight.
        r = c.post("/api/ask/stream", json={"question": "Vad är tillit?"},
                   headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200 and "event: answer" in r.text
        assert c.options("/api/ask", headers={"Origin": server.url,
                                              "Access-Control-Request-Method": "POST"}
                         ).status_code != 401


def test_proxy_header_required_when_configured(
    start_server: Any, settings: AppSettings, assistant: Assistant
) -> None:
    server = start_server(settings, assistant, auth_header="X-Remote-User")
    with httpx.Client(base_url=server.url, timeout=30) as c:
        for method, path in ROUTES:
            assert _call(c, method, path, {}).status_code == 401, path
            assert _call(c, method, path, {"X-Remote-User": ""}).status_code == 401, path
            r = _call(c, method, path, {})
            assert "www-authenticate" not in r.headers  # the proxy does the logging in
            assert _call(c, method, path, {"X-Remote-User": "anna@kommun.se"}
                         ).status_code in (200, 201), path


def test_token_or_header_either_passes(
    start_server: Any, settings: AppSettings, assistant: Assistant
) -> None:
    server = start_server(settings, assistant, auth_token=TOKEN, auth_header="X-Remote-User")
    with httpx.Client(base_url=server.url, timeout=30) as c:
        assert c.get("/api/health").status_code == 401
        assert c.get("/api/health", headers={"X-Remote-User": "bo"}).status_code == 200
        assert c.get("/api/health", headers={"Authorization": f"Bearer {TOKEN}"}
                     ).status_code == 200


def test_off_by_default(server: Any) -> None:
    assert not WebSettings().auth_enabled
    with httpx.Client(base_url=server.url, timeout=30) as c:
        for method, path in ROUTES:
            assert _call(c, method, path, {}).status_code in (200, 201), path


def test_auth_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TILLIT_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("TILLIT_AUTH_HEADER", "X-Remote-User")
    web = WebSettings()
    assert web.auth_enabled and web.auth_token is not None
    assert web.auth_token.get_secret_value() == TOKEN and TOKEN not in repr(web)
    monkeypatch.setenv("TILLIT_AUTH_TOKEN", "")
    monkeypatch.setenv("TILLIT_AUTH_HEADER", "")
    assert not WebSettings().auth_enabled
    monkeypatch.setenv("TILLIT_AUTH_TOKEN", "short")
    with pytest.raises(ValueError, match="16 characters"):
        WebSettings()
    monkeypatch.setenv("TILLIT_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("TILLIT_AUTH_HEADER", "X Remote: User")
    with pytest.raises(ValueError, match="header"):
        WebSettings()
