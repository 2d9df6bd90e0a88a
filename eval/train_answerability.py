"""Train the answerability decision (answered / not stated / off topic) on the dev split.

    python -m eval.train_answerability [--reader] [--swequad 200] [--out FILE]

Training rows (the test split is never read; ``tuning_questions`` refuses it):

* the dev questions through the bundled index: answerable → answered, on-topic
  unanswerable → not stated, off-topic and injection → off topic;
* dev questions with a **swapped name or number** (a name the chapter never mentions, a
  year or figure it never gives) → not stated;
* SweQuAD-MC **training** questions (CC BY 4.0; never its dev questions, which the external
  benchmark uses) over an index of its passages: with their own passage → answered, with
  their own passage hidden so that the most similar others remain → not stated.

A multinomial logistic regression (scikit-learn) on standardised features; the threshold on
P(answered) is chosen on 5-fold cross-validated dev predictions (over-refusal at most 0.03,
then the most refusals). Writes the model as plain numbers, the data card
``docs/answerability.md`` and the reliability plot ``docs/eval/answerability_reliability.png``.

``--reader`` trains the decision used when the reader reads and only ranks (the default):
the evidence features plus the reading's (``assistant.reading.READER_FEATURES``), on the dev
questions with their swapped variants at weight 0.1 and no SweQuAD rows (cross-validated on
dev, the generated rows at full weight lowered the refusals at the same over-refusal:
docs/reader.md), with stronger regularisation (C = 0.1); written to
``answerability_reader.json`` with its card ``docs/answerability-reader.md``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answerability import SHIPPED, SHIPPED_WITH_READER, AnswerabilityModel
from assistant.evidence import FEATURES
from assistant.reader.model import resolve_precision
from assistant.reading import READER_FEATURES
from assistant.settings import Settings
from assistant.types import OUTCOMES
from eval.questions import EvalQuestion, tuning_questions

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "assistant" / "resources"
SWEQUAD_TRAIN = Path(__file__).resolve().parent / "data" / "swequad-mc"
MAX_OVER_REFUSAL = 0.03
_FICTIONAL = ["Holmqvist", "Bergendahl", "Sjölander", "Lindgård", "Ekwall", "Nordenfalk"]


def label_of(q: EvalQuestion) -> str:
    """The outcome a curated question should get."""
    if q.answerable:
        return "answered"
    return "off_topic" if q.kind in ("off_topic", "injection") else "not_stated"


def swapped(q: EvalQuestion, rng: random.Random) -> str | None:
    """``q`` with a year, figure or name the chapter does not give, or None."""
    year = re.search(r"\b(19|20)\d\d\b", q.question)
    if year:
        return q.question.replace(year.group(0), str(int(year.group(0)) + rng.choice([3, 5, 9])))
    number = re.search(r"\b\d{1,3}\b", q.question)
    if number:
        return q.question.replace(number.group(0), str(int(number.group(0)) + 13), 1)
    names = [w for w in re.findall(r"(?<=\s)[A-ZÅÄÖ][a-zåäö]{3,}", q.question)]
    if names:
        return q.question.replace(names[0], rng.choice(_FICTIONAL), 1)
    return None


def vector(features: dict[str, float], names: tuple[str, ...] = FEATURES) -> list[float]:
    """Features in the model's order."""
    return [float(features[f]) for f in names]


def dev_rows(rng: random.Random, reader: bool = False, swapped_weight: float = 1.0
             ) -> list[tuple[list[float], str, str, float]]:
    """(features, label, source, weight) for the dev questions and their swapped variants
    (weighing ``swapped_weight`` each; 0: none); with ``reader``, the reading's features
    follow the evidence ones."""
    from assistant.factory import open_or_build_assistant

    settings = Settings(show_progress=False, answerability="threshold", llm="none",
                        reader=reader, reader_cache=0)
    assistant = open_or_build_assistant(settings)
    names = FEATURES + READER_FEATURES if reader else FEATURES
    rows = []
    for q in tuning_questions():
        f = assistant.evidence_features(q.question, q.history, q.lang)
        rows.append((vector(f, names), label_of(q), f"dev:{q.id}", 1.0))
        if swapped_weight and q.answerable and not q.history:
            variant = swapped(q, rng)
            if variant:
                f = assistant.evidence_features(variant, [], q.lang)
                rows.append((vector(f, names), "not_stated", f"swapped:{q.id}", swapped_weight))
    return rows


