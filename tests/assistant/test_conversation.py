"""Stage 2, condense: a follow-up is made standalone from the turns it leans on (by rule, or by a
chat model when one is given), while a question that names its own subject is left alone."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.conversation import (
    Conversation,
    condense,
    earlier_context,
    is_follow_up,
    standalone,
)

CHAIN = ["Vad är tillit?", "Vem skrev kapitel 9?", "Var kommer han ifrån?"]


class RewritingCondenser:
    """A chat model that rewrites a follow-up from the last earlier turn; records its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[str, ...], str]] = []

    def condense(self, question: str, history: Sequence[str], lang: str) -> str | None:
        self.calls.append((question, tuple(history), lang))
        return f"{question.rstrip('?')} (om: {history[-1]})"

    def earlier_label(self, lang: str) -> str:
        return "Tidigare" if lang == "sv" else "Earlier"


class FailingCondenser(RewritingCondenser):
    """A chat model that cannot rewrite anything."""

    def condense(self, question: str, history: Sequence[str], lang: str) -> str | None:
        self.calls.append((question, tuple(history), lang))
        return None


def test_a_short_question_with_a_pronoun_is_a_follow_up() -> None:
    assert is_follow_up("Var kommer han ifrån?")
    assert is_follow_up("Where is she from?")


def test_a_question_naming_its_subject_is_standalone_despite_a_pronoun() -> None:
    assert not is_follow_up("Vad är det som kännetecknar tillitsbaserad styrning i skolan?")
    assert not is_follow_up("What does it mean to build trust between teachers and principals?")


def test_an_opening_and_makes_even_a_long_question_a_follow_up() -> None:
    assert is_follow_up("Och hur ser tillitsbaserad styrning ut i skolan och vården?")
    assert is_follow_up("What about trust based management in schools and hospitals?")


def test_a_standalone_question_is_not_extended_by_the_history() -> None:
    assert condense("  Vem införde New Public Management?  ", CHAIN) == (
        "Vem införde New Public Management?")
    assert earlier_context("Vem införde New Public Management?", CHAIN) is None


def test_a_follow_up_chain_leans_back_to_its_last_standalone_turn_only() -> None:
    query = condense("Och vad studerade han?", CHAIN)
    assert query == "Och vad studerade han? Vem skrev kapitel 9? Var kommer han ifrån?"
    assert earlier_context("Och vad studerade han?", CHAIN) == (
        "Vem skrev kapitel 9? Var kommer han ifrån?")


def test_blank_turns_are_skipped_when_leaning_back() -> None:
    history = ["Vad är tillit?", "Vem skrev kapitel 9?", "   ", ""]
    assert condense("Var bor han?", history) == "Var bor han? Vem skrev kapitel 9?"


def test_a_follow_up_without_history_has_no_earlier_context() -> None:
    assert condense("Var bor han?", []) == "Var bor han?"
    assert earlier_context("Var bor han?", []) is None


def test_without_a_model_the_follow_up_is_condensed_by_rule() -> None:
    s = standalone("Var bor han?", CHAIN, "sv")
    assert s.query == "Var bor han? Vem skrev kapitel 9? Var kommer han ifrån?"
    assert s.context == "Vem skrev kapitel 9? Var kommer han ifrån?"
    assert s.for_model == "Var bor han?"
    assert s.condense_ms is None


def test_a_model_rewrite_is_what_is_searched_and_asked() -> None:
    model = RewritingCondenser()
    s = standalone("Var bor han?", CHAIN, "sv", model)
    assert model.calls == [("Var bor han?", tuple(CHAIN), "sv")]
    assert s.query == s.for_model == "Var bor han (om: Var kommer han ifrån?)"
    assert s.context == "Vem skrev kapitel 9? Var kommer han ifrån?"
    assert s.condense_ms is not None and s.condense_ms >= 0


def test_when_the_model_cannot_rewrite_the_rule_query_stays_and_the_model_gets_context() -> None:
    s = standalone("Var bor han?", CHAIN, "en", FailingCondenser())
    assert s.query == condense("Var bor han?", CHAIN)
    assert s.for_model == "Var bor han?\n(Earlier: Vem skrev kapitel 9? Var kommer han ifrån?)"
    assert s.condense_ms is not None


def test_the_model_is_not_consulted_for_a_standalone_question() -> None:
    model = RewritingCondenser()
    s = standalone("Vem införde New Public Management?", CHAIN, "sv", model)
    assert model.calls == []
    assert s.query == s.for_model == "Vem införde New Public Management?"
    assert s.context is None and s.condense_ms is None


def test_a_conversation_without_turns_to_keep_keeps_none() -> None:
    talk = Conversation(max_turns=0)
    for q in CHAIN:
        talk.add(q)
    assert talk.history() == []


def test_a_conversation_keeps_only_its_last_max_turns_oldest_first() -> None:
    talk = Conversation(max_turns=2)
    for q in CHAIN:
        talk.add(q)
    earlier = talk.history()
    assert earlier == ["Vem skrev kapitel 9?", "Var kommer han ifrån?"]
    earlier.append("Och vad studerade han?")
    assert talk.history() == ["Vem skrev kapitel 9?", "Var kommer han ifrån?"]
