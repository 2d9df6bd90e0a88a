"""Build the index: load, clean, chunk, embed, store. Idempotent, incremental and atomic.

A build runs under the build lock in three stages, each its own module:

1. **plan** (``index.build.plan``): which documents the build holds, how each changed since the
   served build (added, changed, unchanged, removed) and which must be chunked again.
   The given files are added or updated, other documents already indexed are kept
   (``prune`` removes those not found among the given paths).
2. **compute** (``index.build.compute``): chunk what changed, carry the other chunks over,
   embed every text that has no vector yet (vectors are looked up by the text they
   embed, across documents and across builds made with the same embedder), and the BM25
   statistics; in memory, the served index is not touched.
3. **commit** (``index.build.commit``): write the build into a staging folder, rename it into
   place and only then make it current by replacing one pointer file, so a crash
   mid-build leaves the previously served index untouched; prune older builds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from index.build.commit import Target, clear_staging, collection_prefix, commit_build
from index.build.compute import compute_build
from index.build.plan import (
    CHUNK_VECTOR_MODES,
    BuildPlan,
    BuildSpec,
    ChunkVectors,
    plan_build,
    read_previous,
)
from index.embedders.base import Embedder
from index.errors import IngestError
from index.text.tokens import get_encoding

__all__ = ["CHUNK_VECTOR_MODES", "BuildReport", "ChunkVectors", "build_index",
           "collection_prefix"]


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


def _unchanged(plan: BuildPlan, seconds: float) -> BuildReport:
    """The report of a build that found the served build up to date."""
    pointer, files = plan.previous.pointer, plan.previous.files
    assert pointer is not None and files is not None
    return BuildReport(
        pointer["build_id"], False, len(plan.hashes), len(files.chunks),
        int(sum(c.tokens for c in files.chunks)), 0, len(files.chunks), seconds,
        plan.documents.errors,
    )


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
    spec = BuildSpec(embedder.id, chunk_size, chunk_overlap, chunk_vectors,
                     with_sentences=with_sentences, rebuild=rebuild, prune=prune)
    t0 = time.perf_counter()
    target = Target.for_data_dir(data_dir, chroma_host, chroma_port)
    encoding = get_encoding(str(data_dir / "cache" / "tiktoken"))
    with target.layout.locked():
        clear_staging(target.layout)
        plan = plan_build(sources, spec, read_previous(target.layout, rebuild))
        stages = {"load": time.perf_counter() - t0}
        if plan.up_to_date:
            return _unchanged(plan, time.perf_counter() - t0)
        computed = compute_build(plan, embedder, encoding, show_progress)
        committed = commit_build(target, plan, computed, show_progress)
        for seconds in (computed.seconds, committed.seconds):
            for stage, s in seconds.items():
                stages[stage] = stages.get(stage, 0.0) + s
        chunks = computed.chunks
        return BuildReport(
            committed.build_id, True, len(computed.documents), len(chunks),
            sum(c.tokens for c in chunks), computed.new_passages, computed.reused,
            time.perf_counter() - t0, plan.documents.errors, plan.documents.pruned,
            computed.texts_embedded, stages,
        )
