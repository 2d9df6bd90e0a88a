"""The reader's training pairs: perturbed questions make minimal pairs with their originals;
other passages' sentences have the answer's shape; the pipeline's candidates as negatives stay
an opt-in experiment, and bring no question of their own."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from eval.reader.items import ItemError, load_perturbed, parse_items
from eval.reader.pairs import (
    PIPELINE_NEGATIVES,
    Others,
    item_pairs,
    pipeline_pairs,
    training_pairs,
)
from eval.reader.sources import Passage, Sentence


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


def _passages() -> dict[str, Passage]:
    def passage(pid: str, texts: list[str]) -> Passage:
        return Passage(pid, pid, tuple(Sentence(t, "Rubrik") for t in texts))

    return {
        "a": passage("a", ["Kommunen anställde 40 sjuksköterskor år 2015.",
                           "Kommunen ligger i Dalarna.", "Den har en skola."]),
        "b": passage("b", ["Parken är stor.", "Där finns 12 bänkar.", "Den öppnade 1998."]),
        "c": passage("c", ["Ingen siffra här.", "Inte här heller."]),
    }


def test_a_perturbed_question_is_a_negative_on_the_sentence_its_original_answers(
        tmp_path: Path) -> None:
    passages = _passages()
    items = parse_items([json.dumps({
        "passage": "a", "s": 0, "n": 1,
        "positive": [{"lang": "sv", "type": "how_many",
                      "q": "Hur många sjuksköterskor fick jobb i kommunen?"}]})],
        "items.jsonl", passages)
    path = tmp_path / "perturbed.jsonl"
    path.write_text(json.dumps({
        "passage": "a", "s": 0, "orig": "Hur många sjuksköterskor fick jobb i kommunen?",
        "lang": "sv", "type": "how_many", "q": "Hur många läkare fick jobb i kommunen?",
        "changed": "sjuksköterskor -> läkare"}) + "\n", encoding="utf-8")
    changed = load_perturbed([path], passages, items)
    pairs = item_pairs(items, passages, random.Random(0), changed)
    on_s = {(p.question, p.label) for p in pairs
            if p.candidate == "Rubrik: Kommunen anställde 40 sjuksköterskor år 2015."}
    assert on_s == {("Hur många sjuksköterskor fick jobb i kommunen?", 1),
                    ("Hur många läkare fick jobb i kommunen?", 0)}
    perturbed = [p for p in pairs if p.question == "Hur många läkare fick jobb i kommunen?"]
    assert {p.label for p in perturbed} == {0} and len(perturbed) == 3
    assert {p.source for p in perturbed} == {"perturbed"}


def test_a_perturbed_line_must_name_a_positive_question_and_change_it(tmp_path: Path) -> None:
    passages = _passages()
    items = parse_items([json.dumps({
        "passage": "a", "s": 0, "positive": [{"lang": "sv", "type": "how_many",
                                              "q": "Hur många sjuksköterskor anställdes?"}]})],
        "items.jsonl", passages)
    path = tmp_path / "perturbed.jsonl"
    for row, message in [({"orig": "Vilken kommun?", "q": "Vilken region då?"}, "'orig'"),
                         ({"orig": "Hur många sjuksköterskor anställdes?",
                           "q": "Hur många SJUKSKÖTERSKOR anställdes?"}, "equals")]:
        path.write_text(json.dumps({"passage": "a", "s": 0} | row) + "\n", encoding="utf-8")
        with pytest.raises(ItemError, match=message):
            load_perturbed([path], passages, items)


def test_another_passage_s_sentence_has_the_shape_of_the_answer_asked_for() -> None:
    others = Others(_passages().values())
    rng = random.Random(0)
    numbers = {others.pick("how_many", "a", rng) for _ in range(40)}
    # A sentence that points back is shown after the sentence before it.
    assert numbers == {"Rubrik: Parken är stor. Där finns 12 bänkar.",
                       "Rubrik: Där finns 12 bänkar. Den öppnade 1998."}
    years = {others.pick("when", "a", rng) for _ in range(40)}
    assert years == {"Rubrik: Där finns 12 bänkar. Den öppnade 1998."}
    anything = {others.pick("why", "a", rng) for _ in range(200)}
    assert len(anything) == 5 and not any("Kommunen" in t for t in anything)


def test_without_a_sentence_of_that_shape_elsewhere_any_other_passage_s_sentence_is_taken(
        ) -> None:
    passages = _passages()
    others = Others([passages["a"], passages["c"]])
    picked = {others.pick("when", "a", random.Random(s)) for s in range(10)}
    assert picked <= {"Rubrik: Ingen siffra här.", "Rubrik: Inte här heller."} and picked


def test_a_line_that_is_not_json_is_named_with_its_place(tmp_path: Path) -> None:
    with pytest.raises(ItemError, match=r"items.jsonl:2: not JSON"):
        parse_items(["", "{nej"], "items.jsonl", _passages())
    path = tmp_path / "perturbed.jsonl"
    path.write_text("{nej\n", encoding="utf-8")
    with pytest.raises(ItemError, match=r"perturbed.jsonl:1: not JSON"):
        load_perturbed([path], _passages(), [])


def test_a_near_miss_that_shows_the_answer_sentence_before_it_is_no_negative() -> None:
    passages = _passages()
    # Sentence 2 "Den har en skola." points back, so the reader sees it after sentence 1:
    # as the near miss of a question sentence 1 answers, it would be a negative that holds
    # the answer.
    items = parse_items([json.dumps({
        "passage": "a", "s": 1, "n": 2,
        "positive": [{"lang": "sv", "type": "where", "q": "I vilket landskap ligger kommunen?"}]}
    ), json.dumps({
        "passage": "a", "s": 0, "n": 1,
        "positive": [{"lang": "sv", "type": "how_many", "q": "Hur många anställdes?"}]})],
        "items.jsonl", passages)
    pairs = item_pairs(items, passages, random.Random(0))
    where = [p for p in pairs if p.question == "I vilket landskap ligger kommunen?"]
    assert [(p.candidate, p.label) for p in where if "Kommunen ligger" in p.candidate] == [
        ("Rubrik: Kommunen ligger i Dalarna.", 1)]
    assert len(where) == 2  # the answer and another passage's sentence; no near miss
    counted = [p for p in pairs if p.question == "Hur många anställdes?"]
    assert ("Rubrik: Kommunen ligger i Dalarna.", 0) in [(p.candidate, p.label) for p in counted]
