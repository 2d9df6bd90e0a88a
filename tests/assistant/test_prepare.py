"""Stages 1–3 as one step: a question validated, made standalone (by the chat model only when
asked), ranked ``depth`` deep, cut to ``top_k`` (one document hidden on request) and the
sentences of exactly those passages scored, best first."""

from __future__ import annotations

import inspect
from collections.abc import Sequence

import pytest

from assistant.crosslingual import Glossary, parse_glossary
from assistant.errors import InvalidQuestion
from assistant.prepare import Limits, Preparation
from assistant.retrieval import Retriever
from assistant.tuning import SentenceWeights
from tests.assistant.fakes import PASSAGES, MemoryIndex, chunk
from tests.fakes import HashingEmbedder

NPM = "Vem introducerade New Public Management?"
BOOK = [  # (document, passage): two passages of the document "npm" answer NPM
    ("d0", PASSAGES[0]),
    ("d1", PASSAGES[1]),
    ("npm", PASSAGES[2]),
    ("d3", PASSAGES[3]),
    ("npm", "Christopher Hood beskrev New Public Management som en global reformvåg. "
            "Reformerna spreds till många länder."),
    ("d5", "Kommunerna i Sverige ansvarar för skolan. "
           "Regionerna ansvarar för hälso- och sjukvården."),
]
LIMITS = Limits(max_question_chars=200, max_history_turns=3)
# The hashing embedder matches whole words, BM25 stems: the first passage leads the dense
# ranking (function words only), the second the lexical one (stems only).
SIGNALS_QUERY = "hur styrs skolan i kommunen och regionen nu"
SIGNALS = ["hur var det i landet och i världen nu", "skolans kommunens regionens styra",
           "hur var det i skolans och kommunens nu"]


class MappingCondenser:
    """A chat model that knows how to rewrite some follow-ups (None for the rest)."""

    def __init__(self, rewrites: dict[str, str]) -> None:
        self.rewrites = rewrites
        self.calls: list[str] = []

    def condense(self, question: str, history: Sequence[str], lang: str) -> str | None:
        self.calls.append(question)
        return self.rewrites.get(question)

    def earlier_label(self, lang: str) -> str:
        return "Tidigare"


def book() -> MemoryIndex:
    return MemoryIndex([chunk(i, text, doc=doc) for i, (doc, text) in enumerate(BOOK)],
                       HashingEmbedder(dim=512))


def preparation(index: MemoryIndex, *, top_k: int = 2, dense_weight: float = 0.5,
                crosslingual: float | None = None, condenser: MappingCondenser | None = None,
                limits: Limits = LIMITS, glossary: Glossary | None = None) -> Preparation:
    retriever = Retriever(index, index.embedder, mode="hybrid",  # type: ignore[arg-type]
                          fusion="weighted", dense_weight=dense_weight, rrf_k=60)
    return Preparation(index=index, retriever=retriever,  # type: ignore[arg-type]
                       limits=limits, top_k=top_k, collection_language="sv",
                       crosslingual_dense_weight=crosslingual, weights=SentenceWeights(),
                       condenser=condenser, glossary=glossary)


def test_rank_retrieves_top_k_passages_unless_a_depth_is_asked() -> None:
    prep = preparation(book(), top_k=2)
    assert len(prep.rank(NPM, lang="sv").ranking.hits) == 2
    assert len(prep.rank(NPM, lang="sv", depth=5).ranking.hits) == 5


def test_prepare_composes_from_the_first_top_k_of_a_deeper_ranking() -> None:
    prepared = preparation(book(), top_k=2).prepare(NPM, lang="sv", depth=5)
    ranking = prepared.ranked.ranking.hits
    assert len(ranking) == 5
    assert prepared.retrieval.hits == ranking[:2]
    assert {h.chunk.doc_id for h in prepared.retrieval.hits} == {"npm"}


