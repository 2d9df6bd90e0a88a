"""Plot how build time and query latency grow with corpus size, from measured figures.

The numbers are the "after" rows of docs/ingest.md (``python -m benchmarks build`` and
``python -m benchmarks query``); this script only draws them: ``python -m
benchmarks.plot_growth docs/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# chunks -> (seconds per build, label); real model for the first two, stand-in beyond.
BUILD = [(142, 19.3, "chapter, pooled"), (3384, 195.1, "SweQuAD-MC, pooled"),
         (23744, 28.3, "10× synthetic, no model"), (237583, 284.4, "100× synthetic, no model")]
# chunks -> (median, p95) ms for the full extractive answer (after; upper ends of ranges).
QUERY = [(142, 35.7, 51.3), (9940, 41.9, 76.3), (99968, 41.0, 62.2)]


def main(folder: Path) -> None:
    """Write build_growth.png and query_growth.png into ``folder``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    real = [b for b in BUILD if "no model" not in b[2]]
    stand = [b for b in BUILD if "no model" in b[2]]
    ax.loglog([b[0] for b in real], [b[1] for b in real], "o-", label="with the model")
    ax.loglog([b[0] for b in stand], [b[1] for b in stand], "s--",
              label="without the model (stand-in embedder)")
    for n, s, label in BUILD:
        ax.annotate(label, (n, s), fontsize=7, xytext=(4, 4), textcoords="offset points")
    ax.set_xlabel("chunks")
    ax.set_ylabel("build time, s")
    ax.set_title("Index build time by corpus size (2 cores)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "build_growth.png", dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.semilogx([q[0] for q in QUERY], [q[1] for q in QUERY], "o-", label="median")
    ax.semilogx([q[0] for q in QUERY], [q[2] for q in QUERY], "s--", label="p95")
    ax.set_ylim(0, max(q[2] for q in QUERY) * 1.3)
    ax.set_xlabel("chunks in the index")
    ax.set_ylabel("ms per question (full answer, warm)")
    ax.set_title("Query latency by index size")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "query_growth.png", dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
