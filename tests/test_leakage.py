"""No evaluation question, or a near-twin of one, may appear in anything the product reads.

Shipped texts: every line of ``assistant/resources/``, every string of ``prompts/``, and the
string literals of the web layer's texts (``tillit_web/i18n.py``: example questions among them).
A text is a near-twin of a question when their normalised forms are equal or one contains
the other, or when the product's own embedder puts them at cosine >= 0.92.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from eval.questions import load_questions

ROOT = Path(__file__).resolve().parent.parent
COSINE_LIMIT = 0.92


def normalise(text: str) -> str:
    """Lower case, letters and digits only, single spaces."""
    return " ".join(re.findall(r"\w+", text.lower()))


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def shipped_texts() -> list[str]:
    """Every text the product reads that could hold a question (lines and strings)."""
    texts: list[str] = []
    for path in sorted((ROOT / "assistant" / "resources").rglob("*")):
        if path.suffix in (".txt", ".md", ".toml", ".json", ".jsonl"):
            texts += path.read_text(encoding="utf-8").splitlines()
    for path in sorted((ROOT / "prompts").glob("*.toml")):
        for s in _strings(tomllib.loads(path.read_text(encoding="utf-8"))):
            texts += s.splitlines()
    tree = ast.parse((ROOT / "tillit_web" / "i18n.py").read_text(encoding="utf-8"))
    texts += [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
              and isinstance(n.value, str)]
    return [t.strip() for t in texts if len(normalise(t).split()) >= 3
            and not t.lstrip().startswith("#")]


def lexical_twins(texts: list[str], questions: list[str]) -> list[tuple[str, str]]:
    """(text, question) pairs whose normalised forms are equal or contain one another."""
    norm_q = [(q, normalise(q)) for q in questions]
    out = []
    for t in texts:
        nt = normalise(t)
        out += [(t, q) for q, nq in norm_q if nt == nq or (len(nq) > 20 and nq in nt)
                or (len(nt) > 20 and nt in nq)]
    return out


def semantic_twins(embedder, texts: list[str], questions: list[str],
                   limit: float = COSINE_LIMIT) -> list[tuple[str, str, float]]:
    """(text, question, cosine) pairs at or above ``limit`` with the product's embedder."""
    tv = np.asarray(embedder.embed_queries(texts), dtype=np.float32)
    qv = np.asarray(embedder.embed_queries(questions), dtype=np.float32)
    sims = tv @ qv.T
    return [(texts[i], questions[j], float(sims[i, j])) for i, j in zip(*np.where(sims >= limit),
                                                                        strict=True)]


def test_the_twin_checks_discriminate(real_embedder) -> None:
    texts = ["Hur bakar man kanelbullar?", "Matlagning: recept, bakning och ugnar."]
    assert lexical_twins(texts, ["hur BAKAR man kanelbullar"]) == [
        (texts[0], "hur BAKAR man kanelbullar")]
    assert lexical_twins(texts, ["Vad är tillit?"]) == []
    twins = semantic_twins(real_embedder, texts, ["Hur bakar man kanelbullar!"])
    assert [t for t, _, _ in twins] == [texts[0]]
    assert semantic_twins(real_embedder, texts, ["Vem skrev kapitel 9 i antologin?"]) == []


@pytest.mark.slow
def test_no_shipped_text_is_a_twin_of_an_evaluation_question(real_embedder) -> None:
    texts = shipped_texts()
    assert len(texts) > 20, "the shipped texts were found"
    questions = [q.question for q in load_questions()] + [
        h for q in load_questions() for h in q.history]
    assert lexical_twins(texts, questions) == []
    assert semantic_twins(real_embedder, texts, questions) == []


def reader_training_questions() -> list[str]:
    """Every question the reader is trained on (hand-written items and SweQuAD-MC's)."""
    from eval.reader.pairs import training_pairs

    return sorted({p.question for p in training_pairs()})


@pytest.mark.slow
def test_no_reader_training_question_is_a_twin_of_a_test_question(real_embedder) -> None:
    questions = reader_training_questions()
    assert len(questions) > 5000, "the training questions were found"
    test = [q.question for q in load_questions(split="test")] + [
        h for q in load_questions(split="test") for h in q.history]
    assert lexical_twins(questions, test) == []
    assert semantic_twins(real_embedder, questions, test) == []
