"""The generated reply (``assistant.generated``): a fake chat model's answer streamed, checked
against the passages and rendered with markers, or quotes with the reason it fell back."""

from __future__ import annotations

import itertools
import time
from typing import Any, cast

import numpy as np
from langchain_core.language_models.fake_chat_models import (
    FakeListChatModel,
    GenericFakeChatModel,
)

from assistant.compose import ScoredSentence
from assistant.events import Token
from assistant.generate import ChatBackend, Generator
from assistant.generated import generated
from assistant.prompts import load_answer_template, load_generation_prompts
from assistant.reply import Quoting, Reply
from assistant.retrieval import Hit, Retrieval
from assistant.tuning import LeadWeights, SupportWeights
from assistant.verify import Verifier
from index.store.served import ServedIndex
from tests.assistant.fakes import PASSAGES, memory_index
from tests.web.llm_fakes import HeldFakeChat

PROMPTS = {lang: load_generation_prompts(lang) for lang in ("sv", "en")}
SV = load_answer_template("sv")
QUOTING = Quoting(max_sentences=3, keep_margin=0.035, direct_answer=False, lead=LeadWeights())
INDEX = memory_index(PASSAGES)
RETRIEVAL = Retrieval("q", [Hit(c, 1.0 - i / 10, 0.5, 0.5) for i, c in enumerate(INDEX.chunks)],
                      np.zeros(INDEX.embedder.dim, np.float32), 0.5)
VERIFIER = Verifier(INDEX.embedder, cast(ServedIndex, INDEX), SupportWeights())
HOOD = "Det introducerades av forskaren Christopher Hood år 1991."  # passage 3
TRUST = "Tillit handlar om att våga lita på medarbetarnas kunskap och omdöme."  # passage 2
PARIS = "Huvudstaden i Frankrike är Paris och den grundades för länge sedan."


def _scored(rank: int, text: str, score: float) -> ScoredSentence:
    start = RETRIEVAL.hits[rank].chunk.text.index(text)
    return ScoredSentence(rank, start, start + len(text), text, score)


# What the quoted answer would say: the sentence on Hood, best, and the one before it.
SCORED = [_scored(2, HOOD, 0.9),
          _scored(2, "New Public Management infördes i Sverige under 1980-talet.", 0.5),
          _scored(1, TRUST, 0.2)]



def _generator(model: Any, first_token_timeout_s: float = 60.0) -> Generator:
    # Deadlines far beyond what a fake model needs, even on a loaded machine.
    backend = ChatBackend(model, "fake-model", lambda t: len(t.split()), 4096)
    return Generator(backend, PROMPTS, max_answer_tokens=100, timeout_s=120.0,
                     first_token_timeout_s=first_token_timeout_s, condense_timeout_s=60.0)


def _run(model: Any, **kw: Any) -> tuple[str, Reply]:
    items = list(generated(_generator(model, **kw), VERIFIER, SV, "Vem introducerade det?",
                           RETRIEVAL, SCORED, QUOTING, time.perf_counter()))
    *tokens, reply = items
    assert all(isinstance(t, Token) for t in tokens) and isinstance(reply, Reply)
    return "".join(cast(Token, t).text for t in tokens), reply


def _cited(sentence: str, n: int) -> str:
    """``sentence`` as a model writes it: the marker before the full stop."""
    return f"{sentence.removesuffix('.')} [{n}]."


def _says(*replies: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=itertools.cycle(replies))


def test_a_supported_answer_is_rendered_with_passages_numbered_as_first_cited() -> None:
    raw = f"{_cited(HOOD, 3)} {_cited(TRUST, 2)}"
    streamed, reply = _run(_says(raw))
    assert streamed == raw  # the model's own text, as it came
    assert reply.text == f"{HOOD} [1] {TRUST} [2]"
    assert [(c.n, c.chunk_id, c.quote) for c in reply.citations] == [(1, "c2", HOOD),
                                                                      (2, "c1", TRUST)]
    assert [(s.n, s.supported) for s in reply.sentences] == [((1,), True), ((2,), True)]
    assert reply.mode == "llm" and reply.model == "fake-model" and reply.fallback is None
    assert reply.checks["markers_supported"] == 2 and reply.checks["repeated"] == 0
    assert {"first_token", "generation", "verify"} <= set(reply.timings_ms)


def test_an_unsupported_sentence_is_kept_labelled_and_without_a_marker() -> None:
    _, reply = _run(_says(f"{_cited(HOOD, 1)} {_cited(PARIS, 3)}"))
    assert reply.text == f"{HOOD} [1] {PARIS} ({PROMPTS['sv'].unsupported_label})"
    assert [s.supported for s in reply.sentences] == [True, False]
    assert [c.chunk_id for c in reply.citations] == ["c2"]  # [1] was repointed to passage 3


def test_nothing_supported_falls_back_to_the_quoted_answer_with_a_note() -> None:
    _, reply = _run(_says(_cited(PARIS, 1)))
    assert reply.fallback == "unsupported" and reply.mode == "extractive"
    assert reply.note == PROMPTS["sv"].fallback_unsupported
    assert reply.text.startswith(f"Enligt antologin: ”{HOOD}” [1]")
    assert PARIS not in reply.text and reply.model == "fake-model"
    assert reply.checks["unsupported"] == 1


def test_a_model_too_slow_for_its_first_token_falls_back_with_reason_timeout() -> None:
    # Its first token comes only after the release (or after 60 s): only the deadline ends it.
    slow = HeldFakeChat(messages=itertools.cycle([_cited(HOOD, 3)]), limit=60.0)
    t0 = time.monotonic()
    try:
        _, reply = _run(slow, first_token_timeout_s=0.2)
    finally:
        slow.release.set()
    assert time.monotonic() - t0 < 30  # the 0.2 s deadline, not the model's 60 s
    assert reply.fallback == "timeout" and reply.note == PROMPTS["sv"].fallback_timeout
    assert [c.chunk_id for c in reply.citations] == ["c2"]


def test_a_failing_model_falls_back_with_reason_error() -> None:
    _, reply = _run(FakeListChatModel(responses=["x"], error_on_chunk_number=0))
    assert reply.fallback == "error" and reply.note == PROMPTS["sv"].fallback_error
    assert reply.citations and reply.mode == "extractive"


def test_the_models_refusal_is_a_refusal_that_cites_nothing() -> None:
    _, reply = _run(_says(PROMPTS["sv"].refusal))
    assert reply.refused and reply.mode == "llm" and reply.model == "fake-model"
    assert reply.citations == () and reply.text.startswith(SV.refusal)
    assert reply.fallback is None
