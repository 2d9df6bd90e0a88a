"""One small SOU-like book, laid out by three PDF makers in the ways real books vary.

A ``Variant`` picks a producer (fpdf2, Typst, LibreOffice from a Word file made with
python-docx) and what varies between real books: the author lines ("A", "A och B",
"A, B och C"), with or without an affiliation line, the authors in plain, bold, italic
or small-capital type, a chapter title over one or two lines, the page number in the
header or the footer, at the outer edge or in the centre, on chapter-opening pages none,
a footer number or the number where the other pages have it, running heads with the book
title and chapter number or with the chapter title, an excerpt (printed pages 41–44,
ending on the opening page of chapter 3) or the whole book (title page and chapters 1–3,
printed pages 33–46), with or without a PDF outline.

Every page is laid out on its own (an explicit page break after it, and never more text
than fits), so the printed page of every paragraph is known from the plan, whichever
program set it. ``plan`` returns the pages and the facts; ``build`` writes the PDF.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import Any

PRODUCERS = ("fpdf2", "typst", "libreoffice")
STYLES = ("plain", "bold", "italic", "smallcaps")
NUMBER_AT = ("header-outer", "header-centre", "footer-outer", "footer-centre")
OPENING_NUMBER = ("none", "footer", "same")  # on chapter openings: none, a footer number
# in the centre (as SOU does), or where the other pages have it
HEADS = ("book", "chapter")
BOOK_TITLE = "Styra och leda med tillit"
SERIES = "SOU 2018:38"
FACT = "Nämnden i Lerum halverade antalet mål för socialtjänsten under år 2016."
FACT_PAGE = 43
EXCERPT = (41, 44)  # printed pages of the excerpt
BODY, TITLE, AUTHOR, HEAD = 10.5, 20.0, 12.0, 9.0


@dataclass(frozen=True)
class Variant:
    """One way of laying out the book."""

    producer: str = "typst"
    authors: int = 1  # chapter 1 has this many authors, chapters 2 and 3 the next counts
    affiliation: bool = True
    style: str = "plain"
    long_title: bool = False  # chapter 2's title over two lines
    number_at: str = "footer-centre"
    opening_number: str = "footer"  # one of OPENING_NUMBER
    head: str = "book"  # "book": 'Styra och leda med tillit   Kapitel 2'; "chapter": SOU's
    excerpt: bool = False
    outline: bool = False

    @property
    def key(self) -> str:
        return hashlib.sha1(repr(astuple(self)).encode()).hexdigest()[:12]


@dataclass
class ChapterFact:
    number: int
    title: str
    authors: tuple[str, ...]
    affiliation: str
    first_page: int  # printed
    sections: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Block:
    kind: str  # "title", "authors", "affil", "h", "p"
    text: str
    section: str | None = None


@dataclass
class Page:
    printed: int | None  # None: the title page (no number, no head)
    chapter: int | None
    opening: bool
    blocks: list[Block]


@dataclass
class Plan:
    variant: Variant
    chapters: list[ChapterFact]
    pages: list[Page]

    def paragraphs(self) -> Iterable[tuple[Page, Block]]:
        for page in self.pages:
            for b in page.blocks:
                if b.kind == "p":
                    yield page, b

    def chapter(self, number: int) -> ChapterFact:
        return next(c for c in self.chapters if c.number == number)


NAMES = [
    ("Louise Bringselius", "Karin Ekvall", "Jonas Berglöv"),
    ("Åsa Öberg", "Per-Erik Lund", "Anna Lindqvist"),
    ("Olof Berg", "Eva af Klint", "Maria Sjöström"),
]
AFFILIATIONS = ["Docent vid Lunds universitet", "Professor i statsvetenskap vid Uppsala "
                "universitet", "Forskare vid Statskontoret"]
TITLES = {1: "Inledning", 2: "Tillit i skolan", 3: "Uppföljning utan pinnräkning"}
LONG_TITLE = ("Tillitsbaserad styrning och ledning i offentlig sektor – en "
              "forskningsöversikt")
SECTIONS = {
    1: [("1.1", "Bakgrund", 33), ("1.2", "Antologins uppläggning", 35)],
    2: [("2.1", "Lärarnas erfarenheter", 37), ("2.2", "Rektorernas roll", 39),
        ("2.3", "Huvudmännen", 41), ("2.4", "Slutsatser", 43)],
    3: [("3.1", "Inledning", 44), ("3.2", "Mått som stöd", 45)],
}
OPENINGS = {1: 33, 2: 37, 3: 44}
LAST = 46

_SUBJ = ["Förvaltningen", "Medarbetarna", "Cheferna", "Myndigheten", "Kommunen", "Regionen",
         "Verksamheten", "Ledningen", "Professionen", "Skolverket", "Huvudmannen",
         "Personalen", "Styrelsen"]
_VERB = ["beskriver", "prövar", "utvecklar", "diskuterar", "granskar", "stärker",
         "dokumenterar", "analyserar", "förenklar", "bedömer", "samordnar", "värderar"]
_OBJ = ["arbetssättet", "handlingsutrymmet", "dialogen med brukarna", "styrningen",
        "kvaliteten i mötet", "de gemensamma målen", "samverkan mellan enheter",
        "den professionella bedömningen", "resultaten över tid", "förtroendet"]
_WHERE = ["i det dagliga arbetet", "under flera år", "i samtal med medarbetarna",
          "inom ramen för försöket", "på flera förvaltningar", "i den lokala verksamheten"]


def _sentence(rng: random.Random, topic: str, used: set[str]) -> str:
    """A sentence no other paragraph of the book begins with the same words as."""
    while True:
        s = rng.choice(_SUBJ)
        text = (f"{s} {rng.choice(_VERB)} {rng.choice(_OBJ)} {rng.choice(_WHERE)} när det "
                f"gäller {topic} och {rng.choice(_OBJ)}.")
        if text[:40] not in used:
            used.add(text[:40])
            return text


def _para(rng: random.Random, topic: str, n: int = 3, used: set[str] | None = None) -> str:
    seen: set[str] = set() if used is None else used
    return " ".join(_sentence(rng, topic, seen) for _ in range(n))


def plan(variant: Variant) -> Plan:
    """The book's pages and facts for one variant (the text is the same for all)."""
    rng = random.Random(20180038)
    used: set[str] = set()

    def para(topic: str, n: int = 3) -> str:
        return _para(rng, topic, n, used)
    counts = [(variant.authors - 1 + k) % 3 + 1 for k in range(3)]
    chapters = []
    for k, number in enumerate((1, 2, 3)):
        title = LONG_TITLE if number == 2 and variant.long_title else TITLES[number]
        chapters.append(ChapterFact(
            number, title, NAMES[k][: counts[k]],
            AFFILIATIONS[k] if variant.affiliation else "", OPENINGS[number],
            [(s, t) for s, t, _ in SECTIONS[number]]))
    pages: list[Page] = [Page(None, None, False, [
        Block("title", BOOK_TITLE), Block("p", "Forskning och praktik. Betänkande av "
                                               "Tillitsdelegationen, Stockholm 2018.")])]
    topics = {1: "antologin", 2: "skolan", 3: "uppföljningen"}
    for ch in chapters:
        n = ch.number
        last = OPENINGS[n + 1] - 1 if n + 1 in OPENINGS else LAST
        starts = {p: (s, t) for s, t, p in SECTIONS[n]}
        section: str | None = None
        for printed in range(OPENINGS[n], last + 1):
            blocks: list[Block] = []
            opening = printed == OPENINGS[n]
            if opening:
                blocks += [Block("title", f"{n}\u2003{ch.title}"),
                           Block("authors", _author_line(ch.authors))]
                if ch.affiliation:
                    blocks.append(Block("affil", ch.affiliation))
                blocks += [Block("h", "Sammanfattning"),
                           Block("p", f"Kapitlet handlar om {topics[n]}. "
                                      + para(topics[n], 2))]
            if printed in starts:
                s, t = starts[printed]
                section = s
                blocks.append(Block("h", f"{s} {t}", s))
            elif not opening:
                blocks.append(Block("p", para(topics[n]), section))
            blocks.append(Block("p", para(topics[n]), section))
            if printed == FACT_PAGE:
                blocks.append(Block("p", f"{FACT} {para(topics[n], 2)}", section))
            if not opening:
                blocks.append(Block("p", para(topics[n], 2), section))
            for b in blocks:
                if b.kind == "p" and b.section is None and not opening:
                    b.section = section
            pages.append(Page(printed, n, opening, blocks))
    if variant.excerpt:
        pages = [p for p in pages if p.printed and EXCERPT[0] <= p.printed <= EXCERPT[1]]
    return Plan(variant, chapters, pages)


