"""Lexical overlap between each curated question and the chapter sentence that answers it.

The measure
-----------
For an answerable question, overlap is the **share of the question's content-word stems
that also occur in its source sentence(s)**:

    overlap = |stems(question) ∩ stems(source)| / |stems(question)|

* ``stems`` are distinct Swedish Snowball stems with stop words removed, exactly as the
  retriever's lexical analysis produces them (``index.text.analysis.analyze``); 0 when the
  question has no content word.
* The **source** is the union of the chapter sentences (``index.text.sentences.split_sentences``
  over the chapter with whitespace folded and words hyphenated at line ends re-joined) that
  contain, or are touched by, one of the question's ``source_any`` phrases.
* A follow-up is measured on its own words, not on its history.

1.0 means every content word of the question is copied from the answering sentence, which
makes the question easy for keyword search; a paraphrase (written from the meaning) should
stay at or below ``PARAPHRASE_MAX``. English questions over the Swedish text score low by
construction.

``python -m eval.overlap [--write] [FILE]`` prints a summary per kind and lists every
paraphrase above the threshold and every ``answer_any`` group or ``source_any`` phrase not
found in the chapter, exiting 1 if there is one. ``--write`` stores the rounded overlap in
each answerable question's ``overlap`` key, keeping the key order and every other field.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.matching import normalise
from index.text.analysis import analyze
from index.text.sentences import split_sentences

ROOT = Path(__file__).resolve().parent.parent
CHAPTER_FILE = ROOT / "corpus" / "01-inledning.txt"
QUESTIONS_FILES = [Path(__file__).resolve().parent / "questions" / f"{s}.jsonl"
                   for s in ("dev", "test")]
PARAPHRASE_MAX = 0.35

_HYPHEN_BREAK = re.compile(r"([^\W\d_])-[ \t]*\n[ \t]*([a-zåäöéü])")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")


def fold_text(text: str) -> str:
    """Re-join hyphenated words and fold whitespace, keeping case and paragraph breaks.

    Paragraphs are separated by a blank line (so sentence splitting still ends a sentence
    there); inside a paragraph every run of whitespace becomes one space.
    """
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    text = text.replace("\u00a0", " ").replace("”", '"').replace("“", '"').replace("’", "'")
    paragraphs = (re.sub(r"\s+", " ", p).strip() for p in _PARAGRAPH.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = normalise(phrase).split(" ")
    return re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)


def phrase_spans(text: str, phrase: str) -> list[tuple[int, int]]:
    """Every (start, end) of ``phrase`` in folded ``text``, any whitespace between its words."""
    return [m.span() for m in _phrase_pattern(phrase).finditer(text)]


def source_sentences(text: str, phrases: list[str]) -> list[str]:
    """The sentences of folded ``text`` that contain or touch one of ``phrases``, in order."""
    spans = split_sentences(text)
    hits: set[int] = set()
    for phrase in phrases:
        for start, end in phrase_spans(text, phrase):
            hits.update(i for i, (s, e) in enumerate(spans) if s < end and start < e)
    return [text[spans[i][0] : spans[i][1]] for i in sorted(hits)]


def overlap_score(question: str, source: str) -> float:
    """Share of the distinct content-word stems of ``question`` that occur in ``source``."""
    asked = set(analyze(question))
    if not asked:
        return 0.0
    return len(asked & set(analyze(source))) / len(asked)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a question: its id and what."""

    qid: str
    message: str


def check_question(obj: dict[str, Any], chapter_norm: str) -> list[Problem]:
    """Answer groups without an alternative in the chapter and source phrases not found."""
    qid = str(obj.get("id", "?"))
    problems: list[Problem] = []
    for group in obj.get("answer_any", []):
        if not any(normalise(alt) in chapter_norm for alt in group):
            problems.append(Problem(qid, f"answer group not in chapter: {group}"))
    for phrase in obj.get("source_any", []):
        if normalise(phrase) not in chapter_norm:
            problems.append(Problem(qid, f"source phrase not in chapter: {phrase!r}"))
    return problems


def question_overlap(obj: dict[str, Any], chapter: str) -> float:
    """Overlap of an answerable question (its own words) with its source sentences."""
    source = " ".join(source_sentences(chapter, list(obj.get("source_any", []))))
    return overlap_score(str(obj["question"]), source)


