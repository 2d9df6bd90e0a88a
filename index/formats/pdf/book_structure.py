"""The structure of a book PDF: chapters, their authors, the table of contents, captions.

Chapters come from the PDF's outline (bookmarks) when it numbers them, otherwise from
chapter-opening pages: a number and a title in large type at the top of a page
(``2   Tillitsbaserad styrning``, or ``Kapitel 2 …``). Either is cross-checked against
the table of contents (``Innehåll``), which also supplies a chapter whose opening page
was not recognised. Under a chapter's title, lines that read as a list of names are its
authors (in any weight or style; names set in capitals or small capitals are given back
their case), the lines after them in a smaller or italic type, or naming a post or a
place of work (``Docent vid Lunds universitet``), their affiliations. Pages before the
first chapter (title page, imprint, contents, foreword) are front matter and are not
indexed, except in an excerpt that begins inside a chapter: pages whose running heads
name a chapter (``Styra och leda med tillit   Kapitel 2``) or that carry its numbered
sections (``2.3 …``) belong to that chapter, its title taken from the running heads when
they print it.
Figure and table captions and ``Källa:`` lines are kept as captions, out of the prose.

The pages are edited in place: an opening's title lines become one heading line
``Kapitel N <title>`` (which the structure stage understands), author and caption lines
are removed, front matter is emptied.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from index.formats.pdf.lines import PdfLine
from index.text.structure import UNNUMBERED_HEADINGS

_CHAPTER_LINE = re.compile(r"^(?:(?:Kapitel|Chapter)\s+)?(\d{1,2})\.?\s+(\S.*)$", re.I)
_NUMBER_ONLY = re.compile(r"^(?:(?:Kapitel|Chapter)\s+)?(\d{1,2})\.?$", re.I)
_SECTION = re.compile(r"^\d{1,2}(?:\.\d{1,2}){1,3}\.?\s+\S")
_TOC_HEAD = re.compile(r"^(?:innehåll|innehållsförteckning|contents|table of contents)$", re.I)
_TOC_ENTRY = re.compile(r"^(?:(\d{1,2})\.?\s+)?(.*?)[\s.…·_]*\s(\d{1,4})$")
_CAPTION = re.compile(r"^(?:Figur|Figure|Tabell|Table|Diagram|Bild|Fig\.)\s+\d+(?:\.\d+)*\b")
_SOURCE = re.compile(r"^(?:Källa|Källor|Source|Sources)\s*:", re.I)
_NAME = r"[A-ZÅÄÖÉÜ][\w'’-]+(?:\s+(?:[A-ZÅÄÖÉÜ][\w'’-]*\.?|af|von|van|de|der|la))+"
_NAMES = re.compile(rf"^{_NAME}(?:\s*(?:,|\boch\b|\band\b|&)\s*{_NAME})*$")
_AFFILIATION = re.compile(
    r"universitet|högskola|institut|professor|docent|lektor|forskare|doktorand|fil\.\s?dr|"
    r"university|college|school|myndighet|kommun|region|statskontoret|\bär\b|\bvid\b",
    re.I,
)
# A plain line after the authors is an affiliation only if it names a post or a place of
# work (a body line may well contain 'är' or 'vid').
_POST = re.compile(
    r"universitet|högskola|institut|professor|docent|lektor|forskare|doktorand|fil\.\s?dr|"
    r"university|college|statskontoret|myndighet|departement", re.I)
_PARTICLES = {"af", "von", "van", "de", "der", "la", "och", "and"}
_HEAD_CHAPTER = re.compile(r"\b(?:Kapitel|Chapter)\s+(\d{1,2})\b\s*(.*)$", re.I)
_SECTION_NUMBER = re.compile(r"^(\d{1,2})\.\d{1,2}(?:\.\d{1,2}){0,2}\.?\s+\S")
_SERIES_HEAD = re.compile(r"^[A-ZÅÄÖ]{1,6}\s+\d{4}:\d{1,4}$")
_PAGE_AT_EDGE = re.compile(r"^\d{1,4}\s+|\s+\d{1,4}$")
LARGE = 1.5  # a chapter title is at least this many times the body size


@dataclass
class BookChapter:
    """One chapter as found in the PDF; pages are 1-based physical pages."""

    number: int
    title: str
    page: int
    authors: tuple[str, ...] = ()
    affiliations: str = ""
    summary: str = ""
    source: str = "opening page"  # or "outline", "table of contents"
    last_page: int = 0


@dataclass
class BookStructure:
    """What was recognised in a PDF, for indexing and for ``--show-structure``."""

    chapters: list[BookChapter] = field(default_factory=list)
    printed: list[int | None] = field(default_factory=list)
    front_matter: list[int] = field(default_factory=list)
    toc: list[tuple[int, str, int]] = field(default_factory=list)  # number, title, printed
    captions: list[tuple[int, str]] = field(default_factory=list)  # physical page, text
    sections: list[tuple[int, str, str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)


def split_authors(value: str) -> tuple[str, ...]:
    """'Anna Berg, Per Lund och Eva Ek' → three names."""
    parts = re.split(r"\s*[,;]\s*|\s+(?:och|and|&)\s+", value.strip(), flags=re.I)
    return tuple(p.strip() for p in parts if p.strip())


def _recase(text: str) -> str:
    """Names printed in capitals or small capitals ('KARIN EKVALL OCH JONAS BERGLÖV', as
    text extraction gives them) in their own case; other text unchanged."""
    words = [w.strip(",;") for w in text.split()]
    if not any(len(w) > 1 and w.isupper() for w in words) or not all(
            w.isupper() or w.lower() in _PARTICLES or not w.isalpha() for w in words):
        return text
    words = []
    for w in text.split(" "):
        if w.lower() in _PARTICLES:
            words.append(w.lower())
        else:
            words.append("-".join(part[:1].upper() + part[1:].lower() for part in w.split("-")))
    return " ".join(words)


def _norm(title: str) -> str:
    return re.sub(r"[\W_]+", " ", title).strip().lower()


def _filled(lines: list[PdfLine]) -> list[int]:
    return [i for i, ln in enumerate(lines) if ln.text.strip()]


def _large(ln: PdfLine, body: float | None) -> bool:
    return body is not None and ln.size is not None and ln.size >= body * LARGE


def _title_block(lines: list[PdfLine], body: float | None) -> tuple[int | None, str, list[int]]:
    """A chapter number and title in large type at the top of a page, with their lines."""
    filled = _filled(lines)
    if not filled or not _large(lines[filled[0]], body):
        return None, "", []
    first = lines[filled[0]]
    used = [filled[0]]
    text = first.text.strip()
    m = _CHAPTER_LINE.match(text)
    number = int(m.group(1)) if m else None
    title = m.group(2).strip() if m else ""
    if m is None and (m2 := _NUMBER_ONLY.match(text)):
        number = int(m2.group(1))
    for i in filled[1:4]:
        ln = lines[i]
        if ln.size is None or first.size is None or abs(ln.size - first.size) > 0.6:
            break
        title = f"{title} {ln.text.strip()}".strip()
        used.append(i)
    return number, title, used


def _author_block(lines: list[PdfLine], start: int, body: float | None, printed: int | None
                  ) -> tuple[tuple[str, ...], str, list[int]]:
    """Authors and affiliations printed under a chapter title, with their line indexes."""
    authors: list[str] = []
    affiliation: list[str] = []
    used: list[int] = []
    for i in [j for j in _filled(lines) if j >= start][:8]:
        ln = lines[i]
        text = ln.text.strip()
        if printed is not None:  # a footer number glued to the line
            text = re.sub(rf"^{printed}\s+|\s+{printed}$", "", text)
        if (_SECTION.match(text) or text.lower().rstrip(":") in UNNUMBERED_HEADINGS
                or _large(ln, body)):
            break
        names = _recase(text)
        if (not affiliation and _NAMES.match(names) and not _AFFILIATION.search(names)
                and len(text) < 160):
            authors.extend(split_authors(names))
        elif not ln.bold and (getattr(ln, "italic", False) or (
            body is not None and ln.size is not None and ln.size < body * 0.97
        ) or ((authors or affiliation) and _POST.search(text) and len(text) <= 100)):
            affiliation.append(text)
        else:
            break
        used.append(i)
    return tuple(authors), " ".join(affiliation), used


def outline_chapters(reader: Any) -> list[tuple[int, str, int]]:
    """(number, title, physical page) of the outline's numbered top-level entries."""
    try:
        outline = reader.outline
    except Exception:  # a damaged outline is no outline
        return []
    found = []
    for item in outline:
        if isinstance(item, list) or not hasattr(item, "title"):
            continue
        m = _CHAPTER_LINE.match(str(item.title).strip())
        if not m:
            continue
        try:
            page = reader.get_destination_page_number(item) + 1
        except Exception:
            continue
        found.append((int(m.group(1)), m.group(2).strip(), page))
    return found


