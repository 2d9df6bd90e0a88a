"""The extractive answer composer: quote the sentences that best answer the question."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from assistant.evidence import (
    about_the_book,
    asks_about_the_book,
    carries_type,
    chapters_asked,
    defines,
)
from assistant.prompts import AnswerTemplate
from assistant.question_analysis import QuestionAnalysis
from assistant.retrieval import Hit, Retrieval
from assistant.tuning import SentenceWeights
from assistant.types import AnswerSentence, Citation
from assistant.verify import Checked
from index.store.lexical import LexicalIndex
from index.store.served import ServedIndex
from index.text.analysis import analyze
from index.text.sentences import points_back

# A chunk that starts inside a sentence or a reference ('Mintzberg, 2000). Det är ...').
_FRAGMENT = re.compile(r"^\s*(?:[a-zåäö]|[^()]*\)|[,;:.])")


@dataclass(frozen=True)
class ScoredSentence:
    """A candidate sentence from a retrieved passage."""

    hit_rank: int
    start: int
    end: int
    text: str
    score: float
    vector: np.ndarray | None = None


def page_label(hit_chunk_page: int | None, in_book: bool, lang: str) -> str:
    """'s. 57' for a page of the printed book, 's. 5 i kapitlet' for a page of the chapter."""
    if hit_chunk_page is None:
        return ""
    if in_book:
        return f"s. {hit_chunk_page}" if lang == "sv" else f"p. {hit_chunk_page}"
    if lang == "sv":
        return f"s. {hit_chunk_page} i kapitlet"
    return f"p. {hit_chunk_page} of the chapter"


def term_overlap(query_terms: list[str], sentence: str, lexical: LexicalIndex) -> float:
    """Share of the query's terms (idf-weighted) that the sentence contains."""
    if not query_terms:
        return 0.0
    stems = set(analyze(sentence))
    total = sum(lexical.idf(t) for t in query_terms)
    return sum(lexical.idf(t) for t in query_terms if t in stems) / total if total else 0.0


def is_fragment(text: str) -> bool:
    """Does ``text`` start inside a sentence or a parenthesis (a chunk's cut-off head)?"""
    return bool(_FRAGMENT.match(text)) or text.count(")") > text.count("(")


def score_sentences(
    retrieval: Retrieval, index: ServedIndex, analysis: QuestionAnalysis | None,
    weights: SentenceWeights,
) -> list[ScoredSentence]:
    """Every whole sentence of the retrieved passages, scored against the question with
    ``weights``.

    With an ``analysis`` the question's focus terms (not its generic phrasing) count for
    the word overlap, defining sentences are preferred for definition questions and
    sentences carrying the expected type for factoid ones."""
    if analysis is not None and analysis.focus_stems:
        q_terms = list(analysis.focus_stems)
    else:
        q_terms = list(dict.fromkeys(analyze(retrieval.query)))
    depth = max(weights.rank_depth, 1)
    book_question = asks_about_the_book(retrieval.query)
    # A card answers for its own chapter: 'chapter 10' is not chapter 1's card.
    asked = chapters_asked(retrieval.query)
    out: list[ScoredSentence] = []
    for rank, hit in enumerate(retrieval.hits):
        recent: list[float] = []
        for start, end, vec in index.sentences_of(hit.chunk.chunk_id):
            text = hit.chunk.text[start:end]
            if start < 5 and is_fragment(text):
                continue
            score = (
                float(np.dot(vec, retrieval.query_vector))
                + weights.term_overlap * term_overlap(q_terms, text, index.lexical)
                + weights.passage_rank * max(depth - rank, 0) / depth
            )
            card = hit.chunk.kind == "card"  # the book about itself (index.text.book_cards)
            if not card and not re.search(r"[.!?:”\")]$", text.strip()):
                score -= weights.caption_penalty
            if not card and about_the_book(text):
                score -= weights.about_book_penalty
            if card and book_question and (not asked or hit.chunk.chapter in asked):
                score += weights.card_bonus
            if analysis is not None:
                if analysis.answer_type == "definition" and defines(text):
                    score += weights.defines_bonus
                elif analysis.factoid and carries_type(text, analysis.answer_type):
                    score += weights.type_bonus
            if recent and points_back(text):
                # It continues the previous one ('De beskriver tillit som ...' after 'En
                # annan definition erbjuds av Mayer ...'), so it inherits its relevance.
                # 'Dessa tre ...' may point back past a sentence in between.
                score = max(score, *(r - weights.inherit_penalty * (i + 1)
                                     for i, r in enumerate(reversed(recent[-2:]))))
            recent.append(score)
            out.append(ScoredSentence(rank, start, end, text, score, vec))
    return sorted(out, key=lambda s: -s.score)


