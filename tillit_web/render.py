"""Answers as HTML for the chat: every text from the corpus or the user is escaped.

The chat component renders Markdown with HTML. To show questions, answers and passages
strictly as text, everything is HTML-escaped here and wrapped in a single HTML block (no
blank lines, so Markdown leaves it alone); only the markup written in this module is
live: ``[n]`` links to numbered citation cards, ``<details>`` cards and ``<mark>``.

Generated answers (mode ``"llm"``) are rendered sentence by sentence from the answer's
``sentences``: a sentence the sources do not support gets the class ``tillit-unsupported``,
a tooltip and a visible label. A quoted fallback answer shows its note (why the model's
answer was not used) as a notice above the quotes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from assistant.types import place_label
from tillit_web.i18n import t

_MARKER = re.compile(r"\[(\d{1,3})\]")
# Characters Markdown or the chat's LaTeX renderer could act on even inside text.
_MD_SPECIAL = str.maketrans({
    "\\": "&#92;", "`": "&#96;", "*": "&#42;", "_": "&#95;", "~": "&#126;", "$": "&#36;",
    "[": "&#91;", "]": "&#93;", "|": "&#124;", "#": "&#35;",
})


def esc(text: str) -> str:
    """Escape ``text`` for HTML and neutralise Markdown and LaTeX characters."""
    escaped = html.escape(text, quote=True).translate(_MD_SPECIAL)
    return escaped.replace("\r\n", "\n").replace("\n\n", "<br><br>").replace("\n", "<br>")


def user_html(question: str) -> str:
    """A user's question as inert HTML."""
    return f'<div class="tillit-q">{esc(question)}</div>'


def card_id(prefix: str, n: int) -> str:
    """DOM id of citation card ``n`` of the answer with id ``prefix``."""
    return f"tillit-{prefix}-c{n}"


def _ref(n: int, prefix: str, numbers: set[int]) -> str:
    """Marker ``[n]``: a link to its card if the answer has citation ``n``, else plain text."""
    if n in numbers:
        return f'<a class="tillit-ref" href="#{card_id(prefix, n)}">&#91;{n}&#93;</a>'
    return f"&#91;{n}&#93;"


def _text_with_links(text: str, prefix: str, numbers: set[int]) -> str:
    out, pos = [], 0
    for m in _MARKER.finditer(text):
        out.append(esc(text[pos:m.start()]))
        out.append(_ref(int(m.group(1)), prefix, numbers))
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def sentences_html(
    sentences: Sequence[dict[str, Any]], prefix: str, numbers: set[int], lang: str
) -> str:
    """A generated answer sentence by sentence, each followed by its linked markers; the
    sentences the sources do not support are marked (class, tooltip and visible label)."""
    parts = []
    for s in sentences:
        refs = "".join(_ref(int(n), prefix, numbers) for n in s.get("n") or ())
        claim = f'<span class="tillit-claim">{esc(str(s.get("text", "")))}</span>'
        body = f"{claim} {refs}" if refs else claim
        if s.get("supported", True):
            parts.append(f'<span class="tillit-sentence">{body}</span>')
        else:
            parts.append(
                f'<span class="tillit-sentence tillit-unsupported" '
                f'title="{esc(t(lang, "unsupported_hint"))}">{body} '
                f'<span class="tillit-unsupported-label">({esc(t(lang, "unsupported"))})'
                f"</span></span>"
            )
    return " ".join(parts)


QUOTE_GAP = " … "  # the core joins non-adjacent sentences of one passage with this


def quote_spans(passage: str, quote: str) -> list[tuple[int, int]]:
    """Where the quote's segments (joined by ' … ') occur in the passage, in order."""
    spans, pos = [], 0
    for seg in (s.strip() for s in quote.split(QUOTE_GAP)):
        if not seg:
            continue
        i = passage.find(seg, pos)
        if i < 0:
            return []
        spans.append((i, i + len(seg)))
        pos = i + len(seg)
    return spans


def _highlight(passage: str, quote: str) -> str:
    """The passage with the quoted sentences in ``<mark>``; all text escaped."""
    spans = quote_spans(passage, quote) if quote else []
    if not spans:
        return esc(passage) + (f"<br><mark>{esc(quote)}</mark>" if quote else "")
    out, pos = [], 0
    for a, b in spans:
        out.append(esc(passage[pos:a]) + f"<mark>{esc(passage[a:b])}</mark>")
        pos = b
    return "".join(out) + esc(passage[pos:])


def citation_label(c: dict[str, Any], lang: str) -> str:
    """'kap. 1 Inledning, avsnitt 1.8 Avslutning, s. 23' from a citation dict."""
    # The page in the page's language (an answer's page_label is in the answer's).
    page = f"{'s.' if lang == 'sv' else 'p.'} {c['page']}" if c.get("page") is not None else ""
    return place_label(lang, c.get("chapter"), c.get("section"), c.get("section_title") or "",
                       page, c.get("chapter_title") or "", titled=True)


def _link(href: str, text: str, cls: str, lang: str) -> str:
    return (f'<a class="{cls}" href="{html.escape(href, quote=True)}" target="_blank" '
            f'rel="noopener">{esc(text)}<span class="tillit-sr"> ({esc(t(lang, "new_tab"))})'
            f"</span></a>")


