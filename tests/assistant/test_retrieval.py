"""Stage 3, retrieve: the dense and BM25 rankings alone and fused (weighted or by reciprocal
rank), the weight a caller may override, and a follow-up's earlier turns steering the ranking.

The passages are built so that the two signals disagree: the hashing embedder matches whole
words (function words too), BM25 matches stems of content words only.
"""

from __future__ import annotations

from assistant.retrieval import Retriever
from tests.assistant.fakes import MemoryIndex, memory_index

QUERY = "hur styrs skolan i kommunen och regionen nu"
DENSE_LEADER = "hur var det i landet och i världen nu"  # shares function words only
LEXICAL_LEADER = "skolans kommunens regionens styra"  # shares stems, not one whole word
ALL_ROUNDER = "hur var det i skolans och kommunens nu"  # second in both rankings
SIGNALS = [DENSE_LEADER, LEXICAL_LEADER, ALL_ROUNDER]

SCHOLARS = [
    "Forskaren Christopher Hood skrev om New Public Management och reformer.",
    "Forskaren Louise Bringselius skrev om tillitsbaserad styrning och tillit.",
    "Skolan och vården har kritiserats för detaljstyrning.",
    "Kommunerna ansvarar för skolan.",
]


def retriever(index: MemoryIndex, mode: str = "hybrid", fusion: str = "weighted",
              dense_weight: float = 0.5, rrf_k: int = 60) -> Retriever:
    return Retriever(index, index.embedder, mode=mode, fusion=fusion,  # type: ignore[arg-type]
                     dense_weight=dense_weight, rrf_k=rrf_k)


def texts_of(index: MemoryIndex, query: str, **kwargs: object) -> list[str]:
    r = retriever(index, **kwargs).retrieve(query, len(index.chunks))  # type: ignore[arg-type]
    return [h.chunk.text for h in r.hits]


def test_dense_mode_ranks_by_cosine_alone() -> None:
    index = memory_index(SIGNALS)
    assert texts_of(index, QUERY, mode="dense") == [DENSE_LEADER, ALL_ROUNDER, LEXICAL_LEADER]


def test_bm25_mode_ranks_by_word_matches_alone() -> None:
    index = memory_index(SIGNALS)
    assert texts_of(index, QUERY, mode="bm25") == [LEXICAL_LEADER, ALL_ROUNDER, DENSE_LEADER]


def test_weighted_fusion_puts_the_passage_strong_in_both_signals_first() -> None:
    index = memory_index(SIGNALS)
    assert texts_of(index, QUERY, fusion="weighted")[0] == ALL_ROUNDER


def test_rrf_fusion_ranks_by_place_so_the_all_rounder_comes_last() -> None:
    index = memory_index(SIGNALS)
    ranked = texts_of(index, QUERY, fusion="rrf")
    assert ranked[-1] == ALL_ROUNDER
    assert set(ranked[:2]) == {DENSE_LEADER, LEXICAL_LEADER}


def test_an_rrf_score_is_the_weighted_reciprocal_of_the_two_places() -> None:
    index = memory_index(SIGNALS)
    for k in (60, 1):
        hits = retriever(index, fusion="rrf", dense_weight=0.7, rrf_k=k).retrieve(QUERY, 3).hits
        by_text = {h.chunk.text: h.score for h in hits}
        # first by cosine, last by BM25; and the other way round
        assert abs(by_text[DENSE_LEADER] - (0.7 / (k + 1) + 0.3 / (k + 3))) < 1e-9
        assert abs(by_text[LEXICAL_LEADER] - (0.7 / (k + 3) + 0.3 / (k + 1))) < 1e-9


def test_a_dense_weight_passed_to_retrieve_overrides_the_configured_one_for_that_call() -> None:
    index = memory_index(SIGNALS)
    r = retriever(index, dense_weight=0.5)
    assert r.retrieve(QUERY, 3, dense_weight=1.0).hits[0].chunk.text == DENSE_LEADER
    assert r.retrieve(QUERY, 3, dense_weight=0.0).hits[0].chunk.text == LEXICAL_LEADER
    assert r.retrieve(QUERY, 3).hits[0].chunk.text == ALL_ROUNDER


def test_k_cuts_the_ranking_and_a_hit_keeps_its_dense_signal_beside_the_fused_one() -> None:
    index = memory_index(SIGNALS)
    hits = retriever(index, mode="bm25").retrieve(QUERY, 1).hits
    assert [h.chunk.text for h in hits] == [LEXICAL_LEADER]
    assert hits[0].score == hits[0].lexical > 0
    assert hits[0].dense != hits[0].score


def test_dense_top_is_the_best_cosine_among_the_hits_not_the_first_hits() -> None:
    index = memory_index(SIGNALS)
    r = retriever(index, mode="bm25").retrieve(QUERY, 3)
    assert r.hits[0].chunk.text == LEXICAL_LEADER
    assert r.dense_top == max(h.dense for h in r.hits) > r.hits[0].dense


def test_a_follow_ups_context_brings_the_conversations_topic_first() -> None:
    index = memory_index(SCHOLARS)
    r = retriever(index)
    question = "Vilken forskare skrev om det?"
    on_npm = r.retrieve(question, 4, context="Vad är New Public Management?")
    on_trust = r.retrieve(question, 4, context="Vad är tillitsbaserad styrning?")
    assert on_npm.hits[0].chunk.text == SCHOLARS[0]
    assert on_trust.hits[0].chunk.text == SCHOLARS[1]


def test_the_context_reorders_but_hits_report_the_questions_own_signals() -> None:
    index = memory_index(SCHOLARS)
    r = retriever(index)
    alone = {h.chunk.chunk_id: h for h in r.retrieve("Vilken forskare skrev om det?", 4).hits}
    follow = r.retrieve("Vilken forskare skrev om det?", 4, context="Vad är New Public Management?")
    assert follow.query == "Vilken forskare skrev om det?"
    assert [h.chunk.chunk_id for h in follow.hits] != list(alone)
    for h in follow.hits:
        assert (h.dense, h.lexical) == (alone[h.chunk.chunk_id].dense,
                                        alone[h.chunk.chunk_id].lexical)


def test_an_empty_index_gives_no_hits_in_every_mode() -> None:
    index = memory_index([])
    for mode in ("hybrid", "dense", "bm25"):
        r = retriever(index, mode=mode).retrieve("Vad är tillit?", 5)
        assert r.hits == [] and r.dense_top == 0.0 and r.lexical_coverage == 0.0


def test_lexical_coverage_is_the_share_of_the_query_the_collection_knows() -> None:
    index = memory_index(SCHOLARS)
    r = retriever(index)
    assert r.retrieve("tillitsbaserad styrning", 2).lexical_coverage == 1.0
    assert 0 < r.retrieve("tillitsbaserad blockkedja", 2).lexical_coverage < 1.0
    assert r.retrieve("blockkedja kvantdator", 2).lexical_coverage == 0.0
