"""A whole book as a PDF, laid out like an SOU anthology, with the facts it was made from.

``make_book`` writes front matter (title page, imprint, a table of contents, a foreword),
then chapters that open on an odd page with a large ``2   <title>``, the authors and
their affiliations under it, a ``Sammanfattning`` and numbered sections. Running heads
alternate ``SOU 2018:38   25`` (odd pages) and ``26   <chapter title>`` (even pages);
chapter-opening pages carry only a footer number (chapter 1's none). Body lines are
justified word by word (wide gaps), some words carry ligatures (ﬁ, ﬂ) and a soft hyphen,
footnotes sit below a rule in a smaller font and restart in every chapter, chapter 2 has
a figure with a caption and a ``Källa:`` line and a page set in two columns (written line
by line across both columns), and one page of chapter 3 is only an image of text, as a
scanned insert. The PDF's metadata is junk ("untitled", "anonymous").

The returned ``Book`` says for every paragraph and footnote where it was printed: physical
page, printed page, chapter and section, so tests can check what the loader recovers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SERIES = "SOU 2018:38"
OFFSET = 10  # printed page = physical page + OFFSET (the extract starts at page 11)
LEFT, WIDTH, TOP = 70.0, 455.0, 92.0
BODY, LEAD, NOTE, FURN = 10.5, 14.0, 8.5, 9.0


def font_dir() -> Path:
    """DejaVu fonts as shipped with matplotlib (Unicode, ligature glyphs included)."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@dataclass
class Para:
    """A paragraph as printed: its text and the printed page of each line's start."""

    text: str
    chapter: int
    section: str | None
    lines: list[tuple[int, int]] = field(default_factory=list)  # (offset in text, printed)

    def page_at(self, offset: int) -> int:
        """Printed page of the line holding character ``offset``."""
        page = self.lines[0][1]
        for start, printed in self.lines:
            if start <= offset:
                page = printed
        return page


@dataclass
class Chapter:
    """What a chapter is, as the reader of the book sees it."""

    number: int
    title: str
    authors: tuple[str, ...]
    affiliation: str
    blocks: list[tuple[str, Any]]
    first_page: int = 0  # printed
    last_page: int = 0
    sections: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Book:
    """The facts the PDF was made from."""

    chapters: list[Chapter]
    paras: list[Para] = field(default_factory=list)
    notes: list[tuple[int, int, str, int, str | None]] = field(default_factory=list)
    # (chapter, number, text, printed page, section)
    captions: list[tuple[int, str]] = field(default_factory=list)  # (printed page, text)
    scan_page: int = 0  # printed page of the image-only page
    scan_text: str = ""
    two_column_page: int = 0
    pages: int = 0
    front_matter: list[str] = field(default_factory=list)  # phrases only found there


_SUBJ = ["Förvaltningen", "Medarbetarna", "Cheferna", "Myndigheten", "Kommunen", "Regionen",
         "Verksamheten", "Ledningen", "Professionen", "Uppföljningen", "Skolverket",
         "Huvudmannen", "Enhetschefen", "Personalen", "Styrelsen", "Nämnden"]
_VERB = ["beskriver", "prövar", "utvecklar", "diskuterar", "granskar", "stärker", "förändrar",
         "dokumenterar", "följer upp", "analyserar", "förenklar", "bedömer", "omprövar",
         "samordnar", "värderar", "leder"]
_OBJ = ["arbetssättet", "handlingsutrymmet", "dialogen med brukarna", "styrningen av arbetet",
        "kvaliteten i mötet", "de gemensamma målen", "samverkan mellan enheter",
        "den professionella bedömningen", "resultaten över tid", "förtroendet för ledningen"]
_WHERE = ["i det dagliga arbetet", "under flera år", "i samtal med medarbetarna",
          "inom ramen för försöket", "på flera förvaltningar", "i den lokala verksamheten"]


def filler(rng: random.Random, sentences: int, topic: str) -> str:
    """Plausible Swedish prose, different for every call."""
    out = []
    for _ in range(sentences):
        adj, subj = rng.choice(_ADJ), rng.choice(_SUBJ)
        out.append(rng.choice(_FORMS).format(
            s=subj, l=subj.lower(), v=rng.choice(_VERB), o=rng.choice(_OBJ),
            w=rng.choice(_WHERE), t=topic, a=adj, y=rng.randint(1990, 2017)))
    return " ".join(out)


