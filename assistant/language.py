"""Which language a question is in: Swedish or English, anything else is refused."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from assistant.errors import UnsupportedLanguage

SUPPORTED = ("sv", "en")
_SV_WORDS = re.compile(r"\b(och|är|vad|vem|hur|vilk\w*|varför|som|det|inte|med|på|att)\b", re.I)
_SV_HINTS = re.compile(r"[åÅ]|" + _SV_WORDS.pattern, re.I)
_EN_ONLY = r"the|what|who|how|which|why|are|does|of|and"
_EN_WORDS = re.compile(rf"\b({_EN_ONLY})\b", re.I)
_EN_HINTS = re.compile(rf"\b({_EN_ONLY}|is|in)\b", re.I)
# The detector's margin (Swedish vs English confidence) below which a question's function
# words decide, when they are all of one language. Words both languages write ('in', 'is')
# and names' letters decide nothing.
HINTS_DECIDE_BELOW = 0.5
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def looks_swedish(text: str) -> bool:
    """A quick guess without the detector, for the language of a message about a text that
    could not be answered (too long, empty, refused): Swedish letters or common words."""
    return bool(re.search(r"[äöÄÖ]", text) or _SV_HINTS.search(text))


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    langs = [
        Language.SWEDISH, Language.ENGLISH, Language.DANISH, Language.BOKMAL,
        Language.NYNORSK, Language.GERMAN, Language.FRENCH, Language.SPANISH,
        Language.FINNISH, Language.ITALIAN, Language.DUTCH, Language.POLISH,
        Language.PORTUGUESE, Language.RUSSIAN, Language.ARABIC, Language.SOMALI,
        Language.TURKISH, Language.PERSIAN, Language.CHINESE, Language.ICELANDIC,
    ]
    return LanguageDetectorBuilder.from_languages(*langs).build()


def detect_language(text: str, hint: str | None = None) -> str:
    """Return "sv" or "en" for ``text``; raise ``UnsupportedLanguage`` for other languages.

    ``hint`` ("sv"/"en") wins when given. Short or mixed texts fall back to whichever of
    Swedish and English scores higher, since names and numbers say little.
    """
    if hint:
        if hint not in SUPPORTED:
            raise UnsupportedLanguage(
                f"Language '{hint}' is not supported; use 'sv' or 'en'.",
                f"Språket '{hint}' stöds inte; använd 'sv' eller 'en'.",
            )
        return hint
    text = _SURROGATES.sub(" ", text)  # lone surrogates (bad JSON escapes) are not text
    words = re.findall(r"\w+", text)
    values = {
        c.language.iso_code_639_1.name.lower(): c.value
        for c in _detector().compute_language_confidence_values(text)
    }
    sv, en = values.get("sv", 0.0), values.get("en", 0.0)
    top = max(values, key=lambda k: values[k]) if values else "sv"
    non_latin = re.search(r"[^\W\d_]", text) and not re.search(r"[A-Za-zÅÄÖåäöéü]", text)
    hints = len(_SV_WORDS.findall(text)) + len(_EN_HINTS.findall(text))
    if non_latin or (top not in SUPPORTED and values[top] > 0.6 and len(words) >= 4
                     and hints < 2):
        raise UnsupportedLanguage(
            "Please ask in Swedish or English. / Ställ frågan på svenska eller engelska.",
            "Ställ frågan på svenska eller engelska. / Please ask in Swedish or English.",
        )
    if abs(sv - en) < 0.05:
        return "en" if len(_EN_HINTS.findall(text)) > len(_SV_HINTS.findall(text)) else "sv"
    # Names ('New Public Management') mislead the detector; function words do not: when
    # only one language's words are there, they decide unless the detector is sure.
    sv_words, en_words = bool(_SV_WORDS.search(text)), bool(_EN_WORDS.search(text))
    if sv_words != en_words and abs(sv - en) < HINTS_DECIDE_BELOW:
        return "sv" if sv_words else "en"
    return "sv" if sv >= en else "en"


def collection_language(texts: list[str], sample: int = 25) -> str:
    """The language most of ``texts`` (a collection's passages) are written in: "sv" or "en".

    Texts in other languages count for neither; an empty collection is taken as Swedish.
    """
    votes = {"sv": 0, "en": 0}
    step = max(1, len(texts) // sample)
    for text in texts[::step][:sample]:
        try:
            votes[detect_language(text[:600])] += 1
        except UnsupportedLanguage:
            continue
    return "en" if votes["en"] > votes["sv"] else "sv"
