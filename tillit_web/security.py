"""Response headers (CSP with frame-ancestors from the allowlist) and request-size limits.

Policies, all with ``frame-ancestors 'self' <TILLIT_ALLOWED_ORIGINS>``:

* Gradio chat (``/``, ``/embed`` …): scripts only from the app's origin plus the page's own
  inline bootstrap scripts, which get a per-response nonce (no ``'unsafe-inline'`` and no
  ``'unsafe-eval'`` for scripts). Styles need ``'unsafe-inline'``: Gradio sets theme
  variables and component sizes in style attributes and ``<style>`` elements.
* Own pages (``/widget-demo``) and the widget: ``'self'`` only.
* ``/docs``: Swagger UI's one inline bootstrap script is allowed by nonce too.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from tillit_web.i18n import api_message, from_accept_language

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_SCRIPT_TAG = re.compile(rb"<script(?=[\s>])", re.I)
_SOCIAL_META = re.compile(rb"<meta\s[^>]*(?:property=\"og:|name=\"twitter:)[^>]*>\s*", re.I)
_HEAD = re.compile(rb"<head[^>]*>", re.I)


def tillit_social_meta(body: bytes, lang: str) -> bytes:
    """Gradio's page advertises Gradio (og:/twitter: tags naming gradio.app, an image on
    another host): replace those tags with Tillit's own. Other pages are left alone."""
    tags = _SOCIAL_META.findall(body)
    if not any(b"gradio" in tag.lower() or b"://" in tag for tag in tags):
        return body
    from tillit_web.i18n import t
    from tillit_web.shell import social_meta

    body = _SOCIAL_META.sub(b"", body)
    ours = social_meta(t(lang, "title"), lang).encode()
    head = _HEAD.search(body)
    return body[:head.end()] + ours + body[head.end():] if head else body


def content_security_policy(nonce: str | None, frame_ancestors: list[str]) -> str:
    """The CSP header value for an HTML page."""
    script = "script-src 'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    return "; ".join([
        "default-src 'self'",
        script,
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' blob: data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors " + " ".join(["'self'", *frame_ancestors]),
    ])


class SecurityHeadersMiddleware:
    """Adds CSP, nosniff and referrer headers; gives inline scripts of HTML pages a nonce."""

    def __init__(self, app: ASGIApp, allowed_origins: list[str]) -> None:
        self.app = app
        self.frame_ancestors = list(allowed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # HTML is rewritten below, so pages (Accept: text/html, or paths without a file
        # extension) must come uncompressed; scripts, styles and API calls stay compressed.
        accept = dict(scope.get("headers", [])).get(b"accept", b"")
        lang = from_accept_language(
            dict(scope.get("headers", [])).get(b"accept-language", b"").decode("latin-1"))
        path = scope["path"]
        page_like = "." not in path.rsplit("/", 1)[-1] and not path.startswith(
            ("/api/", "/gradio_api/"))
        if scope.get("method") == "GET" and (b"text/html" in accept or page_like):
            scope = dict(scope)
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"]
        start: Message | None = None
        chunks: list[bytes] = []

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                ctype = dict(headers).get(b"content-type", b"")
                headers += [(b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"same-origin")]
                message = {**message, "headers": headers}
                if ctype.startswith(b"text/html") and b"content-encoding" not in dict(headers):
                    start = message  # hold until the body is complete
                    return
                await send(message)
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            nonce = secrets.token_urlsafe(16)
            body = tillit_social_meta(b"".join(chunks), lang)
            body = _SCRIPT_TAG.sub(f'<script nonce="{nonce}"'.encode(), body)
            csp = content_security_policy(nonce, self.frame_ancestors).encode()
            headers = [(k, v) for k, v in start["headers"]
                       if k not in (b"content-length", b"content-security-policy")]
            headers += [(b"content-length", str(len(body)).encode()),
                        (b"content-security-policy", csp)]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, wrapped)


class BodyLimitMiddleware:
    """Refuses ``/api/`` request bodies over ``limit`` bytes with 413 and a clear message."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        lang = from_accept_language(headers.get(b"accept-language", b"").decode("latin-1"),
                                    "en")
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await self._refuse(send, lang)
            return
        if scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        # Read the whole (small) body first, so an oversized one is refused before the app
        # sees any of it, whether it came with a Content-Length or chunked.
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # client went away
            body += message.get("body", b"")
            if len(body) > self.limit:
                await self._refuse(send, lang)
                return
            if not message.get("more_body"):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send, lang: str) -> None:
        import json

        body = json.dumps({"error": api_message(lang, "body_too_large", limit=self.limit),
                           "kind": "RequestTooLarge", "status": 413},
                          ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        ]})
        await send({"type": "http.response.body", "body": body})
