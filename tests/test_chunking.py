"""Chunk metadata, token sizes, section boundaries and stable ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.formats.registry import load_document
from index.text.chunking import Chunk, chunk_document, make_splitter
from index.text.cleaning import clean_pages
from index.text.tokens import count_tokens, get_encoding
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def encoding(tmp_path_factory: pytest.TempPathFactory):
    return get_encoding(str(tmp_path_factory.mktemp("tiktoken")))


def _chunks(encoding, path: Path, size: int = 120, overlap: int = 24) -> tuple[list[Chunk], str]:
    loaded = load_document(path)
    cleaned = clean_pages(loaded.pages, loaded.has_pages)
    chunks = chunk_document(
        cleaned, loaded.meta, make_splitter(size, overlap), lambda t: count_tokens(encoding, t)
    )
    return chunks, cleaned.text


def test_tiktoken_works_offline_from_the_bundled_encoding(encoding) -> None:
    assert encoding.name == "cl100k_base"
    assert encoding.decode(encoding.encode("forskarsamhället")) == "forskarsamhället"


def test_chunks_carry_metadata_and_valid_offsets(encoding) -> None:
    chunks, text = _chunks(encoding, CORPUS / "01-inledning.txt")
    assert len(chunks) > 40
    cards = [c for c in chunks if c.kind == "card"]  # index.text.book_cards: not text of a page
    assert [c.chunk_id for c in cards] == ["kap01:card-1"] and cards[0].page == 1
    for c in chunks:
        if c.kind != "card":
            assert text[c.char_start : c.char_end] == c.text
        assert c.chapter == 1 and c.chapter_title == "Inledning"
        assert c.authors == "Louise Bringselius"
        assert c.page is not None and 1 <= c.page <= c.page_end <= 30
        assert c.tokens <= 120
    adler = [c for c in chunks if "Paul S. Adler" in c.text]
    assert adler and all(c.section == "1.2" for c in adler)
    assert adler[0].section_title == "Tillit – en av tre styrprinciper"
    assert adler[0].embed_text.startswith("Kapitel 1 Inledning › 1.2 Tillit")


def test_chunks_never_cross_sections_and_overlap(encoding) -> None:
    chunks, text = _chunks(encoding, CORPUS / "01-inledning.txt")
    body = [c for c in chunks if c.kind == "text"]
    overlapping = 0
    for a, b in zip(body, body[1:], strict=False):
        if a.section == b.section and a.section_title == b.section_title:
            assert not text[a.char_end : b.char_start].strip(), "no text is lost between chunks"
            overlapping += b.char_start < a.char_end
        else:
            heading = text[a.char_end : b.char_start]
            assert b.section or b.section_title
            assert heading.strip(), "a new section starts after its heading"
    assert overlapping > 0, "neighbouring chunks share an overlap"
    more, _ = _chunks(encoding, CORPUS / "01-inledning.txt", size=120, overlap=60)
    body_more = [c for c in more if c.kind == "text"]
    overlapping_more = sum(
        b.char_start < a.char_end for a, b in zip(body_more, body_more[1:], strict=False)
    )
    assert overlapping_more > overlapping, "a larger overlap setting overlaps more"


def test_footnotes_become_chunks_under_their_section(encoding) -> None:
    chunks, _ = _chunks(encoding, CORPUS / "01-inledning.txt")
    notes = {c.chunk_id: c for c in chunks if c.kind == "footnote"}
    assert {cid.split(":fn")[1].split("-")[0] for cid in notes} == {"1", "2", "3", "4", "5"}
    assert all(c.tokens <= 120 for c in notes.values())
    fn3 = notes["kap01:fn3"]
    assert "SPP 2010" in fn3.text
    assert fn3.section == "1.1"
    assert "Fotnot" in fn3.context


def test_chunk_ids_are_stable_across_runs(encoding) -> None:
    first, _ = _chunks(encoding, CORPUS / "01-inledning.txt")
    second, _ = _chunks(encoding, CORPUS / "01-inledning.txt")
    assert [c.chunk_id for c in first] == [c.chunk_id for c in second]
    assert len({c.chunk_id for c in first}) == len(first)


def test_metadata_round_trip(encoding) -> None:
    chunks, _ = _chunks(encoding, CORPUS / "01-inledning.txt")
    c = chunks[3]
    assert Chunk.from_metadata(c.text, c.to_metadata()) == c
