"""Sentence splitting, language detection and follow-up condensing."""

from __future__ import annotations

import pytest

from assistant.conversation import Conversation, condense, is_follow_up
from assistant.errors import UnsupportedLanguage
from assistant.language import detect_language
from index.text.sentences import points_back, split_sentences


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_sentences_respect_abbreviations_initials_and_paragraphs() -> None:
    text = ("Tillit är central enligt Paul S. Adler (2001). Den diskuteras t.ex. i kapitel 3 "
            "och s. 712 i boken. En ny mening börjar här!\n\n"
            "Figur 1.2 Obalans mellan styrprinciper")
    assert _sentences(text) == [
        "Tillit är central enligt Paul S. Adler (2001).",
        "Den diskuteras t.ex. i kapitel 3 och s. 712 i boken.",
        "En ny mening börjar här!",
        "Figur 1.2 Obalans mellan styrprinciper",
    ]


@pytest.mark.parametrize(("sentence", "back"), [
    ("Den visar att var tredje medarbetare har försvunnit.", True),
    ("I denna kommun fick hemtjänsten nya former.", True),
    ("”Dessa tre principer gäller.”", True),
    ("They found that one in three had gone.", True),
    ("Denmark cut its staff.", False),
    ("Detaljstyrningen ökade under 1990-talet.", False),
    ("Theory and practice differ.", False),
    ("Region Uppsala köpte 40 nya elbussar år 2019.", False),
])
def test_a_sentence_that_points_back_is_told_by_its_first_word(sentence: str, back: bool
                                                                ) -> None:
    assert points_back(sentence) is back


@pytest.mark.parametrize("text,lang", [
    ("Vilka tre styrprinciper beskriver Adler?", "sv"),
    ("Vad menas med perspektivträngsel?", "sv"),
    ("What are the three governance principles according to Adler?", "en"),
    ("Who wrote chapter 9?", "en"),
    # A name in another language does not outweigh the question's own words.
    ("Vem introducerade New Public Management?", "sv"),
    ("Vad är New Public Management?", "sv"),
    ("Who introduced Tillitsdelegationen?", "en"),
    ("Vilka kommuner deltog i Tillitsdelegationens försök?", "sv"),
    ("Tillitsreformen in i skolan", "sv"),
    ("NPM:s väg in i offentlig sektor", "sv"),
])
def test_language_detection(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", [
    "Comment faire des crêpes à la maison ce soir?",
    "Wie backt man Zimtschnecken in Deutschland?",
    "如何烤肉桂卷",
])
def test_other_languages_are_refused_with_a_bilingual_message(text: str) -> None:
    with pytest.raises(UnsupportedLanguage) as err:
        detect_language(text)
    assert "Swedish or English" in err.value.message("en")
    assert "svenska eller engelska" in err.value.message("sv")


def test_language_hint_wins_and_is_validated() -> None:
    assert detect_language("Vad är tillit?", hint="en") == "en"
    with pytest.raises(UnsupportedLanguage):
        detect_language("Vad är tillit?", hint="de")


def test_follow_up_is_condensed_with_the_question_it_builds_on() -> None:
    history = ["Vem skrev kapitel 9?"]
    assert is_follow_up("Vilket lärosäte kommer han från?")
    assert condense("Vilket lärosäte kommer han från?", history) == (
        "Vilket lärosäte kommer han från? Vem skrev kapitel 9?"
    )
    standalone = "Vilka tre styrprinciper beskriver Adler?"
    assert condense(standalone, history) == standalone
    chain = ["Who wrote chapter 5?", "Where does she work?"]
    assert condense("And what is it about?", chain) == (
        "And what is it about? Who wrote chapter 5? Where does she work?"
    )


def test_conversation_keeps_its_own_bounded_history() -> None:
    a, b = Conversation(max_turns=2), Conversation(max_turns=2)
    for q in ["ett", "två", "tre"]:
        a.add(q)
    assert a.history() == ["två", "tre"] and b.history() == []