_ADJ = ["tydligt", "gradvis", "noggrant", "öppet", "försiktigt", "långsiktigt", "konkret"]
_FORMS = [
    "{s} {v} {o} {w} när det gäller {t}.",
    "Sedan {y} {v} {l} {a} {o}.",
    "I fråga om {t} {v} {l} {o} {w}.",
    "{s} har {a} {v} {o}, vilket påverkar {t}.",
    "Enligt studien från {y} {v} {l} {o} {a}.",
    "Det visar hur {l} {v} {o} när {t} står i fokus.",
]


def chapters_spec(scale: int = 1, seed: int = 7) -> list[Chapter]:
    """The four chapters; ``scale`` multiplies the filler (for the benchmark)."""
    rng = random.Random(seed)

    def fill(topic: str, paras: int) -> list[tuple[str, Any]]:
        return [("p", filler(rng, 5, topic)) for _ in range(paras * scale)]

    ch1 = Chapter(1, "Inledning", ("Louise Bringselius",),
                  "Louise Bringselius är docent i företagsekonomi vid Lunds universitet.", [
        ("h", "Sammanfattning"),
        ("p", "Kapitlet ger en översikt över antologin och hur tillitsbaserad styrning har "
              "vuxit fram som ett svar på detaljstyrningen i offentlig sektor."),
        ("h", "1.1 Bakgrund"),
        ("p", "Många medarbetare i offentlig sektor upplever att de granskas mer än de "
              "stöds, och den ﬁnansiella uppföljningen har blivit ett mål i sig.^1 "
              "Tillitsdelegationen tillsattes för att pröva andra vägar."),
        *fill("bakgrunden", 4),
        ("h", "1.2 Antologins uppläggning"),
        ("p", "Antologin samlar forskare från ﬂera discipliner som skriver om styrning, "
              "ledarskap och professioner i välfärden.^2"),
        *fill("antologin", 4),
        ("h", "1.3 Läsanvisning"),
        *fill("läsningen", 3),
    ], sections=[("1.1", "Bakgrund"), ("1.2", "Antologins uppläggning"),
                 ("1.3", "Läsanvisning")])
    ch2 = Chapter(2, "Tillitsbaserad styrning och ledning i offentlig sektor – en "
                     "forskningsöversikt",
                  ("Anna Lindqvist", "Per Holm"),
                  "Anna Lindqvist är professor i statsvetenskap vid Uppsala universitet. "
                  "Per Holm är forskare vid Statskontoret.", [
        ("h", "Sammanfattning"),
        ("p", "Kapitlet sammanfattar forskningen om tillit som styrprincip och visar hur "
              "den skiljer sig från hierarkisk och marknadsinspirerad styrning."),
        ("h", "2.1 Styrning i förändring"),
        *fill("styrningen", 3),
        ("p", "Rapporterna från myndigheterna pekar åt samma håll i hela landet.^1 "
              "Förändringen tar tid och kräver uthålligt ledarskap."),
        ("h", "2.2 Tre styrprinciper"),
        ("p", "Adler beskriver tre styrprinciper: hierarki, marknad och gemenskap. I "
              "hierarkin samordnas arbetet genom order, på marknaden genom pris och i "
              "gemenskapen genom tillit mellan kollegor."),
        ("fig", ("Figur 2.1 Tre styrprinciper enligt Adler",
                 ["Hierarki", "Marknad", "Gemenskap"], "Källa: Adler (2001), bearbetad.")),
        *fill("principerna", 3),
        ("h", "2.3 Två fall"),
        ("cols", (filler(rng, 6, "fallet i Göteborg")
                  + " I Göteborg infördes tillitsbaserade team i hemtjänsten.",
                  "I Umeå halverades antalet mål för socialtjänsten på två år. "
                  + filler(rng, 6, "fallet i Umeå"))),
        *fill("fallen", 4),
        ("h", "2.4 Slutsatser"),
        *fill("slutsatserna", 3),
    ], sections=[("2.1", "Styrning i förändring"), ("2.2", "Tre styrprinciper"),
                 ("2.3", "Två fall"), ("2.4", "Slutsatser")])
    ch3 = Chapter(3, "Tillit i skolan", ("Karin Ek",),
                  "Karin Ek är lektor i pedagogik vid Göteborgs universitet.", [
        ("h", "Sammanfattning"),
        ("p", "Kapitlet visar hur lärare och rektorer ser på tillit och kontroll i skolan."),
        ("h", "3.1 Lärarnas erfarenheter"),
        ("p", "Lärare upplever att dokumentationen tar tid från undervisningen och att "
              "skolans huvudmän litar mer på mätningar än på lärarnas omdöme.^1"),
        *fill("skolan", 4),
        ("h", "3.2 Rektorernas roll"),
        *fill("rektorerna", 2),
        ("scan", "Rektorsprogrammet lär ut ledarskap som bygger på dialog och förtroende. "
                 "Rektorer som deltagit beskriver färre möten om uppföljning och mer tid "
                 "för pedagogiskt ledarskap i skolorna."),
        *fill("ledarskapet", 3),
        ("h", "3.3 Slutsatser"),
        *fill("slutsatserna", 3),
    ], sections=[("3.1", "Lärarnas erfarenheter"), ("3.2", "Rektorernas roll"),
                 ("3.3", "Slutsatser")])
    ch4 = Chapter(4, "Tillit i vården", ("Eva Lind", "Olof Berg"),
                  "Eva Lind är överläkare i Region Skåne. Olof Berg är docent i "
                  "vårdvetenskap vid Karolinska institutet.", [
        ("h", "Sammanfattning"),
        ("p", "Kapitlet beskriver hur vårdens medarbetare vill vara med och utforma "
              "uppföljningen av sitt eget arbete."),
        ("h", "4.1 Sjuksköterskornas arbetsdag"),
        ("p", "Sjuksköterskor på sjukhus dokumenterar mycket, och administrationen tar "
              "ungefär en tredjedel av arbetstiden.^1"),
        *fill("vården", 4),
        ("h", "4.2 Läkarnas syn"),
        ("p", "Läkarna efterfrågar färre men mer träﬀsäkra indikatorer för kvalitet i "
              "vården."),
        *fill("läkarna", 3),
    ], sections=[("4.1", "Sjuksköterskornas arbetsdag"), ("4.2", "Läkarnas syn")])
    return [ch1, ch2, ch3, ch4]


