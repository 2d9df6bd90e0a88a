"""The embedding stage of a build: every text that has no vector yet, embedded once.

Passages and the sentences inside them are embedded in one pass, deduplicated by text,
so the embedder can order all of them by length. Vectors already known (from the
previous build, keyed by the text they embed) are not computed again.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from tqdm import tqdm

from index.embedders.base import Embedder, text_key

# Texts handed to the embedder per call: large enough to keep it busy, small enough for
# a progress bar that moves.
PROGRESS_STEP = 256


def missing_texts(texts: Iterable[str], known: dict[str, np.ndarray]) -> list[str]:
    """The distinct texts without a vector, in first-seen order."""
    out: dict[str, None] = {}
    for t in texts:
        if t not in out and text_key(t) not in known:
            out[t] = None
    return list(out)


def embed_missing(
    embedder: Embedder,
    texts: Iterable[str],
    known: dict[str, np.ndarray],
    show_progress: bool = False,
) -> int:
    """Embed the texts that have no vector in ``known`` and add them; returns how many."""
    todo = sorted(missing_texts(texts, known), key=len)
    with tqdm(total=len(todo), desc="Embedding", unit="text",
              disable=not show_progress or not todo) as bar:
        for i in range(0, len(todo), PROGRESS_STEP):
            part = todo[i : i + PROGRESS_STEP]
            vecs = np.asarray(embedder.embed_passages(part), dtype=np.float32)
            known.update((text_key(t), v) for t, v in zip(part, vecs, strict=True))
            bar.update(len(part))
    return len(todo)


def pooled_vector(
    parts: list[tuple[str, np.ndarray]], dim: int
) -> np.ndarray:
    """The length-weighted mean of the vectors of a passage's parts, L2-normalised.

    This is how the embedder itself treats a text longer than its window (the mean of the
    windows' mean-pooled vectors, weighted by length), with sentences as the windows.
    """
    acc = np.zeros(dim, dtype=np.float64)
    for text, vec in parts:
        acc += len(text) * np.asarray(vec, dtype=np.float64)
    norm = float(np.linalg.norm(acc))
    return (acc / norm if norm > 0 else acc).astype(np.float32)
