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
from assistant.errors import TillitError  # noqa: E402
from tillit_web import admin, api, pages, reader  # noqa: E402
from tillit_web.auth import AuthMiddleware  # noqa: E402
from tillit_web.feedback import FeedbackStore  # noqa: E402
from tillit_web.insights import InsightsStore  # noqa: E402
from tillit_web.security import BodyLimitMiddleware, SecurityHeadersMiddleware  # noqa: E402
from tillit_web.settings import AppSettings  # noqa: E402
from tillit_web.state import WebState  # noqa: E402
from tillit_web.ui import build_ui, theme  # noqa: E402

log = logging.getLogger("tillit.web")

DESCRIPTION = """Questions and answers with cited passages over the anthology *Styra och leda
med tillit* (SOU 2018:38). Errors are `{"error", "kind", "status"}` with the message in the
request's language (`lang`, else `Accept-Language`)."""


def open_state(
    settings: AppSettings, assistant: Assistant | None = None, problem: TillitError | None = None
) -> WebState:
    """Open the feedback store and attach ``assistant`` or ``problem`` (what kept it from
    opening, shown with 503); with neither, the index is opened here (once)."""
    web = settings.web
    state = WebState(settings=settings, feedback=FeedbackStore.in_data_dir(settings.data_dir))
    if web.insights:  # opt-in: without it no insights store exists and nothing is kept
        state.insights = InsightsStore.in_data_dir(settings.data_dir,
                                                   web.insights_retention_days)
    if assistant is not None:
        state.attach(assistant)
    elif problem is not None:
        state.attach(problem)
    else:
        state.open()
    if state.error is not None:
        log.warning("index not available: %s", state.error.message("en"))
    return state


def create_app(
    settings: AppSettings, assistant: Assistant | None = None, problem: TillitError | None = None
) -> FastAPI:
    """Build the app around ``assistant`` (or ``problem``: why there is none). With neither,
    the index in ``settings.data_dir`` is opened; if that fails the app still starts, answers
    503 with the problem and its fix, and tries again on later questions."""
    state = open_state(settings, assistant, problem)
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
    if web.workers > 1:
        # Gradio keeps a conversation in the process that started it, and one browser's
        # requests reach several workers: the chat is then the widget's (the conversation
        # lives in the page, every question goes to the stateless API).
        app.include_router(pages.widget_chat_router())
        return app
    css = (pages.STATIC / "ui.css").read_text(encoding="utf-8")
    return gr.mount_gradio_app(
        app, build_ui(state), path="/", theme=theme(), css=css,
        head='<script src="tillit-static/ui.js" defer></script>',
        footer_links=[], ssr_mode=False, pwa=False, mcp_server=False, run_history=False,
        show_error=False, root_path=web.root_path or None,
    )
