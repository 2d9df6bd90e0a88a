"""PDF files through ``pypdf`` (BSD): real pages, layout-aware lines, metadata.

Each page's text is read with pypdf's visitor, which also tells every text run's position
and font size. From that the loader

* drops running headers and footers (lines recurring at the top or bottom of pages, at
  the same height, in the body size or smaller) and bare page numbers;
* marks paragraph breaks (a larger gap between lines, a first-line indent, a heading in
  a larger or bold font), so the cleaning stage sees paragraphs as in a text file;
* moves the footnotes at a page's foot (numbered lines in a smaller font) below a
  separator line, the convention ``index.text.cleaning`` understands.

Page numbers are the PDF's pages plus the manifest's ``page_offset``.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import replace
from statistics import median
from typing import Any

from index.documents import DocumentMeta
from index.errors import IngestError
from index.formats.furniture import furniture_key, is_heading_key, min_repeats, running_keys
from index.formats.metadata import meta_from_info
from index.formats.pdf.book_structure import BookStructure, outline_chapters, recognise
from index.formats.pdf.columns import read_columns
from index.formats.pdf.lines import PdfLine
from index.formats.pdf.ocr import INSTALL_HINT, INSTALL_HINT_SV, has_images, ocr_page, tesseract
from index.formats.pdf.pages import detect_printed_pages
from index.formats.pdf.text import fix_line
from index.text.structure import UNNUMBERED_HEADINGS

SEPARATOR = " " * 40
_NOTE_START = re.compile(r"^\s*(\d{1,3})(?=\s*\S)\s*")
_HEADING_TEXT = re.compile(r"^(?:(?:Kapitel|Chapter)\s+\d{1,2}\b|\d{1,2}(?:\.\d{1,2}){1,3}\.?\s)")
# Too few letters per page on average: the pages are images (a scan without OCR).
MIN_CHARS_PER_PAGE = 10


def _mult(tm: list[float], cm: list[float]) -> list[float]:
    a, b, c, d, e, f = tm
    A, B, C, D, E, F = cm  # noqa: N806 - matrix names
    return [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F]


def page_lines(page: Any) -> list[PdfLine]:
    """The lines of a pypdf page, each with the position and font of its main run."""
    runs: list[tuple[str, list[float], float, bool, bool]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        m = _mult([float(v) for v in tm], [float(v) for v in cm])
        scale = abs(m[0] * m[3] - m[1] * m[2]) ** 0.5 or 1.0
        name = str((font or {}).get("/BaseFont", "")).lower() if hasattr(font, "get") else ""
        runs.append((text, m, float(size or 0) * scale, "bold" in name,
                     "italic" in name or "oblique" in name))

    plain = page.extract_text(visitor_text=visit) or ""
    if "".join(r[0] for r in runs) != plain:
        return [PdfLine(t) for t in plain.split("\n")]
    lines: list[PdfLine] = []
    parts: list[tuple[float, str]] = []
    weight: Counter[tuple[float, bool, bool]] = Counter()
    first: list[float] | None = None

    def flush() -> None:
        text = "".join(t for _, t in parts)
        if weight:
            (size, bold, italic), _ = weight.most_common(1)[0]
        else:
            size, bold, italic = 0.0, False, False
        x, y = (first[4], first[5]) if first else (None, None)
        lines.append(PdfLine(text, x, y, size or None, bold, italic, parts))

    for text, m, size, bold, italic in runs:
        pieces = text.split("\n")
        for j, piece in enumerate(pieces):
            if j:
                flush()
                parts, weight, first = [], Counter(), None
            if piece:
                parts.append((m[4], piece))
                filled = len(piece.strip())
                if filled:
                    weight[(round(size, 1), bold, italic)] += filled
                    if first is None:
                        first = m
    flush()
    # Top to bottom: a footer drawn first (a chapter-opening page's number) goes last.
    if all(ln.y is not None for ln in lines if ln.text.strip()):
        lines = sorted((ln for ln in lines if ln.text.strip()),
                       key=lambda ln: -(ln.y if ln.y is not None else 0.0))
    return lines


def body_size(pages: list[list[PdfLine]]) -> float | None:
    """The font size most characters are printed in."""
    sizes: Counter[float] = Counter()
    for lines in pages:
        for ln in lines:
            if ln.size:
                sizes[round(ln.size * 2) / 2] += len(ln.text.strip())
    return sizes.most_common(1)[0][0] if sizes else None


def _furniture_key(ln: PdfLine) -> tuple[str, int | None]:
    return furniture_key(ln.text), None if ln.y is None else round(ln.y / 3)


def drop_running_lines(pages: list[list[PdfLine]], body: float | None) -> list[list[PdfLine]]:
    """Remove lines that recur at the same height at the top or bottom of pages."""
    def edges(lines: list[PdfLine]) -> list[int]:
        filled = [i for i, ln in enumerate(lines) if ln.text.strip()]
        return sorted(set(filled[:2] + filled[-2:]))

    def candidate(ln: PdfLine) -> bool:
        small = body is None or ln.size is None or ln.size <= body * 1.05
        key = furniture_key(ln.text)
        heading = is_heading_key(key) or key.rstrip(":") in UNNUMBERED_HEADINGS
        return small and not ((ln.size is None or ln.bold) and heading)

    def body_sized(ln: PdfLine) -> bool:
        return body is not None and ln.size is not None and ln.size >= body * 0.97

    cands = [[_furniture_key(lines[i]) for i in edges(lines) if candidate(lines[i])
              and not body_sized(lines[i])] for lines in pages]
    in_body = [[_furniture_key(lines[i]) for i in edges(lines) if candidate(lines[i])
                and body_sized(lines[i])] for lines in pages]
    # With the height in the key, two pages are enough: the same words at the same height
    # in the margin of two pages are furniture (in the body's size, three: two lines of
    # running text may happen to match). Without layout, fall back to counting.
    has_layout = any(ln.y is not None for lines in pages for ln in lines)
    running = running_keys(cands, 2 if has_layout else None)
    running |= running_keys(in_body, max(3, min_repeats(len(pages))) if has_layout else None)
    # Once the header and footer lines are known, anything printed smaller than the body
    # at their height is furniture too (a chapter title that heads only one page).
    bands = {k[1] for k in running if isinstance(k, tuple) and k[1] is not None}

    # Where the text block begins: the first line in the body's size, over the pages. A
    # page's first line well above it, smaller than the body, is in the top margin: a
    # running head even where too few pages repeat it (a short excerpt).
    tops = [next((ln.y for ln in lines if body_sized(ln) and ln.y is not None), None)
            for lines in pages]
    known = [t for t in tops if t is not None]
    text_top = median(known) if body is not None and len(known) >= 2 else None

    def furniture(ln: PdfLine) -> bool:
        key = _furniture_key(ln)
        if key in running:
            return True
        small = body is not None and ln.size is not None and ln.size < body * 0.95
        margin = (text_top is not None and body is not None and ln.y is not None
                  and ln.y > text_top + 1.5 * body)
        return small and (key[1] in bands or margin)

    out = []
    for lines in pages:
        drop = {i for i in edges(lines) if candidate(lines[i]) and furniture(lines[i])}
        out.append([ln for i, ln in enumerate(lines) if i not in drop])
    return out


def _is_heading(ln: PdfLine, body: float | None) -> bool:
    if body is None or ln.size is None:
        return False
    text = ln.text.strip()
    if ln.size >= body * 1.15:
        return True
    if ln.bold and text.lower().rstrip(":") in UNNUMBERED_HEADINGS:
        return True
    return ln.bold and len(text) < 120 and bool(_HEADING_TEXT.match(text))


def page_text(lines: list[PdfLine], body: float | None) -> str:
    """A page as text: paragraphs separated by blank lines, footnotes below a separator."""
    lines = [ln for ln in lines if ln.text.strip() and not re.fullmatch(r"\s*\d{1,4}\s*", ln.text)]
    notes: list[PdfLine] = []
    if body is not None:
        k = len(lines)
        while k > 0 and (lines[k - 1].size or body) < body * 0.92:
            k -= 1
        tail = lines[k:]
        start = next((i for i, ln in enumerate(tail) if _NOTE_START.match(ln.text)), None)
        if start is not None:
            lines, notes = lines[: k + start], tail[start:]
    gaps = [a.y - b.y for a, b in zip(lines, lines[1:], strict=False)
            if a.y is not None and b.y is not None and a.size == b.size == body and a.y > b.y]
    usual = median(gaps) if gaps else None
    xs = [round(ln.x) for ln in lines if ln.x is not None and ln.size == body]
    margin = Counter(xs).most_common(1)[0][0] if xs else None
    out: list[str] = []
    prev: PdfLine | None = None
    for ln in lines:
        heading = _is_heading(ln, body)
        if prev is not None:
            was_heading = _is_heading(prev, body)
            gap = (prev.y - ln.y) if prev.y is not None and ln.y is not None else None
            indent = (margin is not None and ln.x is not None and body is not None
                      and ln.x > margin + 0.8 * body)
            if (heading != was_heading or (heading and ln.size != prev.size) or indent
                    or (usual is not None and gap is not None and gap > usual * 1.5)
                    or (gap is not None and gap < 0)):  # up to the next column
                out.append("")
        out.append(ln.text.rstrip())
        prev = ln
    if notes:
        out.append(SEPARATOR)
        out.extend(_NOTE_START.sub(lambda m: m.group(1) + " ", ln.text, count=1).rstrip()
                   if _NOTE_START.match(ln.text) else ln.text.rstrip() for ln in notes)
    return "\n".join(out)


def read_pages(reader: Any, name: str) -> tuple[list[list[PdfLine]], list[int], list[int]]:
    """Every page's lines; pages without text are OCR'd when Tesseract is installed.

    Returns the lines, the pages read by OCR and the pages left without text (images
    that could not be read)."""
    program = tesseract()
    pages: list[list[PdfLine]] = []
    ocr: list[int] = []
    blind: list[int] = []
    for number, page in enumerate(progress(reader.pages, name), start=1):
        lines = [replace(ln, text=fix_line(ln.text),
                         parts=[(x, fix_line(t)) for x, t in ln.parts])
                 for ln in page_lines(page)]
        letters = sum(len(re.sub(r"\W", "", ln.text)) for ln in lines)
        if letters < MIN_CHARS_PER_PAGE and has_images(page):
            text = ocr_page(page, program) if program else ""
            if re.sub(r"\W", "", text):
                lines = [PdfLine(fix_line(t)) for t in text.split("\n") if t.strip()]
                ocr.append(number)
            else:
                blind.append(number)
        pages.append(lines)
    return pages, ocr, blind


def progress(pages: Any, name: str) -> Any:
    """The pages, with a progress bar (and an ETA) on a terminal for a long document."""
    if len(pages) < 100:
        return pages
    from tqdm import tqdm

    return tqdm(pages, desc=f"Reading {name}", unit="page", disable=None)


def _left_to_right(ln: PdfLine) -> str:
    """A line's runs in the order they stand on the page (a running head's page number
    may be drawn before the words to its left), separated by spaces."""
    if not ln.parts:
        return ln.text
    return " ".join(t.strip() for _, t in sorted(ln.parts, key=lambda part: part[0])
                    if t.strip())


def _taken_out(before: list[PdfLine], after: list[PdfLine]) -> list[str]:
    """The page's lines that were taken out as running heads, footers and page numbers."""
    kept = {id(ln) for ln in after}
    return [_left_to_right(ln) for ln in before if id(ln) not in kept]


