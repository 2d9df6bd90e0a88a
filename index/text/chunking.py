"""Heading-aware chunking sized in tiktoken tokens (cl100k_base), with overlap."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from langchain_text_splitters import RecursiveCharacterTextSplitter

from index.documents import CleanedDocument, DocumentMeta
from index.text.book_cards import book_cards
from index.text.structure import Section, find_sections, section_at
from index.text.tokens import ENCODING

# Bump when cleaning or chunking changes what chunks come out: builds with another version
# are redone, not reused.
CHUNKING_VERSION = 4
_SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage with everything needed to cite it."""

    chunk_id: str
    doc_id: str
    text: str
    chapter: int | None
    chapter_title: str
    section: str | None
    section_title: str
    authors: str
    source: str
    kind: str  # "text", "footnote" or "card" (index.text.book_cards)
    char_start: int
    char_end: int
    page: int | None
    page_end: int | None
    page_in_book: bool
    tokens: int

    @property
    def context(self) -> str:
        """The heading line that situates the chunk: chapter, then section."""
        parts = []
        if self.chapter is not None:
            parts.append(f"Kapitel {self.chapter} {self.chapter_title}".strip())
        elif self.chapter_title:
            parts.append(self.chapter_title)
        if self.section or self.section_title:
            parts.append(f"{self.section or ''} {self.section_title}".strip())
        if self.kind == "footnote":
            parts.append("Fotnot")
        return " › ".join(parts)

    @property
    def embed_text(self) -> str:
        """What is embedded and indexed: the section context, then the passage."""
        return f"{self.context}\n\n{self.text}" if self.context else self.text

    def to_metadata(self) -> dict[str, Any]:
        """Flat metadata for the vector store (no None values)."""
        return {k: v for k, v in asdict(self).items() if v is not None and k != "text"}

    @classmethod
    def from_metadata(cls, text: str, meta: dict[str, Any]) -> Chunk:
        """Rebuild a chunk from stored metadata and its passage text."""
        fields = {f: meta.get(f) for f in cls.__dataclass_fields__ if f != "text"}
        return cls(text=text, **fields)  # type: ignore[arg-type]


