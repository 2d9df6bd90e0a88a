"""The question-set format (JSON Lines) and its validation."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import TillitError

QUESTIONS_FILE = Path(__file__).resolve().parent / "questions.jsonl"
_REQUIRED = {"id", "lang", "question", "answerable"}
_OPTIONAL = {"history", "answer_any", "source_any", "type"}


class QuestionFileError(TillitError):
    """A line of a question file breaks the schema."""


@dataclass(frozen=True)
class EvalQuestion:
    """One curated question; ``qtype`` is given or inferred."""

    id: str
    lang: str
    question: str
    answerable: bool
    history: list[str] = field(default_factory=list)
    answer_any: list[list[str]] = field(default_factory=list)
    source_any: list[str] = field(default_factory=list)
    qtype: str = ""


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
    qtype = obj.get("type") or (
        "followup" if history else "unanswerable" if not obj["answerable"] else "other"
    )
    if not isinstance(qtype, str):
        raise bad("'type' must be a string")
    return EvalQuestion(
        id=obj["id"], lang=obj["lang"], question=obj["question"], answerable=obj["answerable"],
        history=list(history), answer_any=[list(g) for g in answer_any],
        source_any=list(source_any), qtype=qtype,
    )


def load_questions(path: Path = QUESTIONS_FILE) -> list[EvalQuestion]:
    """Read and validate a question file; the first bad line raises an error naming it."""
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
        seen.add(q.id)
        out.append(q)
    if not out:
        raise QuestionFileError(f"{path}: no questions")
    return out
