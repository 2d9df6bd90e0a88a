"""Book PDFs from three makers (fpdf2, Typst, LibreOffice) in the ways real books vary.

Each variant is checked against the facts it was made from (``tests.book_check``): the
chapters with their number, title, authors and affiliation, the printed page of every
page, and the chapter, title, authors, section and printed page of every chunk, the
planted fact cited at the page it is printed on. LibreOffice and Typst are required: the
tests fail, not skip, without them (``.ci/system-deps`` installs LibreOffice, the dev
extra Typst).
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.formats.describe import describe
from tests.book_check import chunks_of, problems
from tests.book_variants import (
    FACT,
    FACT_PAGE,
    HEADS,
    NUMBER_AT,
    OPENING_NUMBER,
    PRODUCERS,
    STYLES,
    Variant,
    build,
    build_many,
    plan,
)


def _covering(producer: str) -> list[Variant]:
    """Eight variants that between them take every value of every dimension."""
    out = []
    for i in range(8):
        out.append(Variant(
            producer=producer, authors=i % 3 + 1, affiliation=i % 2 == 0,
            style=STYLES[i % 4], long_title=(i // 2) % 2 == 1,
            number_at=NUMBER_AT[(i + i // 4) % 4], opening_number=OPENING_NUMBER[i % 3],
            head=HEADS[(i // 2 + i) % 2], excerpt=i in (1, 2, 5, 6), outline=i in (2, 3, 4, 7)))
    return out


def _random_pool(producer: str, n: int, seed: int) -> list[Variant]:
    rng = random.Random(seed)
    return [Variant(producer=producer, authors=rng.randint(1, 3),
                    affiliation=rng.random() < 0.5, style=rng.choice(STYLES),
                    long_title=rng.random() < 0.5, number_at=rng.choice(NUMBER_AT),
                    opening_number=rng.choice(OPENING_NUMBER), head=rng.choice(HEADS),
                    excerpt=rng.random() < 0.5, outline=rng.random() < 0.5)
            for _ in range(n)]


# The issue's case: a 4-page excerpt, 'Styra och leda med tillit   Kapitel 2' and the
# printed number at the top of every page, chapter 3 opening on the last page.
ISSUE_EXCERPT = {p: Variant(producer=p, excerpt=True, head="book", number_at="header-outer",
                            opening_number="same") for p in PRODUCERS}
COVERING = [v for p in PRODUCERS for v in _covering(p)]
# LibreOffice takes about a second a file: its random variants are made in one run.
LO_POOL = _random_pool("libreoffice", 36, seed=38)
SHOWN = {(p, style): Variant(producer=p, authors=2, style=style, long_title=True)
         for p in PRODUCERS for style in STYLES}
CUT = {(p, head): Variant(producer=p, excerpt=True, head=head, number_at="footer-outer")
       for p in PRODUCERS for head in HEADS}


@pytest.fixture(scope="session")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with every variant the tests use, LibreOffice's converted in one run."""
    folder = tmp_path_factory.mktemp("book-variants")
    build_many([*COVERING, *ISSUE_EXCERPT.values(), *LO_POOL, *SHOWN.values(),
                *CUT.values()], folder)
    return folder


@pytest.fixture(scope="session")
def tiktoken_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tiktoken")


def test_the_covering_variants_take_every_value() -> None:
    for producer in PRODUCERS:
        vs = [v for v in COVERING if v.producer == producer]
        for f in dataclasses.fields(Variant):
            values = {getattr(v, f.name) for v in vs}
            want = {"authors": {1, 2, 3}, "style": set(STYLES), "number_at": set(NUMBER_AT),
                    "opening_number": set(OPENING_NUMBER), "head": set(HEADS),
                    "producer": {producer}}.get(f.name, {True, False})
            assert values == want, (producer, f.name)


@pytest.mark.parametrize("variant", COVERING, ids=lambda v: f"{v.producer}-{v.key}")
def test_every_variant_yields_the_planted_structure(
    variant: Variant, pdfs: Path, tiktoken_dir: Path
) -> None:
    assert problems(plan(variant), build(variant, pdfs), tiktoken_dir) == []


