"""Labelled (question, candidate) pairs for training the reader.

From every hand-written item (``eval.reader.items``): each positive question with its
answer sentence (1), with the item's near-miss sentence (0) and with a sentence of another
passage (0); each sibling question with the answer sentence, the near-miss and the passage's
sentence that shares most words with it (all 0: no sentence of the passage answers it).
So a question meets both labels and only the candidate tells them apart.

A *perturbed* question (``perturbed/*.jsonl``, ``eval.reader.items.load_perturbed``) is a
positive question with one detail changed (another country, group, year, organisation) so
that its sentence no longer answers it: with the answer sentence, the near-miss and a
sentence of another passage of the answer's shape (all 0). With its original (1 on the same
sentence) it makes a minimal pair: only the detail tells them apart.

The sentence of another passage that a positive or perturbed question meets has, where the
question's type asks for one, the answer's shape (a number for *how many*, a year for *when*,
a name for *who*), so that "the question asks a number and the sentence has one" is not
enough.

From the pipeline (``eval.reader.pipeline``): each chapter sibling question with the
candidate sentences the product shows the reader for it (all 0).

From SweQuAD-MC's training questions: the sentence holding the correct answer (1), the
sentences holding its distractors and one other sentence of the passage (0). Those
questions copy their sentence's words, so they weigh less (``SWEQUAD_WEIGHT``).

Weights make the question's type and language say nothing about the label: within every
(type, language) the positive and negative pairs weigh the same.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from assistant.reader.model import candidate_text
from eval.reader.items import Item, Perturbed, load_items, load_perturbed, overlap
from eval.reader.sources import DATA, SWEQUAD, Passage, all_passages, swequad_training_passages
from index.text.sentences import points_back

HANDWRITTEN = DATA / "reader" / "handwritten"
PERTURBED = DATA / "reader" / "perturbed"
PIPELINE_NEGATIVES = DATA / "reader" / "pipeline_negatives.jsonl"
SWEQUAD_WEIGHT = 0.5


@dataclass(frozen=True)
class Pair:
    """One training example."""

    question: str
    candidate: str
    label: int
    lang: str
    type: str
    source: str
    weight: float = 1.0


def _cand(p: Passage, i: int) -> str:
    s = p.sentences[i]
    previous = p.sentences[i - 1].text if i > 0 else ""
    return candidate_text(s.text, s.section, previous)


def _shows(p: Passage, i: int, answer: int) -> bool:
    """Does sentence ``i``'s candidate text show sentence ``answer`` (itself, or as the
    sentence before that it points back to)?"""
    return i == answer or (i == answer + 1 and points_back(p.sentences[i].text))


_SHAPES = {
    "number": re.compile(r"\d"),
    "year": re.compile(r"\b(1[5-9]|20)\d\d\b"),
    "name": re.compile(r"\b[A-ZÅÄÖ][a-zåäöé]+ [A-ZÅÄÖ][a-zåäöé]+"),
}
SHAPE_OF_TYPE = {"how_many": "number", "how_much": "number", "when": "year", "who": "name"}


class Others:
    """Sentences of other passages to pair a question with, by the answer's shape."""

    def __init__(self, passages: Iterable[Passage]) -> None:
        passages = list(passages)
        self.all = [(p.id, i) for p in passages for i in range(len(p.sentences))]
        self.passages = {p.id: p for p in passages}
        self.shaped = {
            shape: [(pid, i) for pid, i in self.all
                    if pattern.search(self.passages[pid].sentences[i].text)]
            for shape, pattern in _SHAPES.items()}

    def pick(self, kind: str, not_in: str, rng: random.Random) -> str:
        """A candidate from a passage other than ``not_in``, of ``kind``'s answer shape."""
        shape = SHAPE_OF_TYPE.get(kind)
        pool = self.shaped[shape] if shape else self.all
        for _ in range(1000):
            pid, i = rng.choice(pool)
            if pid != not_in:
                return _cand(self.passages[pid], i)
        pid, i = rng.choice([(q, j) for q, j in self.all if q != not_in])  # no such shape
        return _cand(self.passages[pid], i)


