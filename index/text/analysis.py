"""Lexical analysis shared by BM25 and the answer composer: Swedish Snowball stems."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_SWEDISH

_TOKEN = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(STOPWORDS_SWEDISH) | frozenset(STOPWORDS_EN) | {
    "vad", "vem", "vilka", "vilken", "vilket", "hur", "varför", "när", "var", "enligt",
    "menas", "betyder", "what", "who", "which", "how", "why", "when", "where", "according",
    "does", "mean", "antologin", "anthology", "boken", "book", "säger",
    "say", "says", "står", "finns", "tell", "berätta", "om", "about", "many", "much", "många",
}


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("swedish")


def words(text: str) -> list[str]:
    """The lower-cased words (``\\w+`` runs) of ``text``, as the lexical analysis splits it."""
    return _TOKEN.findall(text.lower())


def analyze(text: str) -> list[str]:
    """Lower-cased, stop-word-free Snowball (Swedish) stems of ``text``."""
    kept = [
        w for w in words(text)
        if w not in STOPWORDS and (len(w) > 1 or w.isdigit())
    ]
    return [str(s) for s in _stemmer().stemWords(kept)]