def test_exclude_doc_hides_every_passage_of_that_document_and_still_fills_top_k() -> None:
    prepared = preparation(book(), top_k=2).prepare(NPM, lang="sv", depth=8, exclude_doc="npm")
    ranking = prepared.ranked.ranking.hits
    assert [h.chunk.doc_id for h in ranking[:2]] == ["npm", "npm"]  # ranked, then hidden
    assert len(prepared.retrieval.hits) == 2
    assert "npm" not in {h.chunk.doc_id for h in prepared.retrieval.hits}
    assert "Hood" not in " ".join(s.text for s in prepared.scored)


def test_a_question_in_another_language_than_the_collection_uses_the_crosslingual_weight() -> None:
    index = MemoryIndex([chunk(i, t) for i, t in enumerate(SIGNALS)], HashingEmbedder(dim=512))
    prep = preparation(index, top_k=3, dense_weight=0.0, crosslingual=1.0)
    assert prep.fusion_weight("sv") is None and prep.fusion_weight("en") == 1.0
    as_swedish = prep.prepare(SIGNALS_QUERY, lang="sv").retrieval.hits
    as_english = prep.prepare(SIGNALS_QUERY, lang="en").retrieval.hits
    assert as_swedish[0].chunk.text == SIGNALS[1]  # word matching only
    assert as_english[0].chunk.text == SIGNALS[0]  # meaning only


def test_without_a_crosslingual_weight_every_language_gets_the_configured_one() -> None:
    index = MemoryIndex([chunk(i, t) for i, t in enumerate(SIGNALS)], HashingEmbedder(dim=512))
    prep = preparation(index, top_k=3, dense_weight=0.0, crosslingual=None)
    assert prep.fusion_weight("en") is None
    assert prep.prepare(SIGNALS_QUERY, lang="en").retrieval.hits[0].chunk.text == SIGNALS[1]


def test_the_glossary_gives_an_english_question_the_collections_words_for_matching() -> None:
    index = MemoryIndex([chunk(i, t) for i, t in enumerate(SIGNALS)], HashingEmbedder(dim=512))
    glossary = parse_glossary('[terms]\nschools = ["skolans"]\ngoverned = ["styra"]\n', "en", "sv")
    question = "how are the schools governed"
    bare = preparation(index, top_k=3, dense_weight=0.0)
    assert bare.rank(question, lang="en").ranking.hits[0].lexical == 0.0  # no shared word
    prep = preparation(index, top_k=3, dense_weight=0.0, glossary=glossary)
    ranked = prep.rank(question, lang="en").ranking
    assert ranked.hits[0].chunk.text == SIGNALS[1] and ranked.hits[0].lexical > 0
    assert ranked.query == question  # the expansion is for word matching only
    # a Swedish question is matched on its own words
    assert prep.rank("schools governed", lang="sv").ranking.hits[0].lexical == 0.0


def test_an_english_follow_ups_earlier_turn_is_word_matched_with_the_glossary_too() -> None:
    index = MemoryIndex([chunk(i, t) for i, t in enumerate(SIGNALS)], HashingEmbedder(dim=512))
    glossary = parse_glossary('[terms]\nschools = ["skolans"]\ngoverned = ["styra"]\n', "en", "sv")
    prep = preparation(index, top_k=3, dense_weight=0.0, glossary=glossary)
    seen: list[dict[str, object]] = []
    retrieve = prep.retriever.retrieve
    signature = inspect.signature(retrieve)

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(dict(signature.bind(*args, **kwargs).arguments))
        return retrieve(*args, **kwargs)  # type: ignore[arg-type]

    prep.retriever.retrieve = spy  # type: ignore[method-assign]
    prep.rank("And why?", ["How are the schools governed?"], lang="en")
    query, context = str(seen[0]["query"]), seen[0]["context"]
    assert isinstance(context, str) and "schools" in context
    assert seen[0]["lexical_context"] == f"{context} skolans styra"
    assert "skolans" not in query + context  # the expansion is for word matching only
    prep.rank("Och varför?", ["Hur styrs skolorna?"], lang="sv")
    assert seen[1].get("lexical_context") in (None, seen[1]["context"])


