"""The corpus manifest: which files are chapters, their titles, authors and sources."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from index.documents import DocumentMeta
from index.errors import IngestError

MANIFEST_NAME = "manifest.toml"


@dataclass(frozen=True)
class Manifest:
    """Book-level facts plus per-file metadata keyed by file name."""

    title: str
    series: str
    documents: dict[str, DocumentMeta]


def doc_id_for(path: Path) -> str:
    """A stable id from a file name: lower case, safe characters only."""
    stem = re.sub(r"[^0-9a-zA-Z_-]+", "-", path.stem.lower()).strip("-")
    return stem or "document"


def _optional_int(entry: dict[str, object], key: str, name: str) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise IngestError(
            f"{name}: '{key}' must be a whole number (file {entry.get('file')})",
            f"{name}: '{key}' måste vara ett heltal (filen {entry.get('file')})",
        )
    return value


def _chapters(entry: dict[str, object], name: str
              ) -> tuple[tuple[int, str, tuple[str, ...]], ...]:
    """``[[documents.chapters]]``: number, title, authors of chapters of a book PDF."""
    raw = entry.get("chapters", [])
    out = []
    for ch in raw if isinstance(raw, list) else []:
        number = ch.get("number") if isinstance(ch, dict) else None
        if not isinstance(number, int) or isinstance(number, bool):
            raise IngestError(
                f"{name}: every chapter of {entry.get('file')} needs a whole 'number'",
                f"{name}: varje kapitel i {entry.get('file')} behöver ett heltal 'number'",
            )
        out.append((number, str(ch.get("title", "")), tuple(ch.get("authors", []))))
    return tuple(out)


def read_manifest(folder: Path) -> Manifest:
    """Read ``manifest.toml`` in ``folder``; an absent manifest gives an empty one."""
    path = folder / MANIFEST_NAME
    if not path.exists():
        return Manifest(title="", series="", documents={})
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise IngestError(
            f"{path.name}: not a valid TOML manifest ({exc})",
            f"{path.name}: inte ett giltigt TOML-manifest ({exc})",
        ) from exc
    book = data.get("book", {})
    docs: dict[str, DocumentMeta] = {}
    for entry in data.get("documents", []):
        if "file" not in entry:
            raise IngestError(
                f"{path.name}: every [[documents]] entry needs a 'file'",
                f"{path.name}: varje [[documents]]-post behöver 'file'",
            )
        file = str(entry["file"])
        docs[file] = DocumentMeta(
            doc_id=str(entry.get("id") or doc_id_for(Path(file))),
            chapter=entry.get("chapter"),
            chapter_title=str(entry.get("title", "")),
            authors=tuple(entry.get("authors", [])),
            source=str(entry.get("source", book.get("series", ""))),
            first_page=_optional_int(entry, "first_page", path.name),
            page_break=str(entry.get("page_break", "formfeed")),
            page_offset=_optional_int(entry, "page_offset", path.name),
            chapter_overrides=_chapters(entry, path.name),
            affiliation=str(entry.get("affiliation", "")),
            book_title=str(book.get("title", "")),
            book_chapters=_optional_int(book, "chapters", path.name),
        )
    return Manifest(
        title=str(book.get("title", "")), series=str(book.get("series", "")), documents=docs
    )
