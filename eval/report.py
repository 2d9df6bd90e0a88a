"""The evaluation report: ``report.md`` with PNG plots (matplotlib)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

REFUSED = {"kind:off_topic", "kind:unanswerable_on_topic", "kind:injection"}

STRICT = ["answer_pass", "citation_precision", "refusal_recall", "over_refusal", "lead_hit"]
RETRIEVAL = ["hit@1", "hit@5", "mrr", "loose_answer_pass", "citation_hit"]
METRICS = STRICT + RETRIEVAL


def _fmt(v: Any) -> str:
    return "–" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def _ci(m: dict[str, Any], name: str) -> str:
    """A rate with its 95 % interval and count: '0.812 [0.74–0.87] (n=96)'."""
    v, ci, n = m.get(name), m.get(f"{name}_ci"), m.get(f"{name}_n")
    if v is None:
        return "–"
    return f"{v:.3f} [{ci[0]:.2f}–{ci[1]:.2f}] (n={n})" if ci else _fmt(v)


def _group_value(m: dict[str, Any], kind: str) -> tuple[str, float | None, list[float] | None]:
    """What a group is judged by: refusal recall for kinds that must be refused, else the
    strict answer pass."""
    name = "refusal_recall" if kind.split("/")[0] in REFUSED else "answer_pass"
    return name, m.get(name), m.get(f"{name}_ci")


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
    metrics = result["modes"][default]["metrics"]
    labels = [g for g in metrics if g != "all" and "/" not in g and not g.startswith("written")]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for i, g in enumerate(labels):
        name, v, ci = _group_value(metrics[g], g)
        if v is None or ci is None:
            continue
        colour = "#b5523b" if name == "refusal_recall" else "#3a7ca5"
        ax.bar(i, v, color=colour)
        low, high = max(0.0, v - ci[0]), max(0.0, ci[1] - v)  # rounding can cross v
        ax.errorbar(i, v, yerr=[[low], [high]], color="black", capsize=3)
        ax.annotate(str(metrics[g]["n"]), (i, 0.02), ha="center", fontsize=7, color="white")
    ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("strict answer pass (blue) / refusal recall (red)")
    ax.set_title(f"Per language and kind, with 95 % intervals ({default}; n at the foot)")
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
    default = "hybrid" if "hybrid" in result["modes"] else next(iter(result["modes"]))
    top = result["modes"][default]["metrics"]["all"]
    lines += [f"## Headline ({result.get('split', 'custom')} split, {default}, strict)", "",
              "Every rate with its 95 % Wilson interval and the number of questions it counts.",
              "", "| metric | value |", "|---|---|"]
    for name in (*STRICT, "refusal:off_topic", "refusal:unanswerable_on_topic",
                 "refusal:injection", "not_stated_share", "hit@5"):
        lines.append(f"| {name} | {_ci(top, name)} |")
    lines += ["", "## Retrievers side by side", "",
              "| mode | " + " | ".join(METRICS) + " | median ms | p95 ms |",
              "|---|" + "---|" * (len(METRICS) + 2)]
    for mode, data in result["modes"].items():
        m = data["metrics"]["all"]
        lines.append(f"| {mode} | " + " | ".join(_fmt(m.get(c)) for c in METRICS)
                     + f" | {m['total_ms_median']:.1f} | {m['total_ms_p95']:.1f} |")
    lines += ["", "![hit@k](hit_at_k.png)", ""]
    lines += [f"## Per language and kind ({default})", "",
              "Kinds that must be refused are judged by refusal recall, the others by the "
              "strict answer pass.", "",
              "| group | n | judged by | value [95 % interval] | citation precision | "
              "over-refusal | hit@5 |", "|---|---|---|---|---|---|---|"]
    for g, m in result["modes"][default]["metrics"].items():
        if g == "all":
            continue
        name, _, _ = _group_value(m, g)
        lines.append(f"| {g} | {m['n']} | {name} | {_ci(m, name)} | "
                     f"{_fmt(m.get('citation_precision'))} | {_fmt(m.get('over_refusal'))} | "
                     f"{_fmt(m.get('hit@5'))} |")
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
                f"not answered ({r.get('answerability') or 'refused'})" if not r["answered"]
                else "answer lacks expected words" if not r.get("groups_match")
                else "no quoted passage holds the source"
            )
        else:
            why = "answered a question it should not"
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