def table_of_contents(pages: list[list[PdfLine]]) -> tuple[list[tuple[int, str, int]], list[int]]:
    """Numbered entries (number, title, printed page) of the contents and its pages."""
    entries: list[tuple[int, str, int]] = []
    toc_pages: list[int] = []
    for p, lines in enumerate(pages, start=1):
        texts = [ln.text.strip() for ln in lines if ln.text.strip()]
        if not texts:
            continue
        heads = any(_TOC_HEAD.match(t) for t in texts[:3])
        listed = sum(bool(re.search(r"\s\d{1,4}$", t)) for t in texts)
        if not (heads or (toc_pages and toc_pages[-1] == p - 1 and listed >= len(texts) * 0.6)):
            if toc_pages:
                break
            continue
        toc_pages.append(p)
        pending = ""
        for t in texts:
            if _TOC_HEAD.match(t):
                continue
            m = _TOC_ENTRY.match(f"{pending} {t}".strip())
            if m:
                if m.group(1):
                    entries.append((int(m.group(1)), m.group(2).strip(), int(m.group(3))))
                pending = ""
            elif _CHAPTER_LINE.match(t) or pending:
                pending = f"{pending} {t}".strip()
    return entries, toc_pages


def _captions(lines: list[PdfLine]) -> tuple[list[str], set[int]]:
    """Caption and source lines of a page, and every line of the figures they frame."""
    texts = [ln.text.strip() for ln in lines]
    found: list[str] = []
    drop: set[int] = set()
    i = 0
    while i < len(texts):
        if _CAPTION.match(texts[i]):
            end = next((j for j in range(i + 1, min(i + 25, len(texts)))
                        if _SOURCE.match(texts[j])), None)
            found.append(texts[i])
            if end is not None:
                found.append(texts[end])
                drop.update(range(i, end + 1))
                i = end + 1
                continue
            drop.add(i)
        elif _SOURCE.match(texts[i]):
            found.append(texts[i])
            drop.add(i)
        i += 1
    return found, drop


