"""Print axe-core's violations per page, before and after an answer, in both languages.

    python -m tests.web.axe_report [--data-dir DIR]

Serves the app over the index in the data dir (built if missing) and checks ``/``,
``/embed`` and ``/widget-demo`` (widget open) with axe-core (tests/web/node_modules).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.web.a11y import AXE, axe_violations
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS

QUESTION = {"sv": "Vad är tillitsbaserad styrning?", "en": "What is trust-based management?"}


def _ask(page: Any, path: str, question: str) -> None:
    if path == "/":
        page.fill("#tillit-input textarea", question)
        page.click("#tillit-send")
        page.wait_for_selector("#tillit-chat details.tillit-card")
        page.wait_for_timeout(500)
        return
    page.fill(".tw-input", question)
    page.click(".tw-send")
    page.wait_for_selector(".tw-card")


def report(url: str, axe: str) -> list[tuple[str, str, str, list[dict[str, Any]]]]:
    """(page, lang, when, violations) for every page, language and moment."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        for lang, locale in (("sv", "sv-SE"), ("en", "en-GB")):
            for path in ("/", "/embed", "/widget-demo"):
                with tempfile.TemporaryDirectory() as profile:
                    ctx = pw.chromium.launch_persistent_context(
                        profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                        locale=locale, viewport={"width": 1280, "height": 900})
                    page = ctx.new_page()
                    page.goto(f"{url}{path}?lang={lang}", wait_until="load")
                    if path == "/":
                        page.wait_for_selector("#tillit-input textarea")
                        page.wait_for_function(
                            f"() => document.querySelector('#tillit-lang input[value={lang}]')"
                            "?.checked")
                        page.wait_for_timeout(500)
                    elif path == "/widget-demo":
                        page.locator(".tw-bubble").click()
                    else:
                        page.wait_for_selector(".tw-input")
                    rows.append((path, lang, "before", axe_violations(page, axe)))
                    _ask(page, path, QUESTION[lang])
                    rows.append((path, lang, "after", axe_violations(page, axe)))
                    ctx.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    """Print one line per page, language and moment: violations and their rule ids."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", default=None)
    args = p.parse_args(argv)
    from assistant.factory import build_assistant, index_corpus
    from devtools.live import LiveServer
    from tillit_web.app import create_app
    from tillit_web.settings import AppSettings, WebSettings

    settings = AppSettings(**({"data_dir": Path(args.data_dir)} if args.data_dir else {}),
                        show_progress=False)
    index_corpus(settings)
    assistant = build_assistant(settings)
    with tempfile.TemporaryDirectory() as data:
        app = create_app(AppSettings(data_dir=Path(data), show_progress=False,
                                  web=WebSettings(stream_delay_ms=0, warm_up=False)), assistant)
        with LiveServer(app) as server:
            for path, lang, when, found in report(server.url, AXE.read_text("utf-8")):
                nodes = sum(len(v["nodes"]) for v in found)
                ids = ", ".join(f"{v['id']}×{len(v['nodes'])}" for v in found) or "–"
                print(f"{path:13} {lang} {when:6} violations={len(found)} nodes={nodes} {ids}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