def card_tools(c: dict[str, Any], lang: str) -> str:
    """Under a card's passage: its reference with a copy button, a link to the reader view
    and (with ``TILLIT_SOURCE_URL``) to the page in the operator's copy of the book."""
    parts = []
    if c.get("reference"):
        parts.append(
            f'<p class="tillit-reference"><span class="tillit-sr">{esc(t(lang, "reference"))}: '
            f'</span><span class="tillit-ref-text">{esc(str(c["reference"]))}</span></p>'
            f'<button type="button" class="tillit-copy">{esc(t(lang, "copy_reference"))}'
            f"</button>")
    if c.get("read_url"):
        parts.append(_link(str(c["read_url"]), t(lang, "read_in_context"), "tillit-read", lang))
    if c.get("source_url"):
        parts.append(_link(str(c["source_url"]), t(lang, "source_page"), "tillit-source", lang))
    return f'<div class="tillit-tools">{"".join(parts)}</div>' if parts else ""


def cards_html(citations: list[dict[str, Any]], prefix: str, lang: str) -> str:
    """Numbered, expandable citation cards (the first one open)."""
    if not citations:
        return ""
    cards = []
    for i, c in enumerate(citations):
        n = int(c["n"])
        authors = f'<div class="tillit-authors">{esc(c["authors"])}</div>' if c.get(
            "authors") else ""
        cards.append(
            f'<details class="tillit-card" id="{card_id(prefix, n)}"{" open" if i == 0 else ""}>'
            f'<summary><span class="tillit-n">&#91;{n}&#93;</span> '
            f'{esc(citation_label(c, lang))}</summary>'
            f'<blockquote class="tillit-passage">'
            f'{_highlight(c.get("text", ""), c.get("quote", ""))}</blockquote>{authors}'
            f"{card_tools(c, lang)}</details>"
        )
    return (f'<div class="tillit-cards"><div class="tillit-sources">{esc(t(lang, "sources"))}'
            f"</div>{''.join(cards)}</div>")


def answer_html(
    text: str, citations: list[dict[str, Any]], prefix: str, lang: str, final: bool = True,
    interpreted: str | None = None, *, draft: bool = False,
) -> str:
    """The answer text with linked markers, followed (once final) by its citation cards.

    ``interpreted`` is the standalone question a follow-up was turned into, if different.
    ``draft`` marks streamed model output that is still to be checked against the sources.
    """
    numbers = {int(c["n"]) for c in citations}
    return _answer_block(_text_with_links(text, prefix, numbers), citations, prefix, lang,
                         final, interpreted, draft=draft and not final)


def _answer_block(
    body: str, citations: list[dict[str, Any]], prefix: str, lang: str, final: bool,
    interpreted: str | None, *, draft: bool = False, kind: str = "", notice: str = "",
    footer: str = "",
) -> str:
    cls = " ".join(["tillit-answer", *([kind] if kind else []),
                    *([] if final else ["tillit-streaming"]), *(["tillit-draft"] if draft else [])])
    cards = cards_html(citations, prefix, lang) if final else ""
    note = (f'<div class="tillit-interpreted">{esc(t(lang, "interpreted"))}: '
            f"<em>{esc(interpreted)}</em></div>" if interpreted else "")
    after = (f'<div class="tillit-draft-note">{esc(t(lang, "draft"))}</div>' if draft
             else footer)
    return (f'<div class="{cls}" id="tillit-turn-{esc(prefix)}">{note}{notice}'
            f'<div class="tillit-text">{body}</div>{after}'
            f"{cards}</div>")


def answer_dict_html(
    answer: dict[str, Any], prefix: str, lang: str, interpreted: str | None = None
) -> str:
    """A final answer (``Answer.to_dict()``) as the chat shows it.

    Generated answers are rendered from their checked ``sentences`` (unsupported ones
    marked) with a footer naming the model; quoted fallbacks show their note as a notice;
    quoted (extractive) answers are the text with linked markers.
    """
    citations = list(answer.get("citations") or [])
    numbers = {int(c["n"]) for c in citations}
    text = str(answer.get("answer") or "")
    sentences = answer.get("sentences") or []
    if answer.get("mode") == "llm" and sentences:
        supported = sum(1 for s in sentences if s.get("supported", True))
        generated = t(lang, "generated").format(
            model=answer.get("model") or "?", supported=supported, total=len(sentences))
        footer = f'<div class="tillit-generated">{esc(generated)}</div>'
        body = sentences_html(sentences, prefix, numbers, lang)
        return _answer_block(body, citations, prefix, lang, True, interpreted,
                             kind="tillit-llm", footer=footer)
    if answer.get("fallback"):
        note = answer.get("note")  # why the model's answer was not used: its own field
        notice = (f'<div class="tillit-fallback" role="note">{esc(note)}</div>'
                  if isinstance(note, str) and note else "")
        return _answer_block(_text_with_links(text, prefix, numbers), citations, prefix,
                             lang, True, interpreted, kind="tillit-quoted", notice=notice)
    return answer_html(text, citations, prefix, lang, interpreted=interpreted)


def not_stated_html(
    answer: dict[str, Any], prefix: str, lang: str, interpreted: str | None = None
) -> str:
    """A reply that the anthology discusses the subject but does not say what is asked: its
    own label and style, the reply's text and the closest passages as citation cards."""
    citations = list(answer.get("citations") or [])
    numbers = {int(c["n"]) for c in citations}
    label = (f'<div class="tillit-kind" role="note"><strong>{esc(t(lang, "not_stated"))}'
             f'</strong> <span>{esc(t(lang, "not_stated_hint"))}</span></div>')
    body = _text_with_links(str(answer.get("answer") or ""), prefix, numbers)
    return _answer_block(body, citations, prefix, lang, True, interpreted,
                         kind="tillit-not-stated", notice=label)


def message_html(text: str, lang: str, kind: str = "error", turn: str = "") -> str:
    """A notice (error or refusal) as inert HTML; ``turn`` is the id of the turn it ends."""
    data = f' id="tillit-turn-{esc(turn)}"' if turn else ""
    return f'<div class="tillit-{kind}"{data}>{esc(text)}</div>'
