"""Printed page numbers: the sequence in a book's running heads and footers.

A printed book numbers its pages in the header or footer: ``SOU 2018:38   25`` on one
side, ``26   <chapter title>`` on the other, a bare ``24`` under a chapter's opening page,
none on the front matter. For every page the numbers at the start or end of its first and
last line are candidates (a chapter label such as ``Kapitel 2`` in a running head is not a
page number, nor is a section number such as ``3.1``); each votes for an offset (printed
minus physical page). Offsets that enough pages agree on are the book's numbering. Of
their candidates, the rising sequence over the whole file with the most votes behind it
is kept, so a stray number (a chapter number in a title, a year closing the last line of
a page) cannot break into the sequence of an excerpt's pages 41–44. A page without a
number of its own (an opening page, a blank page, a scanned insert) takes the offset of
the page before it. The lines that carried the number are running furniture and are
removed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

_LEADING = re.compile(r"^(\d{1,4})(?:\s|$)")
_TRAILING = re.compile(r"(?:^|\s)(\d{1,4})$")
# A chapter label in a running head ('Styra och leda med tillit   Kapitel 2').
_CHAPTER_LABEL = re.compile(r"\b(?:kapitel|chapter|kap\.|ch\.)\s*\d{1,2}\b", re.IGNORECASE)


class _Line(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def size(self) -> float | None: ...


def _left_to_right(ln: _Line) -> str:
    """The line's runs in their order on the page, spaced: a number drawn before the
    running head to its left ('41' + 'Styra och leda …' read as '41Styra och leda …')
    stands apart."""
    parts = getattr(ln, "parts", None)
    if not parts:
        return ln.text
    return " ".join(t.strip() for _, t in sorted(parts, key=lambda part: part[0])
                    if t.strip())


def _candidates(lines: Sequence[_Line], body: float | None) -> list[tuple[int, int]]:
    """(line index, number) for numbers opening or closing the page's first or last line."""
    filled = [i for i, ln in enumerate(lines) if ln.text.strip()]
    out: list[tuple[int, int]] = []
    for i in sorted({*filled[:1], *filled[-1:]}):
        ln = lines[i]
        if body is not None and ln.size is not None and ln.size > body * 1.05:
            continue  # a chapter title in large type, not a page number
        text = _CHAPTER_LABEL.sub(" ", _left_to_right(ln)).strip()
        for pattern in (_LEADING, _TRAILING):
            m = pattern.search(text)
            if m:
                out.append((i, int(m.group(1))))
    return out


def detect_printed_pages(
    pages: Sequence[Sequence[_Line]], body: float | None
) -> tuple[list[int | None], list[int | None]]:
    """The printed number of every page (None where the book has none) and, per page,
    the index of the line that printed it (None if the page shows no number)."""
    n = len(pages)
    cands = [_candidates(lines, body) for lines in pages]
    votes: Counter[int] = Counter()
    for p, found in enumerate(cands, start=1):
        votes.update({num - p for _, num in found})
    need = max(2, min(5, n // 5))
    accepted = {off for off, c in votes.items() if c >= need}
    confirmed = _rising(cands, votes, accepted)
    if not confirmed:
        return [None] * n, [None] * n
    first = min(confirmed)
    offset = confirmed[first][0]
    numbers: list[int | None] = []
    lines_at: list[int | None] = []
    for p in range(1, n + 1):
        if p in confirmed:
            offset = confirmed[p][0]
        numbers.append(p + offset if p + offset >= 1 else None)
        lines_at.append(confirmed[p][1] if p in confirmed else None)
    return numbers, lines_at


def _rising(cands: list[list[tuple[int, int]]], votes: Counter[int], accepted: set[int]
            ) -> dict[int, tuple[int, int]]:
    """Page → (offset, line index): at most one number per page, the numbers rising with
    the pages, chosen so that the votes behind the chosen offsets add up to the most."""
    items: list[tuple[int, int, int, int]] = []  # (page, number, offset, line index)
    for p, found in enumerate(cands, start=1):
        best: dict[int, tuple[int, int, int, int]] = {}
        for idx, num in found:
            if num - p in accepted and num not in best:
                best[num] = (p, num, num - p, idx)
        items.extend(best.values())
    if not items:
        return {}
    score = [0] * len(items)
    back = [-1] * len(items)
    for k, (p, num, off, _) in enumerate(items):
        score[k] = votes[off]
        for j in range(k - 1, -1, -1):
            pj, numj, _, _ = items[j]
            if pj < p and numj < num and score[j] + votes[off] > score[k]:
                score[k], back[k] = score[j] + votes[off], j
    k = max(range(len(items)), key=lambda i: (score[i], -i))
    out: dict[int, tuple[int, int]] = {}
    while k >= 0:
        p, _, off, idx = items[k]
        out[p] = (off, idx)
        k = back[k]
    return out
