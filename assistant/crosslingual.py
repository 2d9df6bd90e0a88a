"""Word matching across languages: a glossary of the field's terms.

An English question shares almost no words with the Swedish book, so its lexical (BM25)
ranking is near blind and only the dense one finds passages. The glossary
(``resources/glossary_en_sv.toml``, written by hand from the book's vocabulary) gives the
Swedish words of the English terms a question contains; the retriever adds them to the
question's lexical query.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import Stemmer

_WORD = re.compile(r"\w+", re.UNICODE)
_STEMMERS = {"en": "english", "sv": "swedish"}


@dataclass(frozen=True)
class Glossary:
    """Terms of ``source`` (as tuples of stems) and their words in ``target``."""

    source: str
    target: str
    terms: dict[tuple[str, ...], tuple[str, ...]]

    def translate(self, text: str) -> tuple[str, ...]:
        """The ``target`` words of every term in ``text`` (a phrase and the words in it
        both count), in the order the terms occur, without repeats."""
        stems = _stems(text, self.source)
        longest = _longest(self.terms)
        out: dict[str, None] = {}
        for i in range(len(stems)):
            for n in range(min(longest, len(stems) - i), 0, -1):
                for word in self.terms.get(tuple(stems[i:i + n]), ()):
                    out[word] = None
        return tuple(out)

    def expand(self, query: str, language: str, collection_language: str) -> str:
        """``query`` followed by the words of its terms, when it is in this glossary's
        source language and the collection in its target language; else ``query``."""
        if (language, collection_language) != (self.source, self.target):
            return query
        words = self.translate(query)
        return f"{query} {' '.join(words)}" if words else query


def _longest(terms: dict[tuple[str, ...], tuple[str, ...]]) -> int:
    return max((len(k) for k in terms), default=0)


@lru_cache(maxsize=2)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMERS[language])


def _stems(text: str, language: str) -> list[str]:
    words = _WORD.findall(text.lower())
    return [str(s) for s in _stemmer(language).stemWords(words)]


def parse_glossary(text: str, source: str, target: str) -> Glossary:
    """A glossary from TOML text with a ``[terms]`` table (term = [words])."""
    table = tomllib.loads(text).get("terms", {})
    terms: dict[tuple[str, ...], tuple[str, ...]] = {}
    for term, words in table.items():
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise ValueError(f"glossary term {term!r}: expected a list of words")
        key = tuple(_stems(term, source))
        if key:
            terms[key] = tuple(dict.fromkeys([*terms.get(key, ()), *words]))
    return Glossary(source, target, terms)


@lru_cache(maxsize=4)
def load_glossary(source: str = "en", target: str = "sv") -> Glossary | None:
    """The shipped glossary from ``source`` to ``target`` (None when there is none)."""
    res = resources.files("assistant") / "resources" / f"glossary_{source}_{target}.toml"
    if not res.is_file():
        return None
    return parse_glossary(res.read_text(encoding="utf-8"), source, target)
