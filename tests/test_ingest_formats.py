"""PDF and DOCX ingestion on documents made by the tests: structure, pages, clean text."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.compose import page_label
from assistant.errors import IngestError
from assistant.types import Citation
from index.build.run import build_index
from index.formats.furniture import strip_running_lines
from index.formats.registry import discover, load_document
from index.store.served import open_index
from index.text.chunking import Chunk, chunk_document, make_splitter
from index.text.cleaning import clean_pages
from index.text.tokens import count_tokens, get_encoding
from tests.fakes import HashingEmbedder
from tests.ingest_docs import make_book_pdf, make_report_docx, make_scanned_pdf


def _chunks(path: Path, tmp_path: Path, size: int = 64) -> list[Chunk]:
    doc = load_document(path)
    cleaned = clean_pages(doc.pages, doc.has_pages)
    enc = get_encoding(str(tmp_path / "tiktoken"))
    return chunk_document(cleaned, doc.meta, make_splitter(size, 8),
                          lambda t: count_tokens(enc, t))


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    folder = tmp_path / "pdf"
    folder.mkdir()
    return make_book_pdf(folder / "bok.pdf")


def test_pdf_pages_metadata_and_clean_text(book: Path, tmp_path: Path) -> None:
    doc = load_document(book)
    assert doc.fmt == "pdf" and doc.has_pages and len(doc.pages) == 8
    assert doc.meta.chapter_title == "Styra och leda med tillit"
    assert doc.meta.authors == ("Karin Ek", "Lars Berg")
    cleaned = clean_pages(doc.pages, doc.has_pages)
    body = cleaned.text[: cleaned.body_end]
    # running headers (alternating series / chapter title), footers and page numbers go
    for furniture in ("Tillitsdelegationen", "Styra och leda med tillit", "\n8\n", "   "):
        assert furniture not in body
    assert "Tillit i vården" in body and body.count("Tillit i vården") == 1  # the heading
    # hyphenation re-joined, superscript reference removed, page break bridged
    assert "att tilliten till deras professionella omdöme har minskat. Det gäller" in body
    assert "handlingsutrymme" in body and "handlings-" not in body
    assert "från undervisningen och från eleverna i klassrummet" in body
    assert [f.text for f in cleaned.footnotes] == [
        "Enkät bland lärare från år 2015.",
        "Intervjuerna genomfördes hösten 2016 i fyra kommuner.",
    ]
    assert [f.page for f in cleaned.footnotes] == [1, 2]


def test_pdf_chapters_sections_and_pages(book: Path, tmp_path: Path) -> None:
    chunks = _chunks(book, tmp_path)
    text: dict[str | None, Chunk] = {}
    for c in chunks:
        if c.kind == "text" and c.section:
            text.setdefault(c.section, c)  # the first chunk of each section
    assert set(text) == {"3.1", "3.2", "3.3", "4.1", "4.2"}
    assert (text["3.2"].chapter, text["3.2"].chapter_title) == (3, "Tillit i skolan")
    assert text["3.2"].section_title == "Rektorernas roll"
    assert (text["4.1"].chapter, text["4.1"].chapter_title) == (4, "Tillit i vården")
    assert text["3.2"].page == 3 and text["4.2"].page == 7
    assert all(c.page_in_book for c in chunks)
    spanning = next(c for c in chunks if "klassrummet" in c.text)
    assert (spanning.section, spanning.page, spanning.page_end) == ("3.1", 1, 2)
    notes = [c for c in chunks if c.kind == "footnote"]
    assert [(c.section, c.page) for c in notes] == [("3.1", 1), ("3.1", 2)]
    assert all("Tillitsdelegationen" not in c.text for c in chunks)


def test_manifest_page_offset_gives_printed_pages_in_citations(
    book: Path, tmp_path: Path
) -> None:
    (book.parent / "manifest.toml").write_text(
        '[[documents]]\nfile = "bok.pdf"\nid = "sou"\npage_offset = 54\n'
        'authors = ["Louise Bringselius"]\n', encoding="utf-8")
    chunks = _chunks(book, tmp_path)
    c = next(c for c in chunks if c.section == "3.2")
    assert c.doc_id == "sou" and c.page == 57 and c.page_in_book
    assert c.authors == "Louise Bringselius", "the manifest wins over the PDF's metadata"
    cite = Citation(n=1, chunk_id=c.chunk_id, chapter=c.chapter, chapter_title=c.chapter_title,
                    section=c.section, section_title=c.section_title, page=c.page,
                    text=c.text, quote="", score=1.0,
                    page_label=page_label(c.page, c.page_in_book, "sv"))
    assert cite.label("sv") == "kap. 3, avsnitt 3.2, s. 57"
    en = page_label(c.page, c.page_in_book, "en")
    assert Citation(**{**cite.__dict__, "page_label": en}).label("en") == (
        "ch. 3, section 3.2, p. 57")


def test_first_page_in_the_manifest_also_shifts_pdf_pages(book: Path, tmp_path: Path) -> None:
    (book.parent / "manifest.toml").write_text(
        '[[documents]]\nfile = "bok.pdf"\nfirst_page = 101\n', encoding="utf-8")
    chunks = _chunks(book, tmp_path)
    assert next(c for c in chunks if c.section == "4.2").page == 107


def test_docx_headings_become_chapters_and_sections(tmp_path: Path) -> None:
    path = make_report_docx(tmp_path / "rapport.docx")
    doc = load_document(path)
    assert doc.fmt == "docx" and not doc.has_pages
    assert (doc.meta.chapter_title, doc.meta.authors) == ("Tillit i kommunen", ("Eva Lind",))
    chunks = _chunks(path, tmp_path)
    assert {c.chapter for c in chunks if c.kind == "card"} == {2, 3}  # index.text.book_cards
    by = {(c.chapter, c.section, c.section_title): c for c in chunks if c.kind != "card"}
    assert set(by) == {(None, None, ""), (2, "2.1", "Bakgrund"), (2, "2.2", "Resultat"),
                       (3, None, "Sammanfattning")}
    assert by[(2, "2.1", "Bakgrund")].chapter_title == "Styrning i kommunen"
    assert "Förvaltningarna fick färre" in by[(2, "2.1", "Bakgrund")].text
    assert "2019 | 72 procent" in by[(2, "2.2", "Resultat")].text, "tables are kept"
    assert all(c.page is None and not c.page_in_book for c in chunks)
    assert not any("#" in c.text for c in chunks)


def test_owner_password_only_pdf_is_read(tmp_path: Path) -> None:
    path = make_book_pdf(tmp_path / "skyddad.pdf", user_password="")
    assert len(load_document(path).pages) == 8


@pytest.mark.parametrize("make,needle_en,needle_sv", [
    (lambda p: make_scanned_pdf(p / "skannad.pdf"), "no text layer", "saknar textlager"),
    (lambda p: make_book_pdf(p / "hemlig.pdf", user_password="hemligt"), "encrypted",
     "krypterad"),
    (lambda p: _write(p / "trasig.pdf", b"%PDF-1.7\n1 0 obj <<>> garbage"), "not a readable PDF",
     "inte en läsbar PDF"),
    (lambda p: _truncated_pdf(p / "avkortad.pdf"), "not a readable PDF", "inte en läsbar PDF"),
    (lambda p: _write(p / "fel.docx", b"PK\x03\x04 not a zip"), "not a readable Word",
     "inte ett läsbart Word"),
    (lambda p: _write(p / "tom.pdf", b""), "empty", "tom"),
    (lambda p: _write(p / "bild.png", b"\x89PNG\r\n"), "unsupported", "stöds inte"),
    (lambda p: _write(p / "latin1.txt", "Tillit är bra".encode("latin-1")), "UTF-8", "UTF-8"),
])
def test_bad_files_are_refused_by_name_with_a_reason(
    tmp_path: Path, make, needle_en: str, needle_sv: str
) -> None:
    path = make(tmp_path)
    with pytest.raises(IngestError) as err:
        load_document(path)
    assert path.name in err.value.message("en") and needle_en in err.value.message("en")
    assert path.name in err.value.message("sv") and needle_sv in err.value.message("sv")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _truncated_pdf(path: Path) -> Path:
    full = make_book_pdf(path.with_name("hel.pdf")).read_bytes()
    path.with_name("hel.pdf").unlink()
    return _write(path, full[: len(full) // 3])


def test_a_folder_with_good_and_bad_files_indexes_the_good_ones(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    make_book_pdf(folder / "bok.pdf")
    make_report_docx(folder / "sub" / "rapport.docx")
    make_scanned_pdf(folder / "skannad.pdf")
    _write(folder / "anteckning.md", "# Anteckning\n\nTillit kräver dialog.\n".encode())
    _write(folder / "bild.png", b"\x89PNG\r\n")
    _write(folder / ".dold.txt", b"hidden")
    assert [p.name for p in discover([folder])] == [
        "anteckning.md", "bild.png", "bok.pdf", "skannad.pdf", "rapport.docx"]
    emb = HashingEmbedder()
    report = build_index(data_dir=tmp_path / "data", sources=[folder], embedder=emb,
                         chunk_size=64, chunk_overlap=8, show_progress=False,
                         chunk_vectors="direct")
    assert sorted(e.message("en").split(":")[0] for e in report.errors) == [
        "bild.png", "skannad.pdf"]
    served = open_index(tmp_path / "data", emb)
    assert {c.doc_id for c in served.chunks} == {"bok", "rapport", "anteckning"}
    assert served.info["documents"]["bok"]["format"] == "pdf"
    assert served.store.count() == report.chunks


def test_plain_text_pages_lose_lines_repeated_at_page_edges() -> None:
    pages = [f"Tillitsdelegationen\nText på sida {n} om tillit.\nMer text.\n{n} Styra och leda"
             for n in range(1, 8)]
    out = strip_running_lines(pages)
    assert all("Tillitsdelegationen" not in p and "Styra och leda" not in p for p in out)
    assert all("om tillit." in p and "Mer text." in p for p in out)
    kept = strip_running_lines(["Kapitel 3\nA", "Kapitel 4\nB", "Kapitel 5\nC"])
    assert all(p.startswith("Kapitel") for p in kept), "headings are never furniture"
