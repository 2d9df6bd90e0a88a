"""``serve()``: build the index on first run, warm up, and run the app with uvicorn."""

from __future__ import annotations

import logging
import sys
import time

from assistant.core import Assistant
from assistant.errors import IndexMissing, TillitError
from assistant.settings import Settings, report_unknown_variables

log = logging.getLogger("tillit.web")

REBUILD_HINT = "tillit index --rebuild   (then restart the server)"
WARM_UP_QUESTIONS = ("Tillit och kontroll i offentlig sektor",
                     "Trust and control in public services")


def prepare_assistant(settings: Settings, build_if_missing: bool = True) -> Assistant | None:
    """Open the index, building it from the bundled corpus first if there is none.

    Returns None (and logs why) when the index exists but cannot be used; the server then
    starts anyway and answers 503 with the reason.
    """
    from assistant.factory import build_assistant, index_corpus

    try:
        try:
            return build_assistant(settings)
        except IndexMissing:
            if not build_if_missing:
                raise
            print(f"tillit: no index in {settings.data_dir}; building it from the bundled "
                  "corpus (once, about half a minute) …", file=sys.stderr, flush=True)
            report = index_corpus(settings)
            print(f"tillit: index built: {report.chunks} chunks in {report.seconds:.1f} s",
                  file=sys.stderr, flush=True)
            return build_assistant(settings)
    except IndexMissing:
        if not build_if_missing:
            raise
        return None
    except TillitError as exc:
        print(f"tillit: {exc.message('en')} Serving anyway; /api/health says 503 until the "
              f"index is rebuilt: {REBUILD_HINT}", file=sys.stderr, flush=True)
        return None
    except Exception:  # never crash-loop: start, say why, and answer 503
        log.exception("the index could not be opened")
        print(f"tillit: the index cannot be opened (details above). Serving anyway; rebuild "
              f"it with: {REBUILD_HINT}", file=sys.stderr, flush=True)
        return None


def warm_up(assistant: Assistant) -> float:
    """Answer one question per language so lazily loaded models are ready; seconds taken."""
    t0 = time.perf_counter()
    for q in WARM_UP_QUESTIONS:
        assistant.answer(q)
    return time.perf_counter() - t0


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Serve the chat, API, docs and widget on one port until interrupted."""
    import uvicorn

    from web.app import create_app

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
    assistant = prepare_assistant(settings)
    if assistant is not None and web.warm_up:
        log.info("warm-up took %.1f s", warm_up(assistant))
    app = create_app(settings, assistant)
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    print(f"tillit: serving the chat on http://{shown}:{port}{web.root_path}/ "
          f"(API docs: /docs, widget: /widget.js, demo: /widget-demo)", file=sys.stderr,
          flush=True)
    uvicorn.run(
        app, host=host, port=port, root_path=web.root_path, proxy_headers=True,
        log_level="info", timeout_graceful_shutdown=5, access_log=False,
    )
