"""The evaluation report: ``report.md`` with PNG plots (matplotlib)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

METRICS = ["hit@1", "hit@3", "hit@5", "mrr", "citation_hit", "answer_pass",
           "refusal_accuracy", "over_refusal"]


def _fmt(v: Any) -> str:
    return "–" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def _hit_curve(results: list[dict[str, Any]], k: int) -> list[float]:
    ans = [r for r in results if r["answerable"]]
    return [sum(1 for r in ans if r["hit_rank"] and r["hit_rank"] <= i) / max(len(ans), 1)
            for i in range(1, k + 1)]


def write_plots(result: dict[str, Any], folder: Path) -> list[str]:
    """hit@k per retriever, pass rates per language and type, latency distribution."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    k = int(result.get("k", 5))
    fig, ax = plt.subplots(figsize=(6, 4))
    for mode, data in result["modes"].items():
        ax.plot(range(1, k + 1), _hit_curve(data["results"], k), marker="o", label=mode)
    ax.set_xlabel("k (passages retrieved)")
    ax.set_ylabel("hit@k (answerable questions)")
    ax.set_ylim(0, 1)
    ax.set_xticks(range(1, k + 1))
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("Retrieval: hit@k per retriever")
    fig.tight_layout()
    fig.savefig(folder / "hit_at_k.png", dpi=120)
    plt.close(fig)
    names.append("hit_at_k.png")

    default = "hybrid" if "hybrid" in result["modes"] else next(iter(result["modes"]))
    groups = {g: m for g, m in result["modes"][default]["metrics"].items() if g != "all"}
    labels = sorted(groups, key=lambda g: (not g.startswith("lang:"), g))
    fig, ax = plt.subplots(figsize=(8, 4))
    values = [groups[g]["pass"] or 0.0 for g in labels]
    bars = ax.bar(range(len(labels)), values, color="#3a7ca5")
    for b, g in zip(bars, labels, strict=True):
        ax.annotate(str(groups[g]["n"]), (b.get_x() + b.get_width() / 2, b.get_height()),
                    ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("questions passed (n above bar)")
    ax.set_title(f"Pass rate per language and type ({default})")
    fig.tight_layout()
    fig.savefig(folder / "pass_by_group.png", dpi=120)
    plt.close(fig)
    names.append("pass_by_group.png")

    fig, ax = plt.subplots(figsize=(6, 4))
    res = result["modes"][default]["results"]
    ax.hist([r["retrieval_ms"] for r in res], bins=30, alpha=0.7, label="retrieval")
    ax.hist([r["total_ms"] for r in res], bins=30, alpha=0.7, label="total")
    ax.set_xlabel("milliseconds per question")
    ax.set_ylabel("questions")
    ax.legend()
    ax.set_title(f"Latency ({default})")
    fig.tight_layout()
    fig.savefig(folder / "latency.png", dpi=120)
    plt.close(fig)
    names.append("latency.png")
    return names


def write_report(result: dict[str, Any], folder: Path) -> Path:
    """Write ``report.md`` and its plots into ``folder``; returns the report's path."""
    folder.mkdir(parents=True, exist_ok=True)
    plots = write_plots(result, folder)
    lines = ["# Tillit evaluation report", ""]
    info = result.get("index", {})
    if info:
        lines += [f"Index `{info.get('build_id')}`: {info.get('chunks')} chunks, "
                  f"{info.get('tokens')} tokens, embedder `{info.get('embedder_id')}`. "
                  f"Questions: `{result.get('questions_file')}`, k = {result.get('k')}.", ""]
    lines += ["## Retrievers side by side", "",
              "| mode | " + " | ".join(METRICS) + " | median ms | p95 ms |",
              "|---|" + "---|" * (len(METRICS) + 2)]
    for mode, data in result["modes"].items():
        m = data["metrics"]["all"]
        lines.append(f"| {mode} | " + " | ".join(_fmt(m.get(c)) for c in METRICS)
                     + f" | {m['total_ms_median']:.1f} | {m['total_ms_p95']:.1f} |")
    lines += ["", "![hit@k](hit_at_k.png)", ""]
    default = "hybrid" if "hybrid" in result["modes"] else next(iter(result["modes"]))
    lines += [f"## Per language and question type ({default})", "",
              "| group | n | " + " | ".join(METRICS) + " | pass |",
              "|---|---|" + "---|" * (len(METRICS) + 1)]
    for g, m in result["modes"][default]["metrics"].items():
        lines.append(f"| {g} | {m['n']} | " + " | ".join(_fmt(m.get(c)) for c in METRICS)
                     + f" | {_fmt(m.get('pass'))} |")
    m = result["modes"][default]["metrics"]["all"]
    lines += ["", "![pass rates](pass_by_group.png)", "",
              "## Latency", "",
              f"Median {m['total_ms_median']:.1f} ms, p95 {m['total_ms_p95']:.1f} ms per question "
              f"(retrieval median {m['retrieval_ms_median']:.1f} ms, p95 "
              f"{m['retrieval_ms_p95']:.1f} ms; answering median {m['answer_ms_median']:.1f} ms).",
              "", "![latency](latency.png)", "", f"## Failures ({default})", ""]
    for r in result["modes"][default]["results"]:
        if r["passed"]:
            continue
        if r["answerable"]:
            why = (
                "refused" if not r["answered"]
                else "wrong passage cited" if not r["citation_hit"]
                else "answer lacks expected words"
            )
        else:
            why = "answered an unanswerable question"
        lines.append(f"- **{r['id']}** ({r['lang']}, {r['qtype']}, {why}): {r['question']}")
        if r["expected"]:
            lines.append(f"  - expected passage with: “{r['expected'][0]}” "
                         f"(retrieved at rank {r['hit_rank'] or '>k'})")
        if r["cited"]:
            lines.append(f"  - cited {', '.join(r['cited'])}: “{r['cited_quotes'][0][:160]}”")
    path = folder / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert plots
    return path
