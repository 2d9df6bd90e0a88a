"""The responder (``assistant.respond``): the reply each verdict calls for, with quotes from the
composer or a reader, or a fake chat model's checked answer."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any, cast

import numpy as np
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from pydantic import Field

from assistant.answerability import Decision
from assistant.compose import ScoredSentence
from assistant.conversation import Standalone
from assistant.decide import Evidence, Verdict
from assistant.events import Token
from assistant.generate import ChatBackend, Generator
from assistant.prepare import Prepared, Ranked
from assistant.prompts import load_answer_template, load_generation_prompts
from assistant.question_analysis import analyse_question
from assistant.reading import ReaderStage, Reading, log_odds
from assistant.reply import Quoting, Reply
from assistant.respond import Responder
from assistant.retrieval import Hit, Retrieval
from assistant.tuning import LeadWeights, SupportWeights
from assistant.types import Outcome
from assistant.validate import Request
from assistant.verify import Verifier
from index.store.served import ServedIndex
from tests.assistant.fakes import PASSAGES, WordReader, memory_index

TEMPLATES = {lang: load_answer_template(lang) for lang in ("sv", "en")}
PROMPTS = {lang: load_generation_prompts(lang) for lang in ("sv", "en")}
QUOTING = Quoting(max_sentences=3, keep_margin=0.035, direct_answer=False, lead=LeadWeights())
INDEX = memory_index(PASSAGES)
RETRIEVAL = Retrieval("q", [Hit(c, 1.0 - i / 10, 0.5, 0.5) for i, c in enumerate(INDEX.chunks)],
                      np.zeros(INDEX.embedder.dim, np.float32), 0.5)
QUESTION = "Vem introducerade New Public Management?"
NPM = "New Public Management infördes i Sverige under 1980-talet."  # passage 3
HOOD = "Det introducerades av forskaren Christopher Hood år 1991."  # passage 3
TRUST = "Tillit handlar om att våga lita på medarbetarnas kunskap och omdöme."  # passage 2
DELEGATION = ("Tillitsdelegationen tillsattes av regeringen för att främja tillitsbaserad "
              "styrning.")  # passage 1


def _scored(rank: int, text: str, score: float) -> ScoredSentence:
    start = RETRIEVAL.hits[rank].chunk.text.index(text)
    return ScoredSentence(rank, start, start + len(text), text, score)


# The composer's ranking: NPM best (and HOOD follows it), then two far behind.
SCORED = (_scored(2, NPM, 0.8), _scored(0, DELEGATION, 0.3), _scored(1, TRUST, 0.2),
          _scored(2, HOOD, 0.1))


def _prepared() -> Prepared:
    request = Request(QUESTION, (), "sv")
    ranked = Ranked(request, Standalone(QUESTION, None, QUESTION), RETRIEVAL)
    return Prepared(ranked, RETRIEVAL, analyse_question(QUESTION, "sv"), SCORED)


def _verdict(outcome: Outcome) -> Verdict:
    return Verdict(Decision(outcome, {}), Evidence(0.5, 0.1, 1.0, 0.05))


def _reader(word: str, weight: float = 0.0, decides: bool = True) -> Reading:
    """What a reader stage that approves candidates holding ``word`` reads (``weight``: of
    its log-odds beside the composer's score in the ranking)."""
    stage = ReaderStage(WordReader(word), threshold=0.5, max_candidates=20, weight=weight,
                        decides=decides)
    return stage.read(QUESTION, RETRIEVAL, SCORED)


class RecordingChat(GenericFakeChatModel):
    """A fake chat model that keeps the prompts it was sent."""

    prompts: list[str] = Field(default_factory=list)

    def _stream(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                **kw: Any) -> Iterator[ChatGenerationChunk]:
        self.prompts.append("\n".join(str(m.content) for m in messages))
        yield from super()._stream(messages, stop, run_manager, **kw)


def _with_model(answer: str, passages: int = 5) -> tuple[Responder, RecordingChat]:
    chat = RecordingChat(messages=itertools.cycle([answer]))
    generator = Generator(ChatBackend(chat, "fake-model", lambda t: len(t.split()), 4096),
                          PROMPTS, max_answer_tokens=100, timeout_s=120.0,
                          first_token_timeout_s=60.0, condense_timeout_s=60.0)
    verifier = Verifier(INDEX.embedder, cast(ServedIndex, INDEX), SupportWeights())
    return Responder(templates=TEMPLATES, quoting=QUOTING, generator=generator,
                     verifier=verifier, model_passages=passages), chat


def _respond(responder: Responder, outcome: Outcome,
             reading: Reading | None = None) -> tuple[list[Token], Reply]:
    *tokens, reply = responder.respond(_prepared(), _verdict(outcome), reading,
                                       time.perf_counter())
    assert isinstance(reply, Reply) and all(isinstance(t, Token) for t in tokens)
    return cast(list[Token], tokens), reply


QUOTES = Responder(templates=TEMPLATES, quoting=QUOTING)


def test_answered_quotes_the_composers_best_sentence_and_the_one_after_it() -> None:
    tokens, reply = _respond(QUOTES, "answered")
    assert tokens == []
    assert reply.text == f"Enligt antologin: ”{NPM}” [1] ”{HOOD}” [1]"
    assert [c.chunk_id for c in reply.citations] == ["c2"]


def test_not_stated_cites_the_closest_passage() -> None:
    _, reply = _respond(QUOTES, "not_stated")
    assert reply.text.startswith(
        "Antologin nämner ”introducerade New Public Management” men säger inte vem.")
    assert [(c.n, c.chunk_id, c.quote) for c in reply.citations] == [(1, "c2", NPM)]


def test_not_stated_with_a_reading_cites_the_closest_sentence_by_composer_and_reader() -> None:
    # Weight 0.5: log-odds ±2.2 move TRUST (0.2) up by 2.2 against NPM (0.8).
    _, reply = _respond(QUOTES, "not_stated", _reader("medarbetarnas", weight=0.5))
    assert [(c.chunk_id, c.quote) for c in reply.citations] == [("c1", TRUST)]
    # Weight 0.05 moves it by 0.22: not enough, the composer's best stays the closest.
    _, reply = _respond(QUOTES, "not_stated", _reader("medarbetarnas", weight=0.05))
    assert [(c.chunk_id, c.quote) for c in reply.citations] == [("c2", NPM)]


def test_the_closest_sentence_comes_with_the_sentence_it_points_back_to() -> None:
    _, reply = _respond(QUOTES, "not_stated", _reader("Hood", weight=0.5))
    assert [(c.chunk_id, c.quote) for c in reply.citations] == [("c2", f"{NPM} {HOOD}")]


def test_off_topic_is_the_refusal() -> None:
    _, reply = _respond(QUOTES, "off_topic")
    sv = TEMPLATES["sv"]
    assert reply.text == f"{sv.refusal} {sv.refusal_hint}" and reply.citations == ()


def test_reader_quotes_quote_only_what_the_reader_approves() -> None:
    reading = _reader("medarbetarnas")
    approving = Responder(templates=TEMPLATES, quoting=QUOTING, reader_quotes=True)
    _, reply = _respond(approving, "answered", reading)
    assert reply.text == f"Enligt antologin: ”{TRUST}” [1]"
    assert [s.support for s in reply.sentences] == [pytest.approx(0.9)]  # the reader's P
    _, composer = _respond(QUOTES, "answered", reading)  # without reader_quotes, weight 0
    assert NPM in composer.text


def test_answered_quotes_the_best_by_composer_and_reader_together() -> None:
    # Weight 0.5 puts TRUST (the reader's) first; it is quoted alone (the runner-ups fall
    # more than the margin behind), with the composer's NPM left out.
    _, reply = _respond(QUOTES, "answered", _reader("medarbetarnas", weight=0.5))
    assert reply.text == f"Enligt antologin: ”{TRUST}” [1]"
    assert reply.sentences[0].support == pytest.approx(0.2 + 0.5 * log_odds(0.9))


def test_a_reader_quote_holds_the_sentence_its_sentence_points_back_to() -> None:
    # "Det introducerades …" was read after "New Public Management infördes …": both are
    # quoted, as one quote.
    approving = Responder(templates=TEMPLATES, quoting=QUOTING, reader_quotes=True)
    _, reply = _respond(approving, "answered", _reader("Hood"))
    assert reply.text == f"Enligt antologin: ”{NPM} {HOOD}” [1]"


def test_with_a_chat_model_the_answer_is_generated_and_checked() -> None:
    responder, chat = _with_model(f"{HOOD.removesuffix('.')} [3].")
    tokens, reply = _respond(responder, "answered")
    assert "".join(t.text for t in tokens) == f"{HOOD.removesuffix('.')} [3]."
    assert reply.mode == "llm" and reply.text == f"{HOOD} [1]"
    assert [c.chunk_id for c in reply.citations] == ["c2"]
    assert len(chat.prompts) == 1 and all(p[:40] in chat.prompts[0] for p in PASSAGES)


def test_with_a_reading_the_model_is_shown_only_the_passages_the_reader_approves() -> None:
    reading = _reader("medarbetarnas")  # only TRUST, in passage 2, answers
    responder, chat = _with_model(f"{TRUST.removesuffix('.')} [1].")
    _, reply = _respond(responder, "answered", reading)
    (prompt,) = chat.prompts
    assert TRUST in prompt and NPM not in prompt and PASSAGES[0][:40] not in prompt
    assert [c.chunk_id for c in reply.citations] == ["c1"]


def test_a_reading_that_only_ranks_shows_the_model_every_passage() -> None:
    # No candidate holds "Göteborg": a deciding reader would leave no evidence at all.
    responder, chat = _with_model(f"{NPM.removesuffix('.')} [1].")
    _, reply = _respond(responder, "answered", _reader("Göteborg", decides=False))
    (prompt,) = chat.prompts
    assert NPM in prompt and TRUST in prompt and PASSAGES[0][:40] in prompt
    assert reply.citations and reply.citations[0].chunk_id == "c2"


def test_the_model_is_shown_the_passages_of_the_best_ranked_sentences_up_to_its_limit() -> None:
    # The ranking puts TRUST (passage c1) first: with room for one passage, only c1 is shown.
    responder, chat = _with_model(f"{TRUST.removesuffix('.')} [1].", passages=1)
    _respond(responder, "answered", _reader("medarbetarnas", weight=0.5, decides=False))
    (prompt,) = chat.prompts
    assert TRUST in prompt and NPM not in prompt and PASSAGES[0][:40] not in prompt
    # Without a reader, the first passage of the retrieval (c0).
    responder, chat = _with_model(f"{DELEGATION.removesuffix('.')} [1].", passages=1)
    _respond(responder, "answered")
    (prompt,) = chat.prompts
    assert DELEGATION in prompt and TRUST not in prompt and NPM not in prompt


@pytest.mark.parametrize("outcome", ["not_stated", "off_topic"])
def test_the_chat_model_is_asked_only_for_an_answered_question(outcome: Outcome) -> None:
    responder, chat = _with_model(f"{HOOD.removesuffix('.')} [3].")
    tokens, reply = _respond(responder, outcome)
    assert tokens == [] and chat.prompts == [] and reply.mode == "extractive"


def test_a_generator_needs_a_verifier_and_a_verifier_a_generator() -> None:
    with_model, _ = _with_model("x")
    with pytest.raises(ValueError, match="verifier"):
        Responder(templates=TEMPLATES, quoting=QUOTING, generator=with_model.generator)
    with pytest.raises(ValueError, match="generator"):
        Responder(templates=TEMPLATES, quoting=QUOTING, verifier=with_model.verifier)
