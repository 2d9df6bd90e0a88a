"""Prompts are data: one TOML template per language in ``prompts/``, loaded by a pure function."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


@dataclass(frozen=True)
class AnswerTemplate:
    """The fixed wording of extractive answers and refusals in one language."""

    language: str
    intro: str
    sentence: str
    refusal: str
    refusal_hint: str
    sources_heading: str


def load_answer_template(lang: str, prompts_dir: Path = PROMPTS_DIR) -> AnswerTemplate:
    """Read ``prompts/answer.<lang>.toml``."""
    data = tomllib.loads((prompts_dir / f"answer.{lang}.toml").read_text(encoding="utf-8"))
    return AnswerTemplate(**{k: str(data[k]) for k in AnswerTemplate.__dataclass_fields__})


@dataclass(frozen=True)
class GenerationPrompts:
    """The prompts and fixed notes of generated answers in one language."""

    language: str
    system: str
    passage: str
    user: str
    condense_system: str
    condense_user: str
    refusal: str
    fallback_timeout: str
    fallback_error: str
    fallback_unsupported: str
    earlier: str
    unsupported_label: str

    def fallback_note(self, reason: str) -> str:
        """Why the answer is quoted instead of generated."""
        return {"timeout": self.fallback_timeout, "unsupported": self.fallback_unsupported}.get(
            reason, self.fallback_error
        )


def load_generation_prompts(lang: str, prompts_dir: Path = PROMPTS_DIR) -> GenerationPrompts:
    """Read ``prompts/generate.<lang>.toml``."""
    data = tomllib.loads((prompts_dir / f"generate.{lang}.toml").read_text(encoding="utf-8"))
    return GenerationPrompts(
        **{k: str(data[k]) for k in GenerationPrompts.__dataclass_fields__}
    )
