"""Pages set in two columns, read column by column.

A PDF may write a two-column page line by line across both columns, so its text comes
out with the columns interleaved. A page is taken as two-column when at least three of
its lines carry text that starts near the middle of the page after text at the left
margin; its lines are then cut at the gutter and the left column is read before the right.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

MIN_ROWS = 3


def _filled(line: Any) -> list[tuple[float, str]]:
    return [(x, t) for x, t in line.parts if t.strip()]


def gutter(lines: list[Any], width: float) -> float | None:
    """Where the right column starts, or None for a page in one column.

    The right column is left-aligned: many lines have text starting at the same place
    near the middle, after text at the left margin. Word starts of a justified line in
    one column fall anywhere and do not line up."""
    lo, hi = width * 0.40, width * 0.62
    starts: Counter[int] = Counter()
    rows = 0
    for ln in lines:
        parts = _filled(ln)
        if len(parts) >= 2 and parts[0][0] < lo:
            rows += 1
            starts.update({round(x) for x, _ in parts[1:] if lo <= x <= hi})
    if not starts:
        return None
    x, count = starts.most_common(1)[0]
    return x - 1.0 if count >= MIN_ROWS and count >= rows * 0.6 else None


def read_columns(lines: list[Any], width: float) -> list[Any]:
    """The page's lines in reading order: the left column, then the right."""
    cut = gutter(lines, width)
    if cut is None:
        return lines
    left, right = [], []
    for ln in lines:
        parts = _filled(ln)
        lpart = [(x, t) for x, t in parts if x < cut]
        rpart = [(x, t) for x, t in parts if x >= cut]
        if lpart:
            left.append(replace(ln, text="".join(t for _, t in lpart).strip(), parts=lpart,
                                x=lpart[0][0]))
        if rpart:
            right.append(replace(ln, text="".join(t for _, t in rpart).strip(), parts=rpart,
                                 x=rpart[0][0] - cut + (lpart[0][0] if lpart else 0.0)))
    return left + right
