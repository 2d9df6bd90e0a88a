"""The reader's roles in the assembled assistant: it ranks the quotes; its reading is read by
the decision model trained with it; and it decides answered vs not stated alone only when
it is set to (``TILLIT_READER_DECIDES``)."""

from __future__ import annotations

import copy

from assistant.core import Assistant
from assistant.decide import Decider
from assistant.reading import ReaderStage
from tests.assistant.fakes import WordReader

QUESTION = "Vilka tre styrprinciper beskriver Adler?"


def NoAnswerReader(word: str = "\x00") -> WordReader:  # noqa: N802 (a fake's name)
    """P(answers) 0.001 for every candidate, except 0.999 for one holding ``word``."""
    return WordReader(word, hit=0.999, miss=0.001)


def _with(assistant: Assistant, reader: WordReader, decides: bool,
          reader_model: bool = True) -> Assistant:
    stage = ReaderStage(reader, threshold=0.5, max_candidates=20, weight=1.0, decides=decides)
    decider = assistant.decider if reader_model else _without_reader_model(assistant.decider)
    return Assistant(preparation=assistant.preparation, decider=decider,
                     responder=assistant.responder, reader=stage)


def _without_reader_model(decider: Decider) -> Decider:
    """``decider`` without the model trained beside the reader."""
    clone = copy.copy(decider)
    clone.reader_model = None
    return clone


def test_a_reader_that_decides_says_not_stated_when_nothing_answers(assistant) -> None:
    answer = _with(assistant, NoAnswerReader(), decides=True).answer(QUESTION)
    assert answer.answerability == "not_stated"


def test_a_reader_that_only_ranks_is_heard_through_the_model_trained_with_it(assistant) -> None:
    assert assistant.decider.reader_model is not None  # the shipped default
    without = Assistant(preparation=assistant.preparation, decider=assistant.decider,
                        responder=assistant.responder).answer(QUESTION)
    assert without.answerability == "answered"
    # The sentence naming the three mechanisms: a reader that finds it, and one that finds
    # nothing anywhere.
    finds = _with(assistant, NoAnswerReader("marknad"), decides=False).answer(QUESTION)
    finds_nothing = _with(assistant, NoAnswerReader(), decides=False).answer(QUESTION)
    assert finds.answerability == "answered"
    assert finds_nothing.answerability == "not_stated"
    # Without the model trained beside the reader, the reading only ranks the quotes.
    plain = _with(assistant, NoAnswerReader(), decides=False, reader_model=False)
    assert plain.answer(QUESTION).answerability == "answered"


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
