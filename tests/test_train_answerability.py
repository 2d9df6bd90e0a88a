"""The decision's training: cross-validation keeps a held-out question's variants out."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import eval.train_answerability as ta


def _rows() -> list[tuple[list[float], str, str, float]]:
    rows: list[tuple[list[float], str, str, float]] = []
    for i in range(10):
        answered = i % 2 == 0
        rows.append(([float(i), float(answered)], "answered" if answered else "not_stated",
                     f"dev:q{i}", 1.0))
        if answered:
            rows.append(([float(i), 0.0], "not_stated", f"swapped:q{i}", 0.1))
    rows.append(([0.0, 0.0], "off_topic", "dev:q99", 1.0))
    return rows


def test_a_held_out_question_takes_its_swapped_variant_with_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows()
    trained_on: list[set[str]] = []
    real_fit = ta.fit

    def recording_fit(x: np.ndarray, y: list[str], w: np.ndarray, c: float = 1.0) -> Any:
        trained_on.append({r[2] for r in rows if any(np.array_equal(r[0], v) and r[1] == lab
                                                      for v, lab in zip(x, y, strict=True))})
        return real_fit(x, y, w, c)

    monkeypatch.setattr(ta, "fit", recording_fit)
    cv = ta.cross_validated(rows, folds=5, seed=3)
    dev = {r[2] for r in rows if r[2].startswith("dev:")}
    assert len(cv) == len(dev)  # every dev question predicted once
    assert len(trained_on) == 5
    for sources in trained_on:
        held = dev - sources
        assert held, "each fold holds some dev questions out"
        for source in held:
            assert f"swapped:{source.removeprefix('dev:')}" not in sources
        # the variants of questions the fold trains on stay in its training rows
        kept = {s.removeprefix("dev:") for s in sources if s.startswith("dev:")}
        assert {f"swapped:{q}" for q in kept if int(q[1:]) % 2 == 0 and q != "q99"} <= sources
