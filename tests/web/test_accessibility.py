"""Browser tests of WCAG 2.1 AA (axe-core), keyboard use, announcements, reflow, and the
reading, reference, export and widget features, in headless Chromium."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.events import Final
from assistant.types import Answer
from tests.web.a11y import assert_no_violations
from tests.web.test_browser import EN_Q, SV_Q, Watch, ask, open_chat

pytestmark = pytest.mark.browser
QUESTION = {"sv": SV_Q, "en": EN_Q}
SHADOW = "document.querySelector('#tillit-widget').shadowRoot"
REFERENCE = r"^Louise Bringselius \(2018\)\. Inledning\. I: Styra och leda med tillit"


class NotStatedAnswer(Answer):
    """An answer the core marks 'not_stated' (the field the core is gaining)."""

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "answered": False, "answerability": "not_stated"}


class NotStated:
    """The real assistant, except that its answers are 'not stated in the anthology'."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for event in self.real.stream(*args, **kwargs):
            if isinstance(event, Final):
                fields = {f.name: getattr(event.answer, f.name)
                          for f in dataclasses.fields(event.answer)}
                yield Final(NotStatedAnswer(**fields), event.retrieval)
            else:
                yield event


def open_widget(ctx: Any, url: str, lang: str = "sv", path: str = "/widget-demo") -> Any:
    page = ctx.new_page()
    page.goto(f"{url}{path}?lang={lang}", wait_until="load")
    if path == "/widget-demo":
        page.locator(".tw-bubble").click()
    page.wait_for_selector(".tw-input")
    return page


def widget_ask(page: Any, question: str) -> Any:
    before = page.evaluate(f"{SHADOW}.querySelectorAll('.tw-bot:not(.tw-pending)').length")
    page.fill(".tw-input", question)
    page.click(".tw-send")
    page.wait_for_function(f"() => {SHADOW}.querySelectorAll('.tw-bot:not(.tw-pending)')"
                           f".length > {before}")
    return page.locator(".tw-bot").last


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_no_axe_violations_before_and_after_an_answer(
    browser: Any, server: Any, axe_source: str, lang: str
) -> None:
    ctx = browser("sv-SE" if lang == "sv" else "en-GB")
    page, watch = open_chat(ctx, server.url, lang)
    assert_no_violations(page, axe_source, f"/ {lang} before")
    answer = ask(page, QUESTION[lang])
    assert answer.locator("details.tillit-card").count() >= 1
    assert_no_violations(page, axe_source, f"/ {lang} after")
    watch.clean()
    for path in ("/embed", "/widget-demo"):
        widget = open_widget(ctx, server.url, lang, path)
        assert_no_violations(widget, axe_source, f"{path} {lang} before")
        bot = widget_ask(widget, QUESTION[lang])
        assert bot.locator(".tw-card").count() >= 1
        assert_no_violations(widget, axe_source, f"{path} {lang} after")


def test_not_stated_reply_is_its_own_kind_in_chat_and_widget(
    browser: Any, start_server: Any, settings: Any, assistant: Any, axe_source: str
) -> None:
    server = start_server(settings, NotStated(assistant))
    ctx = browser("sv-SE")
    page, watch = open_chat(ctx, server.url)
    answer = ask(page, SV_Q)
    assert "tillit-not-stated" in (answer.get_attribute("class") or "")
    assert answer.locator(".tillit-kind").inner_text().startswith("Står inte i antologin")
    assert answer.locator("details.tillit-card").count() >= 1
    assert_no_violations(page, axe_source, "/ not_stated")
    page.locator("#tillit-lang label", has_text="English").click()
    page.wait_for_function("() => document.querySelector('#tillit-chat .tillit-kind')"
                           "?.innerText.startsWith('Not stated in the anthology')")
    watch.clean()
    widget = open_widget(ctx, server.url)
    bot = widget_ask(widget, SV_Q)
    assert "tw-not-stated" in (bot.get_attribute("class") or "")
    assert "tw-refusal" not in (bot.get_attribute("class") or "")
    assert bot.locator(".tw-kind").inner_text().startswith("Står inte i antologin")
    assert bot.locator(".tw-card").count() >= 1
    assert_no_violations(widget, axe_source, "/widget-demo not_stated")


