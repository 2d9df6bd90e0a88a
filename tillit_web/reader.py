"""The reader view ``/read/<chunk_id>``: the whole section a citation comes from, with the
cited passage highlighted and scrolled into view, its heading and page, and links to the
previous and next section."""

from __future__ import annotations

import html
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from index.text.chunking import Chunk
from tillit_web.i18n import LANGS, from_accept_language, t
from tillit_web.references import source_of
from tillit_web.shell import page
from tillit_web.state import WebState


def merged_text(chunks: list[Chunk], cited: str) -> list[tuple[str, bool]]:
    """The running text of consecutive chunks without their overlaps, as (text, is_cited)
    pieces in order: the text before the cited chunk, the cited chunk, the text after.
    Chunks whose text does not match their character span are shown one after another."""
    if not chunks:
        return []
    if any(len(c.text) != c.char_end - c.char_start for c in chunks):
        return [(c.text, c.chunk_id == cited) for c in chunks]
    lo, hi = min(c.char_start for c in chunks), max(c.char_end for c in chunks)
    chars: list[str | None] = [None] * (hi - lo)
    for c in chunks:
        chars[c.char_start - lo:c.char_end - lo] = list(c.text)

    def span(a: int, b: int) -> str:
        out, gap = [], False
        for ch in chars[a - lo:b - lo]:
            if ch is None:
                gap = True
                continue
            if gap:
                out.append("\n\n")
                gap = False
            out.append(ch)
        return "".join(out)

    target = next((c for c in chunks if c.chunk_id == cited), None)
    if target is None:
        return [(span(lo, hi), False)]
    pieces = [(span(lo, target.char_start), False), (span(target.char_start, target.char_end),
              True), (span(target.char_end, hi), False)]
    return [(text, is_cited) for text, is_cited in pieces if text.strip()]


def _paragraphs(text: str) -> str:
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(f"<p>{html.escape(p).replace(chr(10), ' ')}</p>" for p in parts if p)


def _pages(chunks: list[Chunk], lang: str) -> str:
    pages = [p for c in chunks for p in (c.page, c.page_end) if p is not None]
    if not pages:
        return ""
    lo, hi = min(pages), max(pages)
    span = f"{lo}–{hi}" if hi != lo else str(lo)
    in_book = all(c.page_in_book for c in chunks)
    return f"{t(lang, 'pages')} {span}" + ("" if in_book else f" {t(lang, 'of_chapter')}")


def section_heading(c: Chunk) -> str:
    """'1.2 Tillit – en av tre styrprinciper' (or the chapter's opening)."""
    return f"{c.section or ''} {c.section_title}".strip()


def _section_link(group: list[Chunk] | None, rel: str, label: str, lang: str) -> str:
    if not group:
        return ""
    head = section_heading(group[0]) or group[0].chapter_title
    href = f"{quote(group[0].chunk_id, safe='')}?lang={lang}"
    return (f'<a rel="{rel}" href="{href}"><span class="rd-dir">{html.escape(label)}</span> '
            f"{html.escape(head)}</a>")


def render_section(state: WebState, chunk_id: str, lang: str) -> str | None:
    """The reader page of a chunk, or None if the index has no such chunk."""
    index = state.index
    found = index.section_context(chunk_id) if index is not None else None
    if index is None or found is None:
        return None
    group, prev, nxt = found
    cited = index.chunk(chunk_id)
    assert cited is not None
    src = source_of({"chunk_id": chunk_id}, index)
    text = [c for c in group if c.kind != "footnote"]
    notes = [c for c in group if c.kind == "footnote"]
    body = []
    for piece, is_cited in merged_text(text, chunk_id):
        if is_cited:
            body.append(f'<div class="rd-cited" id="tillit-cited" tabindex="-1" role="region" '
                        f'aria-label="{html.escape(t(lang, "reader_cited"))}">'
                        f"<mark>{_paragraphs(piece)}</mark></div>")
        else:
            body.append(_paragraphs(piece))
    if notes:
        items = "".join(
            f'<li{" class=rd-cited id=tillit-cited tabindex=-1" if n.chunk_id == chunk_id else ""}>'
            f"{'<mark>' if n.chunk_id == chunk_id else ''}{html.escape(n.text)}"
            f"{'</mark>' if n.chunk_id == chunk_id else ''}</li>" for n in notes)
        body.append(f'<h3>{html.escape(t(lang, "reader_footnotes"))}</h3>'
                    f'<ul class="rd-notes">{items}</ul>')
    chapter = (f"{t(lang, 'chapter')} {cited.chapter} {cited.chapter_title}".strip()
               if cited.chapter is not None else cited.chapter_title)
    authors = ", ".join(src.authors)
    heading = section_heading(cited)
    pages = _pages(group, lang)
    title = f"{heading or chapter} – Tillit"
    nav = "".join(x for x in (_section_link(prev, "prev", t(lang, "reader_prev"), lang),
                              _section_link(nxt, "next", t(lang, "reader_next"), lang)) if x)
    other = "en" if lang == "sv" else "sv"
    content = (
        f'<header class="rd-top"><a href="../?lang={lang}">{html.escape(t(lang, "reader_back"))}'
        f'</a><a href="{quote(chunk_id, safe="")}?lang={other}#tillit-cited" lang="{other}">'
        f'{"Svenska" if other == "sv" else "English"}</a></header>'
        f'<main id="main" class="rd-main">'
        f'<nav aria-label="{html.escape(t(lang, "breadcrumb"))}" class="rd-crumbs">'
        f"<em>{html.escape(src.book.title)}</em> ({html.escape(src.book.series)}) › "
        f"{html.escape(chapter)}</nav>"
        f"<h1>{html.escape(heading or chapter)}</h1>"
        f'<p class="rd-meta">{html.escape(chapter)}'
        f"{' · ' + html.escape(authors) if authors else ''}"
        f"{' · ' + html.escape(pages) if pages else ''}</p>"
        f'<div class="rd-text">{"".join(body)}</div>'
        f'<nav class="rd-nav" aria-label="{html.escape(t(lang, "sections_nav"))}">{nav}</nav>'
        f"</main>"
    )
    return page(title, lang, content, root="../", script="reader.js")


def make_router(state: WebState) -> APIRouter:
    """The reader route."""
    router = APIRouter(include_in_schema=False)

    @router.get("/read/{chunk_id}", response_class=HTMLResponse)
    async def read(chunk_id: str, request: Request) -> HTMLResponse:
        """The section of a cited passage (``?lang=sv|en``)."""
        q = request.query_params.get("lang")
        lang = q if q in LANGS else from_accept_language(request.headers.get("accept-language"))
        out = render_section(state, chunk_id, lang)
        if out is None:
            body = f'<main id="main" class="rd-main"><h1>Tillit</h1><p>' \
                   f'{html.escape(t(lang, "reader_missing"))}</p></main>'
            return HTMLResponse(page("Tillit", lang, body, root="../"), status_code=404)
        return HTMLResponse(out, headers={"Cache-Control": "no-store"})

    return router