def read_book(data: bytes, name: str) -> tuple[list[str], BookStructure, dict[str, str]]:
    """A PDF's pages as text, with the book structure found in them and its metadata."""
    reader = _open(data, name)
    try:
        raw, ocr, blind = read_pages(reader, name)
        info = {k: str(v) for k, v in (reader.metadata or {}).items()}
        outline = outline_chapters(reader)
        widths = [float(p.mediabox.width) for p in reader.pages]
    except IngestError:
        raise
    except Exception as exc:
        raise _broken(name, exc) from exc
    letters = sum(len(re.sub(r"\W", "", ln.text)) for lines in raw for ln in lines)
    if letters < MIN_CHARS_PER_PAGE * max(len(raw), 1):
        hint = "" if tesseract() else f"; or {INSTALL_HINT}"
        hint_sv = "" if tesseract() else f"; eller {INSTALL_HINT_SV}"
        raise IngestError(
            f"{name}: the PDF has no text layer (a scanned document?); run OCR on it "
            f"(for example with ocrmypdf) and index the result{hint}",
            f"{name}: PDF-filen saknar textlager (en inskannad handling?); kör OCR på den "
            f"(till exempel med ocrmypdf) och indexera resultatet{hint_sv}",
        )
    body = body_size(raw)
    printed, number_lines = detect_printed_pages(raw, body)
    numbered = raw
    raw = [[ln for i, ln in enumerate(lines) if i != at]
           for lines, at in zip(raw, number_lines, strict=True)]
    kept = drop_running_lines(raw, body)
    heads = [_taken_out(before, after) for before, after in zip(numbered, kept, strict=True)]
    book = recognise(kept, body, printed, outline, heads)
    book.ocr_pages = ocr
    for p in blind:
        book.notes.append(f"page {p}: no text layer; {INSTALL_HINT}")
        logging.getLogger(__name__).warning("%s: page %d has no text layer; %s", name, p,
                                            INSTALL_HINT)
    pages = [page_text(read_columns(lines, width), body)
             for lines, width in zip(kept, widths, strict=True)]
    return pages, book, info


