"""The line of a PDF page as the loader reads it, shared by the loader and the book's
structure."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PdfLine:
    """One line of a page with where and how it is printed (PDF points, y upwards)."""

    text: str
    x: float | None = None
    y: float | None = None
    size: float | None = None
    bold: bool = False
    italic: bool = False
    parts: list[tuple[float, str]] = field(default_factory=list)  # (x, text) of its runs
