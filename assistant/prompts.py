"""Prompts are data: one TOML template per language in ``prompts/``, loaded by a pure function.

The folder ships inside the package as ``assistant/prompt_files`` (a link to ``prompts/`` in
the repository) and is read through :mod:`importlib.resources`."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from importlib.resources.abc import Traversable

PROMPTS_DIR: Traversable = resources.files("assistant") / "prompt_files"


@dataclass(frozen=True)
class AnswerTemplate:
    """The fixed wording of extractive answers, "not stated" replies and refusals in one
    language; ``ask`` names what each expected answer type asks for ("vem", "when" …)."""

    language: str
    intro: str
    intro_documents: str
    sentence: str
    lead: str
    refusal: str
    refusal_documents: str
    refusal_hint: str
    refusal_hint_documents: str
    not_stated: str
    not_stated_plain: str
    not_stated_documents: str
    not_stated_plain_documents: str
    not_mentioned: str
    not_mentioned_documents: str
    closest: str
    sources_heading: str
    ask: dict[str, str] = field(default_factory=dict)

    def for_documents(self) -> AnswerTemplate:
        """The same template worded for a collection that is not the anthology."""
        return replace(
            self, intro=self.intro_documents, refusal=self.refusal_documents,
            refusal_hint=self.refusal_hint_documents, not_stated=self.not_stated_documents,
            not_stated_plain=self.not_stated_plain_documents,
            not_mentioned=self.not_mentioned_documents,
        )


def load_answer_template(lang: str, prompts_dir: Traversable = PROMPTS_DIR) -> AnswerTemplate:
    """Read ``prompts/answer.<lang>.toml``."""
    data = tomllib.loads((prompts_dir / f"answer.{lang}.toml").read_text(encoding="utf-8"))
    fields = [k for k in AnswerTemplate.__dataclass_fields__ if k != "ask"]
    return AnswerTemplate(**{k: str(data[k]) for k in fields},
                          ask={k: str(v) for k, v in data.get("ask", {}).items()})


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


def load_generation_prompts(lang: str, prompts_dir: Traversable = PROMPTS_DIR) -> GenerationPrompts:
    """Read ``prompts/generate.<lang>.toml``."""
    data = tomllib.loads((prompts_dir / f"generate.{lang}.toml").read_text(encoding="utf-8"))
    return GenerationPrompts(
        **{k: str(data[k]) for k in GenerationPrompts.__dataclass_fields__}
    )
