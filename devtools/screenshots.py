"""Screenshots of the chat (Swedish, English, phone width), the widget demo, the reader view
and the editors' insights page into ``docs/``.

    python -m devtools.screenshots [--out docs]

Serves the app on a free 127.0.0.1 port (building the index first if there is none) and
drives Debian's headless Chromium (/usr/bin/chromium) with Playwright.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from devtools.live import LiveServer
from tillit_web.settings import AppSettings, WebSettings

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic"]
FINAL = "#tillit-chat .tillit-answer:not(.tillit-streaming)"


def _ask(page: Any, question: str, n: int) -> None:
    page.fill("#tillit-input textarea", question)
    page.click("#tillit-send")
    page.wait_for_function(f"() => document.querySelectorAll({FINAL!r}).length >= {n}")


def _chat(pw: Any, url: str, locale: str, questions: list[str], path: Path) -> None:
    with tempfile.TemporaryDirectory() as profile:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=ARGS, locale=locale,
            viewport={"width": 1200, "height": 1040}, device_scale_factor=1,
        )
        page = ctx.new_page()
        page.goto(url + "/", wait_until="load")
        page.wait_for_selector("#tillit-input textarea")
        lang = locale[:2]
        page.wait_for_function(
            f"() => document.querySelector('#tillit-lang input[value={lang}]')?.checked")
        for i, q in enumerate(questions, 1):
            _ask(page, q, i)
        page.wait_for_timeout(600)
        page.screenshot(path=str(path))
        ctx.close()


def _widget(pw: Any, url: str, question: str, path: Path) -> None:
    with tempfile.TemporaryDirectory() as profile:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=ARGS, locale="sv-SE",
            viewport={"width": 1100, "height": 760},
        )
        page = ctx.new_page()
        page.goto(url + "/widget-demo", wait_until="load")
        page.locator(".tw-bubble").click()
        page.fill(".tw-input", question)
        page.click(".tw-send")
        page.wait_for_selector(".tw-card")
        page.wait_for_timeout(300)
        page.screenshot(path=str(path))
        ctx.close()


def _context(pw: Any, profile: str, **options: Any) -> Any:
    options.setdefault("viewport", {"width": 1100, "height": 760})
    return pw.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, headless=True, args=ARGS, **options)


def _reader_and_mobile(pw: Any, url: str, question: str, out: Path) -> None:
    with tempfile.TemporaryDirectory() as profile:
        ctx = _context(pw, profile, locale="sv-SE", viewport={"width": 390, "height": 844},
                       device_scale_factor=2)
        page = ctx.new_page()
        page.goto(url + "/", wait_until="load")
        page.wait_for_selector("#tillit-input textarea")
        _ask(page, question, 1)
        page.wait_for_timeout(600)
        page.screenshot(path=str(out / "screenshot-mobile.png"))
        href = page.locator("#tillit-chat a.tillit-read").first.get_attribute("href")
        ctx.close()
    with tempfile.TemporaryDirectory() as profile:
        ctx = _context(pw, profile, locale="sv-SE", viewport={"width": 1000, "height": 760})
        page = ctx.new_page()
        page.goto(f"{url}/{href}", wait_until="load")
        page.wait_for_timeout(400)
        page.screenshot(path=str(out / "screenshot-reader.png"))
        ctx.close()


def _insights(pw: Any, url: str, token: str, path: Path) -> None:
    with tempfile.TemporaryDirectory() as profile:
        ctx = _context(pw, profile, locale="sv-SE", viewport={"width": 1000, "height": 700},
                       http_credentials={"username": "admin", "password": token})
        page = ctx.new_page()
        page.goto(url + "/admin", wait_until="load")
        page.screenshot(path=str(path))
        ctx.close()


def _sample_insights(app: Any) -> None:
    """A few days of made-up traffic so the insights page has something to show."""
    from datetime import UTC, datetime, timedelta

    store = app.state.tillit.insights
    now = datetime.now(UTC)
    samples = [("answered", ""), ("answered", ""), ("not_stated",
               "Hur många myndigheter deltog i Tillitsdelegationens försök?"),
               ("off_topic", "Hur ansöker jag om semester?"), ("answered", "")]
    for day in range(3):
        when = now - timedelta(days=day)
        for i, (kind, question) in enumerate(samples[: 3 + day]):
            store.record_answer(question or f"fråga {i}", kind, "sv", "ui", now=when)
        store.record_vote("fråga 0", 1, "sv", "ui", now=when)
    store.record_vote("Vad säger boken om styrning i skolan?", -1, "sv", "ui", now=now)


def main(argv: list[str] | None = None) -> int:
    """Write screenshot-chat-sv.png, -chat-en, -widget, -reader, -insights and -mobile."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "docs"))
    args = p.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from assistant.cli import ready_assistant
    from tillit_web.app import create_app

    settings = AppSettings()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as feedback_dir:
        assistant = ready_assistant(settings)
        # feedback of the screenshot run goes to a throwaway data dir
        token = "screenshot-admin-token"
        web = WebSettings(stream_delay_ms=0, insights=True, admin_token=SecretStr(token))
        app = create_app(AppSettings(data_dir=Path(feedback_dir), web=web), assistant)
        _sample_insights(app)
        with LiveServer(app) as server, sync_playwright() as pw:
            _chat(pw, server.url, "sv-SE", ["Vad är tillitsbaserad styrning?"],
                  out / "screenshot-chat-sv.png")
            _chat(pw, server.url, "en-GB", ["What is trust-based management?"],
                  out / "screenshot-chat-en.png")
            _widget(pw, server.url, "Vad menas med tillitsbaserad styrning och ledning?",
                    out / "screenshot-widget.png")
            _reader_and_mobile(pw, server.url, "Vad är tillitsbaserad styrning?", out)
            _insights(pw, server.url, token, out / "screenshot-insights.png")
    print(f"screenshots written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
