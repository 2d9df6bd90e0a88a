"""Stage 1, validate: a question and its earlier turns are cleaned and bounded, its language is
Swedish or English, and every refusal says why in both languages."""

from __future__ import annotations

import pytest

from assistant.errors import InvalidQuestion, UnsupportedLanguage
from assistant.validate import clean_question, validate


def test_control_characters_and_runs_of_whitespace_become_single_spaces() -> None:
    raw = "  Vem\x00införde\u200bNew Public\n\tManagement?\ufeff "
    assert clean_question(raw, 100) == "Vem införde New Public Management?"


def test_a_question_of_only_invisible_characters_is_refused_as_empty() -> None:
    with pytest.raises(InvalidQuestion) as caught:
        validate(" \x00\u200b\n\t ", [], None, 100, 5)
    assert caught.value.message("en") == "The question is empty."
    assert caught.value.message("sv") == "Frågan är tom."


def test_the_length_limit_counts_the_cleaned_question_not_the_raw_one() -> None:
    assert validate("Vad   är\n\n\ntillit?", [], "sv", 14, 5).question == "Vad är tillit?"
    with pytest.raises(InvalidQuestion) as caught:
        validate("Vad är tillit?", [], "sv", 13, 5)
    assert caught.value.message("en") == "The question is too long (14 characters; at most 13)."
    assert caught.value.message("sv") == "Frågan är för lång (14 tecken; högst 13)."


def test_a_question_that_is_not_text_is_refused() -> None:
    with pytest.raises(InvalidQuestion) as caught:
        validate(["Vad är tillit?"], [], None, 100, 5)
    assert caught.value.message("sv") == "Frågan måste vara text."


def test_history_that_is_not_a_list_is_refused() -> None:
    with pytest.raises(InvalidQuestion) as caught:
        validate("Vad är tillit?", "Vem skrev kapitel 9?", None, 100, 5)
    assert caught.value.message("en") == "History must be a list of earlier questions."
    assert caught.value.message("sv") == "Historiken måste vara en lista med tidigare frågor."


def test_only_the_last_max_turns_questions_are_kept_oldest_first() -> None:
    history = ["Vem skrev kapitel 1?", "Vad är NPM?", "Vem införde det?", "Och när?"]
    assert validate("Varför?", history, "sv", 100, 2).turns == ("Vem införde det?", "Och när?")
    assert validate("Varför?", history, "sv", 100, 0).turns == ()


def test_earlier_turns_are_cleaned_and_blank_ones_left_out() -> None:
    history = ["Vad är\n\n NPM?", "   ", "", "Och\x00 när\u200b infördes det?"]
    req = validate("Vem införde det?", history, "sv", 100, 10)
    assert req.turns == ("Vad är NPM?", "Och när infördes det?")


def test_blank_turns_do_not_count_against_the_limit() -> None:
    history = ["Vem skrev kapitel 1?", "Vad är NPM?", "", "   ", "\x00"]
    assert validate("Varför?", history, "sv", 100, 2).turns == ("Vem skrev kapitel 1?",
                                                                  "Vad är NPM?")


def test_an_over_long_earlier_turn_is_refused_as_a_history_turn() -> None:
    with pytest.raises(InvalidQuestion) as caught:
        validate("Och när?", ["Vem införde New Public Management i Sverige?"], "sv", 20, 5)
    assert caught.value.message("en").startswith("The history turn is too long (44 characters")
    assert caught.value.message("sv").startswith("En tidigare fråga i historiken är för lång")


def test_swedish_and_english_questions_are_told_apart() -> None:
    assert validate("Vad är tillitsbaserad styrning?", [], None, 100, 5).language == "sv"
    assert validate("How many municipalities took part?", [], None, 100, 5).language == "en"


def test_the_language_asked_for_wins_over_the_detected_one() -> None:
    assert validate("Vad är tillitsbaserad styrning?", [], "en", 100, 5).language == "en"


def test_an_unsupported_language_asked_for_is_named_in_the_refusal() -> None:
    with pytest.raises(UnsupportedLanguage) as caught:
        validate("Vad är tillit?", [], "de", 100, 5)
    assert caught.value.message("en") == "Language 'de' is not supported; use 'sv' or 'en'."
    assert caught.value.message("sv") == "Språket 'de' stöds inte; använd 'sv' eller 'en'."


@pytest.mark.parametrize("question", [
    "Wie viele Gemeinden haben an dem Projekt teilgenommen?",
    "Кто ввёл новое государственное управление?",
])
def test_a_question_in_another_language_is_refused_in_both_languages(question: str) -> None:
    with pytest.raises(UnsupportedLanguage) as caught:
        validate(question, [], None, 200, 5)
    assert caught.value.message("sv").startswith("Ställ frågan på svenska eller engelska.")
    assert caught.value.message("en").startswith("Please ask in Swedish or English.")


def test_a_bare_name_or_number_is_not_refused_for_its_language() -> None:
    assert validate("Christopher Hood?", [], None, 100, 5).language in ("sv", "en")
    assert validate("NPM 1991", [], None, 100, 5).language in ("sv", "en")
