"""Build the index: load, clean, chunk, embed, store. Idempotent and atomic.

A build is written to a temporary folder and only then made current by replacing one
pointer file, so a crash mid-build leaves the previously served index untouched. Vectors
of documents whose content hash has not changed are reused, not recomputed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from assistant.errors import IngestError, TillitError
from index.build_files import BuildFiles, read_build, write_build
from index.chroma_store import ChromaStore, close_client, make_client
from index.chunking import CHUNKING_VERSION, Chunk, chunk_document, make_splitter
from index.cleaning import clean_pages
from index.embedders.base import Embedder, LangChainEmbeddings, text_key
from index.layout import FORMAT_VERSION, IndexLayout, write_json_atomic
from index.loaders import discover, load_document
from index.sentences import split_sentences
from index.tokens import ENCODING, count_tokens, get_encoding


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


def collection_prefix(data_dir: Path) -> str:
    """Collection names are unique per data dir, so two data dirs never share a collection."""
    return "tillit-" + hashlib.sha1(str(data_dir.resolve()).encode()).hexdigest()[:8]


def _build_key(embedder_id: str, chunk_size: int, overlap: int, docs: dict[str, str]) -> str:
    payload = json.dumps(
        [FORMAT_VERSION, CHUNKING_VERSION, embedder_id, ENCODING, chunk_size, overlap,
         sorted(docs.items())]
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _embed_batched(
    fn: Callable[[list[str]], np.ndarray], texts: list[str], batch: int, desc: str, show: bool
) -> np.ndarray:
    out: list[np.ndarray] = []
    with tqdm(total=len(texts), desc=desc, unit="text", disable=not show or not texts) as bar:
        for i in range(0, len(texts), batch):
            out.append(fn(texts[i : i + batch]))
            bar.update(len(texts[i : i + batch]))
    return np.concatenate(out) if out else np.zeros((0, 0), dtype=np.float32)


def build_index(
    *,
    data_dir: Path,
    sources: list[Path],
    embedder: Embedder,
    chunk_size: int,
    chunk_overlap: int,
    chroma_host: str | None = None,
    chroma_port: int = 8000,
    rebuild: bool = False,
    batch_size: int = 32,
    show_progress: bool = True,
    with_sentences: bool = True,
) -> BuildReport:
    """Index ``sources`` (files or folders) into ``data_dir`` and make the result current.

    Files that cannot be read are reported in ``BuildReport.errors``; the rest is indexed,
    and a broken file that was indexed before keeps its previous chunks. Sentence vectors
    (for the extractive composer) are skipped with ``with_sentences=False``.
    """
    t0 = time.perf_counter()
    layout = IndexLayout(data_dir / "index")
    encoding = get_encoding(str(data_dir / "cache" / "tiktoken"))
    with layout.locked():
        layout.builds.mkdir(parents=True, exist_ok=True)
        for stale in layout.builds.glob("*.tmp*"):
            shutil.rmtree(stale, ignore_errors=True)
        current = None if rebuild else layout.current()
        previous: BuildFiles | None = None
        if current is not None:
            try:
                previous = read_build(layout.build_dir(current["build_id"]))
            except TillitError:
                previous = None
        if previous is not None and (
            previous.info.get("embedder_id") != embedder.id
            or previous.info.get("chunk_size") != chunk_size
            or previous.info.get("chunk_overlap") != chunk_overlap
            or previous.info.get("chunking_version") != CHUNKING_VERSION
        ):
            previous = None

        errors: list[IngestError] = []
        loaded = []
        for path in discover(sources):
            try:
                loaded.append(load_document(path))
            except IngestError as exc:
                errors.append(exc)
        doc_hashes = {d.meta.doc_id: d.content_hash for d in loaded}
        prev_docs: dict[str, Any] = previous.info["documents"] if previous else {}
        failed_ids = {Path(str(e.en).split(":", 1)[0]).stem for e in errors}
        carried = [
            doc_id for doc_id, info in prev_docs.items()
            if doc_id not in doc_hashes and Path(info["file"]).stem in failed_ids
        ]
        for doc_id in carried:
            doc_hashes[doc_id] = prev_docs[doc_id]["hash"]
        if not doc_hashes:
            raise IngestError(
                "Nothing to index: no readable .txt or .md files in the given paths.",
                "Inget att indexera: inga läsbara .txt- eller .md-filer i de angivna sökvägarna.",
            )
        key = _build_key(embedder.id, chunk_size, chunk_overlap, doc_hashes)
        if current is not None and previous is not None and current.get("key") == key:
            return BuildReport(
                current["build_id"], False, len(doc_hashes), len(previous.chunks),
                int(sum(c.tokens for c in previous.chunks)), 0, len(previous.chunks),
                time.perf_counter() - t0, errors,
            )

        build_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{key[:8]}-{uuid.uuid4().hex[:6]}"
        tmp_dir = layout.builds / f"{build_id}.tmp"
        tmp_dir.mkdir(parents=True)
        try:
            splitter = make_splitter(chunk_size, chunk_overlap)
            chunks: list[Chunk] = []
            documents: dict[str, Any] = {}
            known: dict[str, np.ndarray] = {}
            reused = 0
            for doc in tqdm(loaded, desc="Chunking", unit="doc", disable=not show_progress):
                doc_id = doc.meta.doc_id
                if doc_id in documents:
                    raise IngestError(
                        f"{doc.path.name}: duplicate document id '{doc_id}'",
                        f"{doc.path.name}: dokument-id '{doc_id}' förekommer två gånger",
                    )
                old = prev_docs.get(doc_id)
                if previous is not None and old is not None and old["hash"] == doc.content_hash:
                    doc_chunks = [c for c in previous.chunks if c.doc_id == doc_id]
                    reused += len(doc_chunks)
                else:
                    cleaned = clean_pages(doc.pages, doc.has_pages)
                    doc_chunks = chunk_document(
                        cleaned, doc.meta, splitter, lambda t: count_tokens(encoding, t)
                    )
                documents[doc_id] = {
                    "file": doc.path.name, "hash": doc.content_hash,
                    "chunks": len(doc_chunks), "chapter": doc.meta.chapter,
                    "title": doc.meta.chapter_title,
                }
                chunks.extend(doc_chunks)
            for doc_id in carried:
                assert previous is not None
                doc_chunks = [c for c in previous.chunks if c.doc_id == doc_id]
                documents[doc_id] = prev_docs[doc_id]
                chunks.extend(doc_chunks)
                reused += len(doc_chunks)
            if previous is not None:
                known.update(previous.vectors_by_key())

            texts = [c.embed_text for c in chunks]
            todo = list(dict.fromkeys(t for t in texts if text_key(t) not in known))
            if todo:
                vecs = _embed_batched(
                    lambda b: embedder.embed_passages(b), todo, batch_size,
                    "Embedding passages", show_progress,
                )
                known.update((text_key(t), v) for t, v in zip(todo, vecs, strict=True))

            sentences: list[dict[str, Any]] = []
            for c in chunks if with_sentences else []:
                for s, e in split_sentences(c.text):
                    sentences.append({"chunk_id": c.chunk_id, "start": s, "end": e})
            by_id = {c.chunk_id: c for c in chunks}
            sent_texts = [by_id[r["chunk_id"]].text[r["start"] : r["end"]] for r in sentences]
            todo_s = list(dict.fromkeys(t for t in sent_texts if text_key(t) not in known))
            if todo_s:
                vecs = _embed_batched(
                    lambda b: embedder.embed_passages(b), todo_s, batch_size,
                    "Embedding sentences", show_progress,
                )
                known.update((text_key(t), v) for t, v in zip(todo_s, vecs, strict=True))

            collection = f"{collection_prefix(data_dir)}-{build_id}"
            info = {
                "format_version": FORMAT_VERSION, "build_id": build_id, "key": key,
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "embedder_id": embedder.id, "dim": embedder.dim, "encoding": ENCODING,
                "chunk_size": chunk_size, "chunk_overlap": chunk_overlap,
                "chunking_version": CHUNKING_VERSION, "collection": collection,
                "chroma_host": chroma_host,
                "documents": documents, "chunk_count": len(chunks),
                "token_count": int(sum(c.tokens for c in chunks)),
                "sentence_count": len(sentences),
            }
            client = make_client(tmp_dir / "chroma", chroma_host, chroma_port)
            store = ChromaStore(
                client, collection, LangChainEmbeddings(embedder, known),
                metadata={"embedder_id": embedder.id, "chunk_size": chunk_size,
                          "chunk_overlap": chunk_overlap, "build_id": build_id},
                create=True,
            )
            step = 256
            for i in tqdm(range(0, len(chunks), step), desc="Storing", unit="batch",
                          disable=not show_progress or len(chunks) <= step):
                part = chunks[i : i + step]
                store.add([c.chunk_id for c in part], [c.embed_text for c in part],
                          [c.to_metadata() for c in part])
            write_build(
                tmp_dir, info, chunks,
                np.stack([known[text_key(t)] for t in texts]) if chunks else None,
                sentences,
                np.stack([known[text_key(t)] for t in sent_texts]) if sentences else None,
            )
            close_client(client)
            del store, client
            final = layout.build_dir(build_id)
            tmp_dir.rename(final)
        except BaseException:
            shutil.rmtree(tmp_dir, ignore_errors=True)
            raise
        write_json_atomic(layout.pointer, {"build_id": build_id, "key": key,
                                           "collection": collection})
        # The build served until now is kept: a running server may still be reading it.
        keep = {build_id} | ({current["build_id"]} if current else set())
        _prune(layout, keep=keep, chroma_host=chroma_host, chroma_port=chroma_port,
               prefix=collection_prefix(data_dir), keep_collection=collection)
        return BuildReport(
            build_id, True, len(documents), len(chunks), sum(c.tokens for c in chunks),
            len(todo), reused, time.perf_counter() - t0, errors,
        )


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
