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
    # A book PDF: the printed page number of every physical page (None where the book
    # prints none: the physical page is cited then), and each chapter's authors.
    printed_pages: tuple[int | None, ...] | None = None
    chapter_authors: tuple[tuple[int, tuple[str, ...]], ...] = ()
    # The authors' posts and places of work ('Docent vid Lunds universitet'): the document's
    # from the manifest, each chapter's as a book PDF prints them.
    affiliation: str = ""
    # A book PDF: the physical page each chapter opens on.
    chapter_openings: tuple[tuple[int, int], ...] = ()
    chapter_affiliations: tuple[tuple[int, str], ...] = ()
    # The book the document belongs to (manifest [book]): its title and chapter count.
    book_title: str = ""
    book_chapters: int | None = None
    # From the manifest: (chapter number, title, authors) that override what a book PDF
    # says about its chapters; an empty title or no authors leaves that part as found.
    chapter_overrides: tuple[tuple[int, str, tuple[str, ...]], ...] = ()

    def cite_page(self, page: int, shift: int, in_book: bool) -> tuple[int, bool]:
        """The page to cite for 1-based source ``page`` and whether it is a printed page."""
        if self.printed_pages is not None and 0 < page <= len(self.printed_pages):
            printed = self.printed_pages[page - 1]
            return (page, False) if printed is None else (printed, True)
        return page + shift, in_book

    def affiliation_for(self, chapter: int | None) -> str:
        """The affiliation printed with ``chapter``'s authors, else the document's."""
        for number, text in self.chapter_affiliations:
            if number == chapter and text:
                return text
        return self.affiliation

    def authors_for(self, chapter: int | None) -> tuple[str, ...]:
        """The authors of ``chapter`` when the book names them, else the document's."""
        for number, names in self.chapter_authors:
            if number == chapter and names:
                return names
        return self.authors


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
