"""The reader's two roles in the assembled assistant: it ranks the quotes, and it decides
answered vs not stated only when it is set to (``TILLIT_READER_DECIDES``)."""

from __future__ import annotations

from assistant.core import Assistant
from assistant.reading import ReaderStage
from tests.assistant.fakes import WordReader

QUESTION = "Vilka tre styrprinciper beskriver Adler?"


def NoAnswerReader(word: str = "\x00") -> WordReader:  # noqa: N802 (a fake's name)
    """P(answers) 0.001 for every candidate, except 0.999 for one holding ``word``."""
    return WordReader(word, hit=0.999, miss=0.001)


def _with(assistant: Assistant, reader: WordReader, decides: bool) -> Assistant:
    stage = ReaderStage(reader, threshold=0.5, max_candidates=20, weight=1.0, decides=decides)
    return Assistant(preparation=assistant.preparation, decider=assistant.decider,
                     responder=assistant.responder, reader=stage)


def test_a_reader_that_decides_says_not_stated_when_nothing_answers(assistant) -> None:
    answer = _with(assistant, NoAnswerReader(), decides=True).answer(QUESTION)
    assert answer.answerability == "not_stated"


def test_a_reader_that_only_ranks_leaves_the_decision_to_the_model(assistant) -> None:
    without = Assistant(preparation=assistant.preparation, decider=assistant.decider,
                        responder=assistant.responder).answer(QUESTION)
    ranked = _with(assistant, NoAnswerReader(), decides=False).answer(QUESTION)
    assert without.answerability == ranked.answerability == "answered"


def test_the_quotes_follow_the_readers_ranking(assistant) -> None:
    plain = Assistant(preparation=assistant.preparation, decider=assistant.decider,
                      responder=assistant.responder).answer(QUESTION)
    # A candidate far down the composer's list, which the plain answer does not quote.
    scored = assistant.preparation.prepare(QUESTION).scored
    far = next(s.text for s in scored[10:20]
               if all(s.text not in c.quote for c in plain.citations))
    # Weight 1.0: the reader's log-odds (+6.9 against −6.9) outweigh the composer's lead.
    answer = _with(assistant, NoAnswerReader(far), decides=False).answer(QUESTION)
    assert answer.answered
    assert answer.sentences[0].text == far.strip()
    assert any(far in c.quote for c in answer.citations)
