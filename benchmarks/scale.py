"""Served indexes of 10 000 and 100 000 chunks without embedding that many texts.

The chapter is indexed for real once; a larger index is then written directly: copy k of
every real chunk keeps the chunk's text and metadata (doc id and chunk id get a suffix
'~k') and gets the real vector plus Gaussian noise (sigma 0.02 per dimension, about 0.39
in norm), renormalised; its sentences get their real vectors with the same kind of
noise. These go into a new Chroma collection, the build files and the saved BM25 index,
exactly as ``index.build.run`` lays them out, and the pointer is switched to them.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import numpy as np

from index.build.files import read_build, write_build
from index.build.run import collection_prefix
from index.embedders.base import LangChainEmbeddings
from index.store.chroma import ChromaStore, close_client, make_client
from index.store.layout import IndexLayout, write_json_atomic
from index.store.lexical import LEXICAL_DIR, LexicalIndex

NOISE = 0.02


def _noisy(v: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = v + rng.normal(0.0, NOISE, v.shape).astype(np.float32)
    return out / np.linalg.norm(out, axis=-1, keepdims=True)


def scale_index(base: Path, target: Path, n_chunks: int, embedder: Any,
                chroma_host: str | None = None, chroma_port: int = 8000) -> dict[str, Any]:
    """Write an index of about ``n_chunks`` chunks into ``target`` from the build in ``base``
    (its passages into the Chroma server at ``chroma_host`` when given)."""
    t0 = time.perf_counter()
    src_layout = IndexLayout(base / "index")
    pointer = src_layout.current()
    assert pointer is not None, "index the chapter first"
    src = read_build(src_layout.build_dir(pointer["build_id"]))
    copies = max(1, round(n_chunks / len(src.chunks)))
    rng = np.random.default_rng(0)
    chunks, sentences = [], []
    vec_parts, sent_parts = [], []
    rows_by_chunk: dict[str, list[int]] = {}
    for i, r in enumerate(src.sentences):
        rows_by_chunk.setdefault(r["chunk_id"], []).append(i)
    for k in range(copies):
        for c in src.chunks:
            cid = f"{c.chunk_id}~{k}"
            chunks.append(dataclasses.replace(c, chunk_id=cid, doc_id=f"{c.doc_id}~{k}"))
            for i in rows_by_chunk.get(c.chunk_id, []):
                sentences.append({**src.sentences[i], "chunk_id": cid})
        vec_parts.append(_noisy(src.vectors, rng))
        sent_parts.append(_noisy(src.sentence_vectors, rng))
    vectors = np.concatenate(vec_parts).astype(np.float32)
    sent_vectors = np.concatenate(sent_parts).astype(np.float32)
    layout = IndexLayout(target / "index")
    build_id = f"scaled-{len(chunks)}"
    folder = layout.build_dir(build_id)
    folder.mkdir(parents=True, exist_ok=True)
    collection = f"{collection_prefix(target)}-{build_id}"
    docs = {f"{d}~{k}": {**info, "hash": f"{info['hash']}~{k}"}
            for k in range(copies) for d, info in src.info["documents"].items()}
    info = {**src.info, "build_id": build_id, "key": build_id, "collection": collection,
            "documents": docs, "chunk_count": len(chunks),
            "token_count": int(sum(c.tokens for c in chunks)), "sentence_count": len(sentences),
            "chroma_host": chroma_host}
    client = make_client(None if chroma_host else folder / "chroma", chroma_host, chroma_port)
    store = ChromaStore(client, collection, LangChainEmbeddings(embedder),
                        metadata={"embedder_id": info["embedder_id"]}, create=True)
    step = 2000
    for i in range(0, len(chunks), step):
        part = chunks[i : i + step]
        store.add_vectors([c.chunk_id for c in part], [c.embed_text for c in part],
                          [c.to_metadata() for c in part], vectors[i : i + step])
    close_client(client)
    LexicalIndex([c.embed_text for c in chunks]).save(folder / LEXICAL_DIR)
    write_build(folder, info, chunks, vectors, sentences, sent_vectors)
    write_json_atomic(layout.pointer, {"build_id": build_id, "key": build_id,
                                       "collection": collection})
    return {"chunks": len(chunks), "sentences": len(sentences), "copies": copies,
            "seconds": round(time.perf_counter() - t0, 1)}
