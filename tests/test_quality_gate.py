"""The quality gate: the frozen test split, default configuration, strict metrics per kind.

``eval/gate.toml`` holds one table per group (``all``, ``lang:sv``, ``kind:factoid`` …) with
``min_<metric>`` / ``max_<metric>`` floors set one 95 % interval below the level reached.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from eval.questions import load_questions
from eval.runner import evaluate

GATE = Path(__file__).resolve().parent.parent / "eval" / "gate.toml"


def check_gate(
    metrics: dict[str, dict[str, object]], gate: dict[str, dict[str, float]]
) -> list[str]:
    """Every floor the metrics break, as readable lines (empty when the gate holds)."""
    broken = []
    for group, limits in gate.items():
        m = metrics.get(group)
        if m is None:
            broken.append(f"{group}: no such group in the results")
            continue
        for key, limit in limits.items():
            bound, name = key.split("_", 1)
            value = m.get(name)
            if not isinstance(value, float | int):
                broken.append(f"{group}: {name} missing")
            elif (bound == "min" and value < limit) or (bound == "max" and value > limit):
                broken.append(f"{group}: {name} {value:.3f} breaks {key} = {limit}")
    return broken


def test_a_new_gate_never_lowers_a_floor_nor_raises_a_ceiling() -> None:
    from eval.make_gate import merged

    old = {"all": {"min_answer_pass": 0.65, "max_over_refusal": 0.04},
           "kind:gone": {"min_answer_pass": 0.3}}
    new = {"all": {"min_answer_pass": 0.63, "max_over_refusal": 0.06,
                   "min_citation_precision": 0.5},
           "kind:new": {"min_refusal_recall": 0.1}}
    assert merged(old, new) == {
        "all": {"min_answer_pass": 0.65, "max_over_refusal": 0.04,
                "min_citation_precision": 0.5},
        "kind:new": {"min_refusal_recall": 0.1},
        "kind:gone": {"min_answer_pass": 0.3},
    }
    assert merged(new, old)["all"]["min_answer_pass"] == 0.65


def test_the_gate_check_notices_a_broken_floor() -> None:
    metrics = {"all": {"answer_pass": 0.5, "over_refusal": 0.1}}
    assert check_gate(metrics, {"all": {"min_answer_pass": 0.4, "max_over_refusal": 0.2}}) == []
    broken = check_gate(metrics, {"all": {"min_answer_pass": 0.6, "max_over_refusal": 0.05},
                                  "kind:x": {"min_pass": 0.1}})
    assert len(broken) == 3 and "answer_pass 0.500 breaks min_answer_pass" in broken[0]


def test_test_split_meets_the_gate(assistant) -> None:
    gate = tomllib.loads(GATE.read_text(encoding="utf-8"))
    assert "all" in gate and any(g.startswith("kind:") for g in gate)
    result = evaluate(assistant, load_questions(split="test"), modes=("hybrid",),
                      show_progress=False)
    metrics = result["modes"]["hybrid"]["metrics"]
    print({g: round(m["pass"] or 0, 3) for g, m in metrics.items() if "/" not in g})
    assert check_gate(metrics, gate) == []
