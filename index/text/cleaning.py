"""Clean text extracted from a laid-out book: pages, footnotes, hyphenation, furniture.

Input is a list of raw pages (strings). Output is a ``CleanedDocument`` whose offsets and
page map every later stage relies on.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from index.documents import CleanedDocument, Footnote
from index.text.structure import heading_kind

# A line of many spaces separates the running text from the footnotes at a page's foot.
_FOOTNOTE_SEPARATOR = re.compile(r"^[ \t\u00a0]{20,}$")
_FOOTNOTE_START = re.compile(r"^\s*(\d{1,3})\s+(\S.*)$")
_FURNITURE = [
    re.compile(r"^\s*\d{1,4}\s*$"),  # a bare page number
    re.compile(r"^\s*SOU\s+\d{4}:\d+\s*(\S.{0,60})?$"),  # running header 'SOU 2018:38 Inledning'
    re.compile(r"^\s*(\S.{0,60})?\s+SOU\s+\d{4}:\d+\s*$"),
]
_SENTENCE_END = re.compile(r"[.!?:”\"»)]\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass
class _Line:
    text: str
    page: int
    refs: list[tuple[int, int]]  # (footnote number, position in text) removed from this line


def normalise_text(text: str) -> str:
    """NFC-normalise, turn non-breaking spaces into spaces and drop control characters."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\r\n", "\n")
    return _CONTROL.sub("", text.replace("\r", "\n"))


def _split_footnotes(lines: list[str]) -> tuple[list[str], list[tuple[int, str]]]:
    """Separate a page's running text from the footnotes below its separator line."""
    sep = None
    for i in range(len(lines) - 1, -1, -1):
        if _FOOTNOTE_SEPARATOR.match(lines[i]):
            sep = i
            break
    if sep is None:
        return lines, []
    notes: list[tuple[int, list[str]]] = []
    for line in lines[sep + 1 :]:
        m = _FOOTNOTE_START.match(line)
        if m and (not notes or int(m.group(1)) == notes[-1][0] + 1 or not notes[-1][1]):
            notes.append((int(m.group(1)), [m.group(2)]))
        elif notes and line.strip():
            notes[-1][1].append(line)
        elif not notes and line.strip():
            # Text below a separator that is not a numbered note: keep it as running text.
            return lines, []
    return lines[:sep], [(n, join_lines(parts)) for n, parts in notes]


def _strip_refs(line: str, numbers: set[int]) -> tuple[str, list[tuple[int, int]]]:
    """Remove footnote reference numbers glued to a word ('påtaglig.1 Delvis')."""
    found: list[tuple[int, int]] = []
    for n in sorted(numbers):
        pattern = re.compile(rf"(?<=[^\W\d_]|[.,;)”’\"])(?<!\d\.){n}(?=[\s.,;:)]|$)")
        m = pattern.search(line)
        if m is None:
            # A reference glued to a year: 'i oktober 20175.' is 2017 plus note 5.
            m = re.search(rf"(?<=\b(?:19|20)\d\d){n}(?=[\s.,;:)]|$)", line)
        if m:
            line = line[: m.start()] + line[m.end() :]
            found.append((n, m.start()))
    return line, found


