"""Open the current index build for serving, refusing one built with another embedder."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.build.files import BuildFiles, read_build
from index.embedders.base import Embedder, LangChainEmbeddings
from index.errors import BackendUnavailable, IndexCorrupt, IndexMismatch, IndexMissing
from index.store.chroma import ChromaStore, make_client, unavailable
from index.store.layout import IndexLayout
from index.store.lexical import LEXICAL_DIR, LexicalIndex
from index.store.vectors import ArrayVectors, PassageVectors, StoreVectors, VectorPlacement
from index.text.chunking import Chunk


@dataclass(frozen=True)
class SentenceSpans:
    """Where each chunk's sentences are, as flat arrays: the sentences of the chunk at build
    position ``i`` are entries ``ptr[i]:ptr[i + 1]`` (their offsets in the chunk's text and
    the row of their vector). About 20 bytes a sentence, where a dict per sentence took
    some 500 (about 140 MB per serving process at 100 000 chunks)."""

    ptr: np.ndarray
    start: np.ndarray
    end: np.ndarray
    row: np.ndarray

    @classmethod
    def of(cls, rows: Sequence[Mapping[str, Any]], position: Mapping[str, int]) -> SentenceSpans:
        """The spans of a build's sentence rows (``chunk_id``, ``start``, ``end``)."""
        chunk = np.fromiter((position.get(r["chunk_id"], -1) for r in rows), dtype=np.int64,
                            count=len(rows))
        known = np.flatnonzero(chunk >= 0)
        order = known[np.argsort(chunk[known], kind="stable")]
        ptr = np.searchsorted(chunk[order], np.arange(len(position) + 1), side="left")
        start = np.fromiter((rows[i]["start"] for i in order), dtype=np.int32, count=len(order))
        end = np.fromiter((rows[i]["end"] for i in order), dtype=np.int32, count=len(order))
        return cls(ptr.astype(np.int64), start, end, order.astype(np.int64))


@dataclass
class ServedIndex:
    """A complete build opened for serving: chunks, sentence spans and vectors, BM25, the
    Chroma store, and where passage vectors come from."""

    info: dict[str, Any]
    chunks: list[Chunk]
    store: ChromaStore
    lexical: LexicalIndex
    position: dict[str, int]
    spans: SentenceSpans
    sentence_vectors: np.ndarray
    passage_vectors: PassageVectors

    def sentences_of(self, chunk_id: str) -> list[tuple[int, int, np.ndarray]]:
        """(start, end, vector) of each sentence in a chunk."""
        i = self.position.get(chunk_id)
        if i is None:
            return []
        sp = self.spans
        return [
            (int(sp.start[j]), int(sp.end[j]),
             np.asarray(self.sentence_vectors[sp.row[j]], dtype=np.float32))
            for j in range(int(sp.ptr[i]), int(sp.ptr[i + 1]))
        ]

    def vectors_at(self, rows: np.ndarray) -> np.ndarray:
        """The passage vectors of the chunks at these build positions (from the process's
        array or from the vector store, see ``index.store.vectors``)."""
        ids = [self.chunks[int(i)].chunk_id for i in rows]
        return self.passage_vectors.take(rows, ids)

    def chunk(self, chunk_id: str) -> Chunk | None:
        """The chunk with this id, or None."""
        i = self.position.get(chunk_id)
        return self.chunks[i] if i is not None else None

    def sections(self, doc_id: str) -> list[list[Chunk]]:
        """The document's sections in reading order, each its chunks in order (running
        text first, then the section's footnotes)."""
        keyed: dict[tuple[str | None, str], list[Chunk]] = {}
        for c in self.chunks:
            if c.doc_id == doc_id:
                keyed.setdefault((c.section, c.section_title), []).append(c)
        out = []
        for group in keyed.values():
            text = sorted((c for c in group if c.kind != "footnote"), key=lambda c: c.char_start)
            notes = sorted((c for c in group if c.kind == "footnote"), key=lambda c: c.char_start)
            out.append(text + notes)
        return sorted(out, key=lambda g: g[0].char_start if g[0].kind != "footnote" else 1 << 62)

    def section_context(
        self, chunk_id: str
    ) -> tuple[list[Chunk], list[Chunk] | None, list[Chunk] | None] | None:
        """(the section holding the chunk, the previous section, the next section) of its
        document, or None for an unknown chunk."""
        found = self.chunk(chunk_id)
        if found is None:
            return None
        sections = self.sections(found.doc_id)
        for i, group in enumerate(sections):
            if any(c.chunk_id == chunk_id for c in group):
                prev = sections[i - 1] if i > 0 else None
                nxt = sections[i + 1] if i + 1 < len(sections) else None
                return group, prev, nxt
        return None