def first_passages(retrieval: Retrieval, scored: Sequence[ScoredSentence], n: int
                   ) -> tuple[Retrieval, list[ScoredSentence]]:
    """The first ``n`` passages and the sentences among ``scored`` that are theirs."""
    return replace(retrieval, hits=retrieval.hits[:n]), [s for s in scored if s.hit_rank < n]


def next_sentence(scored: list[ScoredSentence], after: ScoredSentence) -> ScoredSentence | None:
    """The sentence that follows ``after`` in the same passage, if any."""
    following = [s for s in scored if s.hit_rank == after.hit_rank and s.start >= after.end]
    return min(following, key=lambda s: s.start, default=None)


def select_sentences(
    scored: list[ScoredSentence], max_sentences: int, keep_margin: float, follow: bool = True
) -> list[ScoredSentence]:
    """The best sentence (with the one after it, which often completes it) plus runner-ups
    from other places within ``keep_margin`` of it, in reading order."""
    if not scored:
        return []
    best = scored[0].score
    chosen: list[ScoredSentence] = []
    seen: set[str] = set()

    def add(s: ScoredSentence) -> bool:
        key = re.sub(r"\W+", " ", s.text.lower()).strip()
        if key in seen or any(key in x or x in key for x in seen):
            return False
        chosen.append(s)
        seen.add(key)
        return True

    add(scored[0])
    if follow and max_sentences > 1:
        nxt = next_sentence(scored, scored[0])
        if nxt is not None:
            add(nxt)
    for s in scored[1:]:
        if s.score < best - keep_margin or len(chosen) >= max_sentences:
            break
        add(s)
    return sorted(chosen, key=lambda s: (s.hit_rank, s.start))


def compose(
    retrieval: Retrieval,
    chosen: list[ScoredSentence],
    template: AnswerTemplate,
    lead: tuple[str, ScoredSentence] | None = None,
) -> tuple[str, list[Citation]]:
    """Answer text with a ``[n]`` marker on every quoted sentence, and the citations.

    A ``lead`` (the direct answer and the sentence it comes from) opens the text."""
    numbers: dict[int, int] = {}
    quotes: dict[int, list[str]] = {}
    parts: list[str] = []
    head = []
    if lead is not None:  # the text opens with it, so its passage is [1]
        numbers[lead[1].hit_rank] = 1
        quotes[lead[1].hit_rank] = []
        head.append(template.lead.format(lead=lead[0], n=1))
    for s in chosen:
        n = numbers.setdefault(s.hit_rank, len(numbers) + 1)
        quotes.setdefault(s.hit_rank, []).append(s.text)
        parts.append(template.sentence.format(quote=s.text.strip(), n=n))
    if lead is not None and not quotes[lead[1].hit_rank]:
        quotes[lead[1].hit_rank].append(lead[1].text)
    citations = [
        _citation(retrieval.hits[rank], n, " … ".join(quotes[rank]), template.language)
        for rank, n in numbers.items()
    ]
    text = " ".join(p for p in [*head, template.intro, *parts] if p)
    return text, citations


