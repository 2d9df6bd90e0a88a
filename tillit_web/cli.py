"""The web layer's sub-commands of ``tillit``: ``serve`` and ``feedback export``.

:func:`register` adds them to the top-level parser (:mod:`tillit.cli`); each runs as
``args.run(args, settings)`` like every other command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tillit_web.settings import AppSettings


def export_feedback(settings: AppSettings, out: Path, fmt: str | None = None) -> int:
    """Write the feedback store of ``settings.data_dir`` to ``out`` (CSV or JSONL); count."""
    from tillit_web.feedback import FILENAME, FeedbackStore

    fmt = fmt or ("jsonl" if out.suffix in (".jsonl", ".ndjson") else "csv")
    if fmt not in ("csv", "jsonl"):
        raise SystemExit(f"unknown format {fmt!r}; use csv or jsonl")
    if not (settings.data_dir / FILENAME).exists():
        print(f"no feedback stored yet in {settings.data_dir}", file=sys.stderr)
    n = FeedbackStore.in_data_dir(settings.data_dir).export(out, fmt)  # type: ignore[arg-type]
    print(f"{n} feedback record(s) written to {out}")
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def cmd_serve(args: argparse.Namespace, settings: AppSettings) -> int:
    """``serve [--host H] [--port P] [--workers N]``."""
    from tillit_web.server import serve

    serve(settings, args.host, args.port, args.workers)
    return 0


def cmd_feedback_export(args: argparse.Namespace, settings: AppSettings) -> int:
    """``feedback export OUT [--format csv|jsonl]``."""
    return export_feedback(settings, Path(args.out), args.format)


def register(sub: Any) -> None:
    """Add ``serve`` and ``feedback export`` to ``sub``, an argparse sub-parser collection;
    each is run as ``args.run(args, settings)``."""
    ps = sub.add_parser("serve", help="serve the web chat, API and widget on one port")
    ps.add_argument("--host", help="interface (default: TILLIT_HOST or 127.0.0.1)")
    ps.add_argument("--port", type=int, help="port (default: TILLIT_PORT or 7860)")
    ps.add_argument("--workers", type=_positive,
                    help="server processes (default: TILLIT_WORKERS or 1); more than one "
                    "needs a Chroma server (TILLIT_CHROMA_HOST)")
    ps.set_defaults(run=cmd_serve)
    pf = sub.add_parser("feedback", help="the votes given in the chat")
    fsub = pf.add_subparsers(dest="feedback_command", required=True)
    pe = fsub.add_parser("export", help="write all feedback to CSV or JSON Lines")
    pe.add_argument("out", help="output file (.csv or .jsonl)")
    pe.add_argument("--format", choices=["csv", "jsonl"], help="default: from the suffix")
    pe.set_defaults(run=cmd_feedback_export)

