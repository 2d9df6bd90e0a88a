"""References to copy: the book's facts from the manifest, one reference per citation, and
links from a citation card to the reader view and to the operator's copy of the book.

The book (title, series, year) comes from the ``manifest.toml`` next to the indexed files;
authors and chapter titles from the index's document metadata (so references also work for
files someone indexed with their own manifest), falling back to the citation's own fields.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from index.store.served import ServedIndex


@dataclass(frozen=True)
class Book:
    """The book a chapter belongs to."""

    title: str = "Styra och leda med tillit – Forskning och praktik"
    series: str = "SOU 2018:38"
    year: str = "2018"


@lru_cache(maxsize=32)
def book_in(folder: Path) -> Book:
    """The ``[book]`` table of ``folder/manifest.toml`` (the anthology's facts if absent)."""
    path = folder / "manifest.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")).get("book", {})
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return Book()
    default = Book()
    return Book(title=str(data.get("title") or default.title),
                series=str(data.get("series") or default.series),
                year=str(data.get("year") or default.year))


@dataclass(frozen=True)
class Source:
    """What a reference names: authors, year, chapter and the book."""

    authors: tuple[str, ...]
    chapter: int | None
    chapter_title: str
    book: Book


def source_of(citation: Mapping[str, Any], index: ServedIndex | None) -> Source:
    """The source of a citation: from the index's document metadata, else the citation."""
    doc: Mapping[str, Any] = {}
    chunk = index.chunk(str(citation.get("chunk_id"))) if index is not None else None
    if chunk is not None and index is not None:
        doc = index.info.get("documents", {}).get(chunk.doc_id, {})
    authors = tuple(str(a) for a in doc.get("authors") or ()) or tuple(
        a.strip() for a in str(citation.get("authors") or "").split(",") if a.strip())
    folder = Path(str(doc["path"])).parent if doc.get("path") else None
    return Source(
        authors=authors,
        chapter=doc.get("chapter", citation.get("chapter")),
        chapter_title=str(doc.get("title") or citation.get("chapter_title") or ""),
        book=book_in(folder) if folder else Book(),
    )


def _names(authors: tuple[str, ...], lang: str) -> str:
    if len(authors) <= 1:
        return "".join(authors)
    return ", ".join(authors[:-1]) + (" och " if lang == "sv" else " and ") + authors[-1]


def reference_text(
    citation: Mapping[str, Any], source: Source, lang: str, *, markdown: bool = False
) -> str:
    """'Louise Bringselius (2018). Inledning. I: Styra och leda med tillit – Forskning och
    praktik. SOU 2018:38, s. 23.' (the book title in ``*…*`` when ``markdown``)."""
    sv = lang == "sv"
    title = f"*{source.book.title}*" if markdown else source.book.title
    parts = []
    who = _names(source.authors, lang)
    parts.append(f"{who} ({source.book.year})." if who else f"({source.book.year}).")
    if source.chapter_title:
        parts.append(f"{source.chapter_title.rstrip('.')}.")
    parts.append(f"{'I' if sv else 'In'}: {title}.")
    where = source.book.series
    page = citation.get("page")
    if page is not None:
        where += f", {'s.' if sv else 'p.'} {page}"
    parts.append(f"{where}.")
    return " ".join(parts)


def read_url(chunk_id: str, lang: str) -> str:
    """The reader view of a chunk, relative to the app's root (works behind a proxy)."""
    return f"read/{quote(chunk_id, safe='')}?lang={lang}#tillit-cited"


def source_url(template: str, citation: Mapping[str, Any]) -> str | None:
    """The operator's copy of the page (``TILLIT_SOURCE_URL`` with ``{page}``,
    ``{chapter}``), or None without a template or a page."""
    page = citation.get("page")
    if not template or page is None:
        return None
    chapter = citation.get("chapter")
    return template.replace("{page}", str(int(page))).replace(
        "{chapter}", "" if chapter is None else str(chapter))


def enrich(
    answer: dict[str, Any], index: ServedIndex | None, template: str, lang: str | None = None
) -> dict[str, Any]:
    """The answer dict with, per citation, ``reference`` (plain text), ``reference_md``,
    ``read_url`` and ``source_url``, and the answer's ``answerability``."""
    from tillit_web.answers import answerability

    lang = lang or str(answer.get("language") or "sv")
    cites = []
    for c in answer.get("citations") or []:
        src = source_of(c, index)
        cites.append({**c, "reference": reference_text(c, src, lang),
                      "reference_md": reference_text(c, src, lang, markdown=True),
                      "read_url": read_url(str(c["chunk_id"]), lang),
                      "source_url": source_url(template, c)})
    return {**answer, "answerability": answerability(answer), "citations": cites}