def _summary(lines: list[PdfLine], start: int) -> str:
    texts = [ln.text.strip() for ln in lines[start:] if ln.text.strip()]
    for k, t in enumerate(texts):
        if t.lower().rstrip(":") in {"sammanfattning", "summary", "abstract"}:
            out = []
            for nxt in texts[k + 1 :]:
                if _SECTION.match(nxt):
                    break
                out.append(nxt)
            return re.sub(r"-\s(?=[a-zåäö])", "", " ".join(out))[:300]
    return ""


def recognise(
    pages: list[list[PdfLine]], body: float | None, printed: list[int | None],
    outline: list[tuple[int, str, int]], heads: list[list[str]] | None = None,
) -> BookStructure:
    """Find the chapters, contents, front matter and captions; edit ``pages`` in place.

    ``heads`` holds each page's running heads and footers (already taken out of
    ``pages``): they tell the chapter of an excerpt's first pages."""
    book = BookStructure(printed=list(printed))
    book.toc, toc_pages = table_of_contents(pages)
    openings: dict[int, BookChapter] = {}
    blocks: dict[int, tuple[int | None, str, list[int]]] = {}
    for p, lines in enumerate(pages, start=1):
        if p in toc_pages:
            continue
        number, title, used = _title_block(lines, body)
        blocks[p] = (number, title, used)
        if number is not None and title:
            openings[p] = BookChapter(number, title, p)
    if outline:
        chapters = [BookChapter(n, t, p, source="outline") for n, t, p in outline]
    else:
        chapters = sorted(openings.values(), key=lambda c: c.page)
        # A chapter number must rise; a large numbered line out of sequence is not one.
        kept: list[BookChapter] = []
        for ch in chapters:
            if not kept or ch.number > kept[-1].number:
                kept.append(ch)
        chapters = kept
    _cross_check(book, chapters, printed)
    chapters.sort(key=lambda c: c.page)
    lead = _lead_chapter(pages, heads or [[] for _ in pages], body,
                         chapters[0] if chapters else None, set(toc_pages))
    if lead is not None:
        chapters.insert(0, lead)
    book.chapters = chapters
    if chapters:
        book.front_matter = [p for p in range(1, chapters[0].page)]
    book.front_matter = sorted(set(book.front_matter) | set(toc_pages))
    for k, ch in enumerate(chapters):
        ch.last_page = chapters[k + 1].page - 1 if k + 1 < len(chapters) else len(pages)
        lines = pages[ch.page - 1]
        _, _, used = blocks.get(ch.page) or (None, "", [])
        if ch.source == "running heads":
            used = []
        start = (max(used) + 1) if used else 0
        author_lines: list[int] = []
        if ch.source != "running heads":
            ch.authors, ch.affiliations, author_lines = _author_block(
                lines, start, body, printed[ch.page - 1])
        following = pages[ch.page] if ch.page < min(len(pages), ch.last_page) else []
        ch.summary = _summary([*lines, *following], start)
        heading = replace(lines[used[0]] if used else lines[0] if lines else PdfLine(""),
                          text=f"Kapitel {ch.number} {ch.title}", bold=True)
        if body is not None and (heading.size or 0) < body * LARGE:
            heading = replace(heading, size=body * LARGE)
        gone = set(used) | set(author_lines)
        rest = [ln for i, ln in enumerate(lines) if i not in gone]
        pages[ch.page - 1] = [heading, *rest]
    for p in book.front_matter:
        pages[p - 1] = []
    for p, lines in enumerate(pages, start=1):
        found, drop = _captions(lines)
        book.captions.extend((p, c) for c in found)
        if drop:
            pages[p - 1] = [ln for i, ln in enumerate(lines) if i not in drop]
    return book


