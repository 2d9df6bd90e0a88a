"""The quality gate: the curated evaluation with the default configuration must not regress."""

from __future__ import annotations

import tomllib
from pathlib import Path

from eval.questions import load_questions
from eval.runner import evaluate

GATE = Path(__file__).resolve().parent.parent / "eval" / "gate.toml"


def test_curated_evaluation_meets_the_gate(assistant) -> None:
    gate = tomllib.loads(GATE.read_text(encoding="utf-8"))
    result = evaluate(assistant, load_questions(), modes=("hybrid",), show_progress=False)
    m = result["modes"]["hybrid"]["metrics"]["all"]
    summary = {k: round(m[k], 3) for k in ("hit@5", "answer_pass", "refusal_accuracy",
                                          "over_refusal")}
    print(f"quality gate: {summary}")
    assert m["hit@5"] >= gate["min_hit5"], summary
    assert m["answer_pass"] >= gate["min_answer_pass"], summary
    assert m["refusal_accuracy"] >= gate["min_refusal_accuracy"], summary
    assert m["over_refusal"] <= gate["max_over_refusal"], summary
