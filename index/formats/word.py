"""Word documents (.docx) through ``python-docx``: paragraphs, headings and metadata.

Paragraphs in the 'Heading 1' / 'Rubrik 1' / 'Title' styles become chapter headings and
'Heading 2'..'Heading 6' section headings; they are passed on as Markdown headings
(``#``/``##``), which the structure stage already understands, so a heading such as
'3.2 Rektorer' keeps its number. Tables are read row by row. A .docx has no fixed pages.
"""

from __future__ import annotations

import io
import re
from typing import Any

from index.documents import DocumentMeta
from index.errors import IngestError
from index.formats.metadata import meta_from_info

_LEVEL = re.compile(r"^(?:heading|rubrik)\s*(\d)$", re.IGNORECASE)


def heading_level(style_name: str) -> int | None:
    """1 for a chapter heading style, 2-6 for section headings, None for body text."""
    name = style_name.strip().lower()
    if name in {"title", "rubrik"}:
        return 1
    m = _LEVEL.match(name)
    return int(m.group(1)) if m and 1 <= int(m.group(1)) <= 6 else None


def _blocks(doc: Any) -> list[str]:
    """Body paragraphs and table rows in document order, headings as Markdown."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out: list[str] = []
    for item in doc.iter_inner_content():
        if isinstance(item, Paragraph):
            text = re.sub(r"[ \t]+", " ", item.text.replace("\n", " ")).strip()
            if not text:
                continue
            style = item.style.name if item.style is not None else ""
            level = heading_level(style or "")
            out.append(f"{'#' * level} {text}" if level else text)
        elif isinstance(item, Table):
            for row in item.rows:
                cells = list(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
                if cells:
                    out.append(" | ".join(cells))
    return out


class DocxLoader:
    """Office Open XML word-processing documents."""

    fmt = "docx"
    suffixes: tuple[str, ...] = (".docx",)

    def load(
        self, data: bytes, meta: DocumentMeta, name: str
    ) -> tuple[list[str], bool, DocumentMeta]:
        """One page plus the metadata completed from the document's core properties."""
        try:
            import docx

            doc = docx.Document(io.BytesIO(data))
            blocks = _blocks(doc)
            props = doc.core_properties
            title, author = props.title or "", props.author or ""
        except Exception as exc:
            detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
            raise IngestError(
                f"{name}: not a readable Word document (damaged or not a .docx: {detail})",
                f"{name}: inte ett läsbart Word-dokument (skadat eller ingen .docx: {detail})",
            ) from exc
        if not blocks:
            raise IngestError(f"{name}: the document has no text",
                              f"{name}: dokumentet innehåller ingen text")
        return ["\n\n".join(blocks)], False, meta_from_info(meta, title, author)