WATCH_LIVE = """root => {
  window.__said = [];
  const live = root.querySelector(%r);
  new MutationObserver(() => { if (live.textContent) { window.__said.push(live.textContent); } })
    .observe(live, {subtree: true, childList: true, characterData: true});
}"""


def test_widget_by_keyboard_alone(browser: Any, server: Any) -> None:
    page = browser("sv-SE").new_page()
    watch = Watch(page, server.url)
    page.goto(server.url + "/widget-demo", wait_until="load")
    active = f"() => {SHADOW}.activeElement?.className || ''"
    for _ in range(30):  # Tab from the top of the page to the launcher
        page.keyboard.press("Tab")
        if page.evaluate(active) == "tw-bubble":
            break
    assert page.evaluate(active) == "tw-bubble"
    page.keyboard.press("Enter")
    assert page.evaluate(active) == "tw-input"  # the panel opened with focus in the input
    page.evaluate_handle(f"() => {SHADOW}").evaluate(WATCH_LIVE % ".tw-sr[role=status]")
    page.keyboard.type(SV_Q)
    page.keyboard.press("Enter")
    page.wait_for_selector(".tw-card")
    # the announcement comes a moment after the answer; then time for a repeat to show up
    page.wait_for_function("() => window.__said.length > 0")
    page.wait_for_timeout(300)
    said = page.evaluate("window.__said")
    assert len(said) == 1 and said[0].startswith("Svaret är klart: Enligt antologin"), said
    refs = page.locator(".tw-bot .tw-text a.tw-ref")
    n = refs.count()
    assert n >= 1
    page.locator(".tw-input").focus()
    reached = set()
    for _ in range(6 * n + 20):  # Shift+Tab back through the answer: every [n] is reachable
        page.keyboard.press("Shift+Tab")
        cls = page.evaluate(active)
        if cls == "tw-ref":
            reached.add(page.evaluate(f"() => {SHADOW}.activeElement.dataset.n"))
        if len(reached) == n:
            break
    assert len(reached) == n
    # Enter on a marker opens its card and puts focus on the card's summary
    last = page.evaluate(f"() => {SHADOW}.activeElement.dataset.n")
    page.evaluate(f"() => {SHADOW}.querySelectorAll('.tw-card details').forEach("
                  "d => { d.open = false; })")
    page.keyboard.press("Enter")
    assert page.evaluate(f"() => {SHADOW}.activeElement.tagName") == "SUMMARY"
    assert page.evaluate(f"() => {SHADOW}.activeElement.parentElement.open") is True
    assert page.evaluate(f"() => {SHADOW}.activeElement.parentElement.id").endswith("-" + last)
    outline = page.evaluate(f"() => getComputedStyle({SHADOW}.activeElement).outlineStyle")
    assert outline == "solid"  # visible focus
    page.keyboard.press("Escape")
    assert page.evaluate(active) == "tw-bubble"
    assert page.locator(".tw-panel").is_hidden()
    assert page.locator(".tw-bubble").get_attribute("aria-expanded") == "false"
    watch.clean()


