"""The extractive composer (``assistant.compose``): how sentences are scored and kept, and how
quotes, markers and citations are written, over a small in-memory index."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

import numpy as np
import pytest

from assistant.compose import (
    ScoredSentence,
    compose,
    compose_not_stated,
    page_label,
    score_sentences,
    select_sentences,
    shared_run,
)
from assistant.prompts import load_answer_template
from assistant.question_analysis import analyse_question
from assistant.retrieval import Hit, Retrieval, Retriever
from assistant.tuning import SentenceWeights
from index.store.served import ServedIndex
from tests.assistant.fakes import PASSAGES, MemoryIndex, chunk, memory_index
from tests.fakes import HashingEmbedder

SV = load_answer_template("sv")
EN = load_answer_template("en")
# Without the passage-rank bonus and with a query vector of zeros (no dense similarity),
# a sentence's score is the rules alone.
RULES = SentenceWeights(passage_rank=0.0)


def _served(index: MemoryIndex) -> ServedIndex:
    """The in-memory index where the composer expects the served one."""
    return cast(ServedIndex, index)


def _retrieval(index: MemoryIndex, query: str, vector: np.ndarray | None = None) -> Retrieval:
    """Every passage of ``index`` in its order; a zero query vector unless given."""
    hits = [Hit(c, 1.0 - i / 10, 0.5, 0.5) for i, c in enumerate(index.chunks)]
    qv = np.zeros(index.embedder.dim, np.float32) if vector is None else vector
    return Retrieval(query, hits, qv, 0.5)


def _scores(index: MemoryIndex, query: str, weights: SentenceWeights = RULES,
            with_analysis: bool = False) -> dict[str, float]:
    analysis = analyse_question(query, "sv") if with_analysis else None
    scored = score_sentences(_retrieval(index, query), _served(index), analysis, weights)
    return {s.text: s.score for s in scored}


def _s(rank: int, start: int, text: str, score: float) -> ScoredSentence:
    return ScoredSentence(rank, start, start + len(text), text, score)


# --- scoring ----------------------------------------------------------------------------

def test_the_passage_that_shares_the_questions_words_gives_the_best_sentence() -> None:
    index = memory_index(PASSAGES)
    retriever = Retriever(_served(index), index.embedder, mode="hybrid", fusion="weighted",
                          dense_weight=0.5, rrf_k=60)
    q = "Vem introducerade det år 1991?"
    retrieval = retriever.retrieve(q, 4)
    scored = score_sentences(retrieval, _served(index), analyse_question(q, "sv"),
                             SentenceWeights())
    assert scored[0].text == "Det introducerades av forskaren Christopher Hood år 1991."
    assert retrieval.hits[scored[0].hit_rank].chunk.chunk_id == "c2"
    assert [s.score for s in scored] == sorted((s.score for s in scored), reverse=True)


def test_holding_the_questions_focus_terms_raises_a_sentence_by_the_overlap_weight() -> None:
    index = memory_index(["Regeringen tillsatte en utredning om styrningen av skolan. "
                          "Kommunerna prövade tillitsbaserad styrning i vården."])
    q = "Hur prövade kommunerna tillitsbaserad styrning?"
    scores = _scores(index, q, with_analysis=True)
    held, other = scores["Kommunerna prövade tillitsbaserad styrning i vården."], scores[
        "Regeringen tillsatte en utredning om styrningen av skolan."]
    assert held > other
    flat = _scores(index, q, replace(RULES, term_overlap=0.0), with_analysis=True)
    assert len(set(flat.values())) == 1  # without the weight the two sentences tie
    assert held - flat["Kommunerna prövade tillitsbaserad styrning i vården."] == pytest.approx(
        RULES.term_overlap * 1.0)  # every focus stem is held


def test_a_caption_without_closing_punctuation_is_penalised() -> None:
    index = memory_index(["Figur 2 Tillitsbaserad styrning i kommunerna\n\n"
                          "Tillitsbaserad styrning prövas nu i kommunerna."])
    scores = _scores(index, "tillitsbaserad styrning kommunerna")
    caption = scores["Figur 2 Tillitsbaserad styrning i kommunerna"]
    sentence = scores["Tillitsbaserad styrning prövas nu i kommunerna."]
    assert sentence - caption == pytest.approx(RULES.caption_penalty)


def test_a_book_card_is_boosted_only_for_a_question_about_the_book() -> None:
    text = "Kapitel 1 Inledning är skrivet av Louise Bringselius"  # a card has no full stop
    index = MemoryIndex([chunk(0, text, kind="card"), chunk(1, text)], HashingEmbedder(dim=512))

    def card_and_text(query: str) -> tuple[float, float]:
        scored = score_sentences(_retrieval(index, query), _served(index), None, RULES)
        by_rank = {s.hit_rank: s.score for s in scored}
        return by_rank[0], by_rank[1]

    card, plain = card_and_text("Vem skrev kapitel 1?")
    # the same line as a text passage is also a caption: penalised, the card not
    assert card - plain == pytest.approx(RULES.card_bonus + RULES.caption_penalty)
    card, plain = card_and_text("Vad handlar kapitel 1 om?")
    assert card - plain == pytest.approx(RULES.caption_penalty)
    # The card answers for its own chapter only (it is chapter 1's).
    card, plain = card_and_text("Vem skrev kapitel 10?")
    assert card - plain == pytest.approx(RULES.caption_penalty)
    card, plain = card_and_text("Who wrote the introduction?")
    assert card - plain == pytest.approx(RULES.card_bonus + RULES.caption_penalty)


def test_a_cut_off_sentence_at_the_head_of_a_passage_is_skipped() -> None:
    cut = memory_index(["och därför ökade kontrollen i verksamheten. "
                        "Tillit kräver mod av chefer och medarbetare."])
    assert list(_scores(cut, "kontrollen tillit")) == [
        "Tillit kräver mod av chefer och medarbetare."]
    whole = memory_index(["Därför ökade kontrollen i verksamheten. "
                          "Tillit kräver mod av chefer och medarbetare."])
    assert "Därför ökade kontrollen i verksamheten." in _scores(whole, "kontrollen tillit")


def test_an_anaphoric_sentence_inherits_the_score_of_what_it_points_back_to() -> None:
    index = memory_index([
        "Christopher Hood beskrev New Public Management år 1991. "
        "Reformerna kom under en lång period av budgetunderskott. "
        "Dessa idéer spreds snabbt till Sverige och Norden.",
        "Dessa idéer spreds snabbt till Sverige och Norden.",
    ])
    scored = score_sentences(_retrieval(index, "Vad beskrev Christopher Hood?"), _served(index),
                             None, RULES)
    score = {(s.hit_rank, s.text[:12]): s.score for s in scored}
    named = score[(0, "Christopher ")]
    assert named == pytest.approx(RULES.term_overlap)
    assert score[(0, "Reformerna k")] == pytest.approx(0.0)
    # back past the sentence in between: two steps, so twice the penalty
    assert score[(0, "Dessa idéer ")] == pytest.approx(named - 2 * RULES.inherit_penalty)
    assert score[(1, "Dessa idéer ")] == pytest.approx(0.0)  # nothing before it to inherit


# --- selecting --------------------------------------------------------------------------

def test_runner_ups_within_the_margin_are_kept_in_reading_order() -> None:
    scored = [_s(1, 0, "Tillit kräver mod av chefer.", 1.0),
              _s(0, 40, "Kontroll behövs också ibland.", 0.98),
              _s(2, 0, "Skolan har detaljstyrts länge.", 0.90)]
    chosen = select_sentences(scored, max_sentences=3, keep_margin=0.035, follow=False)
    assert [s.text for s in chosen] == ["Kontroll behövs också ibland.",
                                       "Tillit kräver mod av chefer."]


def test_the_sentence_after_the_best_one_comes_along_whatever_its_score() -> None:
    best, after = _s(0, 0, "Tillit kräver mod av chefer.", 1.0), _s(0, 29, "Det tar tid.", 0.1)
    elsewhere = _s(1, 0, "Kontroll behövs också ibland.", 0.5)
    assert select_sentences([best, elsewhere, after], 3, 0.035) == [best, after]
    assert select_sentences([best, elsewhere, after], 3, 0.035, follow=False) == [best]


def test_at_most_max_sentences_are_kept_and_the_best_of_them() -> None:
    scored = [_s(i, 0, f"Mening nummer {i} handlar om tillit.", 1.0 - i / 100)
              for i in range(5)]
    chosen = select_sentences(scored, max_sentences=3, keep_margin=0.5, follow=False)
    assert [s.hit_rank for s in chosen] == [0, 1, 2]


def test_the_same_sentence_in_two_passages_is_quoted_once() -> None:
    scored = [_s(0, 0, "Tillit kräver mod av chefer.", 1.0),
              _s(1, 0, "Tillit kräver mod av chefer!", 0.99),
              _s(2, 0, "Kontroll behövs också ibland.", 0.98)]
    chosen = select_sentences(scored, 3, 0.035, follow=False)
    assert [s.hit_rank for s in chosen] == [0, 2]


# --- writing ----------------------------------------------------------------------------

def test_compose_numbers_passages_in_the_order_they_are_first_quoted() -> None:
    index = memory_index(PASSAGES)
    retrieval = _retrieval(index, "q")
    a = _s(2, 0, "New Public Management infördes i Sverige under 1980-talet.", 0.9)
    b = _s(0, 0, "Tillitsdelegationen tillsattes av regeringen.", 0.8)
    c = _s(2, 60, "Det introducerades av forskaren Christopher Hood år 1991.", 0.7)
    text, citations = compose(retrieval, [a, b, c], SV)
    assert text == (f"Enligt antologin: ”{a.text}” [1] ”{b.text}” [2] ”{c.text}” [1]")
    assert [(x.n, x.chunk_id) for x in citations] == [(1, "c2"), (2, "c0")]
    assert citations[0].quote == f"{a.text} … {c.text}"
    assert citations[0].label("sv") == "kap. 1, avsnitt 1.2, s. 5"


def test_a_direct_answer_opens_the_text_with_its_passages_marker() -> None:
    retrieval = _retrieval(memory_index(PASSAGES), "q")
    hood = _s(2, 60, "Det introducerades av forskaren Christopher Hood år 1991.", 0.9)
    text, citations = compose(retrieval, [hood], EN, lead=("Christopher Hood", hood))
    assert text == f"Christopher Hood [1]. The anthology says (in Swedish): “{hood.text}” [1]"
    assert len(citations) == 1 and citations[0].page_label == "p. 5"


def test_a_direct_answer_from_a_later_passage_is_still_marked_first() -> None:
    retrieval = _retrieval(memory_index(PASSAGES), "q")
    first = _s(0, 0, "Tillitsdelegationen tillsattes av regeringen.", 0.8)
    hood = _s(2, 60, "Det introducerades av forskaren Christopher Hood år 1991.", 0.9)
    text, citations = compose(retrieval, [first, hood], SV, lead=("Christopher Hood", hood))
    assert text.startswith("Christopher Hood [1].")
    assert f"”{hood.text}” [1]" in text and f"”{first.text}” [2]" in text
    assert [(c.n, c.chunk_id) for c in citations] == [(1, "c2"), (2, "c0")]
    assert citations[0].quote == hood.text


def test_a_direct_answer_whose_sentence_is_not_quoted_is_cited_with_it() -> None:
    retrieval = _retrieval(memory_index(PASSAGES), "q")
    first = _s(0, 0, "Tillitsdelegationen tillsattes av regeringen.", 0.8)
    hood = _s(2, 60, "Det introducerades av forskaren Christopher Hood år 1991.", 0.9)
    text, citations = compose(retrieval, [first], SV, lead=("Christopher Hood", hood))
    assert text.startswith("Christopher Hood [1].")
    assert [(c.n, c.quote) for c in citations] == [(1, hood.text), (2, first.text)]


def test_one_sentence_means_one_even_with_its_follower() -> None:
    index = memory_index(PASSAGES)
    scored = score_sentences(_retrieval(index, "tillit"), _served(index), None, RULES)
    assert len(select_sentences(scored, max_sentences=1, keep_margin=1.0)) == 1
    assert len(select_sentences(scored, max_sentences=2, keep_margin=0.0)) == 2  # + follower


def test_not_stated_names_what_the_passage_shares_with_the_question() -> None:
    retrieval = _retrieval(memory_index(PASSAGES), "q")
    closest = _s(0, 87, "Delegationens sekretariat arbetade med kommuner och regioner.", 0.5)
    analysis = analyse_question("Vem ledde Delegationens sekretariat?", "sv")
    text, citations = compose_not_stated(retrieval, closest, analysis, SV)
    assert text == ("Antologin nämner ”Delegationens sekretariat” men säger inte vem. "
                    f"Det som ligger närmast: ”{closest.text}” [1]")
    assert [(c.n, c.chunk_id, c.quote) for c in citations] == [(1, "c0", closest.text)]


def test_not_stated_without_shared_words_says_the_subject_is_discussed() -> None:
    retrieval = _retrieval(memory_index(PASSAGES), "q")
    closest = _s(1, 0, "Tillit handlar om att våga lita på medarbetarnas kunskap.", 0.5)
    analysis = analyse_question("When was the first municipal pilot held?", "en")
    text, _ = compose_not_stated(retrieval, closest, analysis, EN)
    assert text.startswith("The anthology discusses the subject but does not say when. "
                           "The closest passage: “Tillit handlar")


@pytest.mark.parametrize("page,in_book,lang,label", [
    (57, True, "sv", "s. 57"),
    (57, True, "en", "p. 57"),
    (5, False, "sv", "s. 5 i kapitlet"),
    (5, False, "en", "p. 5 of the chapter"),
    (None, True, "sv", ""),
])
def test_page_label_tells_a_page_of_the_book_from_one_of_the_chapter(
    page: int | None, in_book: bool, lang: str, label: str
) -> None:
    assert page_label(page, in_book, lang) == label


def test_shared_run_is_the_longest_run_of_question_words_the_passage_holds() -> None:
    passage = "Tillitsdelegationen och dess sekretariat arbetade med kommuner."
    words = ("Vem", "arbetade", "för", "Tillitsdelegationens", "sekretariat", "år", "2017")
    assert shared_run(words, passage) == "Tillitsdelegationens sekretariat"
    assert shared_run(("Vem", "var", "ordförande"), passage) == ""