def _author_line(names: tuple[str, ...]) -> str:
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} och {names[-1]}"


def head_text(v: Variant, page: Page, title: str) -> str:
    """The running head's words (without the page number) on a page."""
    if v.head == "book":
        return f"{BOOK_TITLE}   Kapitel {page.chapter}"
    assert page.printed is not None
    return SERIES if page.printed % 2 else title


def expected_pages(v: Variant) -> list[int | None]:
    """Printed page of each physical page."""
    return [p.printed for p in plan(v).pages]


# --- producers -----------------------------------------------------------------------

def font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _fpdf(p: Plan) -> bytes:
    from fpdf import FPDF

    v = p.variant
    pdf = FPDF(format="A4", unit="pt")
    pdf.set_auto_page_break(False)
    pdf.set_margins(70, 70, 70)
    for style, name in (("", "DejaVuSerif"), ("B", "DejaVuSerif-Bold"),
                        ("I", "DejaVuSerif-Italic")):
        pdf.add_font("Serif", style, str(font_dir() / f"{name}.ttf"))
    pdf.set_creator("fpdf2")
    width = 595.28 - 140
    for page in p.pages:
        pdf.add_page()
        ch = p.chapter(page.chapter) if page.chapter else None
        if page.printed is not None and ch is not None:
            _fpdf_furniture(pdf, v, page, ch.title)
        pdf.set_y(100)
        for b in page.blocks:
            pdf.set_x(70)
            if b.kind == "title":
                if v.outline and page.opening:
                    pdf.start_section(b.text.replace("\u2003", " "), level=0)
                pdf.set_font("Serif", "B", TITLE)
                pdf.multi_cell(width, TITLE * 1.25, b.text.replace("\u2003", "   "))
                pdf.ln(10)
            elif b.kind == "authors":
                _fpdf_authors(pdf, v, b.text)
            elif b.kind == "affil":
                pdf.set_font("Serif", "", BODY)
                pdf.multi_cell(width, BODY * 1.4, b.text)
                pdf.ln(12)
            elif b.kind == "h":
                pdf.ln(4)
                pdf.set_font("Serif", "B", 11.5)
                pdf.multi_cell(width, 16, b.text)
                pdf.ln(3)
            else:
                pdf.set_font("Serif", "", BODY)
                pdf.multi_cell(width, BODY * 1.35, b.text, align="J")
                pdf.ln(6)
    return bytes(pdf.output())


