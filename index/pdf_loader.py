"""PDF files through ``pypdf`` (BSD): real pages, layout-aware lines, metadata.

Each page's text is read with pypdf's visitor, which also tells every text run's position
and font size. From that the loader

* drops running headers and footers (lines recurring at the top or bottom of pages, at
  the same height, in the body size or smaller) and bare page numbers;
* marks paragraph breaks (a larger gap between lines, a first-line indent, a heading in
  a larger or bold font), so the cleaning stage sees paragraphs as in a text file;
* moves the footnotes at a page's foot (numbered lines in a smaller font) below a
  separator line, the convention ``index.cleaning`` understands.

Page numbers are the PDF's pages plus the manifest's ``page_offset``.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, replace
from statistics import median
from typing import Any

from assistant.errors import IngestError
from index.documents import DocumentMeta
from index.furniture import furniture_key, is_heading_key, running_keys

SEPARATOR = " " * 40
_NOTE_START = re.compile(r"^\s*(\d{1,3})(?=\s*\S)\s*")
_HEADING_TEXT = re.compile(r"^(?:(?:Kapitel|Chapter)\s+\d{1,2}\b|\d{1,2}(?:\.\d{1,2}){1,3}\.?\s)")
# Too few letters per page on average: the pages are images (a scan without OCR).
MIN_CHARS_PER_PAGE = 10


@dataclass
class PdfLine:
    """One line of a page with where and how it is printed (PDF points, y upwards)."""

    text: str
    x: float | None = None
    y: float | None = None
    size: float | None = None
    bold: bool = False


def _mult(tm: list[float], cm: list[float]) -> list[float]:
    a, b, c, d, e, f = tm
    A, B, C, D, E, F = cm  # noqa: N806 - matrix names
    return [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F]


def page_lines(page: Any) -> list[PdfLine]:
    """The lines of a pypdf page, each with the position and font of its main run."""
    runs: list[tuple[str, list[float], float, bool]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        m = _mult([float(v) for v in tm], [float(v) for v in cm])
        scale = abs(m[0] * m[3] - m[1] * m[2]) ** 0.5 or 1.0
        name = str((font or {}).get("/BaseFont", "")) if hasattr(font, "get") else ""
        runs.append((text, m, float(size or 0) * scale, "bold" in name.lower()))

    plain = page.extract_text(visitor_text=visit) or ""
    if "".join(r[0] for r in runs) != plain:
        return [PdfLine(t) for t in plain.split("\n")]
    lines: list[PdfLine] = []
    parts: list[str] = []
    weight: Counter[tuple[float, bool]] = Counter()
    first: list[float] | None = None

    def flush() -> None:
        text = "".join(parts)
        if weight:
            (size, bold), _ = weight.most_common(1)[0]
        else:
            size, bold = 0.0, False
        x, y = (first[4], first[5]) if first else (None, None)
        lines.append(PdfLine(text, x, y, size or None, bold))

    for text, m, size, bold in runs:
        pieces = text.split("\n")
        for j, piece in enumerate(pieces):
            if j:
                flush()
                parts, weight, first = [], Counter(), None
            if piece:
                parts.append(piece)
                filled = len(piece.strip())
                if filled:
                    weight[(round(size, 1), bold)] += filled
                    if first is None:
                        first = m
    flush()
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
        return small and not (ln.size is None and is_heading_key(furniture_key(ln.text)))

    cands = [[_furniture_key(lines[i]) for i in edges(lines) if candidate(lines[i])]
             for lines in pages]
    # With the height in the key, two pages are enough: the same words at the same height
    # in the margin of two pages are furniture. Without layout, fall back to counting.
    has_layout = any(ln.y is not None for lines in pages for ln in lines)
    running = running_keys(cands, 2 if has_layout else None)
    # Once the header and footer lines are known, anything printed smaller than the body
    # at their height is furniture too (a chapter title that heads only one page).
    bands = {k[1] for k in running if isinstance(k, tuple) and k[1] is not None}

    def furniture(ln: PdfLine) -> bool:
        key = _furniture_key(ln)
        if key in running:
            return True
        return (key[1] in bands and body is not None and ln.size is not None
                and ln.size < body * 0.95)

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
                    or (usual is not None and gap is not None and gap > usual * 1.5)):
                out.append("")
        out.append(ln.text.rstrip())
        prev = ln
    if notes:
        out.append(SEPARATOR)
        out.extend(_NOTE_START.sub(lambda m: m.group(1) + " ", ln.text, count=1).rstrip()
                   if _NOTE_START.match(ln.text) else ln.text.rstrip() for ln in notes)
    return "\n".join(out)


def _authors(value: str) -> tuple[str, ...]:
    parts = re.split(r"\s*;\s*|\s+(?:och|and|&)\s+", value.strip())
    if len(parts) == 1 and value.count(",") >= 1 and all(
        " " in p.strip() for p in value.split(",")
    ):
        parts = value.split(",")
    return tuple(p.strip() for p in parts if p.strip())


def meta_from_info(meta: DocumentMeta, title: str, author: str) -> DocumentMeta:
    """Fill the title and authors from the file's own metadata where the manifest has none."""
    return replace(
        meta,
        chapter_title=meta.chapter_title or title.strip(),
        authors=meta.authors or _authors(author),
    )


class PdfLoader:
    """PDF with a text layer; refuses scans, encrypted and damaged files with a reason."""

    fmt = "pdf"
    suffixes: tuple[str, ...] = (".pdf",)

    def load(
        self, data: bytes, meta: DocumentMeta, name: str
    ) -> tuple[list[str], bool, DocumentMeta]:
        """Pages plus the metadata completed from the PDF's title and author."""
        reader = _open(data, name)
        try:
            raw = [page_lines(p) for p in reader.pages]
            info = reader.metadata or {}
        except IngestError:
            raise
        except Exception as exc:
            raise _broken(name, exc) from exc
        letters = sum(len(re.sub(r"\W", "", ln.text)) for lines in raw for ln in lines)
        if letters < MIN_CHARS_PER_PAGE * max(len(raw), 1):
            raise IngestError(
                f"{name}: the PDF has no text layer (a scanned document?); run OCR on it "
                "(for example with ocrmypdf) and index the result",
                f"{name}: PDF-filen saknar textlager (en inskannad handling?); kör OCR på den "
                "(till exempel med ocrmypdf) och indexera resultatet",
            )
        body = body_size(raw)
        kept = drop_running_lines(raw, body)
        pages = [page_text(lines, body) for lines in kept]
        meta = meta_from_info(meta, str(info.get("/Title") or ""), str(info.get("/Author") or ""))
        if meta.page_offset is None:
            offset = meta.first_page - 1 if meta.first_page else 0
            meta = replace(meta, page_offset=offset)
        return pages, True, meta


def _broken(name: str, exc: BaseException) -> IngestError:
    detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
    return IngestError(
        f"{name}: not a readable PDF (damaged or not a PDF: {detail})",
        f"{name}: inte en läsbar PDF-fil (skadad eller ingen PDF: {detail})",
    )


def _open(data: bytes, name: str) -> Any:
    import logging

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