class PdfLoader:
    """PDF with a text layer (scanned pages OCR'd when Tesseract is installed); refuses
    encrypted and damaged files with a reason. A book's chapters, their authors and the
    printed page numbers are recognised (``book_structure``, ``pages``)."""

    fmt = "pdf"
    suffixes: tuple[str, ...] = (".pdf",)

    def load(
        self, data: bytes, meta: DocumentMeta, name: str
    ) -> tuple[list[str], bool, DocumentMeta]:
        """Pages plus the metadata completed from the PDF (structure, title, authors)."""
        pages, book, info = read_book(data, name)
        if meta.chapter_overrides:
            apply_overrides(book, meta.chapter_overrides)
            pages = [_retitle(text, book) for text in pages]
        meta = meta_from_info(meta, info.get("/Title", ""), info.get("/Author", ""))
        meta = replace(meta, chapter_authors=tuple(
            (c.number, c.authors) for c in book.chapters if c.authors),
            chapter_affiliations=tuple(
            (c.number, c.affiliations) for c in book.chapters if c.affiliations),
            chapter_openings=tuple((c.number, c.page) for c in book.chapters if c.page > 0))
        if meta.page_offset is None and not meta.first_page and any(
                n is not None for n in book.printed):
            meta = replace(meta, printed_pages=tuple(book.printed))
        if meta.page_offset is None:
            offset = meta.first_page - 1 if meta.first_page else 0
            meta = replace(meta, page_offset=offset)
        return pages, True, meta


