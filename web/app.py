"""The one ASGI app: HTTP API, widget routes, OpenAPI docs and the Gradio chat at ``/``."""

from __future__ import annotations

import logging
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapi.middleware.cors import CORSMiddleware  # noqa: E402
from fastapi_offline import FastAPIOffline  # noqa: E402

from assistant.core import Assistant  # noqa: E402
from assistant.errors import BackendUnavailable, IndexCorrupt, TillitError  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from web import admin, api, pages, reader  # noqa: E402
from web.auth import AuthMiddleware  # noqa: E402
from web.feedback import FeedbackStore  # noqa: E402
from web.insights import InsightsStore  # noqa: E402
from web.security import BodyLimitMiddleware, SecurityHeadersMiddleware  # noqa: E402
from web.state import WebState  # noqa: E402
from web.ui import build_ui, theme  # noqa: E402

log = logging.getLogger("tillit.web")

DESCRIPTION = """Questions and answers with cited passages over the anthology *Styra och leda
med tillit* (SOU 2018:38). Errors are `{"error", "kind", "status"}` with the message in the
request's language (`lang`, else `Accept-Language`)."""


def open_state(settings: Settings, assistant: Assistant | None = None) -> WebState:
    """Open the feedback store and (unless given) the assistant; keep an index error if any."""
    web = settings.web
    state = WebState(settings=settings, feedback=FeedbackStore.in_data_dir(settings.data_dir))
    if web.insights:  # opt-in: without it no insights store exists and nothing is kept
        state.insights = InsightsStore.in_data_dir(settings.data_dir,
                                                   web.insights_retention_days)
    if assistant is None:
        try:
            from assistant.factory import build_assistant

            assistant = build_assistant(settings)
        except TillitError as exc:
            log.warning("index not available: %s", exc.message("en"))
            # Without a Chroma server the 'backend' is the index's own files: say how to fix.
            local = isinstance(exc, BackendUnavailable) and not settings.chroma_host
            state.error = unusable_index() if local else exc
        except Exception:  # never crash at start-up: serve 503 with the reason instead
            log.exception("index could not be opened")
            state.error = unusable_index()
    if assistant is not None:
        state.assistant = assistant
        state.info = assistant.info()
    return state


def unusable_index() -> TillitError:
    """The error shown when opening the index failed in an unforeseen way (details only in
    the server log)."""
    return IndexCorrupt(
        "The index cannot be opened; rebuild it with `tillit index --rebuild`.",
        "Indexet går inte att öppna; bygg om det med `tillit index --rebuild`.",
    )


def create_app(settings: Settings, assistant: Assistant | None = None) -> FastAPI:
    """Build the app. Without ``assistant`` the index in ``settings.data_dir`` is opened;
    if that fails the app still starts and answers 503 until restarted with an index."""
    state = open_state(settings, assistant)
    web = state.web
    app = FastAPIOffline(
        title="Tillit API", version="0.1.0", description=DESCRIPTION, redoc_url=None,
        static_url="/docs-static",
    )
    app.state.tillit = state
    api.install_error_handlers(app)
    app.include_router(api.make_router(state))
    app.include_router(pages.make_router())
    app.include_router(reader.make_router(state))
    app.include_router(admin.make_router(state))
    app.add_middleware(BodyLimitMiddleware, limit=web.max_body_bytes)
    if web.auth_enabled:  # inside CORS, so that pre-flights and 401s get CORS headers
        token = web.auth_token.get_secret_value() if web.auth_token else None
        admin_token = web.admin_token.get_secret_value() if web.admin_token else None
        app.add_middleware(AuthMiddleware, token=token, header=web.auth_header,
                           admin_token=admin_token)
    app.add_middleware(
        CORSMiddleware, allow_origins=web.allowed_origins, allow_methods=["GET", "POST"],
        allow_headers=["*"], max_age=600,  # Gradio's web component sends its own headers
    )
    app.add_middleware(SecurityHeadersMiddleware, allowed_origins=web.allowed_origins)
    css = (pages.STATIC / "ui.css").read_text(encoding="utf-8")
    return gr.mount_gradio_app(
        app, build_ui(state), path="/", theme=theme(), css=css,
        head='<script src="tillit-static/ui.js" defer></script>',
        footer_links=[], ssr_mode=False, pwa=False, mcp_server=False, run_history=False,
        show_error=False, root_path=web.root_path or None,
    )