def _fpdf_authors(pdf: Any, v: Variant, text: str) -> None:
    style = {"bold": "B", "italic": "I"}.get(v.style, "")
    if v.style != "smallcaps":
        pdf.set_font("Serif", style, AUTHOR)
        pdf.multi_cell(455, AUTHOR * 1.4, text)
    else:  # capitals, and the small letters as smaller capitals (as a word processor does)
        x, y = 70.0, pdf.get_y() + AUTHOR
        for word in text.split(" "):
            for ch in word:
                size = AUTHOR if ch.isupper() or word == "och" else AUTHOR * 0.8
                shown = ch if word == "och" else ch.upper()
                pdf.set_font("Serif", "", size)
                pdf.text(x, y, shown)
                x += pdf.get_string_width(shown)
            pdf.set_font("Serif", "", AUTHOR)
            x += pdf.get_string_width(" ")
        pdf.set_y(y + 6)
    pdf.ln(4)


def _fpdf_furniture(pdf: Any, v: Variant, page: Page, title: str) -> None:
    n = page.printed
    assert n is not None
    left, right, mid = 70.0, 595.28 - 70, 595.28 / 2
    pdf.set_font("Serif", "", HEAD)
    label = str(n)

    def put(where: str, y: float, text: str) -> None:
        w = pdf.get_string_width(text)
        x = {"left": left, "right": right - w, "centre": mid - w / 2}[where]
        pdf.text(x, y, text)

    outer = "right" if n % 2 else "left"
    inner = "left" if n % 2 else "right"
    if page.opening:
        if v.opening_number == "footer":
            put("centre", 800, label)
        elif v.opening_number == "same":
            put(outer if v.number_at.endswith("outer") else "centre",
                50 if v.number_at.startswith("header") else 800, label)
        return
    head = head_text(v, page, title)
    if v.number_at == "header-outer":
        put(outer, 50, label)
        put(inner, 50, head)
    elif v.number_at == "header-centre":
        put("centre", 50, label)
        put("centre", 800, head)
    else:
        put(inner, 50, head)
        put("centre" if v.number_at == "footer-centre" else outer, 800, label)