NOTES = {
    (1, 1): "Se Statskontoret 2016:12 om uppföljningens kostnader.",
    (1, 2): "Antologin ingår i Tillitsdelegationens arbete.",
    (2, 1): "Statskontoret, Styrning i förändring, 2017.",
    (3, 1): "Enkät bland lärare från år 2015.",
    (4, 1): "Intervjuerna genomfördes hösten 2016 i fyra regioner.",
}


class _Writer:
    """Lays the chapters out page by page and records where everything went."""

    def __init__(self, pdf: Any, book: Book, lines_per_page: int, justify: bool,
                 outline: bool) -> None:
        self.pdf, self.book = pdf, book
        self.cap, self.justify, self.outline = lines_per_page, justify, outline
        self.used = 0
        self.y = TOP
        self.chapter: Chapter | None = None
        self.section: str | None = None
        self.notes: list[tuple[int, str]] = []
        self.breaks = 0

    # pages ------------------------------------------------------------------------
    @property
    def printed(self) -> int:
        return int(self.pdf.page_no()) + OFFSET

    def _finish_page(self) -> None:
        if self.notes:
            pdf = self.pdf
            pdf.line(LEFT, 752, LEFT + 140, 752)
            pdf.set_font("DejaVu", "", NOTE)
            yy = 764.0
            for n, text in self.notes:
                pdf.text(LEFT, yy, f"{n} {text}")
                yy += 10.5
        self.notes = []

    def new_page(self, *, opening: bool = False, bare: bool = False) -> None:
        """A page with the running head (or, opening a chapter, only a footer number)."""
        if self.pdf.page_no():
            self._finish_page()
        self.pdf.add_page()
        self.used, self.y = 0, TOP
        if bare:
            return
        n, pdf = self.printed, self.pdf
        pdf.set_font("DejaVu", "", FURN)
        assert self.chapter is not None
        if opening:
            if self.chapter.number != 1:
                label = str(n)
                pdf.text(LEFT + WIDTH / 2 - pdf.get_string_width(label) / 2, 808, label)
        elif n % 2:
            label = f"{SERIES}   {n}"
            pdf.text(LEFT + WIDTH - pdf.get_string_width(label), 52, label)
        else:
            pdf.text(LEFT, 52, f"{n}   {self.chapter.title}")

    def need(self, slots: int) -> None:
        if self.used + slots > self.cap:
            self.new_page()

    # blocks -----------------------------------------------------------------------
    def opening(self, ch: Chapter) -> None:
        if self.printed % 2 == 1:  # chapters open on an odd page: leave a blank page
            self.new_page(bare=True)
        self.chapter, self.section = ch, None
        self.new_page(opening=True)
        ch.first_page = self.printed
        pdf = self.pdf
        if self.outline:
            pdf.start_section(f"{ch.number} {ch.title}", level=0)
        pdf.set_font("DejaVu", "B", 20)
        y = TOP + 20
        for i, line in enumerate(_wrap(pdf, f"{ch.number}   {ch.title}", WIDTH - 40)):
            pdf.text(LEFT + (0 if i == 0 else pdf.get_string_width(f"{ch.number}   ")), y,
                     line)
            y += 25
        pdf.set_font("DejaVu", "", 12)
        y += 10
        pdf.text(LEFT, y, " och ".join(ch.authors))
        y += 18
        pdf.set_font("DejaVu", "I", 9.5)
        for line in _wrap(pdf, ch.affiliation, WIDTH):
            pdf.text(LEFT, y, line)
            y += 12
        self.y = y + 18
        self.used = int((self.y - TOP) / LEAD) + 1

    def heading(self, text: str) -> None:
        self.need(4)
        self.y += 6
        self.pdf.set_font("DejaVu", "B", 11)
        self.pdf.text(LEFT, self.y, text)
        self.y += LEAD + 6
        self.used += 2
        assert self.chapter is not None
        self.section = text.split(" ", 1)[0] if text[0].isdigit() else None

    def para(self, text: str) -> None:
        assert self.chapter is not None
        words = text.split()
        clean = " ".join(w.split("^")[0] for w in words)
        rec = Para(clean, self.chapter.number, self.section)
        self.book.paras.append(rec)
        self.pdf.set_font("DejaVu", "", BODY)
        lines = self._break(words, WIDTH - 14, WIDTH)
        offset = 0
        for i, (line_words, last) in enumerate(lines):
            self.need(1)
            rec.lines.append((offset, self.printed))
            x = LEFT + (14 if i == 0 else 0)
            self._draw(line_words, x, WIDTH - (14 if i == 0 else 0),
                       justify=self.justify and not last)
            offset += sum(len(w.split("^")[0]) + 1 for w in line_words
                          if not w.startswith("\u00b7"))
            self.y += LEAD
            self.used += 1

    def _break(self, words: list[str], first: float, width: float) -> list[tuple[list[str],
                                                                             bool]]:
        """Greedy line breaking; long words at a line end are hyphenated."""
        pdf = self.pdf
        out: list[tuple[list[str], bool]] = []
        cur: list[str] = []
        limit = first
        queue = list(words)
        while queue:
            w = queue.pop(0)
            trial = " ".join(x.split("^")[0] for x in [*cur, w])
            if pdf.get_string_width(trial) <= limit or not cur:
                cur.append(w)
                continue
            if len(w) >= 11 and w.isalpha() and w.islower():
                cut = len(w) // 2
                self.breaks += 1
                mark = "\u00ad" if self.breaks % 3 == 0 else "-"
                head = w[:cut] + mark
                if pdf.get_string_width(" ".join([*cur, head])) <= limit:
                    out.append(([*cur, head], False))
                    cur, limit = ["\u00b7" + w[cut:]], width
                    continue
            out.append((cur, False))
            cur, limit = [w], width
        out.append((cur, True))
        return out

    def _draw(self, words: list[str], x: float, width: float, *, justify: bool) -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", "", BODY)
        shown = [w.lstrip("\u00b7") for w in words]
        plain = [w.split("^")[0] for w in shown]
        space = pdf.get_string_width(" ")
        if justify and len(words) > 1:  # a line with a note reference: word by word
            natural = sum(pdf.get_string_width(w) for w in plain)
            space = (width - natural) / (len(words) - 1)
        if not any("^" in w for w in shown):
            # A justified line as a word processor writes it: stretched with extra
            # space characters (text extraction gives 'Många  medarbetare  i').
            pdf.text(x, self.y, ("  " if justify else " ").join(plain))
            for w in shown:
                if "^" in w:
                    self._note(w)
            return
        for w in shown:
            word, _, mark = w.partition("^")
            # Each word is shown with its space, then moved to its justified place, as
            # typesetting programs do; text extraction then sees two spaces.
            pdf.text(x, self.y, word if mark or w is shown[-1] else word + " ")
            x += pdf.get_string_width(word)
            if mark:
                pdf.set_font("DejaVu", "", 6.5)
                pdf.text(x + 0.3, self.y - 4, mark)
                x += pdf.get_string_width(mark) + 0.3
                pdf.set_font("DejaVu", "", BODY)
                self._note(w)
            x += space

    def _note(self, word: str) -> None:
        assert self.chapter is not None
        n = int(word.partition("^")[2])
        text = NOTES[(self.chapter.number, n)]
        self.notes.append((n, text))
        self.book.notes.append((self.chapter.number, n, text, self.printed, self.section))

    def figure(self, caption: str, labels: list[str], source: str) -> None:
        self.need(7)
        pdf = self.pdf
        self.y += 4
        pdf.set_font("DejaVu", "B", 9.5)
        pdf.text(LEFT, self.y, caption)
        self.book.captions.append((self.printed, caption))
        box_y = self.y + 12
        pdf.set_font("DejaVu", "", 9)
        for i, label in enumerate(labels):
            bx = LEFT + 10 + i * 150
            pdf.rect(bx, box_y, 120, 40)
            pdf.text(bx + 60 - pdf.get_string_width(label) / 2, box_y + 24, label)
        self.y = box_y + 58
        pdf.set_font("DejaVu", "", NOTE)
        pdf.text(LEFT, self.y, source)
        self.book.captions.append((self.printed, source))
        self.y += LEAD + 6
        self.used += 7

    def columns(self, left: str, right: str) -> None:
        """A page in two columns, written line by line across both columns."""
        assert self.chapter is not None
        self.new_page()
        self.book.two_column_page = self.printed
        pdf = self.pdf
        pdf.set_font("DejaVu", "", BODY)
        col = (WIDTH - 25) / 2
        lines = [[" ".join(ws) for ws, _ in self._break(t.split(), col, col)]
                 for t in (left, right)]
        for text in (left, right):
            self.book.paras.append(Para(text, self.chapter.number, self.section,
                                        [(0, self.printed)]))
        for i in range(max(len(lines[0]), len(lines[1]))):
            for c in (0, 1):
                if i < len(lines[c]):
                    pdf.text(LEFT + c * (col + 25), self.y, lines[c][i].replace("\u00b7", ""))
            self.y += LEAD
        self.new_page()

    def scan(self, text: str) -> None:
        """A page that is only a picture of its text (a scanned insert)."""
        from PIL import Image, ImageDraw, ImageFont

        self.new_page(bare=True)
        self.book.scan_page, self.book.scan_text = self.printed, text
        img = Image.new("L", (1240, 1754), 255)
        draw = ImageDraw.Draw(img)
        font = ImageFont.truetype(str(font_dir() / "DejaVuSans.ttf"), 30)
        y = 180
        line = ""
        for word in text.split():
            trial = f"{line} {word}".strip()
            if draw.textlength(trial, font=font) > 1000:
                draw.text((120, y), line, fill=0, font=font)
                y, line = y + 46, word
            else:
                line = trial
        draw.text((120, y), line, fill=0, font=font)
        self.pdf.image(img, x=0, y=0, w=595.28, h=841.89)
        self.new_page()


