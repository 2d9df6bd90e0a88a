"""Choose the reader's threshold on the dev split: ``python -m eval.reader.calibrate``.

The threshold is the highest at which at most ``MAX_OVER_REFUSAL`` of the answerable dev
questions would be refused (their best candidate below it), chosen on the reader as it
ships (fp32). Five-fold cross-validation estimates how that choice holds on questions it was not
chosen on (over-refusal and on-topic unanswerable refused, each on the held-out folds).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np

from assistant.reader.model import PRECISIONS
from eval.reader import dev

ROOT = Path(__file__).resolve().parents[2]
MAX_OVER_REFUSAL = 0.05


def choose(answerable_best: list[float], max_over_refusal: float = MAX_OVER_REFUSAL) -> float:
    """The highest threshold refusing at most ``max_over_refusal`` of ``answerable_best``."""
    s = np.sort(np.asarray(answerable_best, dtype=np.float64))
    allowed = int(np.floor(max_over_refusal * len(s)))
    return float(s[allowed]) if len(s) else 0.5


def cross_validate(best: list[float], labels: list[bool], folds: int = 5, seed: int = 0,
                   max_over_refusal: float = MAX_OVER_REFUSAL) -> dict[str, float]:
    """Over-refusal and refusal recall on held-out folds, thresholds chosen on the rest."""
    idx = list(range(len(best)))
    random.Random(seed).shuffle(idx)
    over = refused = n_ans = n_un = 0
    for f in range(folds):
        held = set(idx[f::folds])
        t = choose([best[i] for i in idx if i not in held and labels[i]], max_over_refusal)
        for i in held:
            if labels[i]:
                n_ans += 1
                over += best[i] < t
            else:
                n_un += 1
                refused += best[i] < t
    return {"cv_over_refusal": over / max(1, n_ans), "cv_unanswerable_refused":
            refused / max(1, n_un)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reader", type=Path, default=None,
                    help="a reader file (default: the shipped one)")
    ap.add_argument("--cases", type=Path, default=ROOT / "data" / "reader" / "dev_cases.jsonl")
    ap.add_argument("--precision", default="auto", choices=["auto", *PRECISIONS],
                    help="the reader's arithmetic (auto: bf16 where the CPU has it natively)")
    ap.add_argument("--max-over-refusal", type=float, default=MAX_OVER_REFUSAL)
    args = ap.parse_args(argv)
    from assistant.reader.model import load_reader, resolve_precision

    reader = load_reader(args.reader.read_bytes() if args.reader else None,
                         precision=resolve_precision(args.precision))
    cases = dev.load(args.cases)
    res = dev.evaluate(cases, lambda q, c: reader.score(q, c))
    best = res.best
    labels = [c.answerable for c in cases]
    t = choose([b for b, y in zip(best, labels, strict=True) if y], args.max_over_refusal)
    _, refused = dev.refusals(best, labels, t)
    out = {"threshold": round(t, 4), "dev_unanswerable_refused": refused,
           **cross_validate(best, labels, max_over_refusal=args.max_over_refusal),
           **res.summary}
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
