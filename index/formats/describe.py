"""``tillit index --show-structure FILE``: what was recognised in a document, for a check
before indexing."""

from __future__ import annotations

from pathlib import Path

from index.documents import DocumentMeta
from index.formats.registry import document_meta, load_document
from index.text.cleaning import clean_pages
from index.text.structure import find_sections


def describe(path: Path) -> str:
    """Chapters (number, title, authors, printed pages) and their sections, as text."""
    doc = load_document(path)
    out = [f"{path.name}: {len(doc.pages)} pages, format {doc.fmt}"]
    chapters: dict[int, str] = {}
    if doc.fmt == "pdf":
        from index.formats.pdf.loader import apply_overrides, read_book

        _, book, _ = read_book(path.read_bytes(), path.name)
        apply_overrides(book, document_meta(path).chapter_overrides)
        known = [n for n in book.printed if n is not None]
        out.append("printed page numbers: " + (
            f"{known[0]}–{known[-1]}" if known else "none found (PDF pages are cited)"))
        if book.front_matter:
            out.append("front matter (not indexed): PDF pages " + _ranges(book.front_matter))
        if book.toc:
            out.append(f"table of contents: {len(book.toc)} chapters listed")
        if book.ocr_pages:
            out.append("read by OCR: PDF pages " + _ranges(book.ocr_pages))
        for p, text in book.captions:
            out.append(f"caption, p. {_page(book.printed, p)}: {text}")
        out.extend(f"note: {n}" for n in book.notes)
        for c in book.chapters:
            chapters[c.number] = (
                f"chapter {c.number}: {c.title or '(untitled)'} | "
                f"authors: {', '.join(c.authors) or '-'} | "
                f"pp. {_page(book.printed, c.page)}–{_page(book.printed, c.last_page)} "
                f"(from the {c.source})"
                + (f"\n  affiliations: {c.affiliations}" if c.affiliations else ""))
    out.extend(_sections(doc.pages, doc.has_pages, doc.meta, chapters))
    return "\n".join(out)


def _sections(pages: list[str], has_pages: bool, meta: DocumentMeta,
              chapters: dict[int, str]) -> list[str]:
    cleaned = clean_pages(pages, has_pages)
    text = cleaned.text
    sections = find_sections(text, cleaned.body_end, meta.chapter, meta.chapter_title)
    out: list[str] = []
    chapter: tuple[int | None, str] | None = None

    def page(start: int, end: int) -> str:
        span = text[start:end]
        p = cleaned.page_at(start + len(span) - len(span.lstrip()))
        if p is None:
            return "-"
        n, printed = meta.cite_page(p, meta.page_offset or 0, True)
        return str(n) if printed else f"PDF page {n}"

    for s in sections:
        if (s.chapter, s.chapter_title) != chapter:
            chapter = (s.chapter, s.chapter_title)
            if s.chapter in chapters:
                out.append(chapters[s.chapter])
            else:
                authors = ", ".join(meta.authors_for(s.chapter)) or "-"
                out.append(f"chapter {s.chapter if s.chapter is not None else '-'}: "
                           f"{s.chapter_title or '(untitled)'} | authors: {authors}")
        label = f"{s.number or ''} {s.title}".strip() or "(text before the first heading)"
        out.append(f"  {label} (p. {page(s.start, s.end)})")
    return out


def _page(printed: list[int | None], p: int) -> str:
    n = printed[p - 1] if 0 < p <= len(printed) else None
    return str(n) if n is not None else f"PDF page {p}"


def _ranges(pages: list[int]) -> str:
    out: list[str] = []
    for p in pages:
        if out and out[-1].split("–")[-1] == str(p - 1):
            out[-1] = f"{out[-1].split('–')[0]}–{p}"
        else:
            out.append(str(p))
    return ", ".join(out)
