"""The files of one build besides the Chroma store: metadata, chunks, vectors, sentences."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from index.embedders.base import text_key
from index.errors import IndexCorrupt
from index.text.chunking import Chunk


@dataclass
class BuildFiles:
    """Everything of a build that is read into memory when it is served."""

    path: Path
    info: dict[str, Any]
    chunks: list[Chunk]
    vectors: np.ndarray
    sentences: list[dict[str, Any]]
    sentence_vectors: np.ndarray

    def vectors_by_key(self, include_chunks: bool = True) -> dict[str, np.ndarray]:
        """Vectors keyed by the text they embed, for reuse by the next build.

        ``include_chunks=False`` leaves out the passage vectors (when the next build makes
        passage vectors another way, see ``chunk_vectors`` in ``index.build.run``).
        """
        by_id = {c.chunk_id: c for c in self.chunks}
        known = {
            text_key(c.embed_text): v for c, v in zip(self.chunks, self.vectors, strict=True)
        } if include_chunks else {}
        for row, v in zip(self.sentences, self.sentence_vectors, strict=True):
            text = by_id[row["chunk_id"]].text[row["start"] : row["end"]]
            known[text_key(text)] = v
        return known


def _write(path: Path, write: Any) -> None:
    with open(path, "wb") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())


def write_build(
    folder: Path,
    info: dict[str, Any],
    chunks: list[Chunk],
    vectors: np.ndarray | None,
    sentences: list[dict[str, Any]],
    sentence_vectors: np.ndarray | None,
) -> None:
    """Write a build's files; ``build.json`` goes last and marks the build complete."""
    dim = int(info.get("dim", 0))
    empty = np.zeros((0, dim), dtype=np.float32)
    lines = "".join(
        json.dumps({"text": c.text, **c.to_metadata()}, ensure_ascii=False) + "\n" for c in chunks
    )
    _write(folder / "chunks.jsonl", lambda f: f.write(lines.encode("utf-8")))
    _write(folder / "vectors.npy", lambda f: np.save(f, vectors if vectors is not None else empty))
    sent = "".join(json.dumps(r) + "\n" for r in sentences)
    _write(folder / "sentences.jsonl", lambda f: f.write(sent.encode("utf-8")))
    _write(
        folder / "sentence_vectors.npy",
        lambda f: np.save(f, sentence_vectors if sentence_vectors is not None else empty),
    )
    body = json.dumps(info, ensure_ascii=False, indent=1).encode("utf-8")
    _write(folder / "build.json", lambda f: f.write(body))


def read_build(folder: Path, mapped: bool = False) -> BuildFiles:
    """Read a build; any missing or inconsistent file raises ``IndexCorrupt``.

    ``mapped`` maps the vector files read-only instead of reading them: nothing of them is
    resident until a row is used, and processes on one machine share the pages they use.
    """
    mode: Literal["r"] | None = "r" if mapped else None
    try:
        info = json.loads((folder / "build.json").read_text(encoding="utf-8"))
        chunks = []
        with open(folder / "chunks.jsonl", encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                chunks.append(Chunk.from_metadata(row.pop("text"), row))
        vectors = np.load(folder / "vectors.npy", mmap_mode=mode)
        sentences = [
            json.loads(line)
            for line in (folder / "sentences.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        sentence_vectors = np.load(folder / "sentence_vectors.npy", mmap_mode=mode)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorrupt(
            "The index is damaged or incomplete; rebuild it with `tillit index --rebuild`.",
            "Indexet är skadat eller ofullständigt; bygg om det med `tillit index --rebuild`.",
        ) from exc
    if (
        len(chunks) != info.get("chunk_count")
        or len(vectors) != len(chunks)
        or len(sentence_vectors) != len(sentences)
    ):
        raise IndexCorrupt(
            "The index files disagree with each other; rebuild with `tillit index --rebuild`.",
            "Indexfilerna stämmer inte med varandra; bygg om med `tillit index --rebuild`.",
        )
    return BuildFiles(folder, info, chunks, vectors, sentences, sentence_vectors)
