"""Stage 5 of the answer pipeline as the assistant holds it: the reply a verdict calls for.

Answered: the chat model's answer, checked (``assistant.generated``), or quotes
(``assistant.reply``); with a reader, of the sentences it says answer. Not stated: what is
missing and the closest passage. Off topic: the refusal.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assistant.compose import ScoredSentence, first_passages
from assistant.decide import Verdict
from assistant.events import Token
from assistant.generate import Generator
from assistant.generated import generated
from assistant.prepare import Prepared
from assistant.prompts import AnswerTemplate
from assistant.reading import Reading, as_read, focus
from assistant.reply import Quoting, Reply, not_stated, quoted, quoted_read, refusal
from assistant.retrieval import Retrieval
from assistant.verify import Verifier


class Responder:
    """Makes the reply: ``templates`` by language (already framed for the collection),
    ``quoting`` for quoted answers, and a ``generator`` with its ``verifier`` for generated
    ones (None: quotes only). ``reader_quotes`` quotes what the reader approves instead of
    the composer's best sentences; ``model_passages`` is how many passages a chat model is
    shown."""

    def __init__(
        self, *, templates: dict[str, AnswerTemplate], quoting: Quoting,
        generator: Generator | None = None, verifier: Verifier | None = None,
        reader_quotes: bool = False, model_passages: int = 5,
    ) -> None:
        if (generator is None) != (verifier is None):
            raise ValueError("a generator needs a verifier, and a verifier a generator")
        self.templates = templates
        self.quoting = quoting
        self.generator = generator
        self.verifier = verifier
        self.reader_quotes = reader_quotes
        self.model_passages = model_passages

    def respond(
        self, prepared: Prepared, verdict: Verdict, reading: Reading | None, started: float,
    ) -> Iterator[Token | Reply]:
        """A chat model's ``Token``s as it writes (if any), then the ``Reply``.

        ``started`` is when the request began (for the time to the first token)."""
        template = self.templates[prepared.request.language]
        retrieval, analysis, scored = prepared.retrieval, prepared.analysis, prepared.scored
        # The candidates the reader read, in its ranking, come before the rest (which are
        # ``scored``'s tail: the reader reads the first ones).
        ranked = scored if reading is None else (*reading.ranked, *scored[len(reading.ranked):])
        deciding = reading is not None and reading.decides
        if verdict.outcome == "answered" and self.generator is not None:
            assert self.verifier is not None
            evidence = _evidence(retrieval, reading, ranked)
            # The passages holding the best evidence first; the model sees at most
            # ``model_passages`` of them (a longer prompt costs a local model seconds).
            shown, shown_evidence = first_passages(
                *(focus(retrieval, evidence) if reading is not None else (retrieval, evidence)),
                self.model_passages)
            yield from generated(self.generator, self.verifier, template,
                                 prepared.standalone.for_model, shown, shown_evidence,
                                 self.quoting, started)
        elif verdict.outcome == "answered" and deciding and self.reader_quotes:
            yield quoted_read(retrieval, _evidence(retrieval, reading, ranked), analysis,
                              template, self.quoting)
        elif verdict.outcome == "answered":
            yield quoted(retrieval, ranked, analysis, template, self.quoting)
        elif verdict.outcome == "not_stated":
            closest = as_read(retrieval, ranked[:1]) if reading is not None else scored
            yield not_stated(retrieval, closest, analysis, template, verdict.unknown_names)
        else:
            yield refusal(template)


def _evidence(retrieval: Retrieval, reading: Reading | None,
              ranked: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """What an answer rests on: for a reader that decides, the sentences it says answer, best
    first, as it read them; otherwise every sentence in ``ranked`` order."""
    if reading is not None and reading.decides:
        return as_read(retrieval, reading.answering())
    return list(ranked)
