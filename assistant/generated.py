"""Stage 5 of the answer pipeline for a chat model, generate and verify: the model's answer
checked sentence by sentence against the passages, or the quoted answer with the reason."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace

from assistant.compose import (
    ScoredSentence,
    citation_label,
    compose,
    quoted_sentences,
    render_checked,
    select_sentences,
)
from assistant.events import Token
from assistant.generate import GenerationFailed, Generator, Passage
from assistant.prompts import AnswerTemplate
from assistant.reply import Quoting, Reply, refusal
from assistant.retrieval import Retrieval
from assistant.verify import Verifier, split_answer, tidy

log = logging.getLogger(__name__)


def generated(
    generator: Generator, verifier: Verifier, template: AnswerTemplate, question: str,
    retrieval: Retrieval, scored: Sequence[ScoredSentence], quoting: Quoting, started: float,
) -> Iterator[Token | Reply]:
    """Stream the model's tokens, then yield the checked ``Reply``: the supported sentences
    with their markers, or the quoted answer with a notice saying why.

    ``question`` is what the model is asked (a follow-up standalone or with the earlier
    questions it leans on); ``started`` is when the request began (for time to first token).
    """
    lang = template.language
    prompts = generator.prompts[lang]
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    reason = "error"
    checks: dict[str, int] = {}
    try:
        passages = [Passage(i, citation_label(h, lang), h.chunk.text)
                    for i, h in enumerate(retrieval.hits, start=1)]
        messages, kept = generator.answer_messages(question, passages, lang)
        pieces: list[str] = []
        for token in generator.stream(messages):
            if not pieces:
                timings["first_token"] = (time.perf_counter() - started) * 1e3
            pieces.append(token)
            yield Token(token)
        timings["generation"] = (time.perf_counter() - t0) * 1e3
        raw = "".join(pieces)
        if generator.is_refusal(raw, lang):
            yield replace(refusal(template), mode="llm", model=generator.name, refused=True,
                          timings_ms=timings)
            return
        shown = replace(retrieval, hits=retrieval.hits[:kept])
        tv = time.perf_counter()
        drafts, tidied = tidy(split_answer(raw), raw)
        checked, checks = verifier.check(drafts, shown, lang)
        checks = {**checks, **tidied}
        timings["verify"] = (time.perf_counter() - tv) * 1e3
        if any(c.supported and c.cited for c in checked):
            text, citations, sentences = render_checked(
                checked, shown, lang, prompts.unsupported_label)
            yield Reply(text, tuple(citations), tuple(sentences), mode="llm",
                        model=generator.name, checks=checks, timings_ms=timings)
            return
        reason = "unsupported"
    except GenerationFailed as exc:
        reason = exc.reason if exc.reason in ("timeout", "unsupported") else "error"
        log.warning("generation fell back to quotes: %s", exc)
    except Exception:  # a failing check must not lose the answer the user waits for
        log.exception("checking the generated answer failed; falling back to quotes")
    chosen = select_sentences(list(scored), quoting.max_sentences, quoting.keep_margin)
    text, citations = compose(retrieval, chosen, template)
    yield Reply(text, tuple(citations), tuple(quoted_sentences(chosen, citations, retrieval)),
                note=prompts.fallback_note(reason), fallback=reason, model=generator.name,
                checks=checks, timings_ms=timings)