def _typst_escape(text: str) -> str:
    out = text
    for ch in "\\#*_[]$<>@`=-+/~":
        out = out.replace(ch, "\\" + ch)
    return out


def _typst(p: Plan) -> bytes:
    import typst

    v = p.variant
    t = _typst_escape
    src = [
        '#set document(title: "untitled")',
        '#set text(lang: "sv", size: 10.5pt, hyphenate: false)',
        "#set par(justify: true, spacing: 0.9em)",
    ]
    for i, page in enumerate(p.pages):
        ch = p.chapter(page.chapter) if page.chapter else None
        header, footer = "[]", "[]"
        if page.printed is not None and ch is not None:
            n = page.printed
            head = f"text(size: {HEAD}pt)[{t(head_text(v, page, ch.title))}]"
            num = f"text(size: {HEAD}pt)[{n}]"
            if page.opening:
                if v.opening_number == "footer":
                    footer = f"[#align(center, {num})]"
                elif v.opening_number == "same":
                    where = "center" if v.number_at.endswith("centre") else (
                        "right" if n % 2 else "left")
                    if v.number_at.startswith("header"):
                        header = f"[#align({where}, {num})]"
                    else:
                        footer = f"[#align({where}, {num})]"
            elif v.number_at == "header-outer":
                header = (f"[#{head} #h(1fr) #{num}]" if n % 2
                          else f"[#{num} #h(1fr) #{head}]")
            elif v.number_at == "header-centre":
                header = f"[#align(center, {num})]"
                footer = f"[#align(center, {head})]"
            else:
                header = f"[#{head}]" if n % 2 else f"[#h(1fr) #{head}]"
                where = "center" if v.number_at == "footer-centre" else (
                    "right" if n % 2 else "left")
                footer = f"[#align({where}, {num})]"
        if i:
            src.append("#pagebreak()")
        src.append(f"#set page(paper: \"a4\", margin: (x: 70pt, top: 90pt, bottom: 80pt), "
                   f"header: {header}, footer: {footer})")
        for b in page.blocks:
            text = t(b.text)
            if b.kind == "title":
                body = text.replace("\u2003", " #h(0.7em)")
                if page.opening and v.outline:
                    src.append(f"#block(below: 18pt, text(size: {TITLE}pt, weight: \"bold\", "
                               f"heading(level: 1, outlined: true, bookmarked: true, "
                               f"[{body}])))")
                else:
                    src.append(f"#block(below: 18pt, text(size: {TITLE}pt, weight: "
                               f"\"bold\")[{body}])")
            elif b.kind == "authors":
                styled = {"plain": f"[{text}]", "bold": f"[*{text}*]",
                          "italic": f"[_{text}_]",
                          "smallcaps": f"[#smallcaps[{text}]]"}[v.style]
                src.append(f"#block(below: 8pt, text(size: {AUTHOR}pt){styled})")
            elif b.kind == "affil":
                src.append(f"#block(below: 16pt)[{text}]")
            elif b.kind == "h":
                src.append(f"#block(above: 10pt, below: 8pt, text(size: 11.5pt, "
                           f"weight: \"bold\")[{text}])")
            else:
                src.append(f"\n{text}\n")
    src.append("")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bok.typ"
        path.write_text("\n".join(src), encoding="utf-8")
        return bytes(typst.compile(str(path)))


