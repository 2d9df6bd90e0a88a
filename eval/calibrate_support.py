"""Calibrate the support threshold of citation checking on the bundled chapter.

For every curated answerable question, its top passages are scored against three kinds of
sentence: sentences of those passages (should be supported), off-topic sentences (must not
be), and sentences of the chapter that are nowhere in the question's top 20 (on-topic claims
the passages do not make; a pessimistic negative, since the chapter repeats itself).

    python -m eval.calibrate_support
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np

from assistant.factory import background_texts, build_assistant
from assistant.settings import Settings
from assistant.tuning import SupportWeights
from assistant.verify import Verifier
from eval.questions import tuning_questions


def main(argv: list[str] | None = None) -> int:
    """Print the support-score distributions and the share above each threshold."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--questions", type=int, default=40, help="questions to sample")
    args = ap.parse_args(argv)
    settings = Settings(show_progress=False)
    assistant = build_assistant(settings)
    index = assistant.index
    weights = SupportWeights()
    verifier = Verifier(assistant.embedder, index, weights)
    rng = random.Random(7)
    qs = [q for q in tuning_questions() if q.answerable and not q.history]
    rng.shuffle(qs)
    texts = {c.chunk_id: c.text for c in index.chunks}
    all_sentences = [
        (cid, text[s:e].strip()) for cid, text in texts.items()
        for s, e, _ in index.sentences_of(cid)
    ]
    off_topic = background_texts()
    pos: list[float] = []
    neg_off: list[float] = []
    neg_chapter: list[float] = []
    for q in qs[: args.questions]:
        top = assistant.retrieve(q.question, k=20)
        shown = assistant.retrieve(q.question)
        far = {h.chunk.chunk_id for h in top.hits}
        own = [h.chunk.text[s:e].strip()
               for h in shown.hits[:2] for s, e, _ in index.sentences_of(h.chunk.chunk_id)][:4]
        other = [t for cid, t in all_sentences if cid not in far]
        for group, sentences in ((pos, own), (neg_off, rng.sample(off_topic, 4)),
                                 (neg_chapter, rng.sample(other, min(6, len(other))))):
            for sup in verifier.supports(sentences, shown):
                group.append(max(s.score for s in sup))
    print(f"{'sentences':<34}{'n':>5}{'p5':>8}{'p50':>8}{'p95':>8}")
    for name, vals in (("of the passages (supported)", pos), ("off-topic", neg_off),
                       ("chapter, not retrieved", neg_chapter)):
        v = np.array(vals)
        print(f"{name:<34}{len(v):>5}{np.percentile(v, 5):>8.3f}{np.percentile(v, 50):>8.3f}"
              f"{np.percentile(v, 95):>8.3f}")
    pairs_file = Path(__file__).parent / "data" / "support_pairs.jsonl"
    rewritten: dict[tuple[str, str], list[float]] = {}
    if pairs_file.exists():
        by_id = {q.id: q for q in tuning_questions()}
        for line in pairs_file.read_text(encoding="utf-8").splitlines():
            pair = json.loads(line)
            if pair["question"] not in by_id:  # a test-split question: not for calibration
                continue
            shown = assistant.retrieve(by_id[pair["question"]].question)
            sup = verifier.supports([pair["claim"]], shown)[0]
            rewritten.setdefault((pair["kind"], pair["lang"]), []).append(
                max(s.score for s in sup))
        for (kind, lang), vals in sorted(rewritten.items()):
            v = np.array(vals)
            name = f"rewritten ({lang}), {kind}"
            print(f"{name:<34}{len(v):>5}{np.percentile(v, 5):>8.3f}"
                  f"{np.percentile(v, 50):>8.3f}{np.percentile(v, 95):>8.3f}")
    print("\nshare judged supported at each threshold")
    keys = sorted(rewritten)
    print(f"{'threshold':<12}{'passages':>10}{'off-topic':>11}{'chapter':>10}"
          + "".join(f"{k[1] + ' ' + k[0][:5]:>12}" for k in keys))
    for t in sorted({0.84, 0.86, 0.88, 0.90, 0.92, 0.94, 0.95, 0.96, 0.98,
                    *weights.thresholds.values()}):
        print(f"{t:<12.3f}{np.mean(np.array(pos) >= t):>10.3f}"
              f"{np.mean(np.array(neg_off) >= t):>11.3f}"
              f"{np.mean(np.array(neg_chapter) >= t):>10.3f}"
              + "".join(f"{np.mean(np.array(rewritten[k]) >= t):>12.3f}" for k in keys))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
