"""``serve()``: build the index on first run, warm up, and run the app with uvicorn."""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from assistant.core import Assistant
from assistant.errors import InvalidConfiguration, TillitError
from assistant.factory import open_or_build_assistant
from assistant.settings import report_unknown_variables
from tillit_web.settings import AppSettings

log = logging.getLogger("tillit.web")

WORKER_START_TIMEOUT_S = 300
REBUILD_HINT = "tillit index --rebuild; the next question opens it again"
WARM_UP_QUESTIONS = ("Tillit och kontroll i offentlig sektor",
                     "Trust and control in public services")


def prepare_assistant(settings: AppSettings) -> Assistant | TillitError:
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


def make_app(settings: AppSettings) -> Any:
    """The app of ``serve``: the index opened once (built first if missing), warmed up."""
    from tillit_web.app import create_app

    opened = prepare_assistant(settings)
    if isinstance(opened, TillitError):
        return create_app(settings, problem=opened)
    if settings.web.warm_up:
        log.info("warm-up took %.1f s", warm_up(opened))
    return create_app(settings, opened)


def configure_logging() -> None:
    """Our INFO lines, without one line per HTTP request to a Chroma server."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:%(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)


def worker_app() -> Any:
    """The app of one worker process of ``serve`` with several workers (uvicorn calls this
    factory in each): the settings come from the environment, which ``serve`` prepared."""
    configure_logging()
    return make_app(AppSettings())


def _check_workers(settings: AppSettings, workers: int) -> None:
    """Several workers need a Chroma server: an embedded store is one process's files, and
    each worker would load the whole index."""
    if workers > 1 and not settings.chroma_host:
        raise InvalidConfiguration(
            f"{workers} workers need a Chroma server: start one (`chroma run --path DIR "
            "--port 8000`), set TILLIT_CHROMA_HOST (and TILLIT_CHROMA_PORT), index with "
            "`tillit index`, then serve; or serve with one worker.",
            f"{workers} arbetsprocesser kräver en Chroma-server: starta en (`chroma run --path "
            "KATALOG --port 8000`), sätt TILLIT_CHROMA_HOST (och TILLIT_CHROMA_PORT), indexera "
            "med `tillit index` och starta sedan; eller kör med en arbetsprocess.",
        )


def _pass_to_workers(settings: AppSettings, workers: int) -> None:
    """Worker processes read their settings from the environment; put the command line's
    overrides there. AppSettings made in code in other ways cannot reach them: refuse."""
    rebuilt = AppSettings(data_dir=settings.data_dir, show_progress=settings.show_progress)
    if rebuilt != settings:
        raise ValueError("serve with several workers takes its settings from TILLIT_* "
                         "variables (and --data-dir); other settings made in code are lost")
    os.environ["TILLIT_DATA_DIR"] = str(settings.data_dir.resolve())
    os.environ["TILLIT_SHOW_PROGRESS"] = "true" if settings.show_progress else "false"
    os.environ["TILLIT_WORKERS"] = str(workers)  # the app serves the chat that works so


def _index_in_child(settings: AppSettings) -> str:
    from assistant.factory import built_notice, index_corpus

    return built_notice(index_corpus(settings))


def _build_first(settings: AppSettings) -> None:
    """Index the bundled anthology before the workers start, when there is no index, in a
    child process (the supervisor stays small: it does not keep the embedder)."""
    from assistant.factory import building_notice, current_build_id

    if current_build_id(settings) is not None:
        return
    print(f"tillit: {building_notice(settings)}", file=sys.stderr, flush=True)
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            done = pool.submit(_index_in_child, settings).result()
    except TillitError as exc:  # like one worker: serve anyway, 503 with the fix
        done = (f"{exc.message('en')} Serving anyway; /api/health says 503 until it is fixed "
                f"({REBUILD_HINT}).")
    except BrokenProcessPool:
        done = f"the index build stopped unexpectedly; serving anyway ({REBUILD_HINT})."
    print(f"tillit: {done}", file=sys.stderr, flush=True)


def warm_up(assistant: Assistant) -> float:
    """Answer one question per language so lazily loaded models are ready; seconds taken."""
    t0 = time.perf_counter()
    for q in WARM_UP_QUESTIONS:
        assistant.answer(q)
    return time.perf_counter() - t0


def serve(settings: AppSettings, host: str | None = None, port: int | None = None,
          workers: int | None = None) -> None:
    """Serve the chat, API, docs and widget on one port until interrupted.

    With several ``workers`` (default ``settings.web.workers``) uvicorn runs that many
    processes on the port; they need a Chroma server (``InvalidConfiguration`` otherwise)
    and read their settings from the environment.
    """
    import uvicorn

    web = settings.web
    host = host or web.host
    port = web.port if port is None else port
    workers = workers or web.workers
    _check_workers(settings, workers)
    configure_logging()
    report_unknown_variables(log.warning, AppSettings)
    if web.auth_header and host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("TILLIT_AUTH_HEADER trusts %s from anyone who can reach %s:%s; serve on "
                    "127.0.0.1 behind the proxy that sets it", web.auth_header, host, port)
    log.info("question text is %s", "logged (TILLIT_LOG_QUESTIONS=true)"
             if web.log_questions else "not logged (TILLIT_LOG_QUESTIONS=false)")
    if workers > 1:
        _pass_to_workers(settings, workers)
        _build_first(settings)
        app: Any = "tillit_web.server:worker_app"
    else:  # one process serves the Gradio chat, whatever TILLIT_WORKERS says
        app = make_app(settings.model_copy(update={"web": web.model_copy(update={"workers": 1})}))
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    print(f"tillit: serving the chat on http://{shown}:{port}{web.root_path}/ "
          f"(API docs: /docs, widget: /widget.js, demo: /widget-demo)"
          + (f" with {workers} workers" if workers > 1 else ""), file=sys.stderr, flush=True)
    uvicorn.run(
        app, host=host, port=port, root_path=web.root_path, proxy_headers=True,
        log_level="info", timeout_graceful_shutdown=5, access_log=False,
        workers=workers, factory=workers > 1,
        # a worker opens the index and warms up before it is healthy (restarts on SIGHUP)
        timeout_worker_healthcheck=WORKER_START_TIMEOUT_S,
    )
