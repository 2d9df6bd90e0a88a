"""Optional access control for every route: a shared token, or a trusted proxy's header.

* ``TILLIT_AUTH_TOKEN``: a request passes with ``Authorization: Bearer <token>`` (API
  clients) or HTTP Basic with the token as password, any user name (browsers show their own
  log-in prompt on the ``WWW-Authenticate: Basic`` challenge and then send it with every
  request of the chat, the widget and ``/embed``).
* ``TILLIT_AUTH_HEADER``: a reverse proxy that authenticated the user sets this header
  (``X-Remote-User``); a request passes when it is present and not empty.

With both set, either passes. CORS pre-flight requests (``OPTIONS``) pass, since browsers
never send credentials with them. Failures get ``401`` with the API's error shape.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json

from tillit_web.i18n import from_accept_language
from tillit_web.security import ASGIApp, Receive, Scope, Send

MESSAGES = {
    "sv": "Inloggning krävs.",
    "en": "Authentication required.",
}


def _token_matches(authorization: str, token: bytes) -> bool:
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    given: bytes | None = None
    if scheme.lower() == "bearer":
        given = value.encode("utf-8", "replace")
    elif scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return False
        given = decoded.partition(b":")[2]
    return given is not None and hmac.compare_digest(given, token)


class AuthMiddleware:
    """Refuses requests (HTTP and WebSocket) without the token or the proxy's header."""

    def __init__(self, app: ASGIApp, token: str | None, header: str = "",
                 admin_token: str | None = None) -> None:
        self.app = app
        self.token = token.encode("utf-8") if token else None
        self.admin_token = admin_token.encode("utf-8") if admin_token else None
        self.header = header.lower().encode("latin-1") if header else b""

    def allowed(self, headers: dict[bytes, bytes]) -> bool:
        """Do these request headers carry valid credentials?"""
        if self.header and headers.get(self.header, b"").strip():
            return True
        auth = headers.get(b"authorization")
        if not auth:
            return False
        return any(t and _token_matches(auth.decode("latin-1"), t)
                   for t in (self.token, self.admin_token))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope.get("method") == "OPTIONS":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        if self.allowed(headers):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        lang = from_accept_language(headers.get(b"accept-language", b"").decode("latin-1"),
                                    "en")
        body = json.dumps({"error": MESSAGES[lang], "kind": "Unauthorized", "status": 401},
                          ensure_ascii=False).encode()
        out = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store")]
        if self.token or self.admin_token:
            out.append((b"www-authenticate", b'Basic realm="Tillit", charset="UTF-8"'))
        await send({"type": "http.response.start", "status": 401, "headers": out})
        await send({"type": "http.response.body", "body": body})


def is_admin(headers: dict[bytes, bytes], admin_token: str | None, admin_group: str,
             auth_header: str, groups_header: str) -> bool:
    """Does a request carry the admin token, or (behind the authenticating proxy) come from
    a member of the admin group?"""
    auth = headers.get(b"authorization")
    if admin_token and auth and _token_matches(auth.decode("latin-1"),
                                               admin_token.encode("utf-8")):
        return True
    if not (admin_group and auth_header and groups_header):
        return False
    if not headers.get(auth_header.lower().encode("latin-1"), b"").strip():
        return False
    groups = headers.get(groups_header.lower().encode("latin-1"), b"").decode("latin-1")
    return admin_group in {g.strip() for g in groups.replace(";", ",").split(",")}
