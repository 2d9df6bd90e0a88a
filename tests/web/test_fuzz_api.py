"""The OpenAPI schema fuzzed with schemathesis against a live server: no 5xx, every error
the API's JSON shape with a message; plus hand-made malformed requests."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from assistant.core import Assistant
from devtools.live import LiveServer
from tillit_web.settings import AppSettings

LEAKS = ("Traceback", 'File "', "/tmp", "/work", "/root", "/home", "site-packages",
         "Exception", "Error:")


@pytest.fixture
def fuzz_server(start_server: Any, settings: AppSettings, assistant: Assistant) -> LiveServer:
    return start_server(settings, assistant, rate_limit_requests=0)


FUZZ_EXAMPLES = 30  # per operation and generation mode: 4 operations x 2 modes x 30


def test_openapi_fuzz_no_5xx_and_errors_have_the_documented_shape(
    fuzz_server: LiveServer,
) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations()]
    operations = [op for op in operations if op.path.startswith("/api/")]
    assert {op.path for op in operations} >= {"/api/ask", "/api/ask/stream", "/api/health",
                                              "/api/feedback"}
    seen: dict[int, int] = {}
    for op in operations:
        modes = [GenerationMode.POSITIVE]
        if op.method.upper() == "POST":  # a GET without parameters has no negative cases
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:

            @given(case=op.as_strategy(generation_mode=mode))
            @settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True,
                      suppress_health_check=list(HealthCheck), database=None)
            def run(case: Any) -> None:
                response = case.call(base_url=fuzz_server.url, timeout=30)
                code = response.status_code
                seen[code] = seen.get(code, 0) + 1
                assert code in (200, 201, 413, 422), (case.path, code, response.text[:300])
                if code >= 400:
                    body = response.json()
                    assert set(body) == {"error", "kind", "status"} and body["status"] == code
                    assert body["error"].strip()
                    for leak in LEAKS:
                        assert leak not in body["error"], body

            run()
    print("status codes seen:", seen)
    assert seen.get(422, 0) > 0 and (seen.get(200, 0) + seen.get(201, 0)) > 0


MALFORMED: list[tuple[bytes, str]] = [
    (b"{", "application/json"),
    (b"", "application/json"),
    (b"null", "application/json"),
    (b"[]", "application/json"),
    (b'"question"', "application/json"),
    (b'{"question": "\xff\xfe"}', "application/json"),
    (b'{"question": "a", "history": [1, {"x": 2}, null]}', "application/json"),
    (b'{"question": {"$ne": 1}}', "application/json"),
    (b'{"question": "' + b"[" * 5000 + b'"}', "application/json"),
    (b"[" * 20_000 + b"]" * 20_000, "application/json"),
    (b'{"question": 1e999999}', "application/json"),
    (b"question=hej", "application/x-www-form-urlencoded"),
    (b'{"question": "hej"}', "text/plain"),
    (b"\x00\x01\x02", "application/octet-stream"),
    (b'{"question": "Vad \\u0000 \\ud800 \\u202e?"}', "application/json"),
    (b'{"question": "hej", "question": 5}', "application/json"),
]


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream", "/api/feedback"])
def test_malformed_bodies_are_4xx_in_the_requests_language(
    path: str, fuzz_server: LiveServer
) -> None:
    with httpx.Client(base_url=fuzz_server.url, timeout=30) as c:
        for body, ctype in MALFORMED:
            for lang, word in (("sv", ("Ogiltig", "inte giltig", "tom", "måste", "saknas",
                                       "för", "Ställ", "stöds")),
                               ("en", ("Invalid", "not valid", "empty", "must", "required",
                                       "too", "Please", "supported", "Input", "should"))):
                r = c.post(path, content=body, headers={"Content-Type": ctype,
                                                        "Accept-Language": lang})
                assert r.status_code in (200, 201, 413, 422), (body[:60], r.status_code, r.text)
                if r.status_code >= 400:
                    err = r.json()["error"]
                    assert any(w in err for w in word), (lang, body[:60], err)
                    for leak in LEAKS[:7]:
                        assert leak not in err
        huge = b'{"question": "' + b"a" * 10_000_000 + b'"}'
        r = c.post(path, content=huge, headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        assert c.get("/api/health").status_code == 200  # still serving


def test_wrong_methods_and_unknown_paths_are_4xx(fuzz_server: LiveServer) -> None:
    with httpx.Client(base_url=fuzz_server.url, timeout=30) as c:
        for r in (c.get("/api/ask"), c.delete("/api/feedback"), c.put("/api/health")):
            assert r.status_code in (404, 405), r.status_code
            assert not any(leak in r.text for leak in LEAKS[:7])
        assert c.get("/api/nothing-here").status_code == 404
        r = c.get("/api/../../etc/passwd")
        assert r.status_code == 404 and "root:" not in r.text
        r = c.get("/tillit-static/../../pyproject.toml")
        assert r.status_code == 404 and "setuptools" not in r.text
