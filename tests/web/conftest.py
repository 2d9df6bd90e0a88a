"""Fixtures for the web tests: one real index per session, live uvicorn servers, Chromium,
and assistants over that index whose answers a fake LangChain chat model writes."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import pytest  # noqa: E402
from langchain_core.language_models import BaseChatModel  # noqa: E402
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel  # noqa: E402

from assistant.core import Assistant  # noqa: E402
from devtools.live import LiveServer  # noqa: E402
from tests.web.a11y import AXE  # noqa: E402
from tests.web.llm_fakes import LLM_MODEL, LLM_REPLY, UnreachableChat  # noqa: E402
from tillit_web.settings import (
    AppSettings,  # noqa: E402
    WebSettings,  # noqa: E402
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: end-to-end test in headless Chromium")
    # Gradio's queue calls pandas APIs that pandas 3 deprecates; not ours to fix.
    config.addinivalue_line("filterwarnings", "ignore:.*no_silent_downcasting:Warning")
    config.addinivalue_line("filterwarnings", "ignore:The copy keyword is deprecated:Warning")


@pytest.fixture(scope="session")
def index_settings(tmp_path_factory: pytest.TempPathFactory) -> AppSettings:
    """AppSettings whose data dir holds a real index of the bundled corpus (built once)."""
    from assistant.factory import index_corpus

    settings = AppSettings(data_dir=tmp_path_factory.mktemp("tillit-index"), show_progress=False)
    index_corpus(settings)
    return settings


@pytest.fixture(scope="session")
def assistant(index_settings: AppSettings) -> Assistant:
    """The real assistant over the session's index, warmed up."""
    from assistant.factory import build_assistant
    from tillit_web.server import warm_up

    a = build_assistant(index_settings)
    warm_up(a)
    return a


@pytest.fixture(scope="session")
def llm_assistant(
    index_settings: AppSettings, assistant: Assistant
) -> Callable[..., Assistant]:
    """``llm_assistant(reply=LLM_REPLY)`` → an assistant over the session's index (and
    embedder) whose fake model always streams ``reply``; ``reply=None``: the model is
    unreachable. Built once per reply."""
    from assistant.factory import build_assistant
    from assistant.generate import ChatBackend

    built: dict[str | None, Assistant] = {}

    def make(reply: str | None = LLM_REPLY) -> Assistant:
        if reply not in built:
            model: BaseChatModel = (
                UnreachableChat() if reply is None
                else GenericFakeChatModel(messages=itertools.cycle([reply]))
            )
            backend = ChatBackend(model, LLM_MODEL, lambda t: len(t) // 4, 4096)
            built[reply] = build_assistant(
                index_settings, assistant.embedder, chat=backend)
        return built[reply]

    return make


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    """Per-test settings: a fresh data dir, so each test has its own feedback store."""
    return AppSettings(data_dir=tmp_path / "data", show_progress=False)


ServerFactory = Callable[..., LiveServer]


@pytest.fixture
def start_server() -> Iterator[ServerFactory]:
    """``start_server(settings, assistant=None, **web)`` → a started LiveServer."""
    from tillit_web.app import create_app

    servers: list[LiveServer] = []

    def start(settings: AppSettings, assistant: Assistant | None = None, **web: Any) -> LiveServer:
        web.setdefault("warm_up", False)
        app = create_app(settings.model_copy(update={"web": WebSettings(**web)}), assistant)
        server = LiveServer(app).start()
        servers.append(server)
        return server

    yield start
    for s in servers:
        s.stop()


@pytest.fixture
def server(start_server: ServerFactory, settings: AppSettings, assistant: Assistant) -> LiveServer:
    """A live server with the real assistant and a fresh feedback store."""
    return start_server(settings, assistant)


@pytest.fixture
def browser(tmp_path: Path, start_server: ServerFactory) -> Iterator[Callable[..., Any]]:
    """``browser(locale="sv-SE")`` → a Playwright context in a fresh Chromium profile.

    Depends on ``start_server`` so that browsers close before the servers stop.
    """
    if not os.path.exists(CHROMIUM):  # a browser test that cannot run fails
        pytest.fail(f"{CHROMIUM} is missing: run .ci/system-deps (make test does)")
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    contexts: list[Any] = []

    def make(locale: str = "sv-SE", **options: Any) -> Any:
        profile = tmp_path / f"chromium-profile-{len(contexts)}"
        options.setdefault("viewport", {"width": 1280, "height": 900})
        ctx = pw.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            locale=locale, **options,
        )
        ctx.set_default_timeout(20_000)
        contexts.append(ctx)
        return ctx

    yield make
    for c in contexts:
        c.close()
    pw.stop()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed from npm by .ci/system-deps (never from a CDN)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run .ci/system-deps (make test does)")
    return AXE.read_text(encoding="utf-8")
