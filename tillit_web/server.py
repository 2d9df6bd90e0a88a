"""``serve()``: build the index on first run, warm up, and run the app with uvicorn."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from assistant.core import Assistant
from assistant.errors import TillitError
from assistant.factory import open_or_build_assistant
from assistant.settings import Settings, report_unknown_variables

log = logging.getLogger("tillit.web")

REBUILD_HINT = "tillit index --rebuild; the next question opens it again"
WARM_UP_QUESTIONS = ("Tillit och kontroll i offentlig sektor",
                     "Trust and control in public services")


def prepare_assistant(settings: Settings) -> Assistant | TillitError:
    """The assistant through the one composition root, the bundled anthology indexed first
    when there is no index; or the problem (with its fix) when the index cannot be used, so
    that the server starts anyway and answers 503 with it instead of crash-looping."""
    def notify(message: str) -> None:
        print(f"tillit: {message}", file=sys.stderr, flush=True)

    try:
        return open_or_build_assistant(settings, notify=notify)
    except TillitError as exc:
        notify(f"{exc.message('en')} Serving anyway; /api/health says 503 until it is fixed "
               f"({REBUILD_HINT}).")
        return exc


def make_app(settings: Settings) -> Any:
    """The app of ``serve``: the index opened once (built first if missing), warmed up."""
    from tillit_web.app import create_app

    opened = prepare_assistant(settings)
    if isinstance(opened, TillitError):
        return create_app(settings, problem=opened)
    if settings.web.warm_up:
        log.info("warm-up took %.1f s", warm_up(opened))
    return create_app(settings, opened)


def warm_up(assistant: Assistant) -> float:
    """Answer one question per language so lazily loaded models are ready; seconds taken."""
    t0 = time.perf_counter()
    for q in WARM_UP_QUESTIONS:
        assistant.answer(q)
    return time.perf_counter() - t0


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Serve the chat, API, docs and widget on one port until interrupted."""
    import uvicorn

    web = settings.web
    host = host or web.host
    port = web.port if port is None else port
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:%(name)s: %(message)s")
    report_unknown_variables(log.warning)
    if web.auth_header and host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("TILLIT_AUTH_HEADER trusts %s from anyone who can reach %s:%s; serve on "
                    "127.0.0.1 behind the proxy that sets it", web.auth_header, host, port)
    log.info("question text is %s", "logged (TILLIT_LOG_QUESTIONS=true)"
             if web.log_questions else "not logged (TILLIT_LOG_QUESTIONS=false)")
    app = make_app(settings)
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    print(f"tillit: serving the chat on http://{shown}:{port}{web.root_path}/ "
          f"(API docs: /docs, widget: /widget.js, demo: /widget-demo)", file=sys.stderr,
          flush=True)
    uvicorn.run(
        app, host=host, port=port, root_path=web.root_path, proxy_headers=True,
        log_level="info", timeout_graceful_shutdown=5, access_log=False,
    )
