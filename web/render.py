"""Answers as HTML for the chat: every text from the corpus or the user is escaped.

The chat component renders Markdown with HTML. To show questions, answers and passages
strictly as text, everything is HTML-escaped here and wrapped in a single HTML block (no
blank lines, so Markdown leaves it alone); only the markup written in this module is
live: ``[n]`` links to numbered citation cards, ``<details>`` cards and ``<mark>``.
"""

from __future__ import annotations

import html
import re
from typing import Any

from web.i18n import t

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


def _text_with_links(text: str, prefix: str, numbers: set[int]) -> str:
    out, pos = [], 0
    for m in _MARKER.finditer(text):
        out.append(esc(text[pos:m.start()]))
        n = int(m.group(1))
        if n in numbers:
            out.append(f'<a class="tillit-ref" href="#{card_id(prefix, n)}">&#91;{n}&#93;</a>')
        else:
            out.append(esc(m.group(0)))
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


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
    sv = lang == "sv"
    parts = []
    if c.get("chapter") is not None:
        title = f" {c['chapter_title']}" if c.get("chapter_title") else ""
        parts.append(f"{'kap.' if sv else 'ch.'} {c['chapter']}{title}")
    if c.get("section"):
        title = f" {c['section_title']}" if c.get("section_title") else ""
        parts.append(f"{'avsnitt' if sv else 'section'} {c['section']}{title}")
    elif c.get("section_title"):
        parts.append(str(c["section_title"]))
    if c.get("page") is not None:
        parts.append(f"{'s.' if sv else 'p.'} {c['page']}")
    return ", ".join(parts)


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
            f'{_highlight(c.get("text", ""), c.get("quote", ""))}</blockquote>{authors}</details>'
        )
    return (f'<div class="tillit-cards"><div class="tillit-sources">{esc(t(lang, "sources"))}'
            f"</div>{''.join(cards)}</div>")


def answer_html(
    text: str, citations: list[dict[str, Any]], prefix: str, lang: str, final: bool = True,
    interpreted: str | None = None,
) -> str:
    """The answer text with linked markers, followed (once final) by its citation cards.

    ``interpreted`` is the standalone question a follow-up was turned into, if different.
    """
    numbers = {int(c["n"]) for c in citations}
    body = _text_with_links(text, prefix, numbers)
    cls = "tillit-answer" + ("" if final else " tillit-streaming")
    cards = cards_html(citations, prefix, lang) if final else ""
    note = (f'<div class="tillit-interpreted">{esc(t(lang, "interpreted"))}: '
            f"<em>{esc(interpreted)}</em></div>" if interpreted else "")
    return f'<div class="{cls}">{note}<div class="tillit-text">{body}</div>{cards}</div>'


def message_html(text: str, lang: str, kind: str = "error") -> str:
    """A notice (error or refusal) as inert HTML."""
    return f'<div class="tillit-{kind}">{esc(text)}</div>'
