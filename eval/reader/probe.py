"""Does the reader read the detail? Minimal pairs over made-up sentences.

``eval/data/reader/probe.jsonl`` holds groups of one invented Swedish sentence (nothing from
the anthology) and four questions: one it answers and three that reuse its words but change
one detail it does not give (another organisation, year, counted thing, event, or a
property the sentence lacks), in Swedish or English. A reader that only checks that the
sentence has the *kind* of answer asked for scores them alike; one that reads the detail
ranks the answered question first.

    python -m eval.reader.probe                      # the shipped reader
    python -m eval.reader.probe --reader R.pt        # another reader file

Figures: *pairwise*, the share of (answered, changed) pairs of a group where the answered
question scores higher, overall, by kind of change and by language; *AUC* over all rows;
*at 0.5*, the share of changed questions scored below 0.5.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.reader.model import PRECISIONS, candidate_text
from eval.reader.dev import roc_auc

PROBE = Path(__file__).resolve().parents[1] / "data" / "reader" / "probe.jsonl"
CHANGES = ("entity", "year", "thing", "event", "property")


@dataclass(frozen=True)
class ProbeRow:
    """One question over a group's sentence: answered or changed (``change``)."""

    group: int
    lang: str
    section: str
    sentence: str
    question: str
    answers: bool
    change: str


def load_probe(path: Path = PROBE) -> list[ProbeRow]:
    """The probe's rows; a group must have one answered question and at least one changed."""
    rows = [ProbeRow(**json.loads(line)) for line in path.read_text("utf-8").splitlines()
            if line.strip()]
    groups: dict[int, list[ProbeRow]] = defaultdict(list)
    for r in rows:
        groups[r.group].append(r)
    for g, members in groups.items():
        if sum(r.answers for r in members) != 1 or len(members) < 2:
            raise ValueError(f"probe group {g}: needs one answered question and changed ones")
        if len({r.sentence for r in members}) != 1:
            raise ValueError(f"probe group {g}: its questions must share one sentence")
    return rows


def evaluate(rows: Sequence[ProbeRow],
             score: Callable[[str, list[str]], np.ndarray]) -> dict[str, float]:
    """The probe's figures for a scorer of (question, candidates)."""
    probs = [float(score(r.question, [candidate_text(r.sentence, r.section)])[0])
             for r in rows]
    by_group: dict[int, list[tuple[ProbeRow, float]]] = defaultdict(list)
    for r, p in zip(rows, probs, strict=True):
        by_group[r.group].append((r, p))
    wins: dict[str, list[bool]] = defaultdict(list)
    for members in by_group.values():
        pos = next(p for r, p in members if r.answers)
        for r, p in members:
            if not r.answers:
                for key in ("all", r.change, f"lang:{r.lang}"):
                    wins[key].append(pos > p)
    out = {f"pairwise:{k}": float(np.mean(v)) for k, v in sorted(wins.items())}
    out["pairs"] = float(len(wins["all"]))
    out["auc"] = roc_auc(probs, [r.answers for r in rows])
    out["changed_below_0.5"] = float(np.mean([p < 0.5 for r, p in zip(rows, probs, strict=True)
                                              if not r.answers]))
    out["answered_at_0.5"] = float(np.mean([p >= 0.5 for r, p in zip(rows, probs, strict=True)
                                            if r.answers]))
    return out


def main(argv: list[str] | None = None) -> int:
    """Score the probe with the shipped reader or ``--reader``."""
    ap = argparse.ArgumentParser(description="The reader on minimal pairs (eval/data/reader/"
                                 "probe.jsonl).")
    ap.add_argument("--reader", type=Path, default=None, help="a reader file (default: shipped)")
    ap.add_argument("--precision", default="fp32", choices=["auto", *PRECISIONS])
    args = ap.parse_args(argv)
    from assistant.reader.model import load_reader, resolve_precision

    reader = load_reader(args.reader.read_bytes() if args.reader else None,
                         precision=resolve_precision(args.precision))
    print(json.dumps(evaluate(load_probe(), reader.score), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
