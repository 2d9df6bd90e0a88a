"""Cleaning of PDF-extracted text: hyphenation, footnotes, pages, headings."""

from __future__ import annotations

from index.formats.registry import load_document
from index.text.cleaning import clean_pages, join_lines
from index.text.structure import find_sections
from tests.conftest import CORPUS


def test_join_lines_rejoins_hyphenated_words_but_keeps_real_hyphens() -> None:
    assert join_lines(["forskar-", "samhället"]) == "forskarsamhället"
    assert join_lines(["Ivarsson-", "Westerberg"]) == "Ivarsson-Westerberg"
    assert join_lines(["mål- ", "och resultatstyrning"]) == "mål- och resultatstyrning"
    assert join_lines(["individ-", "och familjeomsorg"]) == "individ- och familjeomsorg"
    assert join_lines(["en rad", "till"]) == "en rad till"


def test_footnotes_are_moved_out_and_references_removed() -> None:
    page1 = "Det är lika påtagligt.1 Delvis\nkan det förklaras i oktober 20172.\n\n" + " " * 30 + \
        "\n1 Se reportage.\n2 En rapport från\nfinansdepartementet.\n"
    page2 = " Nästa sida börjar här.\n"
    doc = clean_pages([page1, page2])
    body = doc.text[: doc.body_end]
    assert "påtagligt. Delvis" in body
    assert "oktober 2017." in body
    assert "Se reportage" not in body
    assert [f.number for f in doc.footnotes] == [1, 2]
    assert doc.footnotes[1].text == "En rapport från finansdepartementet."
    assert doc.footnotes[0].ref_offset is not None
    assert body[doc.footnotes[0].ref_offset - 10 : doc.footnotes[0].ref_offset] == "påtagligt."
    assert doc.page_at(body.index("Nästa")) == 2
    assert doc.page_at(0) == 1


def test_page_break_continues_a_sentence_across_pages() -> None:
    doc = clean_pages(["Forskarna talar om ”styrning\n", " med dokument” och mer.\n"])
    assert "om ”styrning med dokument” och mer." in doc.text


def test_running_headers_and_page_numbers_are_dropped() -> None:
    doc = clean_pages(["SOU 2018:38 Inledning\nText på sidan.\n12\n", "13\nMer text.\n"])
    assert "SOU" not in doc.text
    assert "12" not in doc.text and "13" not in doc.text
    assert "Text på sidan." in doc.text and "Mer text." in doc.text


def test_bundled_chapter_is_cleaned_into_sections_and_footnotes() -> None:
    loaded = load_document(CORPUS / "01-inledning.txt")
    doc = clean_pages(loaded.pages, loaded.has_pages)
    assert len(loaded.pages) > 20
    body = doc.text[: doc.body_end]
    assert "forskarsamhället" in body.lower()
    assert "forskar- samhället" not in body and "forskar-samhället" not in body
    assert "Ivarsson-Westerberg" in body
    assert len(doc.footnotes) == 5
    sections = find_sections(doc.text, doc.body_end, 1, "Inledning")
    numbers = [s.number for s in sections if s.number]
    assert numbers == [f"1.{i}" for i in range(1, 9)]
    s12 = next(s for s in sections if s.number == "1.2")
    assert s12.title == "Tillit – en av tre styrprinciper"
    assert "Adler" in doc.text[s12.start : s12.end]
    assert any(s.title == "Sammanfattning" for s in sections)


def test_markdown_headings_are_recognised() -> None:
    text = "# Kapitel 4 Äldreomsorgen\n\nIntro.\n\n## 4.1 Hemtjänst\n\nText om hemtjänst."
    sections = find_sections(text, len(text), None, "")
    assert [(s.chapter, s.number, s.title) for s in sections] == [
        (4, None, ""), (4, "4.1", "Hemtjänst")
    ]