def swequad_rows(n: int, rng: random.Random,
                 data_dir: Path) -> list[tuple[list[float], str, str, float]]:
    """Answered / not-stated pairs from SweQuAD-MC training questions over its passages."""
    from assistant.factory import build_assistant, index_corpus

    source = Path(__file__).resolve().parent / "data" / "swequad-mc"
    passages = [json.loads(line) for line in
                (source / "passages.jsonl").read_text(encoding="utf-8").splitlines()]
    train = [json.loads(line) for line in
             (source / "training_questions.jsonl").read_text(encoding="utf-8").splitlines()]
    rng.shuffle(train)
    rows = []
    # The passages' index is kept beside the product's (an incremental build is quick).
    work = data_dir / "train-swequad"
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for p in passages:
        (corpus / f"{p['id']}.txt").write_text(p["text"], encoding="utf-8")
    settings = Settings(data_dir=work / "data", show_progress=True,
                        answerability="threshold", llm="none", reader=False)
    index_corpus(settings, [corpus])
    assistant = build_assistant(settings)
    for item in train[:n]:
        own = assistant.evidence_features(item["question"], [], "sv")
        rows.append((vector(own), "answered", "swequad", 0.5))
        other = assistant.evidence_features(item["question"], [], "sv",
                                            exclude_doc=item["passage"])
        rows.append((vector(other), "not_stated", "swequad", 0.5))
    return rows


def reader_file_sha256(settings: Settings) -> str | None:
    """SHA-256 of the reader file ``settings`` read (``reader_path``'s, else the shipped
    one's), from the reader the product loads: what the decision beside the reader records
    (``factory.reader_decision``)."""
    from assistant.factory import reader_for

    reader = reader_for(settings)
    return None if reader is None else reader.card.file_sha256