def apply_overrides(book: BookStructure,
                    overrides: tuple[tuple[int, str, tuple[str, ...]], ...]) -> None:
    """The manifest's chapter titles and authors replace those found in the PDF."""
    for number, title, authors in overrides:
        for ch in book.chapters:
            if ch.number == number:
                ch.title = title or ch.title
                ch.authors = authors or ch.authors


def _retitle(text: str, book: BookStructure) -> str:
    """Chapter heading lines carry the (possibly overridden) chapter titles."""
    for ch in book.chapters:
        heading = f"Kapitel {ch.number} {ch.title}"
        text = re.sub(rf"(?m)^Kapitel {ch.number} .*$", heading.replace("\\", r"\\"), text)
    return text


def _broken(name: str, exc: BaseException) -> IngestError:
    detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
    return IngestError(
        f"{name}: not a readable PDF (damaged or not a PDF: {detail})",
        f"{name}: inte en läsbar PDF-fil (skadad eller ingen PDF: {detail})",
    )


def _open(data: bytes, name: str) -> Any:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))
            except Exception:  # missing crypto support or a malformed encryption dictionary
                opened = False
            if not opened:
                raise IngestError(
                    f"{name}: the PDF is encrypted (password protected); save an unprotected "
                    "copy and index that",
                    f"{name}: PDF-filen är krypterad (lösenordsskyddad); spara en oskyddad "
                    "kopia och indexera den",
                )
        if len(reader.pages) == 0:
            raise ValueError("no pages")
    except IngestError:
        raise
    except Exception as exc:
        raise _broken(name, exc) from exc
    return reader
