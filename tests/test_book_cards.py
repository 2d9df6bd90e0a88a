"""Book cards: the book answers for itself (who wrote a chapter, its title and pages, how
many chapters the book has), cited at the chapter's opening page."""

from __future__ import annotations

import pytest

from index.documents import DocumentMeta
from index.text.book_cards import book_card, book_cards, chapter_card
from index.text.structure import Section


def test_a_chapter_card_names_the_authors_affiliation_title_and_pages() -> None:
    sv = chapter_card("sv", 3, "Ett ramverk", ("Karin Ekvall", "Jonas Berglöv"),
                      "Lunds universitet", (41, 60), True, "Styra och leda med tillit")
    assert sv == ("Kapitel 3, ”Ett ramverk”, är skrivet av Karin Ekvall och Jonas Berglöv "
                  "(Lunds universitet). Kapitlet står på s. 41–60 i antologin ”Styra och leda "
                  "med tillit”.")
    en = chapter_card("en", 3, "A framework", ("A", "B", "C"), "", (1, 23), False, "")
    assert en == "Chapter 3, “A framework”, was written by A, B and C. The chapter has 23 pages."
    assert chapter_card("sv", 2, "Tillit", (), "", (None, None), False, "") == \
        "Kapitel 2 heter ”Tillit”."
    assert book_card("sv", "Boken", 17) == "Antologin har 17 kapitel. Den heter ”Boken”."


def _sections() -> list[Section]:
    return [Section("1.1", "Inledning", 0, 100, 1, "Inledning"),
            Section("2.1", "Bakgrund", 100, 250, 2, "Tillit"),
            Section("2.2", "Mer", 250, 400, 2, "Tillit")]


def test_cards_per_chapter_of_a_book_with_pages_from_the_text() -> None:
    meta = DocumentMeta(doc_id="bok", chapter_authors=((1, ("A",)), (2, ("B", "C"))),
                        chapter_affiliations=((2, "Docent vid Lunds universitet"),),
                        book_title="Boken", book_chapters=17)
    pages = {0: 11, 99: 12, 100: 13, 399: 19}
    cards = book_cards(meta, _sections(), 400, lambda off: (pages.get(off, 0), True),
                       lambda page: (page, True))
    assert [c.card_id for c in cards] == ["bok:card-1", "bok:card-2"]
    one, two = cards
    assert one.text.startswith("Kapitel 1, ”Inledning”, är skrivet av A.")
    assert one.text.endswith("Antologin har 17 kapitel. Den heter ”Boken”.")
    assert two.text == ("Kapitel 2, ”Tillit”, är skrivet av B och C (Docent vid Lunds "
                        "universitet). Kapitlet står på s. 13–19 i antologin ”Boken”.")
    assert (two.page, two.page_in_book, two.chapter) == (13, True, 2)


def test_documents_without_chapters_get_no_cards() -> None:
    secs = [Section(None, "", 0, 50, None, "")]
    assert book_cards(DocumentMeta(doc_id="x"), secs, 50, lambda off: (1, False),
                      lambda page: (page, False)) == []


def test_a_book_pdfs_card_cites_the_page_the_chapter_opens_on() -> None:
    meta = DocumentMeta(doc_id="bok", chapter_authors=((2, ("B",)),), chapter_openings=((2, 7),))
    cards = book_cards(meta, _sections(), 400, lambda off: (99, True),
                       lambda page: (page + 10, True))
    assert [(c.chapter, c.page) for c in cards] == [(1, 99), (2, 17)]


@pytest.mark.slow
def test_the_book_answers_who_wrote_it_and_how_many_chapters_it_has(assistant) -> None:
    a = assistant.answer("Who wrote the introduction?")
    assert a.answerability == "answered" and "Louise Bringselius" in a.text
    assert a.citations[0].chunk_id.endswith(":card-1") and a.citations[0].page == 1
    assert "Christopher Hood" not in a.text
    b = assistant.answer("Hur många kapitel har antologin?")
    assert b.answerability == "answered" and "17 kapitel" in b.text
    c = assistant.answer("Var arbetar författaren till kapitel 1?")
    assert "Lunds universitet" in c.text
