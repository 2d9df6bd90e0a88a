"""The question-set format (JSON Lines), its dev/test split and its validation.

The curated questions live in two files, ``questions/dev.jsonl`` and ``questions/test.jsonl``.
Everything that tunes or calibrates reads the dev split only (:func:`tuning_questions`
refuses the test split); the test split is frozen: its SHA-256 is recorded in
``questions/test.sha256`` and a test fails when the two disagree.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import TillitError

QUESTIONS_DIR = Path(__file__).resolve().parent / "questions"
SPLITS = ("dev", "test")
KINDS = (
    "factoid", "definition", "list", "summary", "crosslingual", "paraphrase", "followup",
    "unanswerable_on_topic", "off_topic", "injection", "about_book",
)
REFUSE_KINDS = ("unanswerable_on_topic", "off_topic", "injection")
_LEGACY_KINDS = {"unanswerable": "unanswerable_on_topic", "other": "factoid"}
_REQUIRED = {"id", "lang", "question", "answerable"}
_OPTIONAL = {"history", "answer_any", "source_any", "kind", "type", "split",
             "why_unanswerable", "overlap"}


class QuestionFileError(TillitError):
    """A line of a question file breaks the schema."""


class HeldOutSplitRefused(TillitError):
    """Tuning or calibration asked for the held-out test split."""


@dataclass(frozen=True)
class EvalQuestion:
    """One curated question; ``kind`` says what sort of question it is."""

    id: str
    lang: str
    question: str
    answerable: bool
    history: list[str] = field(default_factory=list)
    answer_any: list[list[str]] = field(default_factory=list)
    source_any: list[str] = field(default_factory=list)
    kind: str = "factoid"
    split: str = ""
    why_unanswerable: str = ""
    overlap: float | None = None

    @property
    def qtype(self) -> str:
        """The kind (the name earlier reports used)."""
        return self.kind


def split_file(split: str) -> Path:
    """The first file of one split (``dev.jsonl`` or ``test.jsonl``)."""
    if split not in SPLITS:
        raise QuestionFileError(f"Unknown split {split!r} (choose dev or test).")
    return QUESTIONS_DIR / f"{split}.jsonl"


def split_files(split: str) -> list[Path]:
    """Every file of one split: ``test.jsonl`` and the test files added later, each frozen
    by its own ``.sha256`` record (``test_about_book.jsonl``: questions about the book)."""
    first = split_file(split)
    return [first, *sorted(p for p in QUESTIONS_DIR.glob(f"{split}_*.jsonl"))]


def _str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) and x.strip() for x in v)


def parse_line(obj: Any, where: str) -> EvalQuestion:
    """Validate one decoded line; ``where`` ('file:line') prefixes every error."""

    def bad(msg: str) -> QuestionFileError:
        return QuestionFileError(f"{where}: {msg}", f"{where}: {msg}")

    if not isinstance(obj, dict):
        raise bad("expected a JSON object")
    missing = _REQUIRED - obj.keys()
    if missing:
        raise bad(f"missing field(s) {', '.join(sorted(missing))}")
    unknown = obj.keys() - _REQUIRED - _OPTIONAL
    if unknown:
        raise bad(f"unknown field(s) {', '.join(sorted(unknown))}")
    if not isinstance(obj["id"], str) or not obj["id"].strip():
        raise bad("'id' must be a non-empty string")
    if obj["lang"] not in ("sv", "en"):
        raise bad("'lang' must be \"sv\" or \"en\"")
    if not isinstance(obj["question"], str) or not obj["question"].strip():
        raise bad("'question' must be a non-empty string")
    if not isinstance(obj["answerable"], bool):
        raise bad("'answerable' must be true or false")
    history = obj.get("history", [])
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        raise bad("'history' must be a list of strings")
    answer_any = obj.get("answer_any", [])
    source_any = obj.get("source_any", [])
    if obj["answerable"]:
        if not isinstance(answer_any, list) or not answer_any or not all(
            _str_list(g) and g for g in answer_any
        ):
            raise bad("'answer_any' must be a non-empty list of non-empty lists of strings")
        if not _str_list(source_any) or not source_any:
            raise bad("'source_any' must be a non-empty list of strings")
    elif answer_any or source_any:
        raise bad("an unanswerable question has no 'answer_any' or 'source_any'")
    raw_kind = obj.get("kind") or obj.get("type") or (
        "followup" if history else "unanswerable_on_topic" if not obj["answerable"]
        else "factoid"
    )
    kind = _LEGACY_KINDS.get(raw_kind, raw_kind)
    if kind not in KINDS:
        raise bad(f"'kind' must be one of {', '.join(KINDS)}")
    if (kind in REFUSE_KINDS) == obj["answerable"] and kind != "followup":
        raise bad(f"a question of kind {kind!r} cannot have answerable={obj['answerable']}")
    split = obj.get("split", "")
    if split and split not in SPLITS:
        raise bad("'split' must be \"dev\" or \"test\"")
    why = obj.get("why_unanswerable", "")
    if not isinstance(why, str):
        raise bad("'why_unanswerable' must be a string")
    overlap = obj.get("overlap")
    if overlap is not None and not isinstance(overlap, int | float):
        raise bad("'overlap' must be a number")
    return EvalQuestion(
        id=obj["id"], lang=obj["lang"], question=obj["question"], answerable=obj["answerable"],
        history=list(history), answer_any=[list(g) for g in answer_any],
        source_any=list(source_any), kind=kind, split=split, why_unanswerable=why,
        overlap=None if overlap is None else float(overlap),
    )


def load_questions(path: Path | None = None, split: str | None = None) -> list[EvalQuestion]:
    """Read and validate a question file (or one split; both splits when neither is given).

    The first bad line raises an error naming it.
    """
    if path is None:
        if split is None:
            return [q for s in SPLITS for q in load_questions(split=s)]
        files = split_files(split)
        if len(files) > 1:
            merged = [q for f in files for q in load_questions(f, split)]
            if len({q.id for q in merged}) != len(merged):
                raise QuestionFileError(f"the {split} files share a question id")
            return merged
        path = files[0]
    out: list[EvalQuestion] = []
    seen: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(f"{path}: cannot be read ({exc})") from exc
    for no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{no}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionFileError(f"{where}: not valid JSON ({exc.msg})") from exc
        q = parse_line(obj, where)
        if q.id in seen:
            raise QuestionFileError(f"{where}: duplicate id '{q.id}'")
        if split is not None and q.split and q.split != split:
            raise QuestionFileError(f"{where}: question of split {q.split!r} in the {split} file")
        seen.add(q.id)
        out.append(q)
    if not out:
        raise QuestionFileError(f"{path}: no questions")
    return out


def tuning_questions(split: str = "dev") -> list[EvalQuestion]:
    """The questions anything that tunes or calibrates may read: the dev split, never test."""
    if split != "dev":
        raise HeldOutSplitRefused(
            f"Tuning and calibration read the dev split only; {split!r} was asked for.",
            f"Justering och kalibrering läser bara dev-delen; {split!r} efterfrågades.",
        )
    return load_questions(split="dev")


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes (the frozen test split's record)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recorded_sha256(path: Path) -> str:
    """The SHA-256 recorded beside a frozen question file (``NAME.sha256``)."""
    return path.with_suffix(".sha256").read_text(encoding="utf-8").split()[0]


def recorded_test_sha256() -> str:
    """The SHA-256 recorded for the frozen test split."""
    return (QUESTIONS_DIR / "test.sha256").read_text(encoding="utf-8").split()[0]