def item_pairs(items: Iterable[Item], passages: dict[str, Passage],
               rng: random.Random, perturbed: Iterable[Perturbed] = ()) -> list[Pair]:
    """The pairs of hand-written items and perturbed questions (see the module docstring)."""
    others = Others(p for p in passages.values() if p.sentences)
    out: list[Pair] = []
    near = {(it.passage, it.s): it.n for it in items}
    for it in items:
        p = passages[it.passage]
        src = "chapter" if it.passage.startswith("chapter:") else "handwritten"
        for q in it.positive:
            out.append(Pair(q.q, _cand(p, it.s), 1, q.lang, q.type, src))
            if it.n is not None and not _shows(p, it.n, it.s):
                out.append(Pair(q.q, _cand(p, it.n), 0, q.lang, q.type, src))
            out.append(Pair(q.q, others.pick(q.type, p.id, rng), 0, q.lang, q.type, src))
        for q in it.sibling:
            out.append(Pair(q.q, _cand(p, it.s), 0, q.lang, q.type, src))
            if it.n is not None:
                out.append(Pair(q.q, _cand(p, it.n), 0, q.lang, q.type, src))
            rest = [i for i in range(len(p.sentences)) if i not in (it.s, it.n)]
            if rest:
                best = max(rest, key=lambda i: overlap(q.q, p.sentences[i].text))
                out.append(Pair(q.q, _cand(p, best), 0, q.lang, q.type, src))
    for pq in perturbed:
        p = passages[pq.passage]
        src = "perturbed-chapter" if pq.passage.startswith("chapter:") else "perturbed"
        out.append(Pair(pq.q, _cand(p, pq.s), 0, pq.lang, pq.type, src))
        n = near.get((pq.passage, pq.s))
        if n is not None:
            out.append(Pair(pq.q, _cand(p, n), 0, pq.lang, pq.type, src))
        out.append(Pair(pq.q, others.pick(pq.type, p.id, rng), 0, pq.lang, pq.type, src))
    return out


def _answer_sentence(p: Passage, text: str) -> int | None:
    needle = " ".join(text.split()).lower()
    hits = [i for i, s in enumerate(p.sentences) if needle and needle in s.text.lower()]
    return hits[0] if len(hits) == 1 else None


def swequad_pairs(rng: random.Random) -> list[Pair]:
    """SweQuAD-MC training questions: answer sentence 1, distractor and other sentences 0."""
    passages = {p.id: p for p in swequad_training_passages()}
    out: list[Pair] = []
    with open(SWEQUAD / "training_questions.jsonl", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    for row in rows:
        p = passages.get(row["passage"])
        if p is None:
            continue
        gold = _answer_sentence(p, row["answer"])
        if gold is None:
            continue
        q = row["question"]
        out.append(Pair(q, _cand(p, gold), 1, "sv", "swequad", "swequad", SWEQUAD_WEIGHT))
        rest = [i for i in range(len(p.sentences)) if not _shows(p, i, gold)]
        for i in rng.sample(rest, min(2, len(rest))):
            out.append(Pair(q, _cand(p, i), 0, "sv", "swequad", "swequad", SWEQUAD_WEIGHT))
    return out


def pipeline_pairs(path: Path = PIPELINE_NEGATIVES) -> list[Pair]:
    """Each chapter sibling question with the candidates the pipeline shows the reader for it
    (``eval.reader.pipeline``), all 0; none when the file has not been made."""
    if not path.exists():
        return []
    out: list[Pair] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out += [Pair(row["q"], c, 0, row["lang"], row["type"], "chapter-pipeline")
                    for c in row["candidates"]]
    return out


def balance(pairs: list[Pair]) -> list[Pair]:
    """Re-weight so that within each (type, language) both labels weigh the same."""
    mass: dict[tuple[str, str, int], float] = defaultdict(float)
    for p in pairs:
        mass[(p.type, p.lang, p.label)] += p.weight
    out = []
    for p in pairs:
        pos, neg = mass[(p.type, p.lang, 1)], mass[(p.type, p.lang, 0)]
        if not pos or not neg:
            continue  # a (type, language) with one label only would teach the form
        target = (pos + neg) / 2
        out.append(replace(p, weight=p.weight * target / mass[(p.type, p.lang, p.label)]))
    total = sum(p.weight for p in out)
    return [replace(p, weight=p.weight * len(out) / total) for p in out]


def training_pairs(seed: int = 0, files: list[Path] | None = None,
                   pipeline: bool = False, perturbed: bool = True) -> list[Pair]:
    """Every training pair, balanced, in a seeded order; with ``pipeline`` also the chapter
    sibling questions' pipeline candidates (an experiment, see ``docs/reader.md``); without
    ``perturbed`` none of the perturbed questions."""
    rng = random.Random(seed)
    passages = all_passages()
    files = files if files is not None else sorted(HANDWRITTEN.glob("*.jsonl"))
    items = load_items(files, passages)
    changed = (load_perturbed(sorted(PERTURBED.glob("*.jsonl")), passages, items)
               if perturbed else [])
    pairs = item_pairs(items, passages, rng, changed) + swequad_pairs(rng)
    if pipeline:
        asked = {q.q for it in items for q in it.sibling}  # the leakage filter's survivors
        pairs += [p for p in pipeline_pairs() if p.question in asked]
    pairs = balance(pairs)
    rng.shuffle(pairs)
    return pairs


def data_sha256(pairs: list[Pair]) -> str:
    """SHA-256 of the pairs as trained on (order included)."""
    h = hashlib.sha256()
    for p in pairs:
        h.update(json.dumps(asdict(p), ensure_ascii=False, sort_keys=True).encode())
    return h.hexdigest()
