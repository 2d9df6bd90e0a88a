"""Embedding routes: ``/widget.js``, ``/widget.css``, ``/embed``, ``/widget-demo``, ``/gradio.js``.

Both pages are static HTML that load ``widget.js`` from this server; the widget renders
answers with ``textContent`` only.
"""

from __future__ import annotations

import html
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from tillit_web.i18n import LANGS, from_accept_language

STATIC = Path(__file__).resolve().parent / "static"


def _page(name: str, lang: str) -> str:
    text = (STATIC / name).read_text(encoding="utf-8")
    return text.replace("{{LANG}}", html.escape(lang))


def _lang(request: Request) -> str:
    q = request.query_params.get("lang")
    return q if q in LANGS else from_accept_language(request.headers.get("accept-language"))


def make_router() -> APIRouter:
    """Widget assets and the two widget pages."""
    router = APIRouter(include_in_schema=False)
    cache = {"Cache-Control": "public, max-age=300"}

    @router.get("/widget.js")
    async def widget_js() -> Response:
        return FileResponse(STATIC / "widget.js", media_type="text/javascript", headers=cache)

    @router.get("/widget.css")
    async def widget_css() -> Response:
        return FileResponse(STATIC / "widget.css", media_type="text/css", headers=cache)

    @router.get("/gradio.js")
    async def gradio_js() -> Response:
        """Gradio's web-component loader, self-hosted (``<gradio-app src=…>``); it imports
        its modules from ``/assets/`` of this server."""
        import gradio

        path = Path(gradio.__file__).parent / "templates" / "frontend" / "gradio.js"
        return FileResponse(path, media_type="text/javascript", headers=cache)

    @router.get("/tillit-static/{name}")
    async def ui_asset(name: str) -> Response:
        allowed = {"ui.js": "text/javascript", "demo.css": "text/css",
                   "favicon.svg": "image/svg+xml", "pages.css": "text/css",
                   "reader.js": "text/javascript"}
        if name not in allowed:
            return Response(status_code=404)
        return FileResponse(STATIC / name, media_type=allowed[name], headers=cache)

    router.add_api_route("/embed", widget_chat, response_class=HTMLResponse)

    @router.get("/widget-demo", response_class=HTMLResponse)
    async def widget_demo(request: Request) -> HTMLResponse:
        """A sample intranet help page that embeds the widget with one script tag."""
        return HTMLResponse(_page("widget-demo.html", _lang(request)))

    return router


async def widget_chat(request: Request) -> HTMLResponse:
    """The widget's full-window chat (``?lang=sv|en``): ``/embed`` for an ``<iframe>``, and
    ``/`` in place of the Gradio chat when several workers serve."""
    return HTMLResponse(_page("embed.html", _lang(request)))


def widget_chat_router() -> APIRouter:
    """``/``: the widget's full-window chat, in place of the Gradio chat (several workers)."""
    router = APIRouter()
    router.add_api_route("/", widget_chat, response_class=HTMLResponse)
    return router