def fit(x: np.ndarray, y: list[str], w: np.ndarray, c: float = 1.0) -> Any:
    """Standardise and fit the multinomial logistic regression (inverse regularisation
    ``c``)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=5000,
                                                               class_weight="balanced"))
    model.fit(x, y, logisticregression__sample_weight=w)
    return model


def to_model(pipeline: Any, threshold: float, features: tuple[str, ...] = FEATURES,
             trained_with: dict[str, object] | None = None) -> AnswerabilityModel:
    """The fitted pipeline as the product's plain-number model (``trained_with``: how its
    inputs were made, see ``AnswerabilityModel``)."""
    scaler, lr = pipeline.steps[0][1], pipeline.steps[1][1]
    return AnswerabilityModel(
        features=features, mean=scaler.mean_, scale=scaler.scale_, coef=lr.coef_,
        intercept=lr.intercept_, classes=tuple(str(c) for c in lr.classes_),
        answer_threshold=threshold, trained_with=dict(trained_with or {}),
    )


def cross_validated(rows: list[tuple[list[float], str, str, float]], folds: int = 5,
                    seed: int = 7, c: float = 1.0) -> list[tuple[str, dict[str, float]]]:
    """(label, probabilities) for every dev question, predicted by a model that never saw it
    (its fold's dev questions held out with their swapped variants; other generated rows
    always in training)."""
    dev = [i for i, r in enumerate(rows) if r[2].startswith("dev:")]
    rng = random.Random(seed)
    rng.shuffle(dev)
    out: list[tuple[str, dict[str, float]]] = []
    for k in range(folds):
        held = set(dev[k::folds])
        variants = {f"swapped:{rows[i][2].removeprefix('dev:')}" for i in held}
        train = [r for i, r in enumerate(rows) if i not in held and r[2] not in variants]
        model = fit(np.array([r[0] for r in train]), [r[1] for r in train],
                    np.array([r[3] for r in train]), c)
        classes = list(model.classes_)
        for i in sorted(held):
            p = model.predict_proba(np.array([rows[i][0]]))[0]
            out.append((rows[i][1], {c: float(v) for c, v in zip(classes, p, strict=True)}))
    return out


def choose_threshold(cv: list[tuple[str, dict[str, float]]]) -> tuple[float, dict[str, float]]:
    """The threshold on P(answered) with over-refusal <= 0.03 and the most refusals."""
    best: tuple[float, dict[str, float]] | None = None
    for t in np.arange(0.05, 0.96, 0.01):
        ans = [p["answered"] >= t for label, p in cv if label == "answered"]
        ref = [p["answered"] < t for label, p in cv if label != "answered"]
        over = 1 - sum(ans) / len(ans)
        stats = {"threshold": round(float(t), 2), "over_refusal": over,
                 "refusal_recall": sum(ref) / len(ref)}
        if over <= MAX_OVER_REFUSAL and (best is None
                                         or stats["refusal_recall"] > best[1]["refusal_recall"]):
            best = (round(float(t), 2), stats)
    if best is None:  # no threshold keeps over-refusal that low: refuse as little as possible
        t = 0.05
        ans = [p["answered"] >= t for label, p in cv if label == "answered"]
        ref = [p["answered"] < t for label, p in cv if label != "answered"]
        best = (t, {"threshold": t, "over_refusal": 1 - sum(ans) / len(ans),
                    "refusal_recall": sum(ref) / len(ref)})
    return best


def reliability_plot(cv: list[tuple[str, dict[str, float]]], path: Path,
                     title: str = "Answerability: reliability (dev split)") -> list[str]:
    """Predicted P(answered) against the observed share answerable, in bins; table rows."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    p = np.array([x["answered"] for _, x in cv])
    y = np.array([label == "answered" for label, _ in cv], dtype=float)
    edges = np.linspace(0, 1, 6)
    xs, ys, ns, rows = [], [], [], []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        m = (p >= lo) & ((p < hi) if hi < 1 else (p <= hi))
        if m.sum():
            xs.append(float(p[m].mean()))
            ys.append(float(y[m].mean()))
            ns.append(int(m.sum()))
            rows.append(f"| {lo:.1f}–{hi:.1f} | {m.sum()} | {p[m].mean():.2f} | "
                        f"{y[m].mean():.2f} |")
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfectly calibrated")
    ax.plot(xs, ys, marker="o", color="#3a7ca5", label="dev, cross-validated")
    for x, yy, n in zip(xs, ys, ns, strict=True):
        ax.annotate(f"n={n}", (x, yy), textcoords="offset points", xytext=(4, -12), fontsize=8)
    ax.set_xlabel("predicted P(answered)")
    ax.set_ylabel("observed share answerable")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Build the training rows, cross-validate, choose the threshold, write the model."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reader", action="store_true",
                    help="train the decision used beside the reader (its features too, no "
                    "SweQuAD rows, swapped rows at weight 0.1, C = 0.1)")
    ap.add_argument("--swequad", type=int, default=None,
                    help="SweQuAD-MC training questions to draw pairs from (0: none; default "
                    "200, with --reader 0)")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--card", type=Path, default=None)
    args = ap.parse_args(argv)
    reader = bool(args.reader)
    name = SHIPPED_WITH_READER if reader else SHIPPED
    out = args.out or RESOURCES / name
    card_path = args.card or ROOT / "docs" / (
        "answerability-reader.md" if reader else "answerability.md")
    plot = "answerability_reader_reliability.png" if reader else "answerability_reliability.png"
    swequad = args.swequad if args.swequad is not None else (0 if reader else 200)
    c = 0.1 if reader else 1.0
    features = FEATURES + READER_FEATURES if reader else FEATURES
    rng = random.Random(11)
    rows = dev_rows(rng, reader=reader, swapped_weight=0.1 if reader else 1.0)
    if swequad:
        rows += swequad_rows(swequad, rng, Settings().data_dir)
    cv = cross_validated(rows, c=c)
    trace = Settings().data_dir / name.replace(".json", "_cv.json")
    trace.parent.mkdir(parents=True, exist_ok=True)
    trace.write_text(json.dumps({"cv": cv, "rows": rows}), encoding="utf-8")
    threshold, stats = choose_threshold(cv)
    model = fit(np.array([r[0] for r in rows]), [r[1] for r in rows],
                np.array([r[3] for r in rows]), c)
    # dev_rows reads with the default settings: the model records how, and beside which
    # reader file (TILLIT_READER_PATH's when set: a candidate reader to be shipped).
    defaults = Settings()
    made_with: dict[str, object] = {"glossary": defaults.glossary}
    if reader:
        made_with |= {"reader_candidates": defaults.reader_candidates,
                      "reader_precision": resolve_precision(defaults.reader_precision),
                      "reader_sha256": reader_file_sha256(defaults)}
    product = to_model(model, threshold, features, made_with)
    out.write_text(json.dumps(product.to_json(), indent=1) + "\n", encoding="utf-8")
    reliability = reliability_plot(
        cv, ROOT / "docs" / "eval" / plot,
        "Answerability with the reader: reliability (dev)" if reader
        else "Answerability: reliability (dev split)")
    counts: dict[tuple[str, str], int] = {}
    for _, label, source, _w in rows:
        key = (source.split(":")[0], label)
        counts[key] = counts.get(key, 0) + 1
    brier = float(np.mean([(p["answered"] - (label == "answered")) ** 2 for label, p in cv]))
    outcome_hits = [
        label == max(OUTCOMES, key=lambda c: p.get(c, 0.0)) for label, p in cv]
    dev_count = sum(1 for r in rows if r[2].startswith("dev:"))
    card = [
        "# Data card: the answerability decision" + (" beside the reader" if reader else ""),
        "",
        "What it decides: for each question, **answered** (the passages give what is asked), "
        "**not stated** (the anthology discusses the subject but does not give it) or **off "
        "topic**. Model: multinomial logistic regression (scikit-learn) on standardised "
        f"features, stored as numbers in `assistant/resources/{name}`; trained by "
        f"`python -m eval.train_answerability{' --reader' if reader else ''}` (this card and "
        "the plot are written by it)." + (
            " Used when the reader reads and only ranks (the default, `TILLIT_READER=true`, "
            "`TILLIT_READER_DECIDES=false`, the shipped reader file); otherwise the decision "
            "of `docs/answerability.md` decides." if reader else ""), "",
        "## Training rows", "",
        "| source | label | rows |", "|---|---|---|",
        *[f"| {s} | {lab} | {n} |" for (s, lab), n in sorted(counts.items())], "",
        "`dev`: the curated dev split (never the test split). `swapped`: dev questions with a "
        "year, figure or name the chapter does not give. `swequad`: SweQuAD-MC *training* "
        "questions (CC BY 4.0) over an index of its passages, with their own passage "
        "(answered) and with it hidden (not stated); weight 0.5." + (
            " Beside the reader the swapped rows weigh 0.1 each and SweQuAD rows are left "
            "out: cross-validated on dev, either at full weight lowered the refusals at the "
            "same over-refusal (docs/reader.md)." if reader else ""), "",
        "## Features", "", ", ".join(f"`{f}`" for f in features), "",
        "See `assistant/evidence.py`: retrieval signals (best cosine, closeness to off-topic "
        "descriptions, word coverage), and the evidence check of the candidate sentences "
        "(does one carry the expected answer type; how much of the question's focus it "
        "covers, lexically and through the embedder; are the question's names and numbers in "
        "the passages)." + (
            " `reader_*` (`assistant/reading.py: Reading.features`): the reader's log-odds for "
            "its best candidate, for the composer's first candidate, and the mean of its best "
            "three." if reader else ""), "",
        f"## Cross-validated on dev (5 folds; C = {c}"
        + ("" if reader else "; generated rows always in training") + ")", "",
        f"- threshold on P(answered): **{threshold}** (the most refusals with over-refusal "
        f"≤ {MAX_OVER_REFUSAL})",
        f"- over-refusal {stats['over_refusal']:.3f}, refusal recall "
        f"{stats['refusal_recall']:.3f} (not stated and off topic) on {len(cv)} dev questions",
        f"- three-way argmax accuracy {sum(outcome_hits) / len(outcome_hits):.3f}, Brier score "
        f"of P(answered) {brier:.3f}", "",
        "| P(answered) bin | n | mean predicted | observed answerable |", "|---|---|---|---|",
        *reliability, "", f"![reliability](eval/{plot})", "",
        f"Limits: the dev split is small ({dev_count} questions), the figures above are dev "
        "figures (the final model has seen every dev question, so the dev evaluation is "
        "in-sample; these cross-validated ones are not); the report gives the test split.", "",
    ]
    card_path.write_text("\n".join(card), encoding="utf-8")
    print(f"threshold {threshold}: {stats}; brier {brier:.3f}; rows {len(rows)}")
    print(f"wrote {out} and {card_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