def _lead_chapter(pages: list[list[PdfLine]], heads: list[list[str]], body: float | None,
                  first: BookChapter | None, skip: set[int]) -> BookChapter | None:
    """The chapter an excerpt begins inside: the pages before the first chapter opening
    whose running heads name a chapter (``Kapitel 2``) or that carry numbered section
    headings of one (``2.3 …``), and the pages with running heads just before them; without
    either, pages with running heads just before the opening of chapter N are chapter
    N − 1."""
    end = first.page if first is not None else len(pages) + 1
    named: Counter[int] = Counter()
    start: int | None = None
    for p in range(1, end):
        if p in skip:
            continue
        found = None
        for text in heads[p - 1]:
            if m := _HEAD_CHAPTER.search(text):
                found = int(m.group(1))
        if found is None:
            for ln in pages[p - 1]:
                m = _SECTION_NUMBER.match(ln.text.strip())
                if m and (ln.bold or (body is not None and (ln.size or 0) > body * 1.02)):
                    found = int(m.group(1))
                    break
        if found is not None:
            named[found] += 1
            start = p if start is None else start
    if start is None:
        # Nothing names the chapter: pages printed like the chapter's own (running heads
        # on every one) just before the first opening belong to the chapter before it.
        if first is None or first.number < 2:
            return None
        start = end
        while start > 1 and start - 1 not in skip and heads[start - 2] and pages[start - 2]:
            start -= 1
        if start == end:
            return None
        return BookChapter(first.number - 1, _head_title(heads[start - 1 : end - 1]), start,
                           source="running heads")
    number = named.most_common(1)[0][0]
    if first is not None and number >= first.number:
        return None
    while start > 1 and start - 1 not in skip and heads[start - 2] and pages[start - 2]:
        start -= 1
    return BookChapter(number, _head_title(heads[start - 1 : end - 1]), start,
                       source="running heads")


def _head_title(heads: list[list[str]]) -> str:
    """A chapter's title as its running heads print it, when they do: after
    ``Kapitel N``, or the one text (page number aside) other than a series name
    (``SOU 2018:38``) that the heads repeat."""
    texts: Counter[str] = Counter()
    for page in heads:
        for text in page:
            if m := _HEAD_CHAPTER.search(text):
                tail = _PAGE_AT_EDGE.sub("", m.group(2)).strip()
                if tail and not tail.isdigit():
                    return tail
                continue
            rest = _PAGE_AT_EDGE.sub("", text.strip()).strip()
            if rest and not rest.isdigit() and not _SERIES_HEAD.match(rest):
                texts[re.sub(r"\s+", " ", rest)] += 1
    return next(iter(texts)) if len(texts) == 1 else ""


def _cross_check(book: BookStructure, chapters: list[BookChapter],
                 printed: list[int | None]) -> None:
    """Compare the chapters with the table of contents; add chapters only it lists."""
    if not book.toc:
        return
    physical = {n: p for p, n in enumerate(printed, start=1) if n is not None}
    known = {c.number: c for c in chapters}
    for number, title, page in book.toc:
        ch = known.get(number)
        if ch is None:
            if page in physical:
                chapters.append(BookChapter(number, title, physical[page],
                                            source="table of contents"))
                book.notes.append(f"chapter {number} found only in the table of contents")
            continue
        if _norm(ch.title) != _norm(title):
            book.notes.append(f"chapter {number}: title '{ch.title}' differs from the "
                              f"table of contents ('{title}')")
        if printed[ch.page - 1] not in (None, page):
            book.notes.append(f"chapter {number}: opens on page {printed[ch.page - 1]}, "
                              f"the table of contents says {page}")
