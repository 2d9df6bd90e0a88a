"""A conversation as Markdown: questions, answers and their numbered references."""

from __future__ import annotations

import re
import secrets
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tillit_web.answers import answerability
from tillit_web.i18n import t

EXPORT_DIR = Path(tempfile.gettempdir()) / "tillit-exports"


def _md_text(text: str) -> str:
    """Text as Markdown paragraphs; characters Markdown would act on are escaped, the
    answer's [n] markers are kept."""
    text = re.sub(r"([\\`*_{}#<>|])", r"\\\g<1>", text)
    return text.strip()


def conversation_markdown(turns: list[dict[str, Any]], lang: str) -> str:
    """Turns ``{"question", "answer": dict | None, "error": str | None}`` as Markdown."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [f"# {t(lang, 'export_title')}", "", f"_{now}_", ""]
    for i, turn in enumerate(turns, 1):
        out += [f"## {i}. {t(lang, 'question')}", "", _md_text(str(turn.get("question", ""))),
                ""]
        answer = turn.get("answer")
        if not answer:
            if turn.get("error"):
                out += [f"**{t(lang, 'answer')}:** {_md_text(str(turn['error']))}", ""]
            continue
        kind = answerability(answer)
        label = t(lang, "answer") + (f" ({t(lang, 'not_stated')})" if kind == "not_stated"
                                     else "")
        note = f"*{_md_text(str(answer['note']))}* " if answer.get("note") else ""
        out += [f"**{label}:** {note}{_md_text(str(answer.get('answer') or ''))}", ""]
        cites = answer.get("citations") or []
        if cites:
            out += [f"**{t(lang, 'references')}:**", ""]
            for c in cites:
                ref = str(c.get("reference_md") or c.get("reference") or c.get("chunk_id"))
                out.append(f"{int(c['n'])}. {ref}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def export_file(turns: list[dict[str, Any]], lang: str, session: str) -> str | None:
    """Write the conversation to a file for download; None when there is nothing yet."""
    if not turns:
        return None
    name = "tillit-samtal.md" if lang == "sv" else "tillit-conversation.md"
    folder = EXPORT_DIR / re.sub(r"[^0-9a-f]", "", session or secrets.token_hex(8))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(conversation_markdown(turns, lang), encoding="utf-8")
    return str(path)