def _wrap(pdf: Any, text: str, width: float) -> list[str]:
    lines, cur = [], ""
    for word in text.split():
        trial = f"{cur} {word}".strip() if cur else word
        if cur and pdf.get_string_width(trial) > width:
            lines.append(cur)
            cur = word
        else:
            cur = trial
    return [*lines, cur]


def _front_matter(pdf: Any, chapters: list[Chapter], book: Book) -> None:
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 24)
    pdf.text(LEFT, 250, "Styra och leda med tillit")
    pdf.set_font("DejaVu", "", 14)
    pdf.text(LEFT, 280, "Forskning och praktik")
    pdf.text(LEFT, 320, "Betänkande av Tillitsdelegationen")
    pdf.set_font("DejaVu", "", 11)
    pdf.text(LEFT, 700, f"Stockholm 2018   {SERIES}")
    pdf.add_page()
    pdf.set_font("DejaVu", "", 9)
    pdf.text(LEFT, 700, "SOU och Ds kan köpas från Norstedts Juridiks kundservice.")
    pdf.text(LEFT, 712, "Tryckt av Elanders Sverige AB, Stockholm 2018.")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.text(LEFT, TOP + 10, "Innehåll")
    pdf.set_font("DejaVu", "", BODY)
    y = TOP + 50
    entries: list[tuple[str, int | None]] = [("Förord", 14)]
    for ch in chapters:
        lines = _wrap(pdf, f"{ch.number}   {ch.title}", WIDTH - 60)
        entries.extend((ln, None) for ln in lines[:-1])
        entries.append((lines[-1], ch.first_page))
    for text, page in entries:
        pdf.text(LEFT + (0 if text[0].isdigit() or text == "Förord" else 22), y, text)
        if page is not None:
            label = str(page)
            pdf.text(LEFT + WIDTH - pdf.get_string_width(label), y, label)
        y += LEAD + 4
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.text(LEFT, TOP + 10, "Förord")
    pdf.set_font("DejaVu", "", BODY)
    pdf.text(LEFT, TOP + 50, "Tillitsdelegationen överlämnar härmed denna antologi.")
    pdf.text(LEFT, TOP + 64, "Stockholm i maj 2018, Laura Hartman, ordförande.")
    book.front_matter = ["Elanders Sverige", "Tillitsdelegationen överlämnar härmed",
                         "Innehåll", "Betänkande av"]


