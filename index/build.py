"""Build the index: load, clean, chunk, embed, store. Idempotent, incremental and atomic.

A build is written to a temporary folder and only then made current by replacing one
pointer file, so a crash mid-build leaves the previously served index untouched. Which
documents a build holds is decided by ``index.plan``: the given files are added or
updated, other documents already indexed are kept (``prune`` removes those not found
among the given paths). Chunks of documents whose content hash has not changed are
carried over, and no text is embedded twice: vectors are looked up by the text they
embed, across documents and across builds made with the same embedder.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from tqdm import tqdm

from index.build_files import BuildFiles, read_build, write_build
from index.chroma_store import ChromaStore, close_client, make_client
from index.chunking import CHUNKING_VERSION, Chunk, chunk_document, make_splitter
from index.cleaning import clean_pages
from index.embedders.base import Embedder, LangChainEmbeddings, text_key
from index.embedding import embed_missing, missing_texts, pooled_vector
from index.errors import IngestError, TillitError
from index.layout import FORMAT_VERSION, IndexLayout, write_json_atomic
from index.lexical import LEXICAL_DIR, LexicalIndex
from index.plan import plan_documents
from index.sentences import split_sentences
from index.tokens import ENCODING, count_tokens, get_encoding

STORE_BATCH = 1000
ChunkVectors = Literal["direct", "pooled"]
CHUNK_VECTOR_MODES: tuple[str, ...] = ("direct", "pooled")


@dataclass
class BuildReport:
    """What a build did, for the CLI and the benchmarks."""

    build_id: str
    changed: bool
    documents: int
    chunks: int
    tokens: int
    embedded: int
    reused: int
    seconds: float
    errors: list[IngestError] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    texts_embedded: int = 0  # passages, sentences and headings run through the embedder
    stage_seconds: dict[str, float] = field(default_factory=dict)


def collection_prefix(data_dir: Path) -> str:
    """Collection names are unique per data dir, so two data dirs never share a collection."""
    return "tillit-" + hashlib.sha1(str(data_dir.resolve()).encode()).hexdigest()[:8]


def _build_key(embedder_id: str, chunk_size: int, overlap: int, docs: dict[str, str],
               chunk_vectors: str = "direct") -> str:
    parts: list[Any] = [FORMAT_VERSION, CHUNKING_VERSION, embedder_id, ENCODING, chunk_size,
                        overlap, sorted(docs.items())]
    if chunk_vectors != "direct":
        parts.append(chunk_vectors)
    payload = json.dumps(parts)
    return hashlib.sha256(payload.encode()).hexdigest()


def _previous(layout: IndexLayout, rebuild: bool) -> tuple[dict[str, Any] | None,
                                                            BuildFiles | None]:
    """The served pointer and build; with ``rebuild`` a damaged index is no obstacle."""
    try:
        current = layout.current()
    except TillitError:
        if not rebuild:
            raise
        return None, None
    if current is None:
        return None, None
    try:
        return current, read_build(layout.build_dir(current["build_id"]))
    except TillitError:
        return current, None


def _sentence_rows(chunks: list[Chunk]) -> list[dict[str, Any]]:
    return [
        {"chunk_id": c.chunk_id, "start": s, "end": e}
        for c in chunks for s, e in split_sentences(c.text)
    ]


def build_index(
    *,
    data_dir: Path,
    sources: list[Path],
    embedder: Embedder,
    chunk_size: int,
    chunk_overlap: int,
    chunk_vectors: ChunkVectors,
    chroma_host: str | None = None,
    chroma_port: int = 8000,
    rebuild: bool = False,
    prune: bool = False,
    show_progress: bool = True,
    with_sentences: bool = True,
) -> BuildReport:
    """Index ``sources`` (files or folders) into ``data_dir`` and make the result current.

    Documents already indexed and not among ``sources`` are kept, unless ``prune``.
    ``rebuild`` recomputes every chunk and vector. Files that cannot be read are reported
    in ``BuildReport.errors``; the rest is indexed, and a broken file that was indexed
    before keeps its previous chunks. Sentence vectors (for the extractive composer) are
    skipped with ``with_sentences=False``. The embedder batches by itself (its batch size is
    the embedder's own setting).

    ``chunk_vectors="pooled"`` embeds each sentence once and makes a passage's vector the
    length-weighted mean of its sentences' vectors (and its heading's), instead of
    embedding the passage's text a second time: half the embedding work. It ranks
    differently (see docs/ingest.md for the measured effect), so it is a choice.
    """
    if chunk_vectors not in CHUNK_VECTOR_MODES:
        raise ValueError(f"chunk_vectors must be one of {CHUNK_VECTOR_MODES}")
    pooled = chunk_vectors == "pooled" and with_sentences
    t0 = time.perf_counter()
    stages: dict[str, float] = {}
    layout = IndexLayout(data_dir / "index")
    encoding = get_encoding(str(data_dir / "cache" / "tiktoken"))
    with layout.locked():
        layout.builds.mkdir(parents=True, exist_ok=True)
        for stale in layout.builds.glob("*.tmp*"):
            shutil.rmtree(stale, ignore_errors=True)
        current, previous = _previous(layout, rebuild)
        same_embedder = previous is not None and previous.info.get("embedder_id") == embedder.id
        reusable = (
            not rebuild and same_embedder and previous is not None
            and previous.info.get("chunk_size") == chunk_size
            and previous.info.get("chunk_overlap") == chunk_overlap
            and previous.info.get("chunking_version") == CHUNKING_VERSION
        )
        same_vectors = previous is not None and previous.info.get("chunk_vectors", "direct") == (
            "pooled" if pooled else "direct")
        prev_docs: dict[str, Any] = previous.info["documents"] if previous else {}
        plan = plan_documents(sources, prev_docs, reusable=reusable, prune=prune)
        stages["load"] = time.perf_counter() - t0
        doc_hashes = plan.hashes(prev_docs)
        if not doc_hashes:
            raise IngestError(
                "Nothing to index: no readable documents (.txt, .md, .pdf, .docx) in the "
                "given paths.",
                "Inget att indexera: inga läsbara dokument (.txt, .md, .pdf, .docx) i de "
                "angivna sökvägarna.",
            )
        mode = "pooled" if pooled else "direct"
        key = _build_key(embedder.id, chunk_size, chunk_overlap, doc_hashes, mode)
        if (not rebuild and current is not None and previous is not None
                and current.get("key") == key):
            return BuildReport(
                current["build_id"], False, len(doc_hashes), len(previous.chunks),
                int(sum(c.tokens for c in previous.chunks)), 0, len(previous.chunks),
                time.perf_counter() - t0, plan.errors,
            )

        build_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{key[:8]}-{uuid.uuid4().hex[:6]}"
        tmp_dir = layout.builds / f"{build_id}.tmp"
        tmp_dir.mkdir(parents=True)
        try:
            t = time.perf_counter()
            splitter = make_splitter(chunk_size, chunk_overlap)
            chunks: list[Chunk] = []
            documents: dict[str, Any] = {}
            reused = 0
            old_chunks: dict[str, list[Chunk]] = {}
            if reusable and previous is not None:
                for c in previous.chunks:
                    old_chunks.setdefault(c.doc_id, []).append(c)
            for doc_id, doc in tqdm(plan.loaded.items(), desc="Chunking", unit="doc",
                                    disable=not show_progress):
                old = prev_docs.get(doc_id)
                if old is not None and old["hash"] == doc.content_hash and doc_id in old_chunks:
                    doc_chunks = old_chunks[doc_id]
                    reused += len(doc_chunks)
                else:
                    cleaned = clean_pages(doc.pages, doc.has_pages)
                    doc_chunks = chunk_document(
                        cleaned, doc.meta, splitter, lambda s: count_tokens(encoding, s)
                    )
                documents[doc_id] = {
                    "file": doc.path.name, "path": str(doc.path.resolve()),
                    "format": doc.fmt, "hash": doc.content_hash,
                    "chunks": len(doc_chunks), "chapter": doc.meta.chapter,
                    "title": doc.meta.chapter_title, "authors": list(doc.meta.authors),
                }
                chunks.extend(doc_chunks)
            for doc_id in plan.carried:
                doc_chunks = old_chunks.get(doc_id, [])
                documents[doc_id] = prev_docs[doc_id]
                chunks.extend(doc_chunks)
                reused += len(doc_chunks)
            sentences = _sentence_rows(chunks) if with_sentences else []
            by_id = {c.chunk_id: c for c in chunks}
            sent_texts = [by_id[r["chunk_id"]].text[r["start"] : r["end"]] for r in sentences]
            texts = [c.embed_text for c in chunks]
            stages["chunk"] = time.perf_counter() - t

            t = time.perf_counter()
            known = (previous.vectors_by_key(include_chunks=same_vectors)
                     if same_embedder and previous and not rebuild else {})
            new_passages = len(missing_texts(texts, known))
            if pooled:
                embedded = _embed_pooled(embedder, chunks, sentences, sent_texts, known,
                                         show_progress)
            else:
                embedded = embed_missing(embedder, texts + sent_texts, known, show_progress)
            stages["embed"] = time.perf_counter() - t

            t = time.perf_counter()
            lexical = LexicalIndex(texts)
            lexical.save(tmp_dir / LEXICAL_DIR)
            stages["bm25"] = time.perf_counter() - t

            t = time.perf_counter()
            collection = f"{collection_prefix(data_dir)}-{build_id}"
            info = {
                "format_version": FORMAT_VERSION, "build_id": build_id, "key": key,
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "embedder_id": embedder.id, "dim": embedder.dim, "encoding": ENCODING,
                "chunk_size": chunk_size, "chunk_overlap": chunk_overlap,
                "chunking_version": CHUNKING_VERSION, "collection": collection,
                "chunk_vectors": mode,
                "chroma_host": chroma_host,
                "documents": documents, "chunk_count": len(chunks),
                "token_count": int(sum(c.tokens for c in chunks)),
                "sentence_count": len(sentences),
            }
            vectors = np.stack([known[text_key(s)] for s in texts]) if chunks else None
            client = make_client(tmp_dir / "chroma", chroma_host, chroma_port)
            store = ChromaStore(
                client, collection, LangChainEmbeddings(embedder, known),
                metadata={"embedder_id": embedder.id, "chunk_size": chunk_size,
                          "chunk_overlap": chunk_overlap, "build_id": build_id},
                create=True,
            )
            for i in tqdm(range(0, len(chunks), STORE_BATCH), desc="Storing", unit="batch",
                          disable=not show_progress or len(chunks) <= STORE_BATCH):
                part = chunks[i : i + STORE_BATCH]
                assert vectors is not None
                store.add_vectors([c.chunk_id for c in part], [c.embed_text for c in part],
                                  [c.to_metadata() for c in part], vectors[i : i + STORE_BATCH])
            write_build(
                tmp_dir, info, chunks, vectors, sentences,
                np.stack([known[text_key(s)] for s in sent_texts]) if sentences else None,
            )
            close_client(client)
            del store, client
            final = layout.build_dir(build_id)
            tmp_dir.rename(final)
            stages["store"] = time.perf_counter() - t
        except BaseException:
            shutil.rmtree(tmp_dir, ignore_errors=True)
            if chroma_host:
                _drop_collection(chroma_host, chroma_port,
                                 f"{collection_prefix(data_dir)}-{build_id}")
            raise
        write_json_atomic(layout.pointer, {"build_id": build_id, "key": key,
                                           "collection": collection})
        # The build served until now is kept: a running server may still be reading it.
        keep = {build_id} | ({current["build_id"]} if current else set())
        _prune(layout, keep=keep, chroma_host=chroma_host, chroma_port=chroma_port,
               prefix=collection_prefix(data_dir), keep_collection=collection)
        return BuildReport(
            build_id, True, len(documents), len(chunks), sum(c.tokens for c in chunks),
            new_passages, reused, time.perf_counter() - t0, plan.errors, plan.pruned,
            embedded, stages,
        )


def _embed_pooled(
    embedder: Embedder,
    chunks: list[Chunk],
    sentences: list[dict[str, Any]],
    sent_texts: list[str],
    known: dict[str, Any],
    show_progress: bool,
) -> int:
    """Embed sentences and headings once; a passage's vector is pooled from them."""
    parts: dict[str, list[str]] = {}
    for row, text in zip(sentences, sent_texts, strict=True):
        parts.setdefault(row["chunk_id"], []).append(text)
    todo = [c for c in chunks if text_key(c.embed_text) not in known]
    direct = [c.embed_text for c in todo if c.chunk_id not in parts]
    heads = [c.context for c in todo if c.context and c.chunk_id in parts]
    embedded = embed_missing(embedder, sent_texts + heads + direct, known, show_progress)
    for c in todo:
        if c.chunk_id in parts:
            texts = ([c.context] if c.context else []) + parts[c.chunk_id]
            known[text_key(c.embed_text)] = pooled_vector(
                [(t, known[text_key(t)]) for t in texts], embedder.dim)
    return embedded


def _drop_collection(host: str, port: int, name: str) -> None:
    """Remove a half-written collection from the server after a failed build."""
    try:
        client = make_client(None, host, port)
        if name in {str(getattr(c, "name", c)) for c in client.list_collections()}:
            client.delete_collection(name)
        close_client(client)
    except Exception:  # the server may be the reason the build failed
        pass


def _prune(layout: IndexLayout, *, keep: set[str], chroma_host: str | None, chroma_port: int,
           prefix: str, keep_collection: str) -> None:
    """Remove builds (and server collections) other than the one now served."""
    for d in layout.builds.iterdir():
        if d.is_dir() and d.name not in keep:
            shutil.rmtree(d, ignore_errors=True)
    if chroma_host:
        client = make_client(None, chroma_host, chroma_port)
        for col in client.list_collections():
            name = getattr(col, "name", col)
            build = str(name)[len(prefix) + 1 :]
            if str(name).startswith(prefix) and name != keep_collection and build not in keep:
                client.delete_collection(name)
        close_client(client)
