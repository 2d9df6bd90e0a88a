"""Find the chapter and section structure of cleaned running text."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,3})\.?\s+([A-ZÅÄÖÉÜ].{0,140})$")
_CHAPTER = re.compile(r"^(?:Kapitel|Chapter)\s+(\d{1,2})\b[\s.:–-]*(.*)$", re.IGNORECASE)
_MARKDOWN = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
UNNUMBERED_HEADINGS = frozenset(
    {"sammanfattning", "summary", "abstract", "referenser", "references", "litteratur",
     "källor", "litteraturförteckning", "fotnoter", "noter", "notes"}
)


@dataclass(frozen=True)
class Section:
    """A run of text under one heading; offsets index the cleaned text (heading excluded)."""

    number: str | None
    title: str
    start: int
    end: int
    chapter: int | None
    chapter_title: str


def _heading(paragraph: str) -> tuple[str, str | None, str] | None:
    """Classify a paragraph as a heading: (kind, number, title), or None for running text."""
    text = paragraph.strip()
    if not text or "\n" in text or len(text) > 150:
        return None
    md = _MARKDOWN.match(text)
    if md:
        level, title = len(md.group(1)), md.group(2).strip()
        inner = _heading(title)
        if inner and inner[0] in {"section", "chapter"}:
            return inner
        return ("chapter" if level == 1 else "section", None, title)
    m = _CHAPTER.match(text)
    if m:
        return ("chapter", m.group(1), m.group(2).strip())
    m = _NUMBERED.match(text)
    if m and not text.endswith((".", ",", ";")):
        return ("section", m.group(1), m.group(2).strip())
    if text.lower().rstrip(":") in UNNUMBERED_HEADINGS:
        return ("section", None, text.rstrip(":"))
    return None


def heading_kind(line: str) -> str | None:
    """'chapter' or 'section' when one line of text reads as a heading, else None."""
    kind = _heading(line)
    return kind[0] if kind else None


def find_sections(
    text: str, body_end: int, chapter: int | None, chapter_title: str
) -> list[Section]:
    """Split ``text[:body_end]`` into sections at recognised headings.

    The first paragraph is taken as the chapter title when it equals ``chapter_title`` (or
    no title is known); text before the first heading forms a section with no number.
    """
    sections: list[Section] = []
    cur_number: str | None = None
    cur_title = ""
    cur_start = 0
    first = True
    for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text[:body_end]):
        para = m.group(0)
        kind = _heading(para)
        line = para.strip()
        looks_like_title = len(line) < 100 and not line.endswith((".", "!", "?", ":", ","))
        is_title = first and (
            line.lower() == chapter_title.lower() if chapter_title
            else looks_like_title and m.end() < body_end
        )
        first = False
        if is_title and (kind is None or kind[0] == "chapter"):
            if kind and kind[1]:
                chapter = int(kind[1])
            if not chapter_title:
                chapter_title = kind[2] if kind else para.strip()
            cur_start = m.end()
            continue
        if kind is None:
            continue
        if text[cur_start : m.start()].strip():
            sections.append(
                Section(cur_number, cur_title, cur_start, m.start(), chapter, chapter_title)
            )
        if kind[0] == "chapter":
            if kind[1]:
                chapter = int(kind[1])
            chapter_title = kind[2]
            cur_number, cur_title = None, ""
        else:
            cur_number, cur_title = kind[1], kind[2]
        cur_start = m.end()
    if text[cur_start:body_end].strip():
        sections.append(Section(cur_number, cur_title, cur_start, body_end, chapter, chapter_title))
    return sections


def section_at(sections: list[Section], offset: int) -> Section | None:
    """The section holding ``offset``, if any."""
    for s in sections:
        if s.start <= offset < s.end:
            return s
    return sections[-1] if sections and offset >= sections[-1].end else None
