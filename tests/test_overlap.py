"""Lexical overlap of a question with its source sentence, and the curated file's checks."""

from __future__ import annotations

from eval.matching import normalise
from eval.overlap import (
    CHAPTER_FILE,
    PARAPHRASE_MAX,
    QUESTIONS_FILES,
    check_question,
    fold_text,
    load_rows,
    measure,
    overlap_score,
    source_sentences,
    source_text,
)

SOURCE = ("Den visar hur exempelvis 75 procent av läkare och 70 procent av alla lärare upplever "
          "att den ökade byråkratiska styrningen under senare år har varit negativ för "
          "kärnverksamheten.")


def test_a_copied_question_scores_high_and_a_synonym_rewrite_low() -> None:
    copied = ("Hur många procent av alla lärare upplever att den ökade byråkratiska styrningen "
              "varit negativ för kärnverksamheten?")
    rewritten = ("Hur stor del av pedagogerna ansåg att ökad pappersexercis försämrat "
                 "huvuduppgiften?")
    assert overlap_score(copied, SOURCE) >= 0.8
    assert overlap_score(rewritten, SOURCE) <= 0.2
    assert overlap_score(copied, SOURCE) > overlap_score(rewritten, SOURCE)


def test_overlap_counts_distinct_stems_and_is_zero_without_content_words() -> None:
    # 'styrningen' and 'styrning' share a stem; 'cyklar' is not in the source: 1 of 2.
    assert overlap_score("styrningen styrning cyklar", SOURCE) == 0.5
    assert overlap_score("vad är det?", SOURCE) == 0.0


def test_folding_rejoins_hyphenated_words_and_keeps_paragraphs() -> None:
    raw = "Det finns en värder-\ningsstyrd organi-\n  sation här.\n\nNytt stycke   med\nrader."
    folded = "Det finns en värderingsstyrd organisation här.\n\nNytt stycke med rader."
    assert fold_text(raw) == folded


def test_source_is_every_sentence_the_phrase_touches() -> None:
    text = fold_text("Första meningen handlar om tillit. Andra meningen handlar om kontroll "
                     "och mätning. Tredje meningen om marknad.")
    assert source_sentences(text, ["om kontroll och mätning"]) == [
        "Andra meningen handlar om kontroll och mätning."]
    both = source_sentences(text, ["om tillit. Andra meningen"])
    assert len(both) == 2 and both[0].startswith("Första") and both[1].startswith("Andra")
    assert source_sentences(text, ["står inte här"]) == []


def test_missing_answers_and_phrases_are_reported() -> None:
    chapter = normalise("Tillit är en av tre grundläggande styrmekanismer i organisationer.")
    good = {"id": "a", "answer_any": [["tre", "three"]],
            "source_any": ["en av tre grundläggande styrmekanismer"]}
    bad = {"id": "b", "answer_any": [["fyra", "four"]], "source_any": ["en av fyra styrmekanismer"]}
    assert check_question(good, chapter) == []
    assert [p.message.split(":")[0] for p in check_question(bad, chapter)] == [
        "answer group not in chapter", "source phrase not in chapter"]


def test_a_paraphrase_above_the_threshold_is_a_problem() -> None:
    row = {"id": "p1", "answerable": True, "kind": "paraphrase",
           "question": "Hur stor andel av läkare upplever styrningen som negativ?",
           "answer_any": [["75 procent"]], "source_any": ["75 procent av läkare"]}
    scores, problems = measure([row], SOURCE)
    assert scores["p1"] > PARAPHRASE_MAX
    assert [p.qid for p in problems] == ["p1"]


def test_the_curated_file_passes_its_checks() -> None:
    rows = [r for f in QUESTIONS_FILES for r in load_rows(f)]
    scores, problems = measure(rows, source_text(CHAPTER_FILE))  # the chapter and its card
    assert problems == []
    paraphrases = [r for r in rows if r["kind"] == "paraphrase"]
    assert len(paraphrases) >= 64
    assert all(scores[r["id"]] <= PARAPHRASE_MAX for r in paraphrases)
    stored = {r["id"]: r.get("overlap") for r in rows if r["answerable"]}
    assert stored == {qid: round(v, 3) for qid, v in scores.items()}
