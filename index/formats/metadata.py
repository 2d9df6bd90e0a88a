"""A file's own metadata (a PDF's or a Word document's title and author), for documents
the manifest says nothing about; the placeholders producers write are ignored."""

from __future__ import annotations

import re
from dataclasses import replace

from index.documents import DocumentMeta

_JUNK = re.compile(
    r"^(?:untitled|anonymous|unknown|none|null|n/?a|user|admin|owner|author|"
    r"(?:microsoft\s+word|word)\s*-.*|document\s*\d*|dokument\s*\d*|"
    r".*\.(?:docx?|pdf|indd|rtf|odt|tex|qxd))$",
    re.IGNORECASE,
)


def is_junk_metadata(value: str) -> bool:
    """True for the placeholders PDF producers write as title or author ("untitled",
    "anonymous", "Microsoft Word - rapport.docx", a file name)."""
    value = value.strip()
    return not value or bool(_JUNK.match(value))


def _authors(value: str) -> tuple[str, ...]:
    parts = re.split(r"\s*;\s*|\s+(?:och|and|&)\s+", value.strip())
    if len(parts) == 1 and value.count(",") >= 1 and all(
        " " in p.strip() for p in value.split(",")
    ):
        parts = value.split(",")
    return tuple(p.strip() for p in parts if p.strip())


def meta_from_info(meta: DocumentMeta, title: str, author: str) -> DocumentMeta:
    """Fill the title and authors from the file's own metadata where the manifest has none;
    placeholder metadata ("untitled", "anonymous", "Microsoft Word - …") is ignored."""
    title = "" if is_junk_metadata(title) else title.strip()
    names = () if is_junk_metadata(author) else _authors(author)
    return replace(meta, chapter_title=meta.chapter_title or title,
                   authors=meta.authors or names)

