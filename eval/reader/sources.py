"""The passages the reader's training questions are written over, as numbered sentences.

A passage is a SweQuAD-MC *training* context (never one of its dev contexts, which the
external benchmark uses). Each is split with the index's sentence splitter, one paragraph
per line, so that a hand-written item can name its sentences by number; a sentence's
section is the nearest heading line above it (a short line without final punctuation).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.text.sentences import split_sentences

DATA = Path(__file__).resolve().parents[1] / "data"
SWEQUAD = DATA / "swequad-mc"
_HEADING = re.compile(r"^[^.!?:]{3,90}$")


@dataclass(frozen=True)
class Sentence:
    """A sentence of a passage with the heading it stands under."""

    text: str
    section: str


@dataclass(frozen=True)
class Passage:
    """A passage: its id, its title (first line) and its numbered sentences."""

    id: str
    title: str
    sentences: tuple[Sentence, ...]


def split_passage(pid: str, text: str) -> Passage:
    """``text`` as numbered sentences; every line is a paragraph of its own."""
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").split("\n")]
    title = next((ln for ln in lines if ln), "")
    sentences: list[Sentence] = []
    section = title
    for line in lines:
        if not line:
            continue
        if _HEADING.match(line) and len(line.split()) <= 12:
            section = line
            continue
        for s, e in split_sentences(line):
            sentences.append(Sentence(line[s:e].strip(), section))
    return Passage(pid, title, tuple(sentences))


@lru_cache(maxsize=1)
def swequad_training_passages() -> tuple[Passage, ...]:
    """SweQuAD-MC's training contexts (those no dev question uses), sorted by id."""
    def ids(name: str) -> set[str]:
        with open(SWEQUAD / name, encoding="utf-8") as f:
            return {json.loads(line)["passage"] for line in f if line.strip()}

    keep = ids("training_questions.jsonl") - ids("questions.jsonl")
    out = []
    with open(SWEQUAD / "passages.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["id"] in keep:
                out.append(split_passage(row["id"], row["text"]))
    return tuple(sorted(out, key=lambda p: p.id))


def all_passages() -> dict[str, Passage]:
    """Every passage hand-written items may name, by id."""
    return {p.id: p for p in (*swequad_training_passages(), *chapter_passages())}


def chapter_passages() -> tuple[Passage, ...]:
    """The bundled chapter, one passage per section (id ``chapter:<number or title>``),
    cleaned and split as the index does."""
    from index.formats.registry import load_document
    from index.text.cleaning import clean_pages
    from index.text.structure import find_sections

    root = Path(__file__).resolve().parents[2] / "corpus"
    out = []
    for path in sorted(root.glob("*.txt")):
        doc = load_document(path)
        cleaned = clean_pages(doc.pages, doc.has_pages)
        sections = find_sections(cleaned.text, cleaned.body_end, doc.meta.chapter,
                                 doc.meta.chapter_title)
        for sec in sections:
            body = cleaned.text[sec.start:sec.end]
            heading = f"{sec.number} {sec.title}" if sec.number else sec.title
            sentences = tuple(Sentence(" ".join(body[s:e].split()), heading)
                              for s, e in split_sentences(body))
            if sentences:
                out.append(Passage(f"chapter:{sec.number or sec.title}", heading, sentences))
    return tuple(out)