@pytest.mark.parametrize("producer", PRODUCERS)
def test_an_excerpt_from_page_41_cites_printed_pages_and_sees_chapter_3(
    producer: str, pdfs: Path, tiktoken_dir: Path
) -> None:
    path = build(ISSUE_EXCERPT[producer], pdfs)
    out = describe(path)
    assert "printed page numbers: 41–44" in out
    assert "chapter 2: (untitled) | authors: - | pp. 41–43 (from the running heads)" in out
    assert "chapter 3: Uppföljning utan pinnräkning" in out
    assert "  3.1 Inledning (p. 44)" in out
    assert out.index("chapter 3:") < out.index("3.1 Inledning")
    chunks = chunks_of(path, tiktoken_dir)
    fact = [c for c in chunks if FACT in c.text]
    assert [(c.chapter, c.section, c.page) for c in fact] == [(2, "2.4", FACT_PAGE)]
    assert {c.chapter for c in chunks if c.section == "3.1"} == {3}
    assert problems(plan(ISSUE_EXCERPT[producer]), path, tiktoken_dir) == []


@pytest.mark.parametrize("producer", PRODUCERS)
@pytest.mark.parametrize("head", HEADS)
def test_an_excerpt_from_page_42_takes_its_first_page_into_chapter_2(
    producer: str, head: str, pdfs: Path, tiktoken_dir: Path, tmp_path: Path
) -> None:
    """Page 42 has neither a section heading nor (with the chapter title in the running
    heads) a chapter number: it belongs to the chapter of the page after it."""
    from pypdf import PdfReader, PdfWriter

    variant = CUT[(producer, head)]
    writer = PdfWriter()
    for page in PdfReader(build(variant, pdfs)).pages[1:]:
        writer.add_page(page)
    cut = tmp_path / "utdrag.pdf"
    writer.write(cut)
    book = plan(variant)
    book.pages = book.pages[1:]
    for block in book.pages[0].blocks:  # 2.3 was opened on page 41, not in this file
        block.section = None
    assert problems(book, cut, tiktoken_dir) == []


@pytest.mark.parametrize("producer", PRODUCERS)
@pytest.mark.parametrize("style", STYLES)
def test_show_structure_names_authors_and_affiliations(
    producer: str, style: str, pdfs: Path
) -> None:
    out = describe(build(SHOWN[(producer, style)], pdfs))
    assert ("chapter 1: Inledning | authors: Louise Bringselius, Karin Ekvall | pp. 33–36"
            in out)
    assert "  affiliations: Docent vid Lunds universitet" in out
    assert ("chapter 2: Tillitsbaserad styrning och ledning i offentlig sektor – en "
            "forskningsöversikt | authors: Åsa Öberg, Per-Erik Lund, Anna Lindqvist") in out
    assert ("chapter 3: Uppföljning utan pinnräkning | authors: Olof Berg | pp. 44–46"
            in out)
    assert "  affiliations: Forskare vid Statskontoret" in out


_dims = {
    "authors": st.integers(1, 3), "affiliation": st.booleans(),
    "style": st.sampled_from(STYLES), "long_title": st.booleans(),
    "number_at": st.sampled_from(NUMBER_AT), "opening_number": st.sampled_from(OPENING_NUMBER),
    "head": st.sampled_from(HEADS), "excerpt": st.booleans(), "outline": st.booleans(),
}
VARIANTS = st.one_of(
    st.builds(Variant, producer=st.sampled_from(["fpdf2", "typst"]), **_dims),
    st.sampled_from(LO_POOL),
)


@settings(max_examples=200, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(variant=VARIANTS)
def test_random_variants_yield_the_planted_structure(
    variant: Variant, pdfs: Path, tiktoken_dir: Path
) -> None:
    assert problems(plan(variant), build(variant, pdfs), tiktoken_dir) == []
