"""Command-line verbs of the web layer, for ``tillit serve`` / ``tillit feedback export``.

``python -m web serve`` and ``python -m web feedback export OUT`` work on their own; the core
CLI can call :func:`add_commands` to offer the same verbs as ``tillit …``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.settings import Settings


def export_feedback(settings: Settings, out: Path, fmt: str | None = None) -> int:
    """Write the feedback store of ``settings.data_dir`` to ``out`` (CSV or JSONL); count."""
    from web.feedback import FILENAME, FeedbackStore

    fmt = fmt or ("jsonl" if out.suffix in (".jsonl", ".ndjson") else "csv")
    if fmt not in ("csv", "jsonl"):
        raise SystemExit(f"unknown format {fmt!r}; use csv or jsonl")
    if not (settings.data_dir / FILENAME).exists():
        print(f"no feedback stored yet in {settings.data_dir}", file=sys.stderr)
    n = FeedbackStore.in_data_dir(settings.data_dir).export(out, fmt)  # type: ignore[arg-type]
    print(f"{n} feedback record(s) written to {out}")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """``serve [--host H] [--port P]``."""
    from web.server import serve

    serve(settings, args.host, args.port)
    return 0


def cmd_feedback_export(args: argparse.Namespace, settings: Settings) -> int:
    """``feedback export OUT [--format csv|jsonl]``."""
    return export_feedback(settings, Path(args.out), args.format)


def add_commands(sub: Any) -> None:
    """Add ``serve`` and ``feedback export`` to an argparse sub-parser collection.

    Each parser gets ``web_func(args, settings)`` as its default; the caller builds the
    ``Settings`` (with its own --data-dir / --quiet handling) and calls it.
    """
    ps = sub.add_parser("serve", help="serve the web chat, API and widget on one port")
    ps.add_argument("--host", help="interface (default: TILLIT_HOST or 127.0.0.1)")
    ps.add_argument("--port", type=int, help="port (default: TILLIT_PORT or 7860)")
    ps.set_defaults(web_func=cmd_serve)
    pf = sub.add_parser("feedback", help="the votes given in the chat")
    fsub = pf.add_subparsers(dest="feedback_command", required=True)
    pe = fsub.add_parser("export", help="write all feedback to CSV or JSON Lines")
    pe.add_argument("out", help="output file (.csv or .jsonl)")
    pe.add_argument("--format", choices=["csv", "jsonl"], help="default: from the suffix")
    pe.set_defaults(web_func=cmd_feedback_export)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m web serve | feedback export OUT``."""
    p = argparse.ArgumentParser(prog="python -m web", description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", help="data directory (default: TILLIT_DATA_DIR or ./data)")
    sub = p.add_subparsers(dest="command", required=True)
    add_commands(sub)
    args = p.parse_args(argv)
    settings = Settings(data_dir=Path(args.data_dir)) if args.data_dir else Settings()
    return int(args.web_func(args, settings))
