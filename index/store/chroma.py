"""Chroma as the vector store, through ``langchain-chroma``, always with our own embeddings.

Embedded ``PersistentClient`` by default; a Chroma server (``HttpClient``) when a host is
configured, so the same code scales out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from index.errors import BackendUnavailable, IndexCorrupt

# A Chroma server that does not answer within this many seconds counts as unavailable.
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 60.0


def unavailable(host: str, port: int, exc: BaseException) -> BackendUnavailable:
    """The error for a Chroma server that cannot be reached (en and sv)."""
    return BackendUnavailable(
        f"Cannot reach the Chroma server at {host}:{port} ({type(exc).__name__}); "
        "check that it is running (`chroma run --path DIR --port PORT`).",
        f"Kan inte nå Chroma-servern på {host}:{port} ({type(exc).__name__}); "
        "kontrollera att den är igång (`chroma run --path DIR --port PORT`).",
    )


def _bound_timeouts(client: Any) -> None:
    """Chroma's HTTP client waits forever by default; a hung server should fail fast."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)


def make_client(persist_dir: Path | None, host: str | None, port: int) -> Any:
    """A Chroma client: a server when ``host`` is set, else a store at ``persist_dir``."""
    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if host:
            client = chromadb.HttpClient(host=host, port=port, settings=settings)
            _bound_timeouts(client)
            return client
        assert persist_dir is not None
        return chromadb.PersistentClient(path=str(persist_dir), settings=settings)
    except Exception as exc:
        if host:
            raise unavailable(host, port, exc) from exc
        where = "the data directory"
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
        settings = getattr(client, "get_settings", lambda: None)()
        host = getattr(settings, "chroma_server_host", None)
        self.remote = (str(host), int(getattr(settings, "chroma_server_http_port", 0) or 0)) \
            if host else None
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

    def add_vectors(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
        vectors: np.ndarray,
    ) -> None:
        """Add passages with vectors computed beforehand (no embedding call)."""
        self.vs._collection.add(
            ids=list(ids), documents=list(texts), metadatas=list(metadatas),
            embeddings=np.asarray(vectors, dtype=np.float32),
        )

    @contextmanager
    def _server_call(self) -> Iterator[None]:
        """With a Chroma server, a call that fails raises ``BackendUnavailable`` (the
        server is gone or does not answer); an embedded store's errors pass as they are."""
        try:
            yield
        except Exception as exc:
            if self.remote is None:
                raise
            raise unavailable(*self.remote, exc) from exc

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        """The stored vectors of ``ids``, in that order.

        A missing id raises ``IndexCorrupt`` (the store and the build disagree); with a
        Chroma server, a server that cannot be reached raises ``BackendUnavailable``.
        """
        if not ids:
            return np.zeros((0, 0), dtype=np.float32)
        with self._server_call():
            got = self.vs._collection.get(ids=list(dict.fromkeys(ids)), include=["embeddings"])
        found = dict(zip(got["ids"], got["embeddings"], strict=True))  # type: ignore[arg-type]
        missing = [i for i in ids if i not in found]
        if missing:
            raise IndexCorrupt(
                f"The vector store lacks {len(missing)} passage(s) of the index; rebuild with "
                "`tillit index --rebuild`.",
                f"Vektorlagret saknar {len(missing)} av indexets passager; bygg om med "
                "`tillit index --rebuild`.",
            )
        return np.asarray([found[i] for i in ids], dtype=np.float32)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The ``k`` nearest passages to ``vector`` as (chunk id, cosine similarity).

        With a Chroma server, a server that is gone or does not answer raises
        ``BackendUnavailable`` at once; the next query tries again.
        """
        with self._server_call():
            hits = self.vs.similarity_search_by_vector_with_relevance_scores(
                embedding=[float(x) for x in vector], k=k
            )
        return [(str(doc.id or doc.metadata.get("chunk_id")), 1.0 - float(d)) for doc, d in hits]
