"""Book cards: passages in which the book answers for itself.

For every chapter a document holds, a card says who wrote it (with the affiliation when
known), what it is called and which pages it covers; chapter 1's card also says how many
chapters the book has (manifest ``[book] chapters``). Cards
are indexed and cited like any passage, at the chapter's opening page, so "Vem skrev kapitel
3?" or "Who wrote the introduction?" is answered from them. They are written in Swedish, the
book's language, like every passage an English question is answered with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from index.documents import DocumentMeta
from index.text.structure import Section

LANGUAGE = "sv"
SECTION_TITLES = {"sv": "Om kapitlet", "en": "About the chapter"}


@dataclass(frozen=True)
class Card:
    """A card's text and where it belongs (its page is the chapter's opening page)."""

    card_id: str
    text: str
    chapter: int | None
    chapter_title: str
    section_title: str
    page: int | None
    page_in_book: bool


def _names(names: tuple[str, ...], lang: str) -> str:
    and_ = " och " if lang == "sv" else " and "
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + and_ + names[-1]


def chapter_card(lang: str, number: int, title: str, authors: tuple[str, ...],
                 affiliation: str, pages: tuple[int | None, int | None], in_book: bool,
                 book: str) -> str:
    """The card's text for one chapter in ``lang``."""
    first, last = pages
    sv = lang == "sv"
    title_q = (f"”{title}”" if sv else f"“{title}”") if title else ""
    head = (f"Kapitel {number}" if sv else f"Chapter {number}") + (f", {title_q}," if title_q
                                                                   else "")
    parts = []
    if authors:
        affiliation = affiliation.strip().rstrip(".")
        who = _names(authors, lang) + (f" ({affiliation})" if affiliation else "")
        parts.append(f"{head} är skrivet av {who}." if sv else f"{head} was written by {who}.")
    elif title_q:
        parts.append(f"Kapitel {number} heter {title_q}." if sv
                     else f"Chapter {number} is called {title_q}.")
    if first is not None and last is not None:
        if in_book:
            of = (f" i antologin ”{book}”" if sv else f" of the anthology “{book}”") if book else ""
            span = f"s. {first}–{last}" if sv else f"pp. {first}–{last}"
            parts.append(f"Kapitlet står på {span}{of}." if sv
                         else f"The chapter is on {span}{of}.")
        else:
            count = last - first + 1
            parts.append(f"Kapitlet omfattar {count} sidor." if sv
                         else f"The chapter has {count} pages.")
    return " ".join(parts)


def book_card(lang: str, title: str, chapters: int) -> str:
    """The card saying how many chapters the book has (and what it is called)."""
    if lang == "sv":
        named = f" Den heter ”{title}”." if title else ""
        return f"Antologin har {chapters} kapitel.{named}"
    named = f" It is called “{title}”." if title else ""
    return f"The anthology has {chapters} chapters.{named}"


def book_cards(
    meta: DocumentMeta, sections: list[Section], end: int,
    cite: Callable[[int], tuple[int | None, bool]],
    cite_page: Callable[[int], tuple[int | None, bool]],
) -> list[Card]:
    """The cards of a document whose chapters are known (none for other documents);
    ``cite`` gives the page to cite for a character offset, ``cite_page`` for a physical
    page (a book PDF's chapter opening), ``end`` is the body's end."""
    spans: dict[int, tuple[int, int, str]] = {}
    for i, sec in enumerate(sections):
        if sec.chapter is None:
            continue
        stop = sections[i + 1].start if i + 1 < len(sections) else end
        first, _, title = spans.get(sec.chapter, (sec.start, stop, sec.chapter_title))
        spans[sec.chapter] = (first, stop, title or sec.chapter_title)
    if not spans and meta.chapter is not None:
        spans[meta.chapter] = (0, end, meta.chapter_title)
    out: list[Card] = []

    def card(text: str, cid: str, number: int | None, title: str, section_title: str,
             page: tuple[int | None, bool]) -> Card:
        return Card(cid, text, number, title, section_title, page[0], page[1])

    openings = dict(meta.chapter_openings)
    for number, (start, stop, title) in sorted(spans.items()):
        opening = cite_page(openings[number]) if number in openings else cite(start)
        last = cite(max(start, stop - 1))[0]
        authors = meta.authors_for(number)
        if not authors and not title:
            continue
        text = chapter_card(LANGUAGE, number, title, authors, meta.affiliation_for(number),
                            (opening[0], last), opening[1], meta.book_title)
        if number == 1 and meta.book_chapters:
            # The first chapter's card also says how many chapters the book has.
            text = f"{text} {book_card(LANGUAGE, meta.book_title, meta.book_chapters)}"
        out.append(card(text, f"{meta.doc_id}:card-{number}", number, title,
                        SECTION_TITLES[LANGUAGE], opening))
    return out
