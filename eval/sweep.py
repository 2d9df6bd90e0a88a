"""Sweep one tuning knob over the dev split (never the test split) and print the figures.

    python -m eval.sweep crosslingual_dense_weight 0.5 0.7 0.85 1.0
    python -m eval.sweep lead_distance 10000 120 60 30 15

The assistant is built once from the shipped settings; each value is set on it (or on the
module constant it names) before the dev questions are answered again.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from assistant.core import Assistant
from eval.questions import tuning_questions
from eval.runner import evaluate


def _set_dense_weight(assistant: Assistant, value: float) -> None:
    assistant.crosslingual_dense_weight = value


def _set_lead_distance(assistant: Assistant, value: float) -> None:
    import assistant.lead as lead

    assistant.direct_answer = True
    lead.MAX_LEAD_DISTANCE = int(value)


KNOBS: dict[str, Callable[[Assistant, float], None]] = {
    "crosslingual_dense_weight": _set_dense_weight,
    "lead_distance": _set_lead_distance,
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
    from assistant.factory import open_or_build_assistant
    from assistant.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("knob", choices=sorted(KNOBS))
    ap.add_argument("values", type=float, nargs="+")
    args = ap.parse_args(argv)
    questions = tuning_questions("dev")
    assistant = open_or_build_assistant(Settings())
    for value in args.values:
        KNOBS[args.knob](assistant, value)
        out = evaluate(assistant, questions, show_progress=False)["modes"]["hybrid"]
        for group in GROUPS:
            m = out["metrics"].get(group, {})
            figures = ", ".join(f"{k} {m[k]:.3f}" for k in METRICS if isinstance(m.get(k), float))
            print(f"{args.knob}={value:g}  {group:18s} {figures}")
        print(f"{args.knob}={value:g}  {lead_figures(out['results'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
