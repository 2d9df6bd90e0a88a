"""The reader measured on the curated questions: does its best candidate tell answered
from not stated?

``collect`` runs the answer pipeline up to the read stage for every answerable and on-topic
unanswerable question of a split and keeps its candidates; ``evaluate`` scores them with a
reader (and, as the baseline, with an empty candidate: the question alone).

    python -m eval.reader.dev --split test --out data/reader/test_cases.jsonl
    python -m eval.reader.dev --cases data/reader/test_cases.jsonl --reader R.pt --threshold T
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from assistant.core import Assistant
from assistant.reader.model import PRECISIONS
from assistant.reading import candidates
from eval.matching import contains_any
from eval.questions import EvalQuestion

MAX_CANDIDATES = 20


@dataclass(frozen=True)
class Case:
    """One question with the candidates the pipeline gives the reader."""

    id: str
    kind: str
    lang: str
    answerable: bool
    query: str
    candidates: list[str]
    source_hit: list[bool]  # candidate holds a source phrase (answerable questions)


def collect(assistant: Assistant, questions: Sequence[EvalQuestion],
            previous: bool = False) -> list[Case]:
    """The cases of ``questions`` with ``assistant``'s retrieval and sentence ranking, the
    candidates shown as a reader that reads ``previous`` sentences sees them."""
    out = []
    for q in questions:
        if q.kind in ("off_topic", "injection"):
            continue
        prepared = assistant.preparation.prepare(q.question, q.history, use_model=False)
        cands = candidates(prepared.retrieval, prepared.scored, MAX_CANDIDATES, previous)
        hit = [contains_any(s.text, q.source_any) for s, _ in cands]
        out.append(Case(q.id, q.kind, q.lang, q.answerable, prepared.standalone.query,
                        [t for _, t in cands], hit))
    return out


def save(cases: list[Case], path: Path) -> None:
    """Write cases as JSON lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(asdict(c), ensure_ascii=False) + "\n" for c in cases),
                    encoding="utf-8")


def load(path: Path) -> list[Case]:
    """Read cases written by ``save``."""
    return [Case(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def roc_auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """Area under the ROC curve (scikit-learn's); NaN when one class is missing."""
    if len(set(labels)) < 2:
        return float("nan")
    return float(roc_auc_score(np.asarray(labels, dtype=bool), np.asarray(scores)))


Scorer = Callable[[str, list[str]], np.ndarray]


@dataclass(frozen=True)
class DevResult:
    """The figures and each case's best probability and question-only probability."""

    summary: dict[str, float]
    best: list[float]
    question_only: list[float]


def evaluate(cases: list[Case], score: Scorer) -> DevResult:
    """AUC (answered vs not stated, best candidate), by language, the question-only
    baseline and how often the best candidate holds the source (answerable questions)."""
    best, only, labels, top1 = [], [], [], []
    for c in cases:
        probs = score(c.query, c.candidates) if c.candidates else np.zeros(0)
        best.append(float(probs.max()) if len(probs) else 0.0)
        only.append(float(score(c.query, [""])[0]))
        labels.append(c.answerable)
        if c.answerable and c.candidates and any(c.source_hit):
            top1.append(c.source_hit[int(np.argmax(probs))])
    summary = {
        "auc": roc_auc(best, labels), "question_only_auc": roc_auc(only, labels),
        "answerable": float(sum(labels)), "not_stated": float(len(labels) - sum(labels)),
        "best_is_source": float(np.mean(top1)) if top1 else float("nan"),
    }
    for lang in ("sv", "en"):
        idx = [i for i, c in enumerate(cases) if c.lang == lang]
        summary[f"auc_{lang}"] = roc_auc([best[i] for i in idx], [labels[i] for i in idx])
    return DevResult(summary, best, only)


def refusals(best: Sequence[float], answerable: Sequence[bool], threshold: float
             ) -> tuple[float, float]:
    """Shares refused at ``threshold`` (best candidate below it): of the answerable cases
    (over-refusal) and of the not-stated ones."""
    ans = [b < threshold for b, a in zip(best, answerable, strict=True) if a]
    un = [b < threshold for b, a in zip(best, answerable, strict=True) if not a]
    return (float(np.mean(ans)) if ans else float("nan"),
            float(np.mean(un)) if un else float("nan"))


def main(argv: list[str] | None = None) -> int:
    """Collect a split's cases (reader off), or score saved cases with a reader file."""
    ap = argparse.ArgumentParser(description="The reader on a split's cases.")
    ap.add_argument("--split", choices=("dev", "test"))
    ap.add_argument("--out", type=Path, help="where to write the collected cases")
    ap.add_argument("--previous-sentence", action="store_true",
                    help="collect candidates for a reader that reads the sentence before one "
                         "that points back (one trained on today's pairs)")
    ap.add_argument("--cases", type=Path, help="saved cases to score")
    ap.add_argument("--reader", type=Path, default=None, help="a reader file (default: shipped)")
    ap.add_argument("--threshold", type=float, default=None,
                    help="also give refusal and over-refusal at this threshold (chosen on dev)")
    ap.add_argument("--precision", default="auto", choices=["auto", *PRECISIONS],
                    help="the reader's arithmetic (auto: bf16 where the CPU has it natively)")
    args = ap.parse_args(argv)
    if args.split:
        from assistant.factory import open_or_build_assistant
        from assistant.settings import Settings
        from eval.questions import load_questions

        assistant = open_or_build_assistant(Settings(reader=False, llm="none"))
        cases = collect(assistant, load_questions(split=args.split), args.previous_sentence)
        if args.out:
            save(cases, args.out)
            print(f"wrote {len(cases)} cases to {args.out}")
    elif args.cases:
        cases = load(args.cases)
    else:
        ap.error("give --split (collect) or --cases (score)")
    if args.cases or not args.out:
        from assistant.reader.model import load_reader, resolve_precision

        reader = load_reader(args.reader.read_bytes() if args.reader else None,
                             precision=resolve_precision(args.precision))
        res = evaluate(cases, reader.score)
        out = dict(res.summary)
        if args.threshold is not None:
            out["over_refusal"], out["unanswerable_refused"] = refusals(
                res.best, [c.answerable for c in cases], args.threshold)
        print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
