"""The reader's training pairs: the pipeline's candidates as negatives stay an opt-in
experiment, and bring no question of their own."""

from __future__ import annotations

import json
from pathlib import Path

from eval.reader.pairs import PIPELINE_NEGATIVES, pipeline_pairs, training_pairs


def test_pipeline_candidates_are_negatives_of_their_question(tmp_path: Path) -> None:
    path = tmp_path / "negatives.jsonl"
    rows = [{"q": "Vem ledde sekretariatet?", "lang": "sv", "type": "who",
             "candidates": ["1.1 Inledning: Sekretariatet bildades 2016.", "1.2 Tillit: Tillit."]},
            {"q": "Which year?", "lang": "en", "type": "when", "candidates": ["x: y."]}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    pairs = pipeline_pairs(path)
    assert [(p.question, p.label, p.type, p.source) for p in pairs] == [
        ("Vem ledde sekretariatet?", 0, "who", "chapter-pipeline"),
        ("Vem ledde sekretariatet?", 0, "who", "chapter-pipeline"),
        ("Which year?", 0, "when", "chapter-pipeline")]
    assert pipeline_pairs(tmp_path / "missing.jsonl") == []


def test_the_shipped_pairs_leave_them_out_and_the_experiment_adds_only_them() -> None:
    assert PIPELINE_NEGATIVES.exists()
    shipped = training_pairs(0)
    experiment = training_pairs(0, pipeline=True)
    assert not any(p.source == "chapter-pipeline" for p in shipped)
    added = [p for p in experiment if p.source == "chapter-pipeline"]
    assert len(added) > 1000 and {p.label for p in added} == {0}
    # The sibling questions are the hand-written ones already trained on (the leakage
    # filter has seen them): the experiment asks nothing new.
    assert {p.question for p in added} <= {p.question for p in shipped}
    assert len(experiment) == len(shipped) + len(added)