def test_chat_by_keyboard_announces_once_and_follows_the_language_switch(
    browser: Any, ui_server: Any
) -> None:
    page, watch = open_chat(browser("sv-SE"), ui_server.url)
    page.wait_for_function("() => true")
    # Record each change of the live region's text (a screen reader speaks on a change;
    # other mutations of the page while the text stays the same are not announcements).
    page.evaluate("() => { window.__said = []; window.__last = ''; new MutationObserver(() => {"
                  " const l = document.getElementById('tillit-live');"
                  " const now = l ? l.textContent : '';"
                  " if (now !== window.__last) { window.__last = now;"
                  "   if (now) { window.__said.push(now); } } })"
                  ".observe(document.body, {subtree: true, childList: true, characterData: true});"
                  "}")
    answer = ask(page, SV_Q)
    # the announcement comes a moment after the answer; then time for a repeat to show up
    page.wait_for_function("() => window.__said.length > 0")
    page.wait_for_timeout(400)
    said = page.evaluate("window.__said")
    assert len(said) == 1 and said[0].startswith("Svaret är klart: Enligt antologin"), said
    assert "[1]" not in said[0]
    # streamed pieces are not read out: the chat log is not a live region
    assert page.evaluate("[...document.querySelectorAll('#tillit-chat [aria-live]')]"
                         ".every(e => e.getAttribute('aria-live') === 'off')")
    ref = answer.locator("a.tillit-ref").last
    card_id = (ref.get_attribute("href") or "").lstrip("#")
    page.evaluate("id => { document.getElementById(id).open = false; }", card_id)
    ref.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("id => document.getElementById(id).open", arg=card_id)
    assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") == "solid"
    # Gradio's own buttons and the page language follow the switch
    assert page.locator("#tillit-chat button[aria-label='Gilla']").count() >= 1
    page.locator("#tillit-lang label", has_text="English").click()
    page.wait_for_function("() => document.querySelector(\"#tillit-chat button[aria-label="
                           "'Like']\") && document.documentElement.lang === 'en'")
    assert page.locator("#tillit-chat button[aria-label='Gilla']").count() == 0
    assert page.locator("#tillit-chat button[aria-label='Dislike']").count() >= 1
    watch.clean()


@pytest.fixture
def ui_server(start_server: Any, settings: Any, assistant: Any) -> Any:
    return start_server(settings, assistant, stream_delay_ms=40)


def _no_horizontal_scroll(page: Any, where: str) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1], f"{where}: content {widths[0]} px wide in {widths[1]} px"


@pytest.mark.parametrize("size", [(320, 640, 1), (640, 450, 2)], ids=["320px", "zoom200"])
def test_reflow_without_horizontal_scrolling(
    browser: Any, server: Any, size: tuple[int, int, int]
) -> None:
    width, height, scale = size
    ctx = browser("sv-SE", viewport={"width": width, "height": height},
                  device_scale_factor=scale)
    page, _ = open_chat(ctx, server.url)
    answer = ask(page, SV_Q)
    _no_horizontal_scroll(page, "/")
    read = str(answer.locator("a.tillit-read").first.get_attribute("href"))
    for path in ("/embed", "/widget-demo"):
        widget = open_widget(ctx, server.url, "sv", path)
        widget_ask(widget, SV_Q)
        _no_horizontal_scroll(widget, path)
        box = widget.locator(".tw-panel").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width
    reader = ctx.new_page()
    reader.goto(server.url + "/" + read, wait_until="load")
    _no_horizontal_scroll(reader, "/read")


def test_widget_conversation_survives_navigation_unless_opted_out(
    browser: Any, server: Any
) -> None:
    ctx = browser("sv-SE")
    page = open_widget(ctx, server.url)
    widget_ask(page, SV_Q)
    page.goto(server.url + "/widget-demo?page=2", wait_until="load")
    page.wait_for_selector(".tw-card")  # restored, open, with its citation cards
    assert page.locator(".tw-panel").is_visible()
    assert page.locator(".tw-user").inner_text() == SV_Q
    follow = widget_ask(page, "Och varför är det viktigt?")
    assert SV_Q in follow.locator(".tw-context").inner_text()  # history carried over too
    page.locator(".tw-clear").click()
    page.reload(wait_until="load")
    page.wait_for_selector(".tw-bubble")
    assert page.locator(".tw-user").count() == 0
    # data-persist="false": nothing is kept
    page.route("**/opt-out", lambda route: route.fulfill(
        content_type="text/html; charset=utf-8",
        body=f'<!doctype html><html lang="sv"><title>x</title><body>'
        f'<script src="{server.url}/widget.js" data-persist="false" data-lang="en" '
        f'data-title="Intranätets hjälp"></script></html>'))
    page.goto(server.url + "/opt-out", wait_until="load")
    page.locator(".tw-bubble").click()
    assert page.locator(".tw-title").inner_text() == "Intranätets hjälp"
    assert page.locator(".tw-send").inner_text() == "Send"  # data-lang
    widget_ask(page, EN_Q)
    page.reload(wait_until="load")
    page.wait_for_selector(".tw-bubble")
    assert page.locator(".tw-user").count() == 0


