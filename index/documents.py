"""Value types for documents on their way from a file to chunks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class DocumentMeta:
    """What the manifest (or the file itself) says about a document."""

    doc_id: str
    chapter: int | None = None
    chapter_title: str = ""
    authors: tuple[str, ...] = ()
    source: str = ""
    first_page: int | None = None
    page_break: str = "formfeed"
    # Added to a PDF page number to give the printed page (set for PDFs, where the page
    # numbers are the PDF's own pages and therefore pages of the book).
    page_offset: int | None = None


@dataclass
class LoadedDocument:
    """A file read into raw pages. ``has_pages`` is false when the format has no pages."""

    path: Path
    meta: DocumentMeta
    pages: list[str]
    has_pages: bool
    fmt: str
    content_hash: str


@dataclass(frozen=True)
class Footnote:
    """A footnote moved out of the running text; ``ref_offset`` is where it was referenced."""

    number: int
    text: str
    page: int | None
    ref_offset: int | None
    start: int
    end: int


@dataclass
class CleanedDocument:
    """Running text with hyphenation and page furniture removed, plus its page map.

    ``body_end`` marks where the running text ends; footnotes follow it in ``text``.
    ``page_spans`` are (start, end, page) triples over ``text``; pages are 1-based within
    the source file.
    """

    text: str
    body_end: int
    page_spans: list[tuple[int, int, int]] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        """The source page holding character ``offset``, or None if the source has no pages."""
        for start, end, page in self.page_spans:
            if start <= offset < end:
                return page
        if self.page_spans and offset >= self.page_spans[-1][1]:
            return self.page_spans[-1][2]
        return None
