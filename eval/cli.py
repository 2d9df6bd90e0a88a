"""``tillit eval`` / ``python -m eval``: run the curated questions (or a benchmark) and report."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.errors import TillitError

MODES = ("bm25", "dense", "hybrid")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The evaluation options (shared by ``tillit eval`` and ``python -m eval``)."""
    p.add_argument("--split", choices=["dev", "test", "all"], default="test",
                   help="which curated questions: the held-out test split (reported), the dev "
                   "split (for tuning), or both (default: test)")
    p.add_argument("--questions", type=Path, help="another question file (JSON Lines)")
    p.add_argument("--json", type=Path, dest="json_out", help="write all results as JSON")
    p.add_argument("--report", type=Path, help="write report.md and plots into this folder")
    p.add_argument("--k", type=int, default=5, help="passages retrieved per question")
    p.add_argument("--modes", default=None,
                   help="comma-separated retrieval modes to compare (default: all for "
                   "extractive answers, hybrid for generated ones)")
    p.add_argument("--mode", choices=["extractive", "llm"], default="extractive",
                   help="who writes the answers: the quoting composer, or the chat model "
                   "that TILLIT_LLM names (llamacpp when unset)")
    p.add_argument("--min-hit5", type=float, help="fail (exit 1) if hybrid hit@5 is below")
    p.add_argument("--min-pass", type=float,
                   help="fail (exit 1) if the hybrid answer pass rate is below")
    p.add_argument("--benchmark", choices=["swequad", "swefaq"],
                   help="run an external retrieval benchmark instead")
    p.add_argument("--limit", type=int, help="only the first N benchmark questions")


def _fmt(v: Any) -> str:
    return "  –  " if v is None else f"{v:5.3f}" if isinstance(v, float) else str(v)


def _fmt_ci(m: dict[str, Any], name: str) -> str:
    v, ci = m.get(name), m.get(f"{name}_ci")
    if v is None:
        return "–"
    return f"{v:.3f} [{ci[0]:.2f}–{ci[1]:.2f}]" if ci else f"{v:.3f}"


def print_summary(result: dict[str, Any]) -> None:
    """A compact table: one row per mode, then per language and kind for the default.

    Strict figures come first, each with its 95 % interval."""
    cols = ["answer_pass", "citation_precision", "refusal_recall", "over_refusal", "hit@5"]
    if result.get("answer_mode") == "llm":
        cols += ["citation_validity", "supported_sentences", "language_match", "fallback_rate"]
    width = 22
    print(f"{'':28}{'n':>5}" + "".join(f"{c[:width - 2]:>{width}}" for c in cols)
          + f"{'median ms':>11}{'p95 ms':>9}")

    def row(name: str, m: dict[str, Any]) -> None:
        print(f"{name:28}{m['n']:>5}" + "".join(f"{_fmt_ci(m, c):>{width}}" for c in cols)
              + f"{m['total_ms_median']:>11.1f}{m['total_ms_p95']:>9.1f}")

    for mode, data in result["modes"].items():
        row(mode, data["metrics"]["all"])
    default = "hybrid" if "hybrid" in result["modes"] else next(iter(result["modes"]))
    for group, m in result["modes"][default]["metrics"].items():
        if group != "all" and "/" not in group:
            row(f"  {group}", m)


def run(args: argparse.Namespace, settings: Any) -> int:
    """Run the evaluation described by ``args`` with ``settings``; returns the exit code."""
    from assistant.cli import ready_assistant
    from eval.questions import load_questions
    from eval.runner import evaluate

    if args.benchmark:
        from eval.benchmarks import run_benchmark

        result = run_benchmark(args.benchmark, settings, limit=args.limit)
        if args.json_out:
            args.json_out.parent.mkdir(parents=True, exist_ok=True)
            args.json_out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    if args.mode == "llm":
        settings = settings.model_copy(
            update={"llm": settings.llm if settings.llm != "none" else "llamacpp"}
        )
    else:
        settings = settings.model_copy(update={"llm": "none"})
    default_modes = "hybrid" if args.mode == "llm" else ",".join(MODES)
    modes: list[Any] = [m.strip() for m in (args.modes or default_modes).split(",") if m.strip()]
    bad = [m for m in modes if m not in MODES]
    if bad:
        raise TillitError(f"Unknown mode(s): {', '.join(bad)} (choose from {', '.join(MODES)})")
    split = None if args.split == "all" else args.split
    questions = load_questions(args.questions, split=None if args.questions else split)
    assistant = ready_assistant(settings)
    if args.mode == "llm" and assistant.generator is None:
        problem = assistant.llm_problem
        raise problem if problem is not None else TillitError("No chat model is configured.")
    result = evaluate(assistant, questions, modes, k=args.k,
                      show_progress=settings.show_progress)
    result["questions_file"] = args.questions.name if args.questions else f"{args.split} split"
    result["split"] = "custom" if args.questions else args.split
    result["answer_mode"] = args.mode
    result["model"] = assistant.generator.name if assistant.generator else "extractive"
    result["index"] = assistant.info()
    print_summary(result)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    if args.report:
        from eval.report import write_report

        path = write_report(result, args.report)
        print(f"Report: {path}")
    gate = result["modes"].get("hybrid", next(iter(result["modes"].values())))["metrics"]["all"]
    failed = []
    if args.min_hit5 is not None and (gate["hit@5"] or 0) < args.min_hit5:
        failed.append(f"hit@5 {gate['hit@5']:.3f} < {args.min_hit5}")
    if args.min_pass is not None and (gate["answer_pass"] or 0) < args.min_pass:
        failed.append(f"answer pass {gate['answer_pass']:.3f} < {args.min_pass}")
    for f in failed:
        print(f"REGRESSION: {f}", file=sys.stderr)
    return 1 if failed else 0


def register(sub: Any) -> None:
    """Add ``eval`` to ``sub``, an argparse sub-parser collection (``tillit eval``); it runs
    as ``args.run(args, settings)``."""
    pe = sub.add_parser("eval", help="evaluate on the curated questions or a benchmark")
    add_arguments(pe)
    pe.set_defaults(run=run)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m eval``: the same as ``tillit eval``."""
    from assistant.cli import add_global_options, dispatch

    p = argparse.ArgumentParser(prog="python -m eval", description=__doc__.splitlines()[0])
    add_global_options(p)
    add_arguments(p)
    p.set_defaults(run=run)
    # The web's variables (TILLIT_PORT …) belong to a layer above this one, so unknown
    # variables are not named here: `tillit eval` (the same command) names them.
    return dispatch(p.parse_args(argv), warn_unknown=False)
