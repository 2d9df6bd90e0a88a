"""The HTML shell of Tillit's own server-rendered pages (reader view, insights)."""

from __future__ import annotations

import html

DESCRIPTION = {
    "sv": "Frågor och svar om antologin Styra och leda med tillit (SOU 2018:38), med "
    "citerade stycken, kapitel och sida.",
    "en": "Questions and answers about the anthology Styra och leda med tillit "
    "(SOU 2018:38), quoting the passages with chapter and page.",
}


SKIP = {"sv": "Till innehållet", "en": "Skip to content"}


def social_meta(title: str, lang: str) -> str:
    """Open Graph and Twitter meta tags naming Tillit (no image, no outside host)."""
    t, d = html.escape(title), html.escape(DESCRIPTION.get(lang, DESCRIPTION["sv"]))
    locale = "sv_SE" if lang == "sv" else "en_GB"
    return (f'<meta name="description" content="{d}">'
            f'<meta property="og:type" content="website">'
            f'<meta property="og:site_name" content="Tillit">'
            f'<meta property="og:title" content="{t}">'
            f'<meta property="og:description" content="{d}">'
            f'<meta property="og:locale" content="{locale}">'
            f'<meta name="twitter:card" content="summary">'
            f'<meta name="twitter:title" content="{t}">'
            f'<meta name="twitter:description" content="{d}">')


def page(title: str, lang: str, body: str, root: str = "", script: str = "") -> str:
    """A complete page: ``root`` is the relative path back to the app's root ("../" from
    /read/…); ``script`` a file under /tillit-static/ to load."""
    t = html.escape(title)
    js = (f'<script src="{root}tillit-static/{html.escape(script)}" defer></script>'
          if script else "")
    return (f'<!doctype html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{t}</title>{social_meta(title, lang)}"
            f'<link rel="icon" href="{root}tillit-static/favicon.svg" type="image/svg+xml">'
            f'<link rel="stylesheet" href="{root}tillit-static/pages.css">{js}</head>'
            f'<body><a class="skip" href="#main">{SKIP.get(lang, SKIP["sv"])}</a>'
            f"{body}</body></html>")
