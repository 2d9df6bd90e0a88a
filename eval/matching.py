"""Text matching for evaluation: case-insensitive, whitespace folded, hyphenation re-joined."""

from __future__ import annotations

import re

_HYPHEN_BREAK = re.compile(r"([^\W\d_])-[ \t]*\n[ \t]*([a-zåäöéü])")


def normalise(text: str) -> str:
    """Lower-case ``text``, re-join words hyphenated at line breaks and fold whitespace."""
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    text = text.replace("\u00a0", " ").replace("”", '"').replace("“", '"').replace("’", "'")
    return re.sub(r"\s+", " ", text).strip().lower()


def contains_any(text: str, phrases: list[str]) -> bool:
    """Does ``text`` contain at least one of ``phrases``?"""
    t = normalise(text)
    return any(normalise(p) in t for p in phrases)


def all_groups_match(text: str, groups: list[list[str]]) -> bool:
    """Does every group have at least one alternative in ``text``?"""
    return all(contains_any(text, g) for g in groups)