def test_copy_reference_export_and_reader_view(
    browser: Any, start_server: Any, settings: Any, assistant: Any, axe_source: str
) -> None:
    server = start_server(settings, assistant,
                          source_url="https://intranet.example/sou-2018-38.pdf#page={page}")
    ctx = browser("sv-SE")
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page, watch = open_chat(ctx, server.url)
    answer = ask(page, SV_Q)
    card = answer.locator("details.tillit-card").first
    card.locator("button.tillit-copy").click()
    page.wait_for_function("() => document.getElementById('tillit-live')?.textContent"
                           ".includes('kopierad')")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == card.locator(".tillit-ref-text").inner_text()
    assert re.match(REFERENCE, copied)
    source = card.locator("a.tillit-source")
    assert (source.get_attribute("href") or "").startswith(
        "https://intranet.example/sou-2018-38.pdf#page=")
    # export the conversation as Markdown
    with page.expect_download() as dl:
        page.locator("#tillit-export").click()
    text = Path(dl.value.path()).read_text(encoding="utf-8")
    assert "# Samtal med Tillit" in text and SV_Q.replace("?", "") in text
    assert "**Referenser:**" in text and "1. Louise Bringselius (2018)" in text
    # the reader view: the whole section, the passage highlighted and in view
    with ctx.expect_page() as opened:
        card.locator("a.tillit-read").click()
    reader = opened.value
    reader.wait_for_load_state("load")
    reader.wait_for_function("() => document.activeElement?.id === 'tillit-cited'")
    cited = reader.locator("#tillit-cited")
    assert cited.locator("mark").count() == 1
    box = cited.bounding_box()
    assert box and 0 <= box["y"] < reader.viewport_size["height"]
    assert reader.locator("h1").inner_text().startswith("1.")
    assert reader.locator(".rd-nav a").count() >= 1
    assert_no_violations(reader, axe_source, "/read")
    nxt = reader.locator(".rd-nav a[rel=next], .rd-nav a[rel=prev]").first
    nxt.click()
    reader.wait_for_load_state("load")
    assert reader.locator("h1").count() == 1 and reader.locator(".rd-text p").count() >= 1
    watch.clean()
    # the widget: copy, reader link and Markdown export too
    widget = open_widget(ctx, server.url)
    bot = widget_ask(widget, SV_Q)
    assert (bot.locator("a.tw-read").first.get_attribute("href") or "").startswith(
        server.url + "/read/")
    bot.locator(".tw-copy").first.click()
    widget.wait_for_function(f"() => {SHADOW}.querySelector('.tw-sr[role=status]')"
                             ".textContent.includes('kopierad')")
    assert re.match(REFERENCE, widget.evaluate(
        "() => navigator.clipboard.readText()"))
    with widget.expect_download() as dl:
        widget.locator(".tw-export").click()
    md = Path(dl.value.path()).read_text(encoding="utf-8")
    assert md.startswith("# Samtal med Tillit") and "1. Louise Bringselius (2018)" in md


def test_insights_page_is_accessible(
    browser: Any, start_server: Any, settings: Any, assistant: Any, axe_source: str
) -> None:
    token = "admin-token-0123456789"
    server = start_server(settings, assistant, insights=True, admin_token=token)
    state = server.server.config.app.state.tillit
    state.record_answer("Vad kostar en cykel?", {"answered": False, "language": "sv"}, "api")
    state.record_answer(SV_Q, {"answered": True, "language": "sv"}, "api")
    ctx = browser("sv-SE", http_credentials={"username": "admin", "password": token})
    page = ctx.new_page()
    page.goto(server.url + "/admin", wait_until="load")
    assert page.locator("h1").inner_text() == "Insikter för redaktörerna"
    assert page.locator("#insights-questions li").count() == 1
    assert_no_violations(page, axe_source, "/admin")
