"""A whole book PDF without a manifest: structure, printed pages, clean text, OCR."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from index.formats.describe import describe
from index.formats.pdf import loader as pdf_loader
from index.formats.pdf.loader import read_book
from index.formats.pdf.text import fix_line
from index.formats.registry import load_document
from index.text.chunking import Chunk, chunk_document, make_splitter
from index.text.cleaning import clean_pages
from index.text.tokens import count_tokens, get_encoding
from tests.book_pdf import OFFSET, Book, make_book


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Book]:
    folder = tmp_path_factory.mktemp("book")
    path = folder / "bok.pdf"
    return path, make_book(path)


def _chunks(path: Path, tmp: Path, size: int = 96) -> list[Chunk]:
    doc = load_document(path)
    enc = get_encoding(str(tmp / "tiktoken"))
    return chunk_document(clean_pages(doc.pages, doc.has_pages), doc.meta,
                          make_splitter(size, 16), lambda t: count_tokens(enc, t))


def _expected_chapters(book: Book) -> list[tuple[int, str, tuple[str, ...], int, int]]:
    out = []
    for k, ch in enumerate(book.chapters):
        last = (book.chapters[k + 1].first_page - 1 if k + 1 < len(book.chapters)
                else book.pages + OFFSET)
        out.append((ch.number, ch.title, ch.authors, ch.first_page, last))
    return out


def test_the_fixture_is_a_real_book(made: tuple[Path, Book]) -> None:
    _, book = made
    assert book.pages >= 40 and len(book.chapters) >= 3
    assert book.scan_page and book.two_column_page and book.captions and book.notes


def test_book_structure_is_recovered_exactly(made: tuple[Path, Book]) -> None:
    path, book = made
    _, found, info = read_book(path.read_bytes(), path.name)
    got = [(c.number, c.title, c.authors, found.printed[c.page - 1],
            found.printed[c.last_page - 1]) for c in found.chapters]
    assert got == _expected_chapters(book)
    assert all(c.source == "opening page" for c in found.chapters)
    assert found.printed == [p + OFFSET for p in range(1, book.pages + 1)]
    assert found.front_matter == [1, 2, 3, 4]
    assert [(n, t, p) for n, t, p in found.toc] == [
        (c.number, c.title, c.first_page) for c in book.chapters]
    assert [(found.printed[p - 1], t) for p, t in found.captions] == book.captions
    assert found.ocr_pages == [book.scan_page - OFFSET]
    assert found.notes == []
    assert "Lunds universitet" in found.chapters[0].affiliations
    assert found.chapters[1].summary.startswith("Kapitlet sammanfattar forskningen")
    assert info["/Title"] == "untitled"


def test_the_outline_gives_the_same_chapters(tmp_path: Path) -> None:
    book = make_book(tmp_path / "bok.pdf", outline=True)
    _, found, _ = read_book((tmp_path / "bok.pdf").read_bytes(), "bok.pdf")
    got = [(c.number, c.title, c.authors, found.printed[c.page - 1],
            found.printed[c.last_page - 1]) for c in found.chapters]
    assert got == _expected_chapters(book)
    assert all(c.source == "outline" for c in found.chapters)


def test_every_chunk_cites_chapter_title_authors_section_and_printed_page(
    made: tuple[Path, Book], tmp_path: Path
) -> None:
    path, book = made
    chunks = _chunks(path, tmp_path)
    chapters = {c.number: c for c in book.chapters}
    sections = {(c.number, n): t for c in book.chapters for n, t in c.sections}
    scanned = []
    for c in chunks:
        ch = chapters[c.chapter]  # type: ignore[index]
        assert (c.chapter_title, c.authors) == (ch.title, ", ".join(ch.authors)), c.chunk_id
        assert c.page_in_book
        if c.kind == "card":  # index.text.book_cards: the chapter about itself
            assert c.section_title == "Om kapitlet" and c.page == ch.first_page, c.chunk_id
            continue
        if c.section is not None:
            assert c.section_title == sections[(ch.number, c.section)]
        else:
            assert c.section_title == "Sammanfattning", c.chunk_id
        if c.kind == "footnote":
            number, text = c.text.split(" ", 1)
            hits = [n for n in book.notes if n[0] == c.chapter and n[1] == int(number)]
            assert len(hits) == 1 and hits[0][2] == text, c.text
            assert (c.page, c.section) == (hits[0][3], hits[0][4]), c.chunk_id
            continue
        head = c.text.split("\n")[0][:60]
        where = [(p, fix_line(p.text).find(head)) for p in book.paras
                 if head in fix_line(p.text)]
        if not where:
            scanned.append(c)
            continue
        para, offset = where[0]
        assert (c.chapter, c.section) == (para.chapter, para.section), c.chunk_id
        assert c.page == para.page_at(offset), (c.chunk_id, head)
    assert scanned, "the scanned page's text was indexed"
    assert all(c.page == book.scan_page and c.section == "3.2" for c in scanned)
    assert any("Rektorsprogrammet" in c.text for c in scanned)
    found = {(c.chapter, c.section) for c in chunks if c.section}
    assert found == set(sections)


def test_clean_text_no_furniture_captions_or_front_matter(
    made: tuple[Path, Book], tmp_path: Path
) -> None:
    path, book = made
    chunks = [c for c in _chunks(path, tmp_path) if c.kind != "card"]  # text of the pages
    text = "\n".join(c.text for c in chunks)
    assert "  " not in text, "justified spacing collapsed"
    assert not re.search("[\ufb00-\ufb06\u00ad]", text), "ligatures and soft hyphens resolved"
    assert "finansiella uppföljningen" in text and "flera discipliner" in text
    assert "träffsäkra" in text
    assert "SOU 2018:38" not in text and "Kapitel" not in text
    for phrase in book.front_matter:
        assert phrase not in text, phrase
    for _, caption in book.captions:
        assert caption not in text, caption
    assert "Gemenskap" not in text, "text inside the figure is not prose"
    # the footnote reference is taken out of the word and points to the note
    assert "blivit ett mål i sig. Tillitsdelegationen tillsattes" in text
    # hyphenation at line ends (hard and soft hyphens) re-joined
    joined = " ".join(p.text for p in book.paras if p.chapter != 3 or "Rektorsprog" not in p.text)
    long_words = {w.strip(".,():") for w in joined.split() if len(w) >= 11}
    assert long_words <= set(re.findall(r"[\wåäöÅÄÖ-]+", text)) | {""}
    # two columns read one after the other
    umea = next(c for c in chunks if "I Umeå halverades" in c.text)
    assert umea.page == book.two_column_page
    gbg = text.find("I Göteborg infördes tillitsbaserade team i hemtjänsten.")
    assert 0 <= gbg < text.find("I Umeå halverades")


def test_junk_metadata_is_ignored(made: tuple[Path, Book]) -> None:
    doc = load_document(made[0])
    assert doc.meta.chapter_title == "" and doc.meta.authors == ()
    assert dict(doc.meta.chapter_authors)[2] == ("Anna Lindqvist", "Per Holm")


def test_the_manifest_overrides_what_was_detected(tmp_path: Path) -> None:
    make_book(tmp_path / "bok.pdf")
    (tmp_path / "manifest.toml").write_text(
        '[[documents]]\nfile = "bok.pdf"\nid = "sou"\n'
        'chapters = [{number = 2, title = "Styrning med tillit", authors = ["A. Adler"]}]\n',
        encoding="utf-8")
    chunks = _chunks(tmp_path / "bok.pdf", tmp_path)
    two = [c for c in chunks if c.chapter == 2]
    assert two and all((c.chapter_title, c.authors) == ("Styrning med tillit", "A. Adler")
                       for c in two)
    assert {c.authors for c in chunks if c.chapter == 3} == {"Karin Ek"}
    assert "Styrning med tillit" in describe(tmp_path / "bok.pdf")


def test_scanned_page_is_read_by_tesseract(made: tuple[Path, Book]) -> None:
    assert shutil.which("tesseract"), (
        "tesseract is not installed: apt-get install tesseract-ocr tesseract-ocr-swe")
    pages, found, _ = read_book(made[0].read_bytes(), "bok.pdf")
    page = pages[made[1].scan_page - OFFSET - 1]
    assert "Rektorsprogrammet" in page and "pedagogiskt ledarskap" in page


def test_without_tesseract_the_page_is_reported_with_the_hint(
    made: tuple[Path, Book], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf_loader, "tesseract", lambda: None)
    pages, found, _ = read_book(made[0].read_bytes(), "bok.pdf")
    physical = made[1].scan_page - OFFSET
    assert found.notes == [f"page {physical}: no text layer; install tesseract-ocr and "
                           "tesseract-ocr-swe (apt-get) to OCR it"]
    assert found.ocr_pages == [] and pages[physical - 1] == ""


def test_show_structure_lists_chapters_authors_pages_and_sections(
    made: tuple[Path, Book]
) -> None:
    out = describe(made[0])
    assert ("chapter 2: Tillitsbaserad styrning och ledning i offentlig sektor – en "
            "forskningsöversikt | authors: Anna Lindqvist, Per Holm | pp. 25–36") in out
    assert "  2.2 Tre styrprinciper (p. 28)" in out
    assert "front matter (not indexed): PDF pages 1–4" in out
    assert "caption, p. 29: Figur 2.1 Tre styrprinciper enligt Adler" in out


@pytest.mark.slow
def test_answers_on_the_book_cite_chapter_authors_and_printed_pages(
    made: tuple[Path, Book], tmp_path: Path, real_embedder
) -> None:
    from assistant.factory import build_assistant, index_corpus
    from assistant.settings import Settings

    path, book = made
    settings = Settings(data_dir=tmp_path / "data", show_progress=False)
    report = index_corpus(settings, [path], embedder=real_embedder)
    assert report.errors == []
    bot = build_assistant(settings, embedder=real_embedder)

    def para_page(phrase: str) -> int:
        para = next(p for p in book.paras if phrase in fix_line(p.text))
        return para.page_at(fix_line(para.text).find(phrase))

    a = bot.answer("Vilka tre styrprinciper beskriver Adler?")
    assert a.answered and a.citations
    top = a.citations[0]
    assert "hierarki, marknad och gemenskap" in top.text
    assert (top.chapter, top.section, top.authors) == (2, "2.2", "Anna Lindqvist, Per Holm")
    assert top.chapter_title.startswith("Tillitsbaserad styrning och ledning")
    assert top.page == para_page("Adler beskriver tre styrprinciper")
    assert top.label("sv").startswith(f"kap. 2, avsnitt 2.2, s. {top.page}")
    assert not any("Figur 2.1" in c.text or "Källa:" in c.text for c in a.citations)

    b = bot.answer("Hur mycket av arbetstiden tar administrationen för sjuksköterskor?")
    assert b.answered
    nurse = next(c for c in b.citations if "tredjedel av arbetstiden" in c.text)
    assert (nurse.chapter, nurse.section, nurse.authors) == (4, "4.1", "Eva Lind, Olof Berg")
    assert nurse.page == para_page("Sjuksköterskor på sjukhus dokumenterar")
