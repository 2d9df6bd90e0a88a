"""Write ``eval/gate.toml`` from a test-split run: one floor per group and metric, set at the
lower end of the 95 % interval of the level reached (ceilings at the upper end), so that
the gate stops a real regression, not the loss of one question.

    tillit eval --split test --modes hybrid --json data/eval-test.json
    python -m eval.make_gate data/eval-test.json

The new limits are merged with the gate already written: a floor is only ever raised, a
ceiling only lowered (``--replace`` writes the new limits alone).
"""

from __future__ import annotations

import argparse
import json
import math
import tomllib
from pathlib import Path
from typing import Any

GATE = Path(__file__).resolve().parent / "gate.toml"
REFUSED = ("kind:off_topic", "kind:unanswerable_on_topic", "kind:injection")


def floors(metrics: dict[str, dict[str, Any]]) -> dict[str, dict[str, float]]:
    """{group: {"min_<metric>" | "max_<metric>": limit}} from a run's grouped metrics."""
    out: dict[str, dict[str, float]] = {}
    for group, m in metrics.items():
        if "/" in group or group.startswith("written_by"):
            continue
        limits: dict[str, float] = {}
        names = ["refusal_recall"] if group in REFUSED else ["answer_pass"]
        if group == "all":
            names += ["hit@5", "citation_precision"]
        for name in names:
            ci = m.get(f"{name}_ci")
            if ci:
                limits[f"min_{name}"] = math.floor(ci[0] * 100) / 100
        ci = m.get("over_refusal_ci")
        if ci and group not in REFUSED and m.get("over_refusal_n"):
            limits["max_over_refusal"] = math.ceil(ci[1] * 100) / 100
        if limits:
            out[group] = limits
    return out


def merged(old: dict[str, dict[str, float]], new: dict[str, dict[str, float]]
           ) -> dict[str, dict[str, float]]:
    """``new`` limits with ``old`` ones kept where stricter: the higher floor (``min_``), the
    lower ceiling (``max_``); a limit only one of them sets is kept."""
    out: dict[str, dict[str, float]] = {}
    for group in list(new) + [g for g in old if g not in new]:
        limits = dict(old.get(group, {}))
        for name, value in new.get(group, {}).items():
            if name not in limits:
                limits[name] = value
            elif name.startswith("min_"):
                limits[name] = max(limits[name], value)
            else:
                limits[name] = min(limits[name], value)
        out[group] = limits
    return out


def render(gate: dict[str, dict[str, float]], source: str, was_merged: bool = True) -> str:
    """The gate as TOML, one table per group."""
    lines = [
        "# The quality gate on the frozen test split (tests/test_quality_gate.py), written by",
        f"# `python -m eval.make_gate {source}`. Each floor is the lower end of the 95 %",
        "# interval of the level reached; raise them as the system improves, never lower them",
        "# to make a change pass.",
    ]
    if was_merged:
        lines.append("# Merged with the previous gate: a floor is only ever raised, a ceiling "
                     "only lowered.")
    for group, limits in gate.items():
        lines += ["", f'["{group}"]']
        lines += [f'"{k}" = {v}' for k, v in limits.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Read a run's JSON and write the gate."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("result", type=Path)
    ap.add_argument("--out", type=Path, default=GATE)
    ap.add_argument("--replace", action="store_true",
                    help="write the new limits alone instead of merging with --out's")
    args = ap.parse_args(argv)
    result = json.loads(args.result.read_text(encoding="utf-8"))
    if result.get("split") != "test":
        raise SystemExit("The gate is set from a run on the test split (--split test).")
    metrics = result["modes"]["hybrid"]["metrics"]
    gate = floors(metrics)
    merge = not args.replace and args.out.is_file()
    if merge:
        gate = merged(tomllib.loads(args.out.read_text(encoding="utf-8")), gate)
    args.out.write_text(render(gate, str(args.result), merge), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
