"""The Gradio chat: streamed answers with citation cards, feedback, Swedish and English.

Conversation state lives in ``gr.State`` (one per browser session); nothing is global.
A turn is ``{"id", "question", "answer": Answer.to_dict() | None, "error": str | None}``.

With a generative backend the streamed pieces are the model's raw tokens, shown as a draft;
the final ``Answer`` (markers repaired, unsupported sentences marked, or the quoted
fallback) replaces them.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Iterator
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from assistant.errors import TillitError  # noqa: E402
from assistant.events import Final  # noqa: E402
from tillit_web.answers import answerability  # noqa: E402
from tillit_web.export import export_file  # noqa: E402
from tillit_web.i18n import EXAMPLES, LANGS, STRINGS, from_accept_language, t  # noqa: E402
from tillit_web.references import enrich  # noqa: E402
from tillit_web.render import (  # noqa: E402
    answer_dict_html,
    answer_html,
    esc,
    message_html,
    not_stated_html,
    user_html,
)
from tillit_web.state import WebState  # noqa: E402

log = logging.getLogger("tillit.web")
Turn = dict[str, Any]
MAX_TURNS = 50  # turns kept per session; older ones leave the screen (and the state)
Update = dict[str, Any]


def theme() -> gr.themes.Base:
    """An offline theme: system fonts only (no Google Fonts, no downloaded font files)."""
    return gr.themes.Default(
        primary_hue="teal", neutral_hue="slate",
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
    )


def _turn_messages(turn: Turn, lang: str) -> list[dict[str, str]]:
    msgs = [{"role": "user", "content": user_html(turn["question"])}]
    if turn.get("error"):
        msgs.append({"role": "assistant",
                     "content": message_html(turn["error"], lang, "error", turn["id"])})
    elif turn.get("answer"):
        a = turn["answer"]
        kind = answerability(a)
        if kind == "answered":
            content = answer_dict_html(a, turn["id"], lang, interpreted=_context(a))
        elif kind == "not_stated":
            content = not_stated_html(a, turn["id"], lang, interpreted=_context(a))
        else:
            content = message_html(a["answer"] or t(lang, "no_answer"), lang, "refusal",
                                   turn["id"])
        msgs.append({"role": "assistant", "content": content})
    return msgs


def _context(answer: dict[str, Any]) -> str | None:
    """The earlier question(s) a follow-up was read together with, if any."""
    q, standalone = answer.get("question", ""), answer.get("standalone_question", "")
    rest = standalone[len(q):].strip() if standalone.startswith(q) else standalone
    return rest if standalone != q and rest else None


def render_chat(conv: list[Turn], lang: str) -> list[dict[str, str]]:
    """The chatbot value for a conversation."""
    return [m for turn in conv for m in _turn_messages(turn, lang)]


def about_markdown(state: WebState, lang: str) -> str:
    """The about panel: what the index holds."""
    if not state.ready:
        return esc(t(lang, "unavailable"))
    info = state.info
    docs = sorted(info.get("documents", {}).values(),
                  key=lambda d: (d.get("chapter") is None, d.get("chapter") or 0))
    chapters = "".join(
        f"<li>{'kap.' if lang == 'sv' else 'ch.'} {esc(str(d.get('chapter') or '–'))} "
        f"{esc(str(d.get('title') or ''))}</li>" for d in docs
    )
    created = str(info.get("created_at") or "")[:10]
    llm = info.get("llm") or {}
    if llm.get("model"):
        model = f"<code>{esc(str(llm['model']))}</code>"
    else:
        model = esc(t(lang, "about_llm_problem" if llm.get("problem") else "about_llm_none"))
    return (
        f"<div class='tillit-about'><p>{esc(t(lang, 'about_body'))}</p>"
        f"<p><strong>{esc(t(lang, 'about_chapters'))}</strong></p><ul>{chapters}</ul>"
        f"<p>{esc(t(lang, 'about_chunks'))}: <strong>{esc(str(info.get('chunks')))}</strong>"
        f"<br>{esc(t(lang, 'about_embedder'))}: <code>{esc(str(info.get('embedder_id')))}"
        f"</code><br>{esc(t(lang, 'about_llm'))}: {model}"
        f"<br>{esc(t(lang, 'about_date'))}: {esc(created)}</p></div>"
    )


def generative(state: WebState) -> bool:
    """Does the assistant answer with a language model (streaming its raw tokens)?"""
    return bool((state.info.get("llm") or {}).get("model"))


def build_ui(state: WebState) -> gr.Blocks:
    """The chat as a Gradio Blocks app bound to ``state``."""
    delay = state.web.stream_delay_ms / 1000.0

    def session_of(conv: list[Turn]) -> str:
        return conv[0]["id"] if conv else ""

    def export(conv: list[Turn], lang: str) -> Any:
        path = export_file(conv, lang, session_of(conv))
        return gr.update(value=path)

    def switch_language(lang: str, conv: list[Turn]) -> tuple[Any, ...]:
        lang = lang if lang in LANGS else "sv"
        s = STRINGS[lang]
        return (
            lang,
            f"# {s['title']}\n\n{s['subtitle']}",
            gr.update(label=s["chat_label"], value=render_chat(conv, lang)),
            gr.update(placeholder=s["placeholder"]),
            gr.update(value=s["send"]), gr.update(value=s["retry"]),
            gr.update(value=s["undo"]), gr.update(value=s["clear"]),
            f"**{s['examples']}**",
            *[gr.update(value=q) for q in EXAMPLES[lang]],
            gr.update(label=s["about"]), about_markdown(state, lang),
            gr.update(label=s["comment_label"]), gr.update(value=s["comment_send"]),
            gr.update(label=s["export"], value=export_file(conv, lang, session_of(conv))),
        )

    def initial_language(request: gr.Request) -> str:
        return from_accept_language(request.headers.get("accept-language") if request else None)

    def add_question(question: str, conv: list[Turn], lang: str) -> tuple[Any, ...]:
        question = (question or "").strip()
        if not question:
            return gr.update(), conv, render_chat(conv, lang)
        conv = [*conv[-(MAX_TURNS - 1):], {"id": secrets.token_hex(4), "question": question,
                                            "answer": None, "error": None}]
        return "", conv, render_chat(conv, lang)

    def respond(conv: list[Turn], lang: str) -> Iterator[tuple[Any, ...]]:
        if not conv or conv[-1]["answer"] is not None or conv[-1]["error"] is not None:
            yield render_chat(conv, lang), conv
            return
        turn = dict(conv[-1])
        earlier = [c["question"] for c in conv[:-1] if c.get("answer")]
        earlier = earlier[max(len(earlier) - state.settings.max_history_turns, 0):]
        head = render_chat(conv[:-1], lang)
        user = {"role": "user", "content": user_html(turn["question"])}
        # Quoted answers come all at once and are paced by ``delay``; a model's tokens come
        # at its own pace and are shown (as a draft) at most once per ``delay``.
        draft = generative(state)
        try:
            state.follow_current_build()
            if not state.retry() or state.assistant is None:
                raise state.error or RuntimeError("no index")
            text = ""
            shown = 0.0
            answering = state.assistant
            for event in answering.stream(turn["question"], earlier):
                if isinstance(event, Final):
                    turn["answer"] = enrich(event.answer.to_dict(), answering.index,
                                            state.web.source_url)
                    state.record_answer(turn["question"], turn["answer"], "ui")
                    break
                text += event.text
                if draft and time.monotonic() - shown < delay:
                    continue
                partial = answer_html(text, [], turn["id"], lang, final=False, draft=draft)
                yield [*head, user, {"role": "assistant", "content": partial}], conv
                shown = time.monotonic()
                if delay and not draft:
                    time.sleep(delay)
        except TillitError as exc:
            turn["error"] = exc.message(lang) if exc.user_error else t(lang, "error")
            if not state.ready:
                turn["error"] = t(lang, "unavailable")
        except Exception:
            log.exception("chat answer failed")
            turn["error"] = t(lang, "error")
        conv = [*conv[:-1], turn]
        yield render_chat(conv, lang), conv

    def retry(conv: list[Turn], lang: str) -> tuple[Any, ...]:
        if conv:
            conv = [*conv[:-1], {**conv[-1], "answer": None, "error": None,
                                 "id": secrets.token_hex(4)}]
        return conv, render_chat(conv, lang)

    def undo(conv: list[Turn], lang: str) -> tuple[Any, ...]:
        if not conv:
            return gr.update(), conv, render_chat(conv, lang)
        return conv[-1]["question"], conv[:-1], render_chat(conv[:-1], lang)

    def clear(lang: str) -> tuple[Any, ...]:
        return [], [], None, gr.update(visible=False), ""

    def on_like(data: gr.LikeData, conv: list[Turn], lang: str) -> tuple[Any, ...]:
        idx = data.index[0] if isinstance(data.index, list | tuple) else data.index
        turn_no = int(idx) // 2
        if data.liked not in (True, False) or not 0 <= turn_no < len(conv):
            return None, gr.update(visible=False), ""
        turn = conv[turn_no]
        answer = turn.get("answer") or {}
        fid = state.feedback.add(
            turn["question"], answer.get("answer") or turn.get("error") or "",
            [c["chunk_id"] for c in answer.get("citations", [])], bool(data.liked),
            language=answer.get("language", lang), source="ui",
        )
        state.record_vote(turn["question"], 1 if data.liked else -1,
                          answer.get("language", lang), "ui")
        return fid, gr.update(visible=True), t(lang, "thanks")

    def send_comment(fid: int | None, comment: str, lang: str) -> tuple[Any, ...]:
        comment = (comment or "").strip()[: state.web.feedback_max_comment_chars]
        if fid is None or not comment:
            return gr.update(), ""
        state.feedback.set_comment(fid, comment)
        return "", t(lang, "comment_saved")

    s = STRINGS["sv"]
    with gr.Blocks(title="Tillit", analytics_enabled=False, fill_width=False) as demo:
        lang = gr.State("sv")
        conv = gr.State([])
        last_feedback = gr.State(None)
        with gr.Row(equal_height=False):
            header = gr.Markdown(f"# {s['title']}\n\n{s['subtitle']}", elem_id="tillit-header")
            picker = gr.Radio(
                choices=[("Svenska", "sv"), ("English", "en")], value="sv",
                label="Språk / Language", elem_id="tillit-lang", scale=0, min_width=280,
            )
        chatbot = gr.Chatbot(
            label=s["chat_label"], show_label=False, elem_id="tillit-chat", height=620,
            latex_delimiters=[], sanitize_html=True, render_markdown=True,
            feedback_options=("Like", "Dislike"), buttons=[], layout="bubble", autoscroll=True,
        )
        with gr.Row():
            box = gr.Textbox(
                placeholder=s["placeholder"], show_label=False, lines=1, max_lines=6,
                max_length=state.settings.max_question_chars, elem_id="tillit-input",
                scale=5, autofocus=True,
            )
            send = gr.Button(s["send"], variant="primary", elem_id="tillit-send", scale=1)
        with gr.Row():
            retry_btn = gr.Button(s["retry"], size="sm", elem_id="tillit-retry")
            undo_btn = gr.Button(s["undo"], size="sm", elem_id="tillit-undo")
            clear_btn = gr.Button(s["clear"], size="sm", elem_id="tillit-clear")
            export_btn = gr.DownloadButton(s["export"], size="sm", elem_id="tillit-export")
        examples_title = gr.Markdown(f"**{s['examples']}**")
        with gr.Row():
            example_btns = [gr.Button(q, size="sm", elem_classes=["tillit-example"])
                            for q in EXAMPLES["sv"]]
        with gr.Group(visible=False) as comment_group:
            comment = gr.Textbox(label=s["comment_label"], lines=2,
                                 max_length=state.web.feedback_max_comment_chars,
                                 elem_id="tillit-comment")
            comment_btn = gr.Button(s["comment_send"], size="sm", elem_id="tillit-comment-send")
        status = gr.Markdown("", elem_id="tillit-status")
        with gr.Accordion(s["about"], open=False, elem_id="tillit-about") as about:
            # gr.Markdown, not gr.HTML: gr.HTML evaluates templates with eval(), which the
            # page's CSP (no 'unsafe-eval') forbids.
            about_md = gr.Markdown(about_markdown(state, "sv"), elem_id="tillit-about-body")

        limit: dict[str, Any] = {"concurrency_limit": state.web.concurrency,
                                 "concurrency_id": "answer"}
        ask: dict[str, Any] = {"fn": add_question, "inputs": [box, conv, lang],
                               "outputs": [box, conv, chatbot], "queue": False}
        answer_ev: dict[str, Any] = {"fn": respond, "inputs": [conv, lang],
                                     "outputs": [chatbot, conv], **limit}
        exported: dict[str, Any] = {"fn": export, "inputs": [conv, lang],
                                    "outputs": [export_btn], "queue": False}
        box.submit(**ask).then(**answer_ev).then(**exported)
        send.click(**ask).then(**answer_ev).then(**exported)
        for btn in example_btns:
            btn.click(lambda q: q, btn, box, queue=False).then(**ask).then(**answer_ev).then(
                **exported)
        for trigger in (retry_btn.click, chatbot.retry):
            trigger(retry, [conv, lang], [conv, chatbot], queue=False).then(**answer_ev).then(
                **exported)
        for trigger in (undo_btn.click, chatbot.undo):
            trigger(undo, [conv, lang], [box, conv, chatbot], queue=False).then(**exported)
        for trigger in (clear_btn.click, chatbot.clear):
            trigger(clear, [lang], [conv, chatbot, last_feedback, comment_group, status],
                    queue=False).then(**exported)
        chatbot.like(on_like, [conv, lang], [last_feedback, comment_group, status],
                     queue=False)
        comment.submit(send_comment, [last_feedback, comment, lang], [comment, status])
        comment_btn.click(send_comment, [last_feedback, comment, lang], [comment, status])
        picker.change(
            switch_language, [picker, conv],
            [lang, header, chatbot, box, send, retry_btn, undo_btn, clear_btn, examples_title,
             *example_btns, about, about_md, comment, comment_btn, export_btn], queue=False,
        )
        demo.load(initial_language, None, picker, queue=False)
    demo.queue(default_concurrency_limit=state.web.concurrency,
               max_size=state.web.max_queued_answers or None)
    return demo