def mismatch_error(built_with: str, configured: str) -> IndexMismatch:
    """The refusal for an index built by another embedder, saying how to rebuild."""
    return IndexMismatch(
        f"The index was built with embedder '{built_with}' but '{configured}' is configured. "
        "Rebuild it with `tillit index --rebuild` (or set TILLIT_EMBEDDER back).",
        f"Indexet byggdes med inbäddaren '{built_with}' men '{configured}' är vald. "
        "Bygg om med `tillit index --rebuild` (eller återställ TILLIT_EMBEDDER).",
    )


def _transport_error(exc: BaseException) -> bool:
    import httpx

    return isinstance(exc, httpx.TransportError | ConnectionError | TimeoutError)


def _lexical(folder: Path, files: BuildFiles, mapped: bool = False) -> LexicalIndex:
    """The BM25 index saved with the build; builds made before it was saved compute it."""
    saved = folder / LEXICAL_DIR
    if (saved / "lexical.json").exists():
        try:
            index = LexicalIndex.load(saved, mapped=mapped)
            if index.n == len(files.chunks):
                return index
        except (OSError, ValueError, KeyError) as exc:
            raise IndexCorrupt(
                "The BM25 index of the build is damaged; rebuild with `tillit index --rebuild`.",
                "Byggets BM25-index är skadat; bygg om med `tillit index --rebuild`.",
            ) from exc
    return LexicalIndex([c.embed_text for c in files.chunks])


def open_index(
    data_dir: Path, embedder: Embedder, chroma_host: str | None = None, chroma_port: int = 8000,
    vectors: VectorPlacement = "memory",
) -> ServedIndex:
    """Open the build ``data_dir`` currently points to.

    ``vectors="shared"`` holds no passage vectors in this process (the store gives a
    query's candidates theirs) and maps the sentence vectors and BM25 matrices read-only,
    so several processes serving one build share one copy; ``"memory"`` loads them all.
    """
    shared = vectors == "shared"
    layout = IndexLayout(data_dir / "index")
    pointer = layout.current()
    if pointer is None:
        raise IndexMissing(
            "No index yet. Build it with `tillit index` (or `make run`).",
            "Det finns inget index ännu. Bygg det med `tillit index` (eller `make run`).",
        )
    folder = layout.build_dir(str(pointer["build_id"]))
    files = read_build(folder, mapped=shared)
    built_with = str(files.info.get("embedder_id"))
    if built_with != embedder.id:
        raise mismatch_error(built_with, embedder.id)
    try:
        client = make_client(folder / "chroma", chroma_host, chroma_port)
    except BackendUnavailable as exc:
        if chroma_host:
            raise
        raise IndexCorrupt(
            "The index's vector store is damaged; rebuild with `tillit index --rebuild`.",
            "Indexets vektorlager är skadat; bygg om med `tillit index --rebuild`.",
        ) from exc
    try:
        store = ChromaStore(client, str(files.info["collection"]), LangChainEmbeddings(embedder))
        meta, count = store.metadata, store.count()
    except Exception as exc:
        if chroma_host and _transport_error(exc):
            raise unavailable(chroma_host, chroma_port, exc) from exc
        raise IndexCorrupt(
            "The vector store of the index cannot be opened; rebuild with "
            "`tillit index --rebuild`.",
            "Indexets vektorlager går inte att öppna; bygg om med `tillit index --rebuild`.",
        ) from exc
    if meta.get("embedder_id") != embedder.id:
        raise mismatch_error(str(meta.get("embedder_id")), embedder.id)
    if count != len(files.chunks):
        raise IndexCorrupt(
            f"The vector store holds {count} passages, the index {len(files.chunks)}; "
            "rebuild with `tillit index --rebuild`.",
            f"Vektorlagret har {count} passager, indexet {len(files.chunks)}; "
            "bygg om med `tillit index --rebuild`.",
        )
    position = {c.chunk_id: i for i, c in enumerate(files.chunks)}
    return ServedIndex(
        info=files.info,
        chunks=files.chunks,
        store=store,
        lexical=_lexical(folder, files, mapped=shared),
        position=position,
        spans=SentenceSpans.of(files.sentences, position),
        sentence_vectors=files.sentence_vectors,
        passage_vectors=StoreVectors(store) if shared else ArrayVectors(files.vectors),
    )
