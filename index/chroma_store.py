"""Chroma as the vector store, through ``langchain-chroma``, always with our own embeddings.

Embedded ``PersistentClient`` by default; a Chroma server (``HttpClient``) when a host is
configured, so the same code scales out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from assistant.errors import BackendUnavailable


def make_client(persist_dir: Path | None, host: str | None, port: int) -> Any:
    """A Chroma client: a server when ``host`` is set, else a store at ``persist_dir``."""
    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if host:
            return chromadb.HttpClient(host=host, port=port, settings=settings)
        assert persist_dir is not None
        return chromadb.PersistentClient(path=str(persist_dir), settings=settings)
    except Exception as exc:
        where = f"{host}:{port}" if host else "the data directory"
        raise BackendUnavailable(
            f"Cannot reach the Chroma store at {where} ({type(exc).__name__}).",
            f"Kan inte nå Chroma-lagret på {where} ({type(exc).__name__}).",
        ) from exc


def close_client(client: Any) -> None:
    """Release a client's files (Chroma caches one system per path until closed)."""
    close = getattr(client, "close", None)
    if callable(close):
        close()


class ChromaStore:
    """One Chroma collection holding one index build."""

    def __init__(
        self,
        client: Any,
        collection: str,
        embeddings: Embeddings,
        metadata: dict[str, Any] | None = None,
        create: bool = False,
    ) -> None:
        self.client = client
        self.collection_name = collection
        self.vs = Chroma(
            client=client,
            collection_name=collection,
            embedding_function=embeddings,
            collection_metadata=metadata if create else None,
            collection_configuration={"hnsw": {"space": "cosine"}} if create else None,
            create_collection_if_not_exists=create,
        )

    @property
    def metadata(self) -> dict[str, Any]:
        """The collection's metadata (embedder id, chunking parameters, build id)."""
        return dict(self.client.get_collection(self.collection_name).metadata or {})

    def count(self) -> int:
        """Number of stored passages."""
        return int(self.client.get_collection(self.collection_name).count())

    def add(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        """Add passages; their vectors come from the ``Embeddings`` given at construction."""
        self.vs.add_texts(texts=list(texts), metadatas=list(metadatas), ids=list(ids))

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The ``k`` nearest passages to ``vector`` as (chunk id, cosine similarity)."""
        hits = self.vs.similarity_search_by_vector_with_relevance_scores(
            embedding=[float(x) for x in vector], k=k
        )
        return [(str(doc.id or doc.metadata.get("chunk_id")), 1.0 - float(d)) for doc, d in hits]