def test_the_condenser_is_consulted_only_when_use_model() -> None:
    model = MappingCondenser({"Vem tillsatte den?": "Vem tillsatte Tillitsdelegationen?"})
    prep = preparation(book(), condenser=model)
    history = ["Vad kritiseras i skolan och vården?"]
    by_rule = prep.prepare("Vem tillsatte den?", history, lang="sv", use_model=False)
    assert model.calls == []
    assert by_rule.standalone.query == "Vem tillsatte den? Vad kritiseras i skolan och vården?"
    prep.prepare("Vem tillsatte den?", history, lang="sv", use_model=True)
    assert model.calls == ["Vem tillsatte den?"]


def test_the_models_rewrite_is_what_is_retrieved_for() -> None:
    model = MappingCondenser({"Vem tillsatte den?": "Vem tillsatte Tillitsdelegationen?"})
    prep = preparation(book(), condenser=model)
    history = ["Vad kritiseras i skolan och vården?"]
    by_rule = prep.prepare("Vem tillsatte den?", history, lang="sv", use_model=False)
    by_model = prep.prepare("Vem tillsatte den?", history, lang="sv", use_model=True)
    assert by_rule.retrieval.hits[0].chunk.doc_id in {"d3", "d5"}  # schools and health care
    assert by_model.retrieval.query == "Vem tillsatte Tillitsdelegationen?"
    assert by_model.retrieval.hits[0].chunk.text == PASSAGES[0]  # the delegation


def test_timings_name_the_stages_that_ran() -> None:
    model = MappingCondenser({})
    prep = preparation(book(), condenser=model)
    standalone = prep.rank(NPM, lang="sv")
    follow_up = prep.rank("Var bor han?", [NPM], lang="sv")
    assert set(standalone.timings_ms) == {"prepare", "retrieval"}
    assert set(follow_up.timings_ms) == {"prepare", "condense", "retrieval"}
    assert all(ms >= 0 for ms in follow_up.timings_ms.values())


def test_scored_sentences_come_from_the_top_k_passages_only_best_first() -> None:
    prepared = preparation(book(), top_k=1).prepare(NPM, lang="sv", depth=4)
    (hit,) = prepared.retrieval.hits
    scored = prepared.scored
    assert hit.chunk.text == PASSAGES[2]
    assert [s.hit_rank for s in scored] == [0, 0]
    assert {s.text for s in scored} == {
        "New Public Management infördes i Sverige under 1980-talet.",
        "Det introducerades av forskaren Christopher Hood år 1991.",
    }
    assert all(hit.chunk.text[s.start:s.end] == s.text for s in scored)
    assert scored[0].score >= scored[1].score


def test_the_sentences_of_several_passages_are_sorted_best_first_across_passages() -> None:
    scored = preparation(book(), top_k=2).prepare(NPM, lang="sv").scored
    assert {s.hit_rank for s in scored} == {0, 1}
    assert [s.score for s in scored] == sorted((s.score for s in scored), reverse=True)
    assert scored[-1].text == "Reformerna spreds till många länder."


def test_the_limits_bound_the_question_and_the_history() -> None:
    prep = preparation(book(), limits=Limits(40, 1))
    with pytest.raises(InvalidQuestion) as caught:
        prep.prepare("Vem introducerade New Public Management i Sverige?", lang="sv")
    assert "högst 40" in caught.value.message("sv")
    history = ["Vad är tillit?", "Vem skrev om New Public Management?"]
    assert prep.prepare("Var bor han?", history, lang="sv").request.turns == (history[-1],)


def test_a_follow_ups_analysis_types_the_question_and_focuses_on_the_standalone_query() -> None:
    history = ["Vem skrev om New Public Management?"]
    prepared = preparation(book()).prepare("Var bor han?", history, lang="sv", use_model=False)
    assert prepared.analysis.answer_type == "place"  # from 'Var bor han?'
    assert "Management" in prepared.analysis.focus  # from the turn it leans on
