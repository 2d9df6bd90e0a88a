"""Sentence splitting for Swedish and English running text, with offsets."""

from __future__ import annotations

import re

# Abbreviations after which a period does not end a sentence.
_ABBREVIATIONS = {
    "t.ex", "ex", "s", "dvs", "bl.a", "m.fl", "osv", "ca", "kap", "nr", "jfr", "resp", "d.v.s",
    "t.o.m", "f.d", "e.g", "i.e", "etc", "vs", "p", "pp", "ch", "dr", "prof", "mm", "m.m", "el",
    "fig", "tab", "uppl", "red", "eds", "ed", "st", "sek", "kr", "mr", "mrs", "ms", "jr", "al",
}
_BOUNDARY = re.compile(r"(?<=[.!?…])[”\"’)]*\s+(?=[\"”“'(\[]?[A-ZÅÄÖÉÜ0-9–-])")
MIN_SENTENCE_CHARS = 20
_POINTS_BACK = re.compile(
    r"^[”“\"'(]*(?:De|Dessa|Detta|Denna|Den|Det|Dess|Deras|Han|Hon|Hen|Hans|Hennes|Där|Därmed"
    r"|Här|Då|Så|Även|Också|Sådana|Samma|I (?:den|det|denna|detta|dessa)"
    r"|They|These|This|That|Those|Their|He|She|His|Her|It|Its|There|Such"
    r"|In (?:this|that|these|those|it))\b")


def points_back(sentence: str) -> bool:
    """Does ``sentence`` open with a word that points back to the one before ("Den visar
    att …", "I denna kommun …", "They …"), so that it cannot be read alone?"""
    return bool(_POINTS_BACK.match(sentence.lstrip()))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences in ``text``; short fragments join a neighbour.

    Paragraph breaks always end a sentence.
    """
    spans: list[tuple[int, int]] = []
    offset = 0
    for para in re.split(r"(\n\s*\n)", text):
        if para.strip() and not para.isspace():
            lead = len(para) - len(para.lstrip())
            spans.extend((offset + lead + s, offset + lead + e) for s, e in _split(para.strip()))
        offset += len(para)
    return spans


def _split(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        before = text[start : m.start()]
        if before.count("(") > before.count(")"):
            continue  # inside a parenthesis: '(se bl.a. Power 1997. Han …)'
        last_word = re.search(r"([\w.]+)\.?[”\"’)]*$", before)
        if last_word and last_word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
            continue
        if last_word and re.fullmatch(r"[A-ZÅÄÖ]", last_word.group(1)):
            continue  # an initial such as 'Paul S. Adler'
        spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text.rstrip())))
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if e <= s:
            continue
        short = e - s < MIN_SENTENCE_CHARS
        if merged and (short or merged[-1][1] - merged[-1][0] < MIN_SENTENCE_CHARS):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged
