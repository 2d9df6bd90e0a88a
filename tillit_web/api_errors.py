"""The API's one error shape and the mapping of every failure to it.

Every error reaches the client as ``{"error": message, "kind": name, "status": code}`` with
the message in the request's language; never a stack trace or a file path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.errors import (
    BackendUnavailable,
    IndexCorrupt,
    IndexMismatch,
    IndexMissing,
    InvalidQuestion,
    TillitError,
    UnsupportedLanguage,
)
from tillit_web.i18n import api_message, request_lang
from tillit_web.limits import retry_after

log = logging.getLogger("tillit.web")


class ApiError(Exception):
    """An error with an HTTP status and a message already in the client's language."""

    def __init__(
        self, status: int, message: str, kind: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.kind = status, message, kind
        self.headers = headers or {}


def status_for(exc: TillitError) -> int:
    """HTTP status of a core error."""
    if isinstance(exc, InvalidQuestion | UnsupportedLanguage):
        return 422
    if isinstance(exc, IndexMissing | IndexMismatch | IndexCorrupt | BackendUnavailable):
        return 503
    return 400 if exc.user_error else 500


def error_body(
    status: int, message: str, kind: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The one error shape of the API."""
    return JSONResponse(
        {"error": message, "kind": kind, "status": status}, status_code=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def lang_of(request: Request) -> str:
    """The language of the messages for ``request`` (set by the route, else its headers)."""
    return getattr(request.state, "lang", None) or request_lang(None, request.headers)


def install_error_handlers(app: FastAPI) -> None:
    """Turn every failure into the API's JSON error shape."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_body(exc.status, exc.message, exc.kind, exc.headers)

    @app.exception_handler(TillitError)
    async def _tillit_error(request: Request, exc: TillitError) -> JSONResponse:
        return error_body(status_for(exc), exc.message(lang_of(request)), type(exc).__name__)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        lang = lang_of(request)
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_body(422, api_message(lang, "bad_json"), "InvalidRequest")
        parts = []
        for e in errors[:3]:
            loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
            parts.append(f"{loc}: {_explain(e.get('type', ''), e.get('msg', ''), lang)}")
        detail = "; ".join(parts)
        return error_body(422, api_message(lang, "invalid", detail=detail), "InvalidRequest")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        lang = lang_of(request)
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 400:  # a body FastAPI could not decode (not UTF-8, say)
            return error_body(422, api_message(lang, "bad_json"), "InvalidRequest")
        key = HTTP_MESSAGES.get(exc.status_code)
        message = api_message(lang, key) if key else str(exc.detail)
        return error_body(exc.status_code, message, "HTTPError", headers)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s", request.url.path)
        return error_body(500, api_message(lang_of(request), "internal"), "InternalError")


HTTP_MESSAGES = {404: "not_found", 405: "method_not_allowed"}

_SV_EXPLAIN = {
    "missing": "saknas", "string_type": "måste vara text", "list_type": "måste vara en lista",
    "model_attributes_type": "måste vara ett JSON-objekt", "dict_type": "måste vara ett objekt",
}


def _explain(kind: str, msg: str, lang: str) -> str:
    return _SV_EXPLAIN.get(kind, msg) if lang == "sv" else msg


def check_length(value: str, limit: int, field: str, lang: str) -> None:
    """Refuse (422) a field longer than ``limit`` characters."""
    if len(value) > limit:
        raise ApiError(422, api_message(lang, "field_too_long", field=field, n=len(value),
                                        limit=limit), "InvalidRequest")


class SafeRoute(APIRoute):
    """Turns unexpected exceptions into the generic 500 body inside the route, so the
    connection stays usable (an exception escaping to the server closes it)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except (TillitError, ApiError, StarletteHTTPException, RequestValidationError):
                raise
            except Exception:
                log.exception("internal error on %s", request.url.path)
                return error_body(500, api_message(lang_of(request), "internal"),
                                  "InternalError")

        return handler


def shed_error(lang: str, seconds: float, key: str, kind: str, status: int) -> ApiError:
    """A request refused for load or rate (429/503) with its Retry-After."""
    after = retry_after(seconds)
    return ApiError(status, api_message(lang, key, seconds=after), kind, {"Retry-After": after})
