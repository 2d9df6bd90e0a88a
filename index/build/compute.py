"""The compute stage of a build: chunk and embed what changed, and the BM25 statistics.

The second of the three stages of ``index.build.run``. It works in memory and touches no
file of the index: documents the plan does not list in ``rechunk`` keep their previous
chunks, and no text is embedded twice (vectors are looked up by the text they embed,
across documents and, with the same embedder, in the previous build).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import tiktoken
from tqdm import tqdm

from index.build.embedding import embed_missing, missing_texts, pooled_vector
from index.build.plan import BuildPlan
from index.embedders.base import Embedder, text_key
from index.store.lexical import LexicalIndex
from index.text.chunking import Chunk, chunk_document, make_splitter
from index.text.cleaning import clean_pages
from index.text.sentences import split_sentences
from index.text.tokens import count_tokens


@dataclass
class Computed:
    """Everything a build holds, in memory, ready to be committed."""

    documents: dict[str, dict[str, Any]]  # per document id, as recorded in build.json
    chunks: list[Chunk]
    vectors: np.ndarray | None  # one row per chunk (None without chunks)
    sentences: list[dict[str, Any]]  # chunk_id, start, end
    sentence_vectors: np.ndarray | None  # one row per sentence (None without sentences)
    lexical: LexicalIndex
    dim: int
    reused: int  # chunks carried over from the previous build
    new_passages: int  # distinct passage texts that had no vector yet
    texts_embedded: int  # passages, sentences and headings run through the embedder
    seconds: dict[str, float] = field(default_factory=dict)


def _sentence_rows(chunks: list[Chunk]) -> list[dict[str, Any]]:
    return [
        {"chunk_id": c.chunk_id, "start": s, "end": e}
        for c in chunks for s, e in split_sentences(c.text)
    ]


def _chunk(plan: BuildPlan, encoding: tiktoken.Encoding, show_progress: bool
           ) -> tuple[dict[str, dict[str, Any]], list[Chunk], int]:
    """The build's documents and chunks (new ones for ``plan.rechunk``), and how many reused."""
    spec, docs = plan.spec, plan.documents
    prev_docs = plan.previous.documents
    old_chunks: dict[str, list[Chunk]] = {}
    if plan.previous.files is not None:
        for c in plan.previous.files.chunks:
            old_chunks.setdefault(c.doc_id, []).append(c)
    splitter = make_splitter(spec.chunk_size, spec.chunk_overlap)
    rechunk = set(plan.rechunk)
    chunks: list[Chunk] = []
    documents: dict[str, dict[str, Any]] = {}
    reused = 0
    for doc_id, doc in tqdm(docs.loaded.items(), desc="Chunking", unit="doc",
                            disable=not show_progress):
        if doc_id in rechunk:
            cleaned = clean_pages(doc.pages, doc.has_pages)
            doc_chunks = chunk_document(
                cleaned, doc.meta, splitter, lambda s: count_tokens(encoding, s)
            )
        else:
            doc_chunks = old_chunks[doc_id]
            reused += len(doc_chunks)
        documents[doc_id] = {
            "file": doc.path.name, "path": str(doc.path.resolve()),
            "format": doc.fmt, "hash": doc.content_hash,
            "chunks": len(doc_chunks), "chapter": doc.meta.chapter,
            "title": doc.meta.chapter_title, "authors": list(doc.meta.authors),
        }
        chunks.extend(doc_chunks)
    for doc_id in docs.carried:
        doc_chunks = old_chunks.get(doc_id, [])
        documents[doc_id] = prev_docs[doc_id]
        chunks.extend(doc_chunks)
        reused += len(doc_chunks)
    return documents, chunks, reused


def compute_build(
    plan: BuildPlan,
    embedder: Embedder,
    encoding: tiktoken.Encoding,
    show_progress: bool = False,
) -> Computed:
    """Chunk, embed and index (BM25) the documents of ``plan``; nothing is written."""
    spec = plan.spec
    if embedder.id != spec.embedder_id:
        raise ValueError(f"the plan is for embedder {spec.embedder_id}, not {embedder.id}")
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    documents, chunks, reused = _chunk(plan, encoding, show_progress)
    sentences = _sentence_rows(chunks) if spec.with_sentences else []
    by_id = {c.chunk_id: c for c in chunks}
    sent_texts = [by_id[r["chunk_id"]].text[r["start"] : r["end"]] for r in sentences]
    texts = [c.embed_text for c in chunks]
    seconds["chunk"] = time.perf_counter() - t

    t = time.perf_counter()
    previous = plan.previous.files
    known = (previous.vectors_by_key(include_chunks=plan.reuse_passage_vectors)
             if plan.reuse_vectors and previous is not None else {})
    new_passages = len(missing_texts(texts, known))
    if spec.mode == "pooled":
        embedded = _embed_pooled(embedder, chunks, sentences, sent_texts, known, show_progress)
    else:
        embedded = embed_missing(embedder, texts + sent_texts, known, show_progress)
    vectors = np.stack([known[text_key(s)] for s in texts]) if chunks else None
    sentence_vectors = (np.stack([known[text_key(s)] for s in sent_texts])
                        if sentences else None)
    seconds["embed"] = time.perf_counter() - t

    t = time.perf_counter()
    lexical = LexicalIndex(texts)
    seconds["bm25"] = time.perf_counter() - t
    return Computed(documents, chunks, vectors, sentences, sentence_vectors, lexical,
                    embedder.dim, reused, new_passages, embedded, seconds)


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
