"""The quoted replies (``assistant.reply``): the direct answer line, quotes of the composer's
or the reader's sentences, the closest passage when the answer is not stated, the refusal."""

from __future__ import annotations

import numpy as np

from assistant.compose import ScoredSentence
from assistant.prompts import load_answer_template
from assistant.question_analysis import analyse_question
from assistant.reply import Quoting, direct_answer, not_stated, quoted, quoted_read, refusal
from assistant.retrieval import Hit, Retrieval
from assistant.tuning import LeadWeights
from tests.assistant.fakes import PASSAGES, chunk

SV = load_answer_template("sv")
EN = load_answer_template("en")
QUOTING = Quoting(max_sentences=3, keep_margin=0.035, direct_answer=True, lead=LeadWeights())
# The passages in retrieval order: c2 (New Public Management) first, then c0, c1, c3.
ORDER = (2, 0, 1, 3)
RETRIEVAL = Retrieval("q", [Hit(chunk(i, PASSAGES[i]), 1.0 - r / 10, 0.5, 0.5)
                            for r, i in enumerate(ORDER)], np.zeros(8, np.float32), 0.5)


def _sentence(rank: int, text: str, score: float) -> ScoredSentence:
    start = RETRIEVAL.hits[rank].chunk.text.index(text)
    return ScoredSentence(rank, start, start + len(text), text, score)


NPM = _sentence(0, "New Public Management infördes i Sverige under 1980-talet.", 0.40)
HOOD = _sentence(0, "Det introducerades av forskaren Christopher Hood år 1991.", 0.75)
DELEGATION = _sentence(1, "Tillitsdelegationen tillsattes av regeringen för att främja "
                          "tillitsbaserad styrning.", 0.74)
SECRETARIAT = _sentence(1, "Delegationens sekretariat arbetade med kommuner och regioner.", 0.10)
TRUST = _sentence(2, "Tillit handlar om att våga lita på medarbetarnas kunskap och omdöme.",
                  0.05)
WHO = analyse_question("Vem introducerade det år 1991?", "sv")


def test_a_factoid_question_gets_the_direct_answer_from_the_best_sentence() -> None:
    assert direct_answer(HOOD, WHO, QUOTING) == ("Christopher Hood", HOOD)


def test_no_direct_answer_when_it_is_off_not_factoid_or_nothing_is_found() -> None:
    off = Quoting(3, 0.035, direct_answer=False, lead=LeadWeights())
    why = analyse_question("Varför introducerades det år 1991?", "sv")
    assert direct_answer(HOOD, WHO, off) is None
    assert direct_answer(HOOD, why, QUOTING) is None
    assert direct_answer(None, WHO, QUOTING) is None
    assert direct_answer(NPM, WHO, QUOTING) is None  # no name in the sentence


def test_quoted_opens_with_the_direct_answer_and_quotes_what_is_near_the_best() -> None:
    reply = quoted(RETRIEVAL, [HOOD, DELEGATION, NPM, SECRETARIAT, TRUST], WHO, SV, QUOTING)
    assert reply.lead == "Christopher Hood"
    # "Det introducerades …" points back: its quote starts at the sentence it points to.
    hood = f"{NPM.text} {HOOD.text}"
    assert reply.text == (
        f"Christopher Hood [1]. Enligt antologin: ”{hood}” [1] ”{DELEGATION.text}” [2]")
    assert [(c.n, c.chunk_id) for c in reply.citations] == [(1, "c2"), (2, "c0")]
    assert [(s.text, s.n, s.supported) for s in reply.sentences] == [
        (hood, (1,), True), (DELEGATION.text, (2,), True)]
    assert reply.mode == "extractive" and reply.note is None and reply.fallback is None


def test_quoted_read_keeps_the_readers_order_and_no_more_than_max_sentences() -> None:
    quoting = Quoting(2, 0.035, direct_answer=False, lead=LeadWeights())
    reply = quoted_read(RETRIEVAL, [TRUST, HOOD, DELEGATION], WHO, SV, quoting)
    assert reply.text == f"Enligt antologin: ”{TRUST.text}” [1] ”{HOOD.text}” [2]"
    assert [c.chunk_id for c in reply.citations] == ["c1", "c2"]
    assert DELEGATION.text not in reply.text and reply.lead == ""


def test_quoted_read_adds_no_sentence_the_reader_did_not_approve() -> None:
    reply = quoted_read(RETRIEVAL, [NPM], WHO, SV, QUOTING)  # HOOD follows NPM in c2
    assert [s.text for s in reply.sentences] == [NPM.text]
    assert HOOD.text not in reply.text


def test_not_stated_cites_only_the_closest_sentence() -> None:
    ask = analyse_question("Vem ledde Delegationens sekretariat?", "sv")
    reply = not_stated(RETRIEVAL, [SECRETARIAT, DELEGATION], ask, SV)
    assert reply.text.startswith("Antologin nämner ”Delegationens sekretariat” men säger inte "
                                 "vem. Det som ligger närmast: ”Delegationens sekretariat")
    assert [(c.n, c.chunk_id, c.quote) for c in reply.citations] == [
        (1, "c0", SECRETARIAT.text)]
    assert [(s.text, s.n) for s in reply.sentences] == [(SECRETARIAT.text, (1,))]
    assert DELEGATION.text not in reply.text


def test_not_stated_for_names_never_mentioned_says_so_and_still_cites_the_closest() -> None:
    ask = analyse_question("Vem ledde sekretariatet efter Sven Almqvist och Eva Holm?", "sv")
    reply = not_stated(RETRIEVAL, [SECRETARIAT], ask, SV, ("Sven Almqvist", "Eva Holm"))
    assert reply.text.startswith("Antologin nämner inte Sven Almqvist, Eva Holm. Det som "
                                 "ligger närmast: ”Delegationens sekretariat")
    assert [c.quote for c in reply.citations] == [SECRETARIAT.text]
    english = not_stated(RETRIEVAL, [SECRETARIAT], analyse_question(
        "Who led the secretariat after Sven Almqvist?", "en"), EN, ("Sven Almqvist",))
    assert english.text.startswith("The anthology does not mention Sven Almqvist.")
    assert SV.for_documents().not_mentioned == "Dokumenten nämner inte {names}."


def test_the_refusal_cites_nothing_and_suggests_what_to_ask() -> None:
    for template in (SV, EN):
        reply = refusal(template)
        assert reply.text == f"{template.refusal} {template.refusal_hint}"
        assert reply.citations == () and reply.sentences == () and not reply.refused
    assert refusal(EN).text.startswith("I can't find an answer to that in the anthology.")