def _docx(p: Plan, path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    v = p.variant
    doc = Document()
    doc.settings.odd_and_even_pages_header_footer = True
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "DejaVu Serif", Pt(BODY)
    normal.paragraph_format.space_after = Pt(6)
    if v.outline:
        h1 = doc.styles["Heading 1"]
        h1.font.name, h1.font.size, h1.font.bold = "DejaVu Serif", Pt(TITLE), True
        h1.font.color.rgb = None

    def page_field(par: Any) -> None:
        run = par.add_run()
        run.font.size = Pt(HEAD)
        for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            else:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            run._r.append(el)

    def line(part: Any, items: list[tuple[str, str]]) -> None:
        """One header or footer line: ('num'|'text', align) items; two items go to the
        left and right edges with a right tab."""
        par = part.paragraphs[0]
        par.text = ""
        if len(items) == 1:
            kind, align = items[0]
            par.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                             "centre": WD_ALIGN_PARAGRAPH.CENTER}[align]
            if kind == "num":
                page_field(par)
            else:
                par.add_run(kind).font.size = Pt(HEAD)
            return
        par.paragraph_format.tab_stops.clear_all()
        from docx.enum.text import WD_TAB_ALIGNMENT
        par.paragraph_format.tab_stops.add_tab_stop(Pt(455), WD_TAB_ALIGNMENT.RIGHT)
        for k, (kind, _) in enumerate(items):
            if k:
                par.add_run("\t")
            if kind == "num":
                page_field(par)
            else:
                par.add_run(kind).font.size = Pt(HEAD)

    section = doc.sections[0]
    first = True
    current: int | None = -1
    for page in p.pages:
        if not first:
            if page.chapter != current:
                section = doc.add_section(WD_SECTION.NEW_PAGE)
                for old in section._sectPr.findall(qn("w:pgNumType")):
                    section._sectPr.remove(old)  # copied from the section before
            else:
                doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        new_section = first or page.chapter != current
        first, current = False, page.chapter
        if new_section:
            section.page_width, section.page_height = Pt(595.28), Pt(841.89)
            section.left_margin = section.right_margin = Pt(70)
            section.top_margin, section.bottom_margin = Pt(90), Pt(80)
            section.header_distance = section.footer_distance = Pt(40)
            for part in (section.header, section.footer, section.even_page_header,
                         section.even_page_footer, section.first_page_header,
                         section.first_page_footer):
                part.is_linked_to_previous = False
                part.paragraphs[0].text = ""
            section.different_first_page_header_footer = page.opening
            if page.printed is not None and _first_numbered(p, page):
                num_type = OxmlElement("w:pgNumType")
                num_type.set(qn("w:start"), str(page.printed))
                section._sectPr.append(num_type)
            if page.printed is not None and page.chapter is not None:
                _docx_furniture(v, section, p.chapter(page.chapter).title, page, line)
        for b in page.blocks:
            _docx_block(doc, v, b, page, Pt)
    doc.core_properties.title = ""
    doc.core_properties.author = ""
    doc.save(str(path))


def _first_numbered(p: Plan, page: Page) -> bool:
    return page is next(x for x in p.pages if x.printed is not None)


