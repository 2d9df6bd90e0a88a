"""Character-level repairs of text taken from a PDF: ligatures, soft hyphens, spacing."""

from __future__ import annotations

import re

LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
             "\ufb05": "st", "\ufb06": "st"}
_LIGATURE = re.compile("[" + "".join(LIGATURES) + "]")
# Runs of spaces between words: a justified line's stretched spacing.
_WIDE = re.compile(r"(?<=\S)[ \t\u00a0\u2002-\u200a]{2,}(?=\S)")


def fix_line(text: str) -> str:
    """One printed line made plain: ligatures spelt out, a soft hyphen at the end
    turned into a hyphen (so the word is re-joined), others removed, wide spaces
    between words collapsed to one."""
    text = _LIGATURE.sub(lambda m: LIGATURES[m.group(0)], text)
    body = text.rstrip()
    if body.endswith("\u00ad"):
        text = body[:-1].replace("\u00ad", "") + "-"
    else:
        text = text.replace("\u00ad", "")
    return _WIDE.sub(" ", text)
