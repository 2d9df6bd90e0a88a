"""The glossary gives an English question the Swedish words of the terms it contains."""

from __future__ import annotations

import pytest

from assistant.crosslingual import load_glossary, parse_glossary

SMALL = """
[terms]
trust = ["tillit", "förtroende"]
"public sector" = ["offentlig sektor"]
public = ["offentlig"]
employee = ["medarbetare"]
"""


def test_terms_match_on_english_stems_and_phrases_give_their_words_too() -> None:
    g = parse_glossary(SMALL, "en", "sv")
    assert g.translate("Do employees trust the public sector?") == (
        "medarbetare", "tillit", "förtroende", "offentlig sektor", "offentlig")
    assert g.translate("Trusted EMPLOYEES") == ("tillit", "förtroende", "medarbetare")
    assert g.translate("What is the weather like?") == ()


def test_expand_only_a_question_in_the_source_language_over_a_target_language_collection(
        ) -> None:
    g = parse_glossary(SMALL, "en", "sv")
    assert g.expand("What is trust?", "en", "sv") == "What is trust? tillit förtroende"
    assert g.expand("Vad är trust?", "sv", "sv") == "Vad är trust?"
    assert g.expand("What is trust?", "en", "en") == "What is trust?"
    assert g.expand("What is the weather like?", "en", "sv") == "What is the weather like?"


def test_a_term_without_a_list_of_words_is_refused() -> None:
    with pytest.raises(ValueError, match="trust"):
        parse_glossary('[terms]\ntrust = "tillit"\n', "en", "sv")


def test_two_terms_with_the_same_stems_are_refused_not_merged() -> None:
    with pytest.raises(ValueError, match="'manage' and 'management'"):
        parse_glossary('[terms]\nmanage = ["leda"]\nmanagement = ["ledning"]\n', "en", "sv")
    with pytest.raises(ValueError, match="same stems"):
        parse_glossary('[terms]\n"trust-based" = ["a"]\n"trust based" = ["b"]\n', "en", "sv")


def test_a_one_word_term_the_lexical_analyser_drops_is_refused() -> None:
    with pytest.raises(ValueError, match="'book' is a stop word"):
        parse_glossary('[terms]\nbook = ["bok"]\n', "en", "sv")
    # a stop word inside a phrase is fine
    assert parse_glossary('[terms]\n"book keeping" = ["bokföring"]\n', "en", "sv").terms


def test_an_exact_term_is_matched_as_written_and_hides_the_stems_term() -> None:
    g = parse_glossary('[terms]\nauthority = ["myndighet"]\n'
                       '[exact]\nauthor = ["författare"]\n', "en", "sv")
    assert g.translate("the authorities") == ("myndighet",)  # stem "author"
    assert g.translate("the author") == ("författare",)
    assert g.translate("the author and the authority") == ("författare", "myndighet")


def test_inflected_forms_of_one_swedish_word_are_given_once() -> None:
    g = parse_glossary('[terms]\nwelfare = ["välfärd", "välfärden", "boken", "stat"]\n'
                       'state = ["staten"]\n', "en", "sv")
    # "boken" is dropped by the lexical analyser; "staten" has the stem of "stat"
    assert g.translate("welfare state") == ("välfärd", "stat")


def test_the_shipped_glossary_covers_the_books_central_terms() -> None:
    g = load_glossary("en", "sv")
    assert g is not None and len(g.terms) > 300
    for english, swedish in [("trust", "tillit"), ("steering", "styrning"),
                             ("employees", "medarbetare"), ("welfare sector", "välfärdssektorn"),
                             ("New Public Management", "npm"), ("teachers", "lärare")]:
        assert swedish in g.translate(english), english
    assert load_glossary("en", "fi") is None


@pytest.mark.parametrize(("question", "absent"), [
    ("Who is the author of the book?", {"bok", "antologi", "skriver", "myndighet"}),
    ("What must managers do in order to build trust?", {"order", "orderstyrning"}),
    ("What is stated in terms of results?", {"stat", "ord", "term"}),
])
def test_the_shipped_glossary_adds_no_word_for_a_common_english_phrase(
        question: str, absent: set[str]) -> None:
    g = load_glossary("en", "sv")
    assert g is not None
    assert not absent & set(g.translate(question))