def shared_run(question_words: tuple[str, ...], passage: str) -> str:
    """The longest run of consecutive question words that the passage also holds (by stem),
    e.g. 'Tillitsdelegationens sekretariat'; empty when none."""
    stems = set(analyze(passage))
    best: list[str] = []
    run: list[str] = []
    for w in question_words:
        if set(analyze(w)) & stems:
            run.append(w)
            best = run if len(run) > len(best) else best
        else:
            run = []
    return " ".join(best)


def compose_not_stated(
    retrieval: Retrieval, closest: ScoredSentence, analysis: QuestionAnalysis,
    template: AnswerTemplate, unknown: Sequence[str] = (),
) -> tuple[str, list[Citation]]:
    """'The anthology mentions X but does not say who' (or, for ``unknown`` names of the
    question, 'The anthology does not mention Sven Almqvist'), then the closest passage,
    cited."""
    hit = retrieval.hits[closest.hit_rank]
    ask = template.ask.get(analysis.answer_type, template.ask.get("open", ""))
    focus = shared_run(analysis.focus, hit.chunk.text)
    if unknown:
        what = template.not_mentioned.format(names=", ".join(unknown))
    elif focus:
        what = template.not_stated.format(focus=f"{_open_quote(template)}{focus}"
                                          f"{_close_quote(template)}", ask=ask)
    else:
        what = template.not_stated_plain.format(ask=ask)
    quote = template.sentence.format(quote=closest.text.strip(), n=1)
    citation = _citation(hit, 1, closest.text, template.language)
    return f"{what} {template.closest} {quote}", [citation]


def _open_quote(template: AnswerTemplate) -> str:
    return "”" if template.language == "sv" else "“"


def _close_quote(template: AnswerTemplate) -> str:
    return "”"


def _citation(hit: Hit, n: int, quote: str, lang: str) -> Citation:
    c = hit.chunk
    return Citation(
        n=n, chunk_id=c.chunk_id, chapter=c.chapter, chapter_title=c.chapter_title,
        section=c.section, section_title=c.section_title, page=c.page,
        text=c.text, quote=quote, score=round(hit.score, 4), authors=c.authors,
        page_label=page_label(c.page, c.page_in_book, lang),
    )


def citation_label(hit: Hit, lang: str) -> str:
    """'kap. 1, avsnitt 1.2, s. 5 i kapitlet': where a passage is, for the model's prompt."""
    c = hit.chunk
    return _citation(hit, 0, "", lang).label(lang) or c.chapter_title


def quoted_sentences(
    chosen: list[ScoredSentence], citations: list[Citation], retrieval: Retrieval
) -> list[AnswerSentence]:
    """The quoted sentences of an extractive answer: each supported by the passage it quotes."""
    n_of = {c.chunk_id: c.n for c in citations}
    return [
        AnswerSentence(s.text.strip(), (n_of[retrieval.hits[s.hit_rank].chunk.chunk_id],), True,
                       s.score)
        for s in chosen
    ]


def render_checked(
    checked: list[Checked], retrieval: Retrieval, lang: str, unsupported_label: str
) -> tuple[str, list[Citation], list[AnswerSentence]]:
    """Text, citations and sentences of a checked generated answer; passages are numbered
    [1], [2], ... in the order the answer first cites them."""
    numbers: dict[int, int] = {}
    quotes: dict[int, list[str]] = {}
    parts: list[str] = []
    sentences: list[AnswerSentence] = []
    for c in checked:
        ns = tuple(numbers.setdefault(p, len(numbers) + 1) for p in c.cited)
        for p in c.cited:
            q = c.quotes.get(p, "")
            if q and q not in quotes.setdefault(p, []):
                quotes[p].append(q)
        marks = "".join(f"[{n}]" for n in ns)
        note = "" if c.supported else f" ({unsupported_label})"
        parts.append(f"{c.text} {marks}{note}".replace("  ", " ").strip())
        sentences.append(AnswerSentence(c.text, ns, c.supported, c.support))
    citations = [
        _citation(retrieval.hits[p - 1], n, " … ".join(quotes.get(p, [])), lang)
        for p, n in numbers.items()
    ]
    return " ".join(parts), citations, sentences