def load_rows(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSON Lines file, blank lines skipped."""
    rows: list[dict[str, Any]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError(f"{path}:{n}: expected a JSON object")
            rows.append(obj)
    return rows


def measure(rows: list[dict[str, Any]], chapter_raw: str) -> tuple[dict[str, float], list[Problem]]:
    """Overlap per answerable question id, and every problem found in ``rows``."""
    chapter = fold_text(chapter_raw)
    chapter_norm = normalise(chapter_raw)
    scores: dict[str, float] = {}
    problems: list[Problem] = []
    for obj in rows:
        problems.extend(check_question(obj, chapter_norm))
        if obj.get("answerable"):
            score = question_overlap(obj, chapter)
            scores[str(obj["id"])] = score
            if obj.get("kind", obj.get("type")) == "paraphrase" and score > PARAPHRASE_MAX:
                problems.append(Problem(str(obj["id"]), f"paraphrase overlap {score:.3f} > "
                                                        f"{PARAPHRASE_MAX}"))
    return scores, problems


def summary_lines(rows: list[dict[str, Any]], scores: dict[str, float]) -> list[str]:
    """A table: per kind, the number of questions, answerable ones and their overlap."""
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for obj in rows:
        by_kind[str(obj.get("kind", obj.get("type", "?")))].append(obj)
    lines = [f"{'kind':24} {'n':>4} {'sv':>4} {'en':>4} {'ans':>4} {'mean':>6} {'min':>6} "
             f"{'max':>6}"]
    for kind in sorted(by_kind):
        group = by_kind[kind]
        vals = [scores[str(o["id"])] for o in group if str(o["id"]) in scores]
        stats = (f"{statistics.mean(vals):6.3f} {min(vals):6.3f} {max(vals):6.3f}" if vals
                 else f"{'-':>6} {'-':>6} {'-':>6}")
        lines.append(f"{kind:24} {len(group):4} {sum(o.get('lang') == 'sv' for o in group):4} "
                     f"{sum(o.get('lang') == 'en' for o in group):4} {len(vals):4} {stats}")
    lines.append(f"{'all':24} {len(rows):4} {sum(o.get('lang') == 'sv' for o in rows):4} "
                 f"{sum(o.get('lang') == 'en' for o in rows):4} {len(scores):4}")
    return lines


def write_scores(path: Path, rows: list[dict[str, Any]], scores: dict[str, float]) -> None:
    """Rewrite ``path`` with ``overlap`` (3 decimals) on every answerable question."""
    out = []
    for obj in rows:
        if str(obj.get("id")) in scores:
            obj["overlap"] = round(scores[str(obj["id"])], 3)
        out.append(json.dumps(obj, ensure_ascii=False))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def source_text(chapter_file: Path = CHAPTER_FILE) -> str:
    """The chapter's text and, after it, its book cards (``index.text.book_cards``): what the
    index holds that a question's answer and source phrases may come from."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from index.formats.registry import load_document
    from index.text.chunking import chunk_document
    from index.text.cleaning import clean_pages

    doc = load_document(chapter_file)
    # The cards do not depend on how the text is split: split by characters, no tokenizer.
    splitter = RecursiveCharacterTextSplitter(chunk_size=4000, chunk_overlap=0)
    chunks = chunk_document(clean_pages(doc.pages, doc.has_pages), doc.meta, splitter, len)
    cards = [c.text for c in chunks if c.kind == "card"]
    return "\n\n".join([chapter_file.read_text(encoding="utf-8"), *cards])


def main(argv: list[str] | None = None) -> int:
    """Command line: summary and problems (exit 1 on a problem), or ``--write`` the scores."""
    parser = argparse.ArgumentParser(prog="python -m eval.overlap", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path,
                        help="question files (default: the dev and test splits)")
    parser.add_argument("--write", action="store_true", help="store overlap in the file")
    parser.add_argument("--chapter", type=Path, default=CHAPTER_FILE)
    args = parser.parse_args(argv)
    files = args.files or QUESTIONS_FILES
    per_file = {f: load_rows(f) for f in files}
    rows = [r for f in files for r in per_file[f]]
    scores, problems = measure(rows, source_text(args.chapter))
    if args.write:
        for f in files:
            write_scores(f, per_file[f], scores)
            print(f"wrote overlap for the answerable questions of {f}")
    print("\n".join(summary_lines(rows, scores)))
    for p in problems:
        print(f"{p.qid}: {p.message}")
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
