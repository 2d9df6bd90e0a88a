"""The one top-level parser of ``tillit``.

Each layer contributes its sub-commands through its own ``register(subparsers)``: the core
(:mod:`assistant.cli`: index, ask, chat, llm, info), the web (:mod:`tillit_web.cli`: serve,
feedback) and, in a source checkout, the evaluation (:mod:`eval.cli`: eval), which is a
development tool and not part of the installed package. Every command runs as
``args.run(args, settings)``, with the one settings object composed here: the core's
settings with the web's section (``tillit_web.settings.AppSettings``). This module sits
above all layers; only ``app.py`` (which
runs ``tillit serve``) imports it.
"""

from __future__ import annotations

import argparse
import importlib.util
from collections.abc import Callable, Sequence
from typing import Any

from assistant import cli as core_cli
from tillit_web import cli as web_cli
from tillit_web.settings import AppSettings


def registrars() -> list[Callable[[Any], None]]:
    """The ``register`` functions of the layers present: core, web, and eval when the
    source checkout (not the installed wheel) provides it."""
    found: list[Callable[[Any], None]] = [core_cli.register]
    if importlib.util.find_spec("eval") is not None:
        from eval.cli import register as register_eval

        found.append(register_eval)
    found.append(web_cli.register)
    return found


def parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    p = argparse.ArgumentParser(
        prog="tillit",
        description="Ask the anthology Styra och leda med tillit (SOU 2018:38) in Swedish or "
        "English and get answers that quote the book, with chapter, section and page for "
        "every passage.",
        epilog="Start with `tillit index` (once), then `tillit ask \"your question\"` or "
        "`tillit chat`; `tillit serve` opens the web chat. `tillit COMMAND --help` explains "
        "a command.",
    )
    core_cli.add_global_options(p)
    sub = p.add_subparsers(dest="command", required=True)
    for register in registrars():
        register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tillit`` console script."""
    return core_cli.dispatch(parser().parse_args(argv), AppSettings)
