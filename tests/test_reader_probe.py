"""The reader's minimal-pair probe: its figures and its data."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from eval.matching import normalise
from eval.reader.probe import CHANGES, PROBE, ProbeRow, evaluate, load_probe
from eval.reader.sources import chapter_passages

S = "Region Uppsala köpte 40 nya elbussar år 2019."


def _row(group: int, question: str, answers: bool, change: str, lang: str = "sv") -> ProbeRow:
    return ProbeRow(group, lang, "Trafik", S if group == 1 else "Annan mening.", question,
                    answers, change)


def test_pairwise_counts_the_answered_question_above_each_changed_one() -> None:
    rows = [_row(1, "pos1", True, "none"), _row(1, "ent1", False, "entity"),
            _row(1, "year1", False, "year"),
            _row(2, "pos2", True, "none", "en"), _row(2, "ent2", False, "entity", "en")]
    probs = {"pos1": 0.9, "ent1": 0.95, "year1": 0.2, "pos2": 0.6, "ent2": 0.1}
    seen: list[str] = []

    def score(question: str, candidates: list[str]) -> np.ndarray:
        seen.append(candidates[0])
        return np.array([probs[question]])

    out = evaluate(rows, score)
    assert out["pairs"] == 3
    assert out["pairwise:all"] == pytest.approx(2 / 3)
    assert out["pairwise:entity"] == pytest.approx(0.5)
    assert out["pairwise:year"] == 1.0
    assert out["pairwise:lang:en"] == 1.0 and out["pairwise:lang:sv"] == pytest.approx(0.5)
    assert out["changed_below_0.5"] == pytest.approx(2 / 3)
    assert out["answered_at_0.5"] == 1.0
    assert seen[0] == f"Trafik: {S}"  # read as the pipeline shows a candidate


def test_a_group_needs_exactly_one_answered_question(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    rows = [_row(1, "a", True, "none"), _row(1, "b", True, "none")]
    path.write_text("".join(json.dumps(r.__dict__) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(ValueError, match="group 1"):
        load_probe(path)


def test_the_shipped_probe_is_balanced_and_made_up() -> None:
    rows = load_probe()
    groups = {r.group for r in rows}
    assert len(groups) >= 50
    changes = Counter(r.change for r in rows if not r.answers)
    assert set(changes) <= set(CHANGES) and min(changes[c] for c in CHANGES) >= 20
    langs = Counter(r.lang for r in rows)
    assert abs(langs["sv"] - langs["en"]) <= len(rows) // 5
    assert {r.change for r in rows if r.answers} == {"none"}


def _shingles(text: str, n: int = 6) -> set[str]:
    words = normalise(text).split()
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_the_probe_is_neither_from_the_anthology_nor_in_the_training_data() -> None:
    rows = load_probe()
    root = PROBE.parents[3]
    # The chapter as the index reads it (cleaned, unwrapped), in normalised six-word runs.
    chapter = set().union(*(_shingles(s.text) for p in chapter_passages() for s in p.sentences))
    training = set()
    for path in (root / "eval" / "data" / "reader").rglob("*.jsonl"):
        if path != PROBE:
            training |= _shingles(path.read_text("utf-8"))
    for r in rows:
        assert not _shingles(r.sentence) & chapter, r.sentence
        assert not (_shingles(r.sentence) | _shingles(r.question)) & training, r.question
    # the check can fail: a sentence of the chapter is found
    assert _shingles("Intresset för tillit har ökat drastiskt i den internationella "
                     "forskningen under senare år") & chapter
