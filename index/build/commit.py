"""The commit stage of a build: write it beside the served one, swap it in, prune.

The last of the three stages of ``index.build.run``. A computed build is written (Chroma
collection, BM25 statistics, chunk and vector files, ``build.json`` last) into a staging
folder ``builds/<id>.tmp``, renamed to ``builds/<id>`` and only then made current by
replacing the pointer file atomically, so a crash at any point leaves the previously
served index untouched. The caller holds the build lock (``IndexLayout.locked``).
"""

from __future__ import annotations

import hashlib
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from index.build.compute import Computed
from index.build.files import write_build
from index.build.plan import BuildPlan
from index.store.chroma import ChromaStore, close_client, make_client
from index.store.layout import FORMAT_VERSION, IndexLayout, write_json_atomic
from index.store.lexical import LEXICAL_DIR
from index.text.chunking import CHUNKING_VERSION
from index.text.tokens import ENCODING

STORE_BATCH = 1000


def collection_prefix(data_dir: Path) -> str:
    """Collection names are unique per data dir, so two data dirs never share a collection."""
    return "tillit-" + hashlib.sha1(str(data_dir.resolve()).encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Target:
    """Where a build is committed: the index folder and the Chroma store."""

    layout: IndexLayout
    prefix: str  # of the collection names, see ``collection_prefix``
    chroma_host: str | None = None
    chroma_port: int = 8000

    @classmethod
    def for_data_dir(cls, data_dir: Path, chroma_host: str | None = None,
                     chroma_port: int = 8000) -> Target:
        return cls(IndexLayout(data_dir / "index"), collection_prefix(data_dir),
                   chroma_host, chroma_port)


@dataclass(frozen=True)
class Committed:
    """The build now served."""

    build_id: str
    collection: str
    seconds: dict[str, float] = field(default_factory=dict)


class _StoredVectors(Embeddings):
    """A commit stores vectors computed beforehand; it never embeds."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise RuntimeError("a commit stores computed vectors; nothing is embedded")

    def embed_query(self, text: str) -> list[float]:
        raise RuntimeError("a commit stores computed vectors; nothing is embedded")


def clear_staging(layout: IndexLayout) -> None:
    """Remove staging folders a crashed build left behind (call with the lock held)."""
    layout.builds.mkdir(parents=True, exist_ok=True)
    for stale in layout.builds.glob("*.tmp*"):
        shutil.rmtree(stale, ignore_errors=True)


def _info(plan: BuildPlan, computed: Computed, build_id: str, collection: str,
          chroma_host: str | None) -> dict[str, Any]:
    spec, chunks = plan.spec, computed.chunks
    return {
        "format_version": FORMAT_VERSION, "build_id": build_id, "key": plan.key,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "embedder_id": spec.embedder_id, "dim": computed.dim, "encoding": ENCODING,
        "chunk_size": spec.chunk_size, "chunk_overlap": spec.chunk_overlap,
        "chunking_version": CHUNKING_VERSION, "collection": collection,
        "chunk_vectors": spec.mode,
        "chroma_host": chroma_host,
        "documents": computed.documents, "chunk_count": len(chunks),
        "token_count": int(sum(c.tokens for c in chunks)),
        "sentence_count": len(computed.sentences),
    }


def _stage(target: Target, plan: BuildPlan, computed: Computed, build_id: str,
           folder: Path, show_progress: bool) -> tuple[str, dict[str, float]]:
    """Write the whole build into ``folder``; ``build.json`` goes last."""
    t = time.perf_counter()
    computed.lexical.save(folder / LEXICAL_DIR)
    seconds = {"bm25": time.perf_counter() - t}
    t = time.perf_counter()
    spec, chunks, vectors = plan.spec, computed.chunks, computed.vectors
    collection = f"{target.prefix}-{build_id}"
    client = make_client(folder / "chroma", target.chroma_host, target.chroma_port)
    store = ChromaStore(
        client, collection, _StoredVectors(),
        metadata={"embedder_id": spec.embedder_id, "chunk_size": spec.chunk_size,
                  "chunk_overlap": spec.chunk_overlap, "build_id": build_id},
        create=True,
    )
    for i in tqdm(range(0, len(chunks), STORE_BATCH), desc="Storing", unit="batch",
                  disable=not show_progress or len(chunks) <= STORE_BATCH):
        part = chunks[i : i + STORE_BATCH]
        assert vectors is not None
        store.add_vectors([c.chunk_id for c in part], [c.embed_text for c in part],
                          [c.to_metadata() for c in part], vectors[i : i + STORE_BATCH])
    write_build(folder, _info(plan, computed, build_id, collection, target.chroma_host),
                chunks, vectors, computed.sentences, computed.sentence_vectors)
    close_client(client)
    del store, client
    seconds["store"] = time.perf_counter() - t
    return collection, seconds


def commit_build(target: Target, plan: BuildPlan, computed: Computed,
                 show_progress: bool = False) -> Committed:
    """Write ``computed`` as a new build, make it the served one and prune older builds.

    Until the pointer is replaced the previous build stays served; a failure before that
    removes everything this commit wrote (the staging folder, a server collection).
    """
    layout = target.layout
    build_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{plan.key[:8]}-{uuid.uuid4().hex[:6]}"
    layout.builds.mkdir(parents=True, exist_ok=True)
    tmp_dir = layout.builds / f"{build_id}.tmp"
    tmp_dir.mkdir(parents=True)
    try:
        collection, seconds = _stage(target, plan, computed, build_id, tmp_dir, show_progress)
        t = time.perf_counter()
        tmp_dir.rename(layout.build_dir(build_id))
        seconds["store"] += time.perf_counter() - t
    except BaseException:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        if target.chroma_host:
            _drop_collection(target.chroma_host, target.chroma_port,
                             f"{target.prefix}-{build_id}")
        raise
    write_json_atomic(layout.pointer, {"build_id": build_id, "key": plan.key,
                                       "collection": collection})
    # The build served until now is kept: a running server may still be reading it.
    current = plan.previous.pointer
    keep = {build_id} | ({current["build_id"]} if current else set())
    _prune(target, keep=keep, keep_collection=collection)
    return Committed(build_id, collection, seconds)


def _drop_collection(host: str, port: int, name: str) -> None:
    """Remove a half-written collection from the server after a failed build."""
    try:
        client = make_client(None, host, port)
        if name in {str(getattr(c, "name", c)) for c in client.list_collections()}:
            client.delete_collection(name)
        close_client(client)
    except Exception:  # the server may be the reason the build failed
        pass


def _prune(target: Target, *, keep: set[str], keep_collection: str) -> None:
    """Remove builds (and server collections) other than the one now served."""
    for d in target.layout.builds.iterdir():
        if d.is_dir() and d.name not in keep:
            shutil.rmtree(d, ignore_errors=True)
    if target.chroma_host:
        prefix = target.prefix
        client = make_client(None, target.chroma_host, target.chroma_port)
        for col in client.list_collections():
            name = getattr(col, "name", col)
            build = str(name)[len(prefix) + 1 :]
            if str(name).startswith(prefix) and name != keep_collection and build not in keep:
                client.delete_collection(name)
        close_client(client)
