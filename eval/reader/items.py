"""Hand-written reader items: the file format, its validation and its statistics.

One JSON object per line::

    {"passage": "p02346563d4", "s": 11, "n": 8,
     "positive": [{"lang": "sv", "type": "what", "q": "…"}, {"lang": "en", …}],
     "sibling":  [{"lang": "sv", "type": "when", "q": "…"}, {"lang": "en", …}]}

``s`` is the sentence (by number in ``eval.reader.sources``) that answers every
``positive`` question; ``n`` a near-miss sentence of the same passage, with ``s``'s names but
not its answer; a ``sibling`` question reuses ``s``'s words but asks for something no sentence
of the passage gives. Chapter items name their passage ``"chapter:<section>"``.

A *perturbed* question (files in ``perturbed/``) is a positive question with one detail
changed so that its sentence no longer answers it::

    {"passage": "p02346563d4", "s": 11, "orig": "<the positive question>", "lang": "sv",
     "type": "how_many", "q": "<the changed question>", "changed": "Storbritannien -> Sverige"}

``python -m eval.reader.items FILE …`` checks files and prints their statistics.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.reader.sources import Passage
from index.text.analysis import analyze

TYPES = ("who", "when", "how_many", "how_much", "which", "what", "why", "how", "where",
         "yes_no")
LANGS = ("sv", "en")


@dataclass(frozen=True)
class Question:
    """A hand-written question of an item."""

    q: str
    lang: str
    type: str


@dataclass(frozen=True)
class Item:
    """One answer sentence with its questions (see the module docstring)."""

    passage: str
    s: int
    n: int | None
    positive: tuple[Question, ...]
    sibling: tuple[Question, ...]
    origin: str


@dataclass(frozen=True)
class Perturbed:
    """A positive question of an item with one detail changed: its sentence is no answer."""

    passage: str
    s: int
    orig: str
    q: str
    lang: str
    type: str
    changed: str


class ItemError(ValueError):
    """A line of an items file that cannot be used, with its place."""


def _question(raw: object, where: str) -> Question:
    if not isinstance(raw, dict):
        raise ItemError(f"{where}: a question must be an object")
    q, lang, kind = raw.get("q"), raw.get("lang"), raw.get("type")
    if not isinstance(q, str) or len(q.strip()) < 8:
        raise ItemError(f"{where}: 'q' must be a question of at least 8 characters")
    if lang not in LANGS:
        raise ItemError(f"{where}: 'lang' must be one of {LANGS}")
    if kind not in TYPES:
        raise ItemError(f"{where}: 'type' must be one of {TYPES}, not {kind!r}")
    return Question(q.strip(), lang, kind)


def _json_lines(lines: Iterable[str], origin: str) -> Iterator[tuple[str, Any]]:
    """Each non-blank line's place ("file:line") and JSON value; a line that is not JSON
    raises ``ItemError`` naming it."""
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{origin}:{no}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as e:
            raise ItemError(f"{where}: not JSON ({e})") from e
        yield where, raw


def parse_items(lines: Iterable[str], origin: str,
                passages: Mapping[str, Passage]) -> list[Item]:
    """The items of a file's lines; an unusable line raises ``ItemError`` naming it."""
    out: list[Item] = []
    for where, raw in _json_lines(lines, origin):
        pid = raw.get("passage")
        if pid not in passages:
            raise ItemError(f"{where}: unknown passage {pid!r}")
        count = len(passages[pid].sentences)
        s, n = raw.get("s"), raw.get("n")
        if not isinstance(s, int) or not 0 <= s < count:
            raise ItemError(f"{where}: 's' must be a sentence number below {count}")
        if n is not None and (not isinstance(n, int) or not 0 <= n < count or n == s):
            raise ItemError(f"{where}: 'n' must be another sentence number below {count}")
        pos = tuple(_question(q, where) for q in raw.get("positive", []))
        sib = tuple(_question(q, where) for q in raw.get("sibling", []))
        if not pos and not sib:
            raise ItemError(f"{where}: an item needs a positive or a sibling question")
        out.append(Item(pid, s, n, pos, sib, origin))
    return out


def load_items(paths: Iterable[Path], passages: Mapping[str, Passage]) -> list[Item]:
    """Every item of ``paths``."""
    items: list[Item] = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            items.extend(parse_items(f, path.name, passages))
    return items


def load_perturbed(paths: Iterable[Path], passages: Mapping[str, Passage],
                   items: Iterable[Item]) -> list[Perturbed]:
    """The perturbed questions of ``paths`` whose original is a positive question of one of
    ``items`` (on the same sentence) and that differ from it; others raise ``ItemError``."""
    originals = {(it.passage, it.s, q.q): q for it in items for q in it.positive}
    out: list[Perturbed] = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for where, raw in _json_lines(f, path.name):
                orig = originals.get((raw.get("passage"), raw.get("s"), raw.get("orig")))
                if orig is None:
                    raise ItemError(f"{where}: 'orig' is not a positive question of the "
                                    "item at 'passage' and 's'")
                q = _question({"q": raw.get("q"), "lang": orig.lang, "type": orig.type}, where)
                if q.q.lower() == orig.q.lower():
                    raise ItemError(f"{where}: the perturbed question equals its original")
                out.append(Perturbed(raw["passage"], raw["s"], orig.q, q.q, q.lang, q.type,
                                     str(raw.get("changed", ""))))
    return out


def overlap(question: str, sentence: str) -> float:
    """Share of the question's content stems that the sentence contains."""
    q = set(analyze(question))
    return len(q & set(analyze(sentence))) / len(q) if q else 0.0


def statistics(items: list[Item], passages: Mapping[str, Passage]) -> dict[str, object]:
    """Counts per label, language and type, and the word overlap of each label with s."""
    stats: dict[str, object] = {"items": len(items)}
    for label in ("positive", "sibling"):
        qs = [(q, passages[i.passage].sentences[i.s].text) for i in items
              for q in getattr(i, label)]
        stats[label] = {
            "count": len(qs),
            "lang": dict(Counter(q.lang for q, _ in qs)),
            "type": dict(sorted(Counter(q.type for q, _ in qs).items())),
            "overlap_sv": round(sum(overlap(q.q, s) for q, s in qs if q.lang == "sv")
                                / max(1, sum(q.lang == "sv" for q, _ in qs)), 3),
        }
    texts = [q.q.lower() for i in items for q in (*i.positive, *i.sibling)]
    stats["duplicate_questions"] = len(texts) - len(set(texts))
    return stats


def main(argv: list[str]) -> int:
    from eval.reader.sources import all_passages

    passages = all_passages()
    try:
        items = load_items([Path(a) for a in argv], passages)
    except ItemError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(json.dumps(statistics(items, passages), indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
