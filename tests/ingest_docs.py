"""Realistic test documents made on the fly: a laid-out PDF book excerpt and a DOCX.

The PDF (fpdf2) has eight A4 pages and two chapters. Like the printed anthology it has
running headers that alternate between the series and the chapter title, a footer with
the page number and the book title, bold numbered section headings, indented
paragraphs, a word hyphenated at a line end, a paragraph running over a page break, and
footnotes in a smaller font below a rule, referenced by superscript numbers.
"""

from __future__ import annotations

from pathlib import Path

BOOK_TITLE = "Styra och leda med tillit"
BOOK_AUTHORS = "Karin Ek; Lars Berg"
SERIES = "Tillitsdelegationen"

# (kind, text) per page; kinds: h1 chapter heading, h2 section heading, p paragraph start
# (indented), c continuation line. "^n" after a word is a superscript footnote reference.
PAGES: list[dict[str, object]] = [
    {"header": None, "lines": [
        ("h1", "Kapitel 3 Tillit i skolan"),
        ("p", "Skolan är en av de verksamheter där frågan om tillit"),
        ("c", "har diskuterats mest under senare år."),
        ("h2", "3.1 Lärarnas erfarenheter"),
        ("p", "Lärare i skolan upplever att tilli-"),
        ("c", "ten till deras professionella omdöme har"),
        ("c", "minskat.^1 Det gäller särskilt i kommunala skolor."),
        ("p", "Många lärare beskriver en växande dokumentation"),
        ("c", "som tar tid från undervisningen och från"),
    ], "notes": ["1 Enkät bland lärare från år 2015."]},
    {"header": SERIES, "lines": [
        ("c", "eleverna i klassrummet varje vecka."),
        ("p", "Rektorerna bekräftar bilden i intervjuer och menar"),
        ("c", "att uppföljningen har blivit ett mål i sig.^2"),
    ], "notes": ["2 Intervjuerna genomfördes hösten 2016 i fyra", "kommuner."]},
    {"header": "Tillit i skolan", "lines": [
        ("h2", "3.2 Rektorernas roll"),
        ("p", "Rektorn har ett särskilt ansvar för att skapa"),
        ("c", "utrymme för lärarnas professionella bedömningar."),
        ("p", "Ett tillitsbaserat ledarskap bygger på dialog"),
        ("c", "snarare än detaljerad kontroll."),
    ], "notes": []},
    {"header": SERIES, "lines": [
        ("p", "Skolhuvudmännen kan stödja rektorerna genom"),
        ("c", "att minska antalet uppföljningskrav."),
    ], "notes": []},
    {"header": "Tillit i skolan", "lines": [
        ("h2", "3.3 Slutsatser"),
        ("p", "Sammantaget visar studien att lärarnas handlings-"),
        ("c", "utrymme behöver stärkas."),
    ], "notes": []},
    {"header": None, "lines": [
        ("h1", "Kapitel 4 Tillit i vården"),
        ("h2", "4.1 Sjuksköterskornas arbetsdag"),
        ("p", "Sjuksköterskor på sjukhus dokumenterar mycket och"),
        ("c", "administrationen tar tid från patienterna."),
    ], "notes": []},
    {"header": "Tillit i vården", "lines": [
        ("h2", "4.2 Läkarnas syn"),
        ("p", "Läkarna efterfrågar färre men mer träffsäkra"),
        ("c", "indikatorer för kvalitet i vården."),
    ], "notes": []},
    {"header": SERIES, "lines": [
        ("p", "Vårdens medarbetare vill själva vara med och"),
        ("c", "utforma uppföljningen av sitt arbete."),
    ], "notes": []},
]

LEFT, INDENT, TOP = 70.0, 14.0, 110.0


