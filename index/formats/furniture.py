"""Running headers and footers: lines that recur at the top or bottom of many pages.

A laid-out book repeats its title, the chapter title, the series ('SOU 2018:38') and the
page number on every page or every other page. Such lines are found by counting, over
all pages, the first and last lines of each page with digits masked (so '12 Styra och
leda med tillit' and '13 Styra och leda med tillit' count as one line).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Sequence

_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
# Lines that are never furniture, however often they recur: headings of the text itself.
_HEADING = re.compile(r"^(?:kapitel|chapter)\s+#|^#(?:\.#){1,3}\.?\s+\S", re.IGNORECASE)


def furniture_key(line: str) -> str:
    """A line with digits masked and whitespace collapsed, lower-cased."""
    return _SPACE.sub(" ", _DIGITS.sub("#", line)).strip().lower()


def min_repeats(pages: int) -> int:
    """How many pages a line must recur on to count as running furniture.

    Two for short documents, three from six pages on: a chapter title printed on every
    other page of a short chapter still qualifies, a sentence that happens to open two
    pages does not.
    """
    return 2 if pages < 6 else 3


def running_keys(
    candidates: Sequence[Sequence[Hashable]], need: int | None = None
) -> set[Hashable]:
    """Keys that occur on enough pages; ``candidates`` holds each page's edge-line keys.

    ``need`` defaults to ``min_repeats`` of the page count.
    """
    n = len(candidates)
    if n < 2:
        return set()
    counts: Counter[Hashable] = Counter()
    for keys in candidates:
        counts.update(set(keys))
    need = need or min_repeats(n)
    return {k for k, c in counts.items() if c >= need}


def is_heading_key(key: str) -> bool:
    """True for a masked line that looks like a chapter or numbered section heading."""
    return bool(_HEADING.search(key))


def edge_lines(lines: Sequence[str], edge: int = 1) -> list[int]:
    """Indexes of the first and last ``edge`` non-blank lines of a page."""
    filled = [i for i, ln in enumerate(lines) if ln.strip()]
    return sorted(set(filled[:edge] + filled[-edge:]))


def strip_running_lines(pages: list[str], edge: int = 1) -> list[str]:
    """Drop recurring header/footer lines from plain-text pages (no layout known)."""
    split = [p.split("\n") for p in pages]
    cands = [
        [k for i in edge_lines(lines, edge) if not is_heading_key(k := furniture_key(lines[i]))]
        for lines in split
    ]
    running = running_keys(cands)
    if not running:
        return pages
    out = []
    for lines in split:
        drop = {i for i in edge_lines(lines, edge) if furniture_key(lines[i]) in running}
        out.append("\n".join(ln for i, ln in enumerate(lines) if i not in drop))
    return out
