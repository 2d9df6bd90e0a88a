"""Checking a generated answer against its passages (``assistant.verify``): support, repaired
markers, numbers the passages do not hold, and the splitting and tidying of the answer."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

import numpy as np
import pytest

from assistant.retrieval import Hit, Retrieval
from assistant.tuning import SupportWeights
from assistant.verify import Draft, Verifier, split_answer, strip_markers, tidy
from index.store.served import ServedIndex
from tests.assistant.fakes import PASSAGES, memory_index

INDEX = memory_index(PASSAGES)
RETRIEVAL = Retrieval("q", [Hit(c, 1.0 - i / 10, 0.5, 0.5) for i, c in enumerate(INDEX.chunks)],
                      np.zeros(INDEX.embedder.dim, np.float32), 0.5)
WEIGHTS = SupportWeights()
HOOD = "Det introducerades av forskaren Christopher Hood år 1991."  # passage 3
PARIS = "Huvudstaden i Frankrike är Paris och den grundades för länge sedan."


def _verifier(weights: SupportWeights = WEIGHTS) -> Verifier:
    return Verifier(INDEX.embedder, cast(ServedIndex, INDEX), weights)


def test_a_sentence_copied_from_a_passage_is_supported_by_that_passage() -> None:
    (checked,), checks = _verifier().check([Draft(HOOD, (3,))], RETRIEVAL)
    assert checked.supported and checked.cited == (3,)
    assert checked.support >= WEIGHTS.threshold_sv
    assert checked.quotes == {3: HOOD}
    assert checks["markers_supported"] == 1 and checks["markers_dropped"] == 0


def test_a_marker_to_the_wrong_passage_is_repointed_to_the_one_that_says_it() -> None:
    (checked,), checks = _verifier().check([Draft(HOOD, (1,))], RETRIEVAL)
    assert checked.supported and checked.cited == (3,)
    assert checks["markers_repointed"] == 1 and checks["markers_dropped"] == 1
    (unmarked,), checks = _verifier().check([Draft(HOOD, ())], RETRIEVAL)
    assert unmarked.cited == (3,) and checks["markers_added"] == 1


def test_a_sentence_no_passage_says_is_unsupported_and_loses_its_marker() -> None:
    (checked,), checks = _verifier().check([Draft(PARIS, (2,))], RETRIEVAL)
    assert not checked.supported and checked.cited == () and checked.quotes == {}
    assert checked.support < WEIGHTS.threshold_sv
    assert checks["unsupported"] == 1 and checks["markers_dropped"] == 1


def test_a_number_the_passage_does_not_hold_costs_the_number_penalty() -> None:
    said = "Skolan och hälso- och sjukvården är två verksamheter där detaljstyrning kritiserats."
    miscounted = said.replace("två", "tre")  # passage 4 says two
    lenient = _verifier(replace(WEIGHTS, number_penalty=0.0))
    with_penalty = _verifier().supports([miscounted], RETRIEVAL)[0][3]
    without = lenient.supports([miscounted], RETRIEVAL)[0][3]
    assert without.score - with_penalty.score == pytest.approx(WEIGHTS.number_penalty)
    assert lenient.check([Draft(miscounted, (4,))], RETRIEVAL)[0][0].supported
    assert not _verifier().check([Draft(miscounted, (4,))], RETRIEVAL)[0][0].supported
    assert _verifier().check([Draft(said, (4,))], RETRIEVAL)[0][0].supported


def test_markers_beyond_the_passages_are_counted_out_of_range() -> None:
    drafts = [Draft(HOOD, (3, 7)), Draft(PARIS, (9,))]
    checked, checks = _verifier().check(drafts, RETRIEVAL)
    assert checks["markers_written"] == 3 and checks["markers_out_of_range"] == 2
    assert checked[0].cited == (3,) and checks["sentences"] == 2


def test_a_shown_subset_of_passages_is_what_markers_are_counted_against() -> None:
    shown = replace(RETRIEVAL, hits=RETRIEVAL.hits[:2])  # passage 3 left out for the window
    (checked,), checks = _verifier().check([Draft(HOOD, (3,))], shown)
    assert checks["markers_out_of_range"] == 1 and not checked.supported


def test_an_english_sentence_needs_the_english_threshold() -> None:
    english = "Trust is about daring to rely on the knowledge of employees."
    assert _verifier().threshold(english, "sv") == WEIGHTS.threshold_en
    assert _verifier().threshold(HOOD, "en") == WEIGHTS.threshold_sv


def test_split_answer_gives_each_sentence_the_markers_written_after_it() -> None:
    drafts = split_answer("**Svar:** Tillit kräver mod av chefer och medarbetare [1–3]. "
                          "Kontrollen ska vara ändamålsenlig (källa 2).\n- Skolan har "
                          "detaljstyrts länge och mycket.")
    assert [(d.text, d.written) for d in drafts] == [
        ("Tillit kräver mod av chefer och medarbetare.", (1, 2, 3)),
        ("Kontrollen ska vara ändamålsenlig.", (2,)),
        ("Skolan har detaljstyrts länge och mycket.", ()),
    ]


def test_tidy_keeps_a_complete_answer_whole() -> None:
    raw = "Tillit kräver mod av chefer [1]. Kontrollen ska vara ändamålsenlig [2]."
    drafts, counts = tidy(split_answer(raw), raw)
    assert len(drafts) == 2 and counts == {"repeated": 0, "cut_off": 0}
    cut = raw + " Men det finns också"
    drafts, counts = tidy(split_answer(cut), cut)
    assert [d.text for d in drafts] == ["Tillit kräver mod av chefer.",
                                        "Kontrollen ska vara ändamålsenlig."]
    assert counts["cut_off"] == 1


@pytest.mark.parametrize("written,clean", [
    ("Tillit bygger på medarbetare. [1].", "Tillit bygger på medarbetare."),
    ("Tillit bygger på medarbetare [1].", "Tillit bygger på medarbetare."),
    ("Det finns fler … exempel... [2]", "Det finns fler … exempel..."),
    ("Vad är tillit? [1].", "Vad är tillit?"),
])
def test_removing_markers_leaves_one_full_stop_and_keeps_an_ellipsis(
    written: str, clean: str,
) -> None:
    assert strip_markers(written) == clean