def make_book_pdf(path: Path, *, title: str = BOOK_TITLE, authors: str = BOOK_AUTHORS,
                  user_password: str | None = None) -> Path:
    """Write the eight-page, two-chapter book excerpt as a PDF with a text layer."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.set_auto_page_break(False)
    if title:
        pdf.set_title(title)
    if authors:
        pdf.set_author(authors)
    for number, page in enumerate(PAGES, start=1):
        pdf.add_page()
        if page["header"]:
            pdf.set_font("Helvetica", "", 9)
            pdf.text(LEFT, 50, str(page["header"]))
        y = TOP
        for kind, text in page["lines"]:  # type: ignore[attr-defined]
            if kind == "h1":
                y += 10
                pdf.set_font("Helvetica", "B", 18)
                pdf.text(LEFT, y, text)
                y += 34
                continue
            if kind == "h2":
                y += 8
                pdf.set_font("Helvetica", "B", 12)
                pdf.text(LEFT, y, text)
                y += 24
                continue
            x = LEFT + (INDENT if kind == "p" else 0.0)
            _body_line(pdf, x, y, text)
            y += 15
        if page["notes"]:
            pdf.line(LEFT, 742, LEFT + 140, 742)
            pdf.set_font("Helvetica", "", 8)
            yy = 756.0
            for note in page["notes"]:  # type: ignore[attr-defined]
                pdf.text(LEFT, yy, note)
                yy += 10
        pdf.set_font("Helvetica", "", 9)
        pdf.text(LEFT, 810, f"{number}   {BOOK_TITLE}")
    if user_password is not None:
        pdf.set_encryption(owner_password="owner-" + user_password,
                           user_password=user_password)
    pdf.output(str(path))
    return path


def _body_line(pdf: object, x: float, y: float, text: str) -> None:
    """A body line in 11 pt; '^n' prints n as a superscript after the preceding word."""
    p = pdf  # fpdf.FPDF; typed loosely to keep fpdf2 a test-only import
    while "^" in text:
        before, rest = text.split("^", 1)
        number, after = rest[0], rest[1:]
        p.set_font("Helvetica", "", 11)  # type: ignore[attr-defined]
        p.text(x, y, before)  # type: ignore[attr-defined]
        x += p.get_string_width(before)  # type: ignore[attr-defined]
        p.set_font("Helvetica", "", 7)  # type: ignore[attr-defined]
        p.text(x, y - 4, number)  # type: ignore[attr-defined]
        x += p.get_string_width(number) + 0.5  # type: ignore[attr-defined]
        text = after
    p.set_font("Helvetica", "", 11)  # type: ignore[attr-defined]
    if text:
        p.text(x, y, text)  # type: ignore[attr-defined]


def make_scanned_pdf(path: Path, pages: int = 2) -> Path:
    """A PDF whose pages are only images: no text layer, as a scan without OCR."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    img = Image.new("L", (400, 560), 255)
    draw = ImageDraw.Draw(img)
    for row in range(40, 520, 18):
        draw.line((30, row, 370, row), fill=60, width=5)
    pdf = FPDF(format="A4", unit="pt")
    for _ in range(pages):
        pdf.add_page()
        pdf.image(img, x=40, y=40, w=500)
    pdf.output(str(path))
    return path


def make_report_docx(path: Path, *, title: str = "Tillit i kommunen",
                     author: str = "Eva Lind") -> Path:
    """A Word report with Heading 1 chapters, Heading 2 sections, body text and a table."""
    import docx

    doc = docx.Document()
    doc.core_properties.title = title
    doc.core_properties.author = author
    doc.add_paragraph("Rapporten beskriver arbetet med tillitsbaserad styrning i kommunen.")
    doc.add_heading("Kapitel 2 Styrning i kommunen", level=1)
    doc.add_heading("2.1 Bakgrund", level=2)
    doc.add_paragraph("Kommunen började arbeta med tillitsbaserad styrning år 2017.")
    doc.add_paragraph("Förvaltningarna fick färre men tydligare mål.")
    doc.add_heading("2.2 Resultat", level=2)
    doc.add_paragraph("Medarbetarna upplever större handlingsutrymme i sitt arbete.")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "År"
    table.cell(0, 1).text = "Andel nöjda"
    table.cell(1, 0).text = "2019"
    table.cell(1, 1).text = "72 procent"
    doc.add_heading("Kapitel 3 Ledarskap", level=1)
    doc.add_heading("Sammanfattning", level=2)
    doc.add_paragraph("Cheferna leder genom dialog och förtroende.")
    doc.save(str(path))
    return path