def _docx_furniture(v: Variant, section: Any, title: str, page: Page, line: Any) -> None:
    # Odd pages use the default header, even pages the even one; the first page of a
    # chapter section (its opening) its own.
    assert page.printed is not None
    odd_page = Page(page.printed | 1, page.chapter, False, [])
    even_page = Page((page.printed | 1) + 1, page.chapter, False, [])
    for part_h, part_f, pg in ((section.header, section.footer, odd_page),
                               (section.even_page_header, section.even_page_footer,
                                even_page)):
        head = head_text(v, pg, title)
        odd = bool(pg.printed and pg.printed % 2)
        if v.number_at == "header-outer":
            line(part_h, [(head, ""), ("num", "")] if odd else [("num", ""), (head, "")])
        elif v.number_at == "header-centre":
            line(part_h, [("num", "centre")])
            line(part_f, [(head, "centre")])
        else:
            line(part_h, [(head, "left" if odd else "right")])
            line(part_f, [("num", "centre" if v.number_at == "footer-centre"
                           else ("right" if odd else "left"))])
    if page.opening and v.opening_number == "footer":
        line(section.first_page_footer, [("num", "centre")])
    elif page.opening and v.opening_number == "same":
        where = "centre" if v.number_at.endswith("centre") else (
            "right" if page.printed % 2 else "left")
        line(section.first_page_header if v.number_at.startswith("header")
             else section.first_page_footer, [("num", where)])


def _docx_block(doc: Any, v: Variant, b: Block, page: Page, pt: Any) -> None:
    if b.kind == "title":
        text = b.text.replace("\u2003", "\t")
        if v.outline and page.opening:
            par = doc.add_paragraph(style="Heading 1")
            par.add_run(text)
        else:
            par = doc.add_paragraph()
            run = par.add_run(text)
            run.bold, run.font.size = True, pt(TITLE)
        par.paragraph_format.space_after = pt(18)
        par.paragraph_format.tab_stops.add_tab_stop(pt(36))
    elif b.kind == "authors":
        par = doc.add_paragraph()
        run = par.add_run(b.text)
        run.font.size = pt(AUTHOR)
        run.bold = v.style == "bold"
        run.italic = v.style == "italic"
        run.font.small_caps = v.style == "smallcaps"
    elif b.kind == "affil":
        par = doc.add_paragraph(b.text)
        par.paragraph_format.space_after = pt(16)
    elif b.kind == "h":
        par = doc.add_paragraph()
        run = par.add_run(b.text)
        run.bold, run.font.size = True, pt(11.5)
        par.paragraph_format.space_before = pt(8)
    else:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        par = doc.add_paragraph(b.text)
        par.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def soffice() -> str:
    """The LibreOffice program (installed by .ci/system-deps)."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    assert found, ("LibreOffice is not installed: apt-get install libreoffice-writer-nogui "
                   "(.ci/system-deps does)")
    return found


def libreoffice_pdfs(plans: list[Plan], folder: Path) -> list[Path]:
    """Word files made with python-docx, converted to PDF in one LibreOffice run."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = []
    for p in plans:
        path = folder / f"{p.variant.key}.docx"
        _docx(p, path)
        docs.append(path)
    profile = folder / "lo-profile"
    env = {**os.environ, "HOME": str(folder)}
    if docs:
        subprocess.run(
            [soffice(), f"-env:UserInstallation=file://{profile}", "--headless",
             "--convert-to", "pdf", "--outdir", str(folder), *map(str, docs)],
            check=True, capture_output=True, timeout=600, env=env)
    out = [d.with_suffix(".pdf") for d in docs]
    missing = [str(o) for o in out if not o.exists()]
    assert not missing, f"LibreOffice made no PDF for {missing}"
    return out


def build(variant: Variant, folder: Path) -> Path:
    """The variant's PDF in ``folder`` (made once; LibreOffice variants one by one)."""
    path = folder / f"{variant.key}.pdf"
    if path.exists():
        return path
    return build_many([variant], folder)[0]


def build_many(variants: list[Variant], folder: Path) -> list[Path]:
    """PDFs for many variants, LibreOffice's converted in one run."""
    folder.mkdir(parents=True, exist_ok=True)
    todo = [v for v in variants if not (folder / f"{v.key}.pdf").exists()]
    lo = [plan(v) for v in todo if v.producer == "libreoffice"]
    if lo:
        libreoffice_pdfs(lo, folder)
    for v in todo:
        if v.producer == "libreoffice":
            continue
        data = _fpdf(plan(v)) if v.producer == "fpdf2" else _typst(plan(v))
        (folder / f"{v.key}.pdf").write_bytes(data)
    return [folder / f"{v.key}.pdf" for v in variants]
