"""Text for PDF pages that are only images (scanned pages), by Tesseract OCR.

Tesseract is used when its command-line program is installed; on Debian/Ubuntu:

    apt-get install tesseract-ocr tesseract-ocr-swe

Without it a page without text is reported by number with that hint, and indexing goes on.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from typing import Any

INSTALL_HINT = "install tesseract-ocr and tesseract-ocr-swe (apt-get) to OCR it"
INSTALL_HINT_SV = "installera tesseract-ocr och tesseract-ocr-swe (apt-get) för att tolka den"
LANGUAGES = "swe+eng"
TIMEOUT_S = 120


def tesseract() -> str | None:
    """The path of the ``tesseract`` program, or None when it is not installed."""
    return shutil.which("tesseract")


def has_images(page: Any) -> bool:
    """True if the page shows at least one image."""
    try:
        return bool(page.images)
    except Exception:  # a malformed image dictionary: treat as none
        return False


def ocr_page(page: Any, program: str) -> str:
    """The text of the page's largest image, read by Tesseract (Swedish and English)."""
    images = list(page.images)
    if not images:
        return ""
    best = max(images, key=lambda im: im.image.width * im.image.height)
    buf = io.BytesIO()
    best.image.convert("L").save(buf, format="PNG")
    done = subprocess.run(
        [program, "-", "-", "-l", LANGUAGES], input=buf.getvalue(), capture_output=True,
        timeout=TIMEOUT_S, check=False,
    )
    if done.returncode != 0:
        return ""
    return done.stdout.decode("utf-8", "replace")
