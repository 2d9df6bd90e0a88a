"""Word matching across languages: a glossary of the field's terms.

An English question shares almost no words with the Swedish book, so its lexical (BM25)
ranking is near blind and only the dense one finds passages. The glossary
(``resources/glossary_en_sv.toml``, written by hand from the book's vocabulary) gives the
Swedish words of the English terms a question contains; the retriever adds them to the
question's lexical query.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources

import Stemmer

from index.text.analysis import STOPWORDS, analyze, words

_STEMMERS = {"en": "english", "sv": "swedish"}


@dataclass(frozen=True)
class Glossary:
    """Terms of ``source`` (as tuples of stems, or of words in ``exact``) and their words
    in ``target``."""

    source: str
    target: str
    terms: dict[tuple[str, ...], tuple[str, ...]]
    exact: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)

    @cached_property
    def longest(self) -> int:
        """Words in the longest term (stems or exact)."""
        return max((len(k) for k in (*self.terms, *self.exact)), default=0)

    @cached_property
    def lexical_keys(self) -> dict[str, tuple[str, ...]]:
        """Each ``target`` word's lexical stems, so inflections of one word count once."""
        return {word: tuple(analyze(word))
                for found in (*self.terms.values(), *self.exact.values()) for word in found}

    def translate(self, text: str) -> tuple[str, ...]:
        """The ``target`` words of every term in ``text`` (a phrase and the words in it
        both count), in the order the terms occur, one word per lexical stem.

        A span that matches an ``exact`` term is not looked up by its stems."""
        written = words(text)
        stems = _stem_words(written, self.source)
        longest = self.longest
        out: dict[tuple[str, ...], str] = {}
        for i in range(len(stems)):
            for n in range(min(longest, len(stems) - i), 0, -1):
                found = self.exact.get(tuple(written[i:i + n]))
                if found is None:
                    found = self.terms.get(tuple(stems[i:i + n]), ())
                for word in found:
                    # Inflected forms of one word (välfärd, välfärden) count once in BM25.
                    key = self.lexical_keys[word]
                    if key and key not in out:
                        out[key] = word
        return tuple(out.values())

    def expand(self, query: str, language: str, collection_language: str) -> str:
        """``query`` followed by the words of its terms, when it is in this glossary's
        source language and the collection in its target language; else ``query``."""
        if (language, collection_language) != (self.source, self.target):
            return query
        added = self.translate(query)
        return f"{query} {' '.join(added)}" if added else query


@lru_cache(maxsize=2)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMERS[language])


def _stem_words(written: list[str], language: str) -> list[str]:
    return [str(s) for s in _stemmer(language).stemWords(written)]


def _stems(text: str, language: str) -> list[str]:
    return _stem_words(words(text), language)


def _target_words(term: str, found: object) -> tuple[str, ...]:
    if not isinstance(found, list) or not all(isinstance(w, str) for w in found):
        raise ValueError(f"glossary term {term!r}: expected a list of words")
    return tuple(dict.fromkeys(found))


def parse_glossary(text: str, source: str, target: str) -> Glossary:
    """A glossary from TOML text: a ``[terms]`` table (term = [words]) matched on stems,
    and an optional ``[exact]`` one matched on the words as written.

    Raises ValueError for a malformed entry, two terms with the same stems (they would
    merge silently), and a one-word term that the lexical analyser drops as a stop word."""
    data = tomllib.loads(text)
    terms: dict[tuple[str, ...], tuple[str, ...]] = {}
    named: dict[tuple[str, ...], str] = {}
    for term, found in data.get("terms", {}).items():
        values = _target_words(term, found)
        key = tuple(_stems(term, source))
        if not key:
            continue
        if key in named:
            raise ValueError(f"glossary terms {named[key]!r} and {term!r} have the same "
                             f"stems {' '.join(key)!r}; merge them, or list one in [exact]")
        if len(key) == 1 and term.lower() in STOPWORDS:
            raise ValueError(f"glossary term {term!r} is a stop word of the lexical analyser")
        terms[key], named[key] = values, term
    exact = {tuple(words(term)): _target_words(term, found)
             for term, found in data.get("exact", {}).items()}
    return Glossary(source, target, terms, {k: v for k, v in exact.items() if k})


@lru_cache(maxsize=4)
def load_glossary(source: str = "en", target: str = "sv") -> Glossary | None:
    """The shipped glossary from ``source`` to ``target`` (None when there is none)."""
    res = resources.files("assistant") / "resources" / f"glossary_{source}_{target}.toml"
    if not res.is_file():
        return None
    return parse_glossary(res.read_text(encoding="utf-8"), source, target)
