"""Quoted and generated answers side by side: a table and two plots from ``--json`` results.

    python -m eval.side_by_side data/eval-extractive.json data/eval-llm-1.5b.json \
        data/eval-llm-0.5b.json --out docs/eval/generative
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from eval.metrics import QuestionResult, grouped

QUALITY = ["answer_pass", "citation_hit", "refusal_accuracy", "over_refusal",
           "citation_validity", "supported_sentences", "language_match", "fallback_rate"]
TIMES = ["first_token_ms_median", "total_ms_median", "total_ms_p95"]


def _label(result: dict[str, Any]) -> str:
    model = str(result.get("model", "extractive"))
    return "extractive" if result.get("answer_mode", "extractive") == "extractive" else model


def _metrics(result: dict[str, Any], group: str = "all") -> dict[str, Any]:
    """Metrics recomputed from the per-question results (today's definitions)."""
    modes = result["modes"]
    data = modes.get("hybrid", next(iter(modes.values())))
    fields = set(QuestionResult.__dataclass_fields__)
    rows = [QuestionResult(**{k: v for k, v in r.items() if k in fields})
            for r in data["results"]]
    return dict(grouped(rows).get(group, {}))


def _fmt(v: Any, ms: bool = False) -> str:
    if v is None:
        return "–"
    if ms:
        return f"{v:.0f} ms" if v < 1000 else f"{v / 1000:.1f} s"
    return f"{v:.3f}"


def table(results: list[dict[str, Any]], group: str = "all") -> str:
    """A markdown table: one row per run."""
    cols = QUALITY + TIMES
    lines = ["| answers | " + " | ".join(c.replace("_", " ") for c in cols) + " |",
             "|---" * (len(cols) + 1) + "|"]
    for r in results:
        m = _metrics(r, group)
        cells = [_fmt(m.get(c), c.endswith("_ms_median") or c.endswith("_ms_p95"))
                 for c in cols]
        lines.append(f"| {_label(r)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plots(results: list[dict[str, Any]], folder: Path) -> list[str]:
    """Quality metrics as grouped bars; time to first token and total time as bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    labels = [_label(r) for r in results]
    x = np.arange(len(QUALITY))
    width = 0.8 / max(len(results), 1)
    fig, ax = plt.subplots(figsize=(10, 4))
    for i, r in enumerate(results):
        m = _metrics(r)
        ax.bar(x + i * width, [m.get(c) or 0 for c in QUALITY], width, label=labels[i])
    lower = {"over_refusal", "fallback_rate"}
    ax.set_xticks(x + width * (len(results) - 1) / 2,
                  [c.replace("_", "\n") + ("\n(lower is better)" if c in lower else "")
                   for c in QUALITY], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    ax.set_title("Quoted vs generated answers (curated questions)")
    fig.tight_layout()
    fig.savefig(folder / "quality.png", dpi=110)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    x = np.arange(len(TIMES))
    for i, r in enumerate(results):
        m = _metrics(r)
        ax.bar(x + i * width, [(m.get(c) or 0) / 1000 for c in TIMES], width, label=labels[i])
    ax.set_xticks(x + width * (len(results) - 1) / 2, [c.replace("_ms_", " ") for c in TIMES])
    ax.set_ylabel("seconds")
    ax.legend(fontsize=8)
    ax.set_title("Time per question (2 CPU cores)")
    fig.tight_layout()
    fig.savefig(folder / "time.png", dpi=110)
    plt.close(fig)
    return ["quality.png", "time.png"]


def main(argv: list[str] | None = None) -> int:
    """Write ``report.md`` and the plots into ``--out``."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("results", nargs="+", type=Path, help="JSON files written by --json")
    ap.add_argument("--out", type=Path, default=Path("docs/eval/generative"))
    args = ap.parse_args(argv)
    results = [json.loads(p.read_text(encoding="utf-8")) for p in args.results]
    names = plots(results, args.out)
    parts = ["# Quoted vs generated answers", "",
             "Curated questions (`eval/questions.jsonl`), hybrid retrieval, 2 CPU cores. "
             "Written by `python -m eval.side_by_side`; how to read it: "
             "[docs/generative.md](../../generative.md). A dash: not applicable (citation "
             "validity and supported sentences are measured on answers a model wrote).", "",
             "## All questions", "", table(results), ""]
    for group in ("lang:sv", "lang:en"):
        parts += [f"## {group}", "", table(results, group), ""]
    parts += [f"![{n}]({n})" for n in names]
    (args.out / "report.md").write_text("\n".join(parts) + "\n", encoding="utf-8")
    print(table(results))
    print(f"Report: {args.out / 'report.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