_SUSPENDED_NEXT = {"och", "eller", "samt", "respektive", "resp.", "till", "and", "or"}


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines into one string, re-joining words hyphenated at a line break.

    A hyphen followed by a space at the line end ('mål- ' + 'och'), or followed by a
    conjunction, is a suspended compound and keeps its hyphen and space; a hyphen before
    a capital ('Ivarsson-' + 'Westerberg') is kept without a space.
    """
    out = ""
    suspended = False
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        first_word = line.split(" ", 1)[0].lower()
        if not out:
            out = line
        elif re.search(r"[^\W\d_]-$", out) and not suspended:
            if line[:1].islower() and first_word not in _SUSPENDED_NEXT:
                out = out[:-1] + line
            elif line[:1].isupper():
                out = out + line
            else:
                out = out + " " + line
        else:
            out = out + " " + line
        suspended = bool(re.search(r"-[ \t]+$", raw))
    return out


def clean_pages(pages: list[str], has_pages: bool = True) -> CleanedDocument:
    """Clean raw pages into running text with a page map and footnotes kept aside."""
    lines: list[_Line | None] = []  # None marks a paragraph break
    notes: list[tuple[int, str, int]] = []
    for page_no, raw_page in enumerate(pages, start=1):
        raw_lines = normalise_text(raw_page).split("\n")
        body, page_notes = _split_footnotes(raw_lines)
        numbers = {n for n, _ in page_notes}
        notes.extend((n, t, page_no) for n, t in page_notes)
        body = [row for row in body if not any(p.match(row) for p in _FURNITURE)]
        while body and not body[0].strip():
            body.pop(0)
        while body and not body[-1].strip():
            body.pop()
        if not body:
            continue
        prev = next((ln for ln in reversed(lines) if ln is not None), None)
        if lines and lines[-1] is not None and prev is not None:
            first = body[0].strip()
            if _SENTENCE_END.search(prev.text) and (first[:1].isupper() or first[:1].isdigit()):
                lines.append(None)
            elif (len(lines) < 2 or lines[-2] is None) and heading_kind(prev.text):
                lines.append(None)  # a page that ends with a heading
        for row in body:
            if not row.strip():
                if lines and lines[-1] is not None:
                    lines.append(None)
                continue
            text, refs = _strip_refs(row, numbers) if numbers else (row, [])
            lines.append(_Line(text, page_no, refs))

    paragraphs: list[list[_Line]] = []
    current: list[_Line] = []
    for item in lines:
        if item is None:
            if current:
                paragraphs.append(current)
            current = []
        else:
            current.append(item)
    if current:
        paragraphs.append(current)

    text_parts: list[str] = []
    spans: list[tuple[int, int, int]] = []
    ref_offsets: dict[tuple[int, int], int] = {}
    offset = 0
    for para in paragraphs:
        if text_parts:
            text_parts.append("\n\n")
            offset += 2
        para_text = ""
        prev_suspended = False
        for ln in para:
            stripped = ln.text.strip()
            lead = len(ln.text) - len(ln.text.lstrip())
            before = len(para_text)
            para_text = join_lines([para_text + (" " if prev_suspended else ""), ln.text]) \
                if para_text else stripped
            prev_suspended = bool(re.search(r"-[ \t]+$", ln.text))
            # Where this line's text starts in the paragraph after joining.
            line_start = len(para_text) - len(stripped) if para_text.endswith(stripped) else before
            for n, pos in ln.refs:
                ref_offsets.setdefault((n, ln.page), offset + line_start + max(0, pos - lead))
            _add_span(spans, offset + before, offset + len(para_text), ln.page)
        text_parts.append(para_text)
        offset += len(para_text)
    full = "".join(text_parts)
    body_end = len(full)

    footnotes: list[Footnote] = []
    if notes:
        full += "\n\nFotnoter"
        for n, note_text, page in notes:
            full += "\n\n"
            start = len(full)
            full += f"{n} {note_text}"
            # The reference on the note's own page, else the first one with its number
            # (a book numbers its notes anew in every chapter).
            ref = ref_offsets.get((n, page))
            if ref is None:
                ref = min((v for (k, _), v in ref_offsets.items() if k == n), default=None)
            footnotes.append(Footnote(n, note_text, page, ref, start, len(full)))
            _add_span(spans, start, len(full), page)
    if not has_pages:
        spans = []
    return CleanedDocument(text=full, body_end=body_end, page_spans=spans, footnotes=footnotes)


def _add_span(spans: list[tuple[int, int, int]], start: int, end: int, page: int) -> None:
    if spans and spans[-1][2] == page and spans[-1][1] >= start - 2:
        spans[-1] = (spans[-1][0], max(end, spans[-1][1]), page)
    else:
        spans.append((start, end, page))
