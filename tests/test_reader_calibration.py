"""The reader's dev figures: refusal shares at a threshold, and the threshold's choice."""

from __future__ import annotations

import math

from eval.reader.calibrate import choose
from eval.reader.dev import refusals, roc_auc


def test_refusals_count_best_candidates_below_the_threshold_per_label() -> None:
    best = [0.1, 0.5, 0.3, 0.2, 0.9]
    answerable = [True, True, True, False, False]
    assert refusals(best, answerable, 0.3) == (1 / 3, 0.5)  # 0.3 itself answers
    over, refused = refusals([0.4], [True], 0.3)
    assert over == 0.0 and math.isnan(refused)


def test_the_threshold_refuses_at_most_the_allowed_share_of_answerable_questions() -> None:
    answerable_best = [0.05, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99]
    t = choose(answerable_best, max_over_refusal=0.1)
    assert t == 0.2
    assert refusals(answerable_best, [True] * 10, t)[0] == 0.1
    assert roc_auc([0.9, 0.1], [True, False]) == 1.0 and math.isnan(roc_auc([0.5], [True]))
