"""Small fakes for unit tests of the answer pipeline's stages, without the real index.

``memory_index`` builds an in-memory stand-in for ``ServedIndex`` over a few passages: real
BM25 (``LexicalIndex``) and sentence splitting, vectors from the discriminating
``HashingEmbedder`` (texts that share words are closer), and a vector "store" that ranks by
cosine. It has what the stages read: ``chunks``, ``position``, ``lexical``, ``store.search``,
``vectors_at``, ``sentences_of``, ``chunk`` and ``info``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.store.lexical import LexicalIndex
from index.text.chunking import Chunk
from index.text.sentences import split_sentences
from tests.fakes import HashingEmbedder


class WordReader:
    """A fake reader: P(answers) ``hit`` for a candidate holding ``word``, ``miss`` for any
    other (so it tells candidates apart by their content, not by their place)."""

    def __init__(self, word: str, hit: float = 0.9, miss: float = 0.1) -> None:
        self.word, self.hit, self.miss = word, hit, miss

    def score(self, question: str, candidates: Sequence[str]) -> np.ndarray:
        return np.array([self.hit if self.word in c else self.miss for c in candidates],
                        np.float32)


def chunk(i: int, text: str, *, doc: str = "d1", chapter: int | None = 1,
          section: str | None = None, section_title: str = "", page: int | None = 5,
          kind: str = "text") -> Chunk:
    """A passage of chapter ``chapter`` (section 1.``i`` unless given)."""
    return Chunk(f"c{i}", doc, text, chapter, "Inledning", section or f"1.{i}",
                 section_title or f"Avsnitt {i}", "Louise Bringselius", "01.txt", kind,
                 0, len(text), page, page, True, len(text.split()))


class _Store:
    def __init__(self, ids: list[str], vectors: np.ndarray) -> None:
        self.ids, self.vectors = ids, vectors

    def search(self, query_vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        sims = self.vectors @ query_vector
        order = np.argsort(-sims, kind="stable")[:k]
        return [(self.ids[i], float(sims[i])) for i in order]


@dataclass
class MemoryIndex:
    """The parts of ``ServedIndex`` the answer pipeline reads, in memory."""

    chunks: list[Chunk]
    embedder: HashingEmbedder
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        texts = [c.text for c in self.chunks]
        self.position = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self.lexical = LexicalIndex(texts)
        self.passage_vectors = np.asarray(self.embedder.embed_passages(texts), np.float32)
        self.store = _Store([c.chunk_id for c in self.chunks], self.passage_vectors)
        self._sentences: dict[str, list[tuple[int, int, np.ndarray]]] = {}
        for c in self.chunks:
            spans = split_sentences(c.text)
            vecs = np.asarray(self.embedder.embed_passages(
                [c.text[s:e] for s, e in spans]), np.float32) if spans else []
            self._sentences[c.chunk_id] = [(s, e, v) for (s, e), v in zip(spans, vecs,
                                                                           strict=True)]
        self.info = self.info or {
            "build_id": "test", "created_at": "", "embedder_id": self.embedder.id,
            "chunk_count": len(self.chunks), "token_count": 0,
            "documents": {c.doc_id: {"chapter": c.chapter, "title": c.chapter_title}
                          for c in self.chunks}}

    def sentences_of(self, chunk_id: str) -> list[tuple[int, int, np.ndarray]]:
        """(start, end, vector) of every sentence of a chunk."""
        return self._sentences.get(chunk_id, [])

    def vectors_at(self, rows: np.ndarray) -> np.ndarray:
        """Passage vectors of the given rows."""
        return self.passage_vectors[rows]

    def chunk(self, chunk_id: str) -> Chunk | None:
        """The chunk with this id, if any."""
        i = self.position.get(chunk_id)
        return None if i is None else self.chunks[i]


def memory_index(texts: Sequence[str], embedder: HashingEmbedder | None = None) -> MemoryIndex:
    """An in-memory index over ``texts``, one passage each (chunk ids c0, c1, …)."""
    return MemoryIndex([chunk(i, t) for i, t in enumerate(texts)],
                       embedder or HashingEmbedder(dim=512))


PASSAGES = (
    "Tillitsdelegationen tillsattes av regeringen för att främja tillitsbaserad styrning. "
    "Delegationens sekretariat arbetade med kommuner och regioner.",
    "Tillit handlar om att våga lita på medarbetarnas kunskap och omdöme. "
    "Kontroll behövs också, men den ska vara ändamålsenlig.",
    "New Public Management infördes i Sverige under 1980-talet. "
    "Det introducerades av forskaren Christopher Hood år 1991.",
    "Skolan och hälso- och sjukvården är två verksamheter där detaljstyrning har kritiserats. "
    "Lärare och läkare beskriver en ökad administrativ börda.",
)
