"""Sweep one tuning knob over the dev split (never the test split) and print the figures.

    python -m eval.sweep crosslingual_dense_weight 0.5 0.7 0.85 1.0
    python -m eval.sweep lead_distance 10000 120 60 30 15
    python -m eval.sweep reader_weight 0 0.01 0.03 0.05

For each value an assistant is built from the shipped settings and tuning with that one
value changed (the embedder is loaded once), and the dev questions are answered again.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from assistant.settings import Settings
from assistant.tuning import Tuning
from eval.questions import tuning_questions
from eval.runner import evaluate


def _dense_weight(settings: Settings, tuning: Tuning, value: float) -> tuple[Settings, Tuning]:
    return settings.model_copy(update={"crosslingual_dense_weight": value}), tuning


def _lead_distance(settings: Settings, tuning: Tuning, value: float) -> tuple[Settings, Tuning]:
    return (settings.model_copy(update={"direct_answer": True}),
            replace(tuning, lead=replace(tuning.lead, max_distance=int(value))))


def _reader_weight(settings: Settings, tuning: Tuning, value: float) -> tuple[Settings, Tuning]:
    return (settings.model_copy(update={"reader": True}),
            replace(tuning, reader=replace(tuning.reader, rank_weight=value)))


# Each knob gives the settings and tuning an assistant is built from for one value.
KNOBS: dict[str, Callable[[Settings, Tuning, float], tuple[Settings, Tuning]]] = {
    "crosslingual_dense_weight": _dense_weight,
    "lead_distance": _lead_distance,
    "reader_weight": _reader_weight,
}
GROUPS = ("all", "lang:en", "lang:sv", "kind:paraphrase", "kind:crosslingual")
METRICS = ("answer_pass", "citation_precision", "refusal_recall", "over_refusal", "hit@5")


def lead_figures(results: list[dict[str, Any]]) -> str:
    """Direct answer lines shown, right, and shown for unanswerable questions."""
    shown = [r for r in results if r["lead"]]
    right = sum(1 for r in shown if r["lead_hit"])
    unanswerable = sum(1 for r in shown if not r["answerable"])
    return f"leads shown {len(shown)}, right {right}, for unanswerable questions {unanswerable}"


def main(argv: list[str] | None = None) -> int:
    """Run the dev questions once per value of the knob."""
    from assistant.factory import build_embedder, open_or_build_assistant

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("knob", choices=sorted(KNOBS))
    ap.add_argument("values", type=float, nargs="+")
    args = ap.parse_args(argv)
    questions = tuning_questions("dev")
    shipped = Settings()
    embedder = build_embedder(shipped)
    for value in args.values:
        settings, tuning = KNOBS[args.knob](shipped, Tuning(), value)
        assistant = open_or_build_assistant(settings, embedder, tuning=tuning)
        out = evaluate(assistant, questions, show_progress=False)["modes"]["hybrid"]
        for group in GROUPS:
            m = out["metrics"].get(group, {})
            figures = ", ".join(f"{k} {m[k]:.3f}" for k in METRICS if isinstance(m.get(k), float))
            print(f"{args.knob}={value:g}  {group:18s} {figures}")
        print(f"{args.knob}={value:g}  {lead_figures(out['results'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
