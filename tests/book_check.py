"""What the loader recovers from a ``tests.book_variants`` PDF, compared with its plan.

``problems`` returns a list of differences (empty when everything was recovered): the
chapters (number, title, authors, affiliation, opening page), the printed page of every
page, and for every chunk its chapter, chapter title, authors, section and printed page
(for a book card, that it states its chapter's authors and title);
the planted fact must be cited at its printed page.
"""

from __future__ import annotations

from pathlib import Path

from index.formats.pdf.loader import read_book
from index.formats.pdf.text import fix_line
from index.formats.registry import load_document
from index.text.chunking import Chunk, chunk_document, make_splitter
from index.text.cleaning import clean_pages
from index.text.tokens import count_tokens, get_encoding
from tests.book_variants import FACT, FACT_PAGE, Plan


def chunks_of(path: Path, tiktoken_dir: Path, size: int = 96) -> list[Chunk]:
    doc = load_document(path)
    enc = get_encoding(str(tiktoken_dir))
    return chunk_document(clean_pages(doc.pages, doc.has_pages), doc.meta,
                          make_splitter(size, 16), lambda t: count_tokens(enc, t))


def expected_chapters(p: Plan) -> list[tuple[int, str, tuple[str, ...], str, int]]:
    """(number, title, authors, affiliation, first printed page) of the chapters in the file.

    An excerpt's first chapter has no opening page in the file: its number comes from the
    running heads and sections, its title only from a running head that carries it, its
    authors and affiliation are unknown."""
    v = p.variant
    first = p.pages[0]
    out = []
    for ch in p.chapters:
        if not any(pg.chapter == ch.number for pg in p.pages):
            continue
        if v.excerpt and ch.number == first.chapter and not first.opening:
            title = ch.title if v.head == "chapter" else ""
            out.append((ch.number, title, (), "", first.printed or 0))
        else:
            out.append((ch.number, ch.title, ch.authors, ch.affiliation, ch.first_page))
    return out


def problems(p: Plan, path: Path, tiktoken_dir: Path) -> list[str]:
    """Every difference between the plan and what was recovered from the PDF."""
    out: list[str] = []
    _, book, _ = read_book(path.read_bytes(), path.name)
    printed = [pg.printed for pg in p.pages]
    got_printed = [n if want is not None else None
                   for n, want in zip(book.printed, printed, strict=False)]
    if got_printed != printed or len(book.printed) != len(printed):
        out.append(f"printed pages {book.printed} != {printed}")
    got = [(c.number, c.title, c.authors, c.affiliations,
            book.printed[c.page - 1] if c.page - 1 < len(book.printed) else None)
           for c in book.chapters]
    want = expected_chapters(p)
    if got != want:
        out.append(f"chapters {got} != {want}")
    if out:
        return out
    titles = {c[0]: c for c in want}
    where: dict[str, tuple[int, str | None, int]] = {}
    for page, block in p.paragraphs():
        if page.chapter is not None and page.printed is not None:
            where[fix_line(block.text)] = (page.chapter, block.section, page.printed)
    seen_fact = False
    sections: set[tuple[int, str]] = set()
    for c in chunks_of(path, tiktoken_dir):
        if c.kind == "card":  # index.text.book_cards: the chapter's authors and title, stated
            _, title, authors, _, _ = titles.get(c.chapter or -1, (None, "", (), "", 0))
            if c.chapter not in titles or any(a not in c.text for a in authors) or (
                    title and f"”{title}”" not in c.text):
                out.append(f"card {c.chunk_id} {c.text!r} does not state chapter "
                           f"{c.chapter}'s authors {authors} and title {title!r}")
            continue
        head = c.text.split("\n")[0][:60]
        hits = {at for text, at in where.items() if head in text}
        if len(hits) != 1:
            out.append(f"chunk {c.chunk_id} {head!r}: found in {len(hits)} places")
            continue
        chapter, section, page = hits.pop()
        number, title, authors, _, _ = titles.get(c.chapter or -1, (None, "", (), "", 0))
        if (c.chapter, c.chapter_title, c.authors, c.section, c.page) != (
                chapter, title, ", ".join(authors), section, page):
            out.append(f"chunk {head!r}: (chapter, title, authors, section, page) = "
                       f"{(c.chapter, c.chapter_title, c.authors, c.section, c.page)}, "
                       f"want {(chapter, title, ', '.join(authors), section, page)}")
        if c.section:
            sections.add((c.chapter or 0, c.section))
        if FACT in c.text:
            seen_fact = True
            if c.page != FACT_PAGE:
                out.append(f"the fact is cited at p. {c.page}, printed on p. {FACT_PAGE}")
    if not seen_fact:
        out.append("the planted fact is in no chunk")
    want_sections = {(pg.chapter, b.section) for pg, b in p.paragraphs()
                     if b.section and pg.chapter}
    if sections != want_sections:
        out.append(f"sections {sorted(sections)} != {sorted(want_sections)}")  # type: ignore
    return out
