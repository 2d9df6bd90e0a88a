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


def test_the_shipped_glossary_covers_the_books_central_terms() -> None:
    g = load_glossary("en", "sv")
    assert g is not None and len(g.terms) > 300
    for english, swedish in [("trust", "tillit"), ("steering", "styrning"),
                             ("employees", "medarbetare"), ("welfare sector", "välfärdssektorn"),
                             ("New Public Management", "npm"), ("teachers", "lärare")]:
        assert swedish in g.translate(english), english
    assert load_glossary("en", "fi") is None