def make_splitter(chunk_size: int, chunk_overlap: int) -> RecursiveCharacterTextSplitter:
    """LangChain's recursive splitter measuring length in cl100k_base tokens.

    The tiktoken cache must be seeded first (``index.text.tokens.seed_tiktoken_cache``).
    """
    return RecursiveCharacterTextSplitter.from_tiktoken_encoder(
        encoding_name=ENCODING,
        chunk_size=chunk_size,
        chunk_overlap=min(chunk_overlap, chunk_size // 2),
        separators=_SEPARATORS,
        keep_separator="end",
        strip_whitespace=True,
    )


def page_shift(meta: DocumentMeta) -> tuple[int, bool]:
    """What to add to a 1-based source page to cite it, and whether that is a book page.

    ``page_offset`` (PDFs: the PDF page is a page of the book) wins over ``first_page``
    (the printed number of the file's first page).
    """
    if meta.page_offset is not None:
        return meta.page_offset, True
    if meta.first_page:
        return meta.first_page - 1, True
    return 0, False


def _locate(text: str, piece: str, prev_start: int, prev_end: int, ratio: float) -> int:
    """Where ``piece`` starts in ``text``, given the previous piece's span.

    LangChain's start_index drifts when overlap is measured in tokens, so we locate pieces
    ourselves: among the occurrences that start after the previous piece's start and no
    later than just after its end, the one nearest to where the overlap ``ratio`` puts it.
    With repeated text ('ord ord …') this keeps the chunks in order and covering the section.
    """
    if prev_start < 0:
        found = text.find(piece)
        return max(found, 0)
    expected = prev_end - int((prev_end - prev_start) * ratio)
    best, pos = -1, text.find(piece, prev_start + 1)
    while 0 <= pos <= prev_end + 1:
        if best < 0 or abs(pos - expected) < abs(best - expected):
            best = pos
        pos = text.find(piece, pos + 1)
    if best < 0:
        best = text.find(piece, prev_start + 1)
    return best if best >= 0 else max(text.find(piece), 0)


def _slug(section: Section) -> str:
    if section.number:
        return section.number
    return re.sub(r"[^a-z0-9åäö]+", "-", section.title.lower()).strip("-") or "front"


def chunk_document(
    cleaned: CleanedDocument,
    meta: DocumentMeta,
    splitter: RecursiveCharacterTextSplitter,
    count_tokens: Any,
) -> list[Chunk]:
    """Cut a cleaned document into chunks that never cross a section boundary.

    Footnotes become chunks of their own, filed under the section that references them.
    """
    sections = find_sections(cleaned.text, cleaned.body_end, meta.chapter, meta.chapter_title)
    chunks: list[Chunk] = []
    size = getattr(splitter, "_chunk_size", 1) or 1
    ratio = min(getattr(splitter, "_chunk_overlap", 0) / size, 0.9)

    shift, in_book = page_shift(meta)

    def cite(offset: int) -> tuple[int | None, bool]:
        p = cleaned.page_at(offset)
        return (None, in_book) if p is None else meta.cite_page(p, shift, in_book)

    def make(text: str, start: int, section: Section | None, kind: str, cid: str) -> Chunk:
        end = start + len(text)
        chapter = section.chapter if section else meta.chapter
        page, page_in_book = cite(start)
        return Chunk(
            chunk_id=cid,
            doc_id=meta.doc_id,
            text=text,
            chapter=chapter,
            chapter_title=(section.chapter_title if section else meta.chapter_title) or "",
            section=section.number if section else None,
            section_title=section.title if section else "",
            authors=", ".join(meta.authors_for(chapter)),
            source=meta.source,
            kind=kind,
            char_start=start,
            char_end=end,
            page=page,
            page_end=cite(max(start, end - 1))[0],
            page_in_book=page_in_book,
            tokens=count_tokens(text),
        )

    taken: set[str] = set()
    for section in sections:
        slug = _slug(section)
        if slug in taken:  # 'Sammanfattning' in every chapter of a book
            slug = f"{slug}-c{section.chapter}" if section.chapter is not None else slug
            slug = slug if slug not in taken else f"{slug}-{section.start}"
        taken.add(slug)
        body = cleaned.text[section.start : section.end]
        lead = len(body) - len(body.lstrip())
        body = body.strip()
        if not body:
            continue
        prev_start, prev_end = -1, 0
        for i, piece in enumerate(splitter.split_text(body)):
            found = _locate(body, piece, prev_start, prev_end, ratio)
            prev_start, prev_end = found, found + len(piece)
            start = section.start + lead + found
            cid = f"{meta.doc_id}:{slug}:{i:03d}"
            chunks.append(make(piece, start, section, "text", cid))

    seen_ids = {c.chunk_id for c in chunks}
    for note in cleaned.footnotes:
        ref = note.ref_offset
        note_section = section_at(sections, ref) if ref is not None else None
        text = cleaned.text[note.start : note.end]
        pieces = splitter.split_text(text)
        prev_start, prev_end = -1, 0
        for j, piece in enumerate(pieces):
            found = _locate(text, piece, prev_start, prev_end, ratio)
            prev_start, prev_end = found, found + len(piece)
            suffix = f"-{j}" if len(pieces) > 1 else ""
            cid = f"{meta.doc_id}:fn{note.number}{suffix}"
            if cid in seen_ids:  # notes numbered anew in every chapter of a book
                cid = f"{meta.doc_id}:fn{note.number}-p{note.page}{suffix}"
            chunks.append(make(piece, note.start + found, note_section, "footnote", cid))
            seen_ids.add(cid)
    for card in book_cards(meta, sections, cleaned.body_end, cite,
                           lambda page: meta.cite_page(page, shift, in_book)):
        chunks.append(Chunk(
            chunk_id=card.card_id, doc_id=meta.doc_id, text=card.text, chapter=card.chapter,
            chapter_title=card.chapter_title, section=None, section_title=card.section_title,
            authors=", ".join(meta.authors_for(card.chapter)), source=meta.source, kind="card",
            char_start=0, char_end=len(card.text), page=card.page, page_end=card.page,
            page_in_book=card.page_in_book, tokens=count_tokens(card.text)))
    return chunks