def make_book(path: Path, *, outline: bool = False, lines_per_page: int = 11,
              scale: int = 1, justify: bool = True,
              chapters: list[Chapter] | None = None) -> Book:
    """Write the book PDF to ``path``; return the facts it was made from."""
    from fpdf import FPDF

    def render(first_pages: list[int]) -> tuple[Any, Book]:
        specs = chapters or chapters_spec(scale)
        for ch, first in zip(specs, first_pages, strict=False):
            ch.first_page = first
        book = Book(chapters=specs)
        pdf = FPDF(format="A4", unit="pt")
        pdf.set_auto_page_break(False)
        for style, name in (("", "DejaVuSans"), ("B", "DejaVuSans-Bold"),
                            ("I", "DejaVuSans-Oblique")):
            pdf.add_font("DejaVu", style, str(font_dir() / f"{name}.ttf"))
        pdf.set_title("untitled")
        pdf.set_author("anonymous")
        pdf.set_creator("Microsoft Word - bok.docx")
        _front_matter(pdf, specs, book)
        w = _Writer(pdf, book, lines_per_page, justify, outline)
        for ch in specs:
            w.opening(ch)
            for kind, value in ch.blocks:
                if kind == "h":
                    w.heading(value)
                elif kind == "p":
                    w.para(value)
                elif kind == "fig":
                    w.figure(*value)
                elif kind == "cols":
                    w.columns(*value)
                elif kind == "scan":
                    w.scan(value)
            ch.last_page = w.printed
        w._finish_page()
        book.pages = int(pdf.page_no())
        return pdf, book

    _, draft = render([0] * 16)
    pdf, book = render([c.first_page for c in draft.chapters])
    pdf.output(str(path))
    return book
