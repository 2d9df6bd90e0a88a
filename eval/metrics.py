"""Metrics over per-question results: hit@k, MRR, pass rates, refusal, latency."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass
class QuestionResult:
    """What happened to one question in one retrieval mode."""

    id: str
    lang: str
    qtype: str
    answerable: bool
    question: str
    standalone: str
    mode: str
    answered: bool
    answer: str
    retrieved: list[str]
    cited: list[str]
    cited_quotes: list[str]
    expected: list[str]
    hit_rank: int | None
    citation_hit: bool | None
    answer_pass: bool | None
    retrieval_ms: float
    answer_ms: float
    total_ms: float
    confidence: float = 0.0
    answer_mode: str = "extractive"
    fallback: str | None = None
    language_match: bool | None = None
    model_checked: bool = False
    markers_written: int = 0
    markers_supported: int = 0
    sentences: int = 0
    unsupported: int = 0
    first_token_ms: float | None = None

    @property
    def passed(self) -> bool:
        """Answerable: answered, cited the right passage and matched every answer group.
        Unanswerable: refused."""
        if not self.answerable:
            return not self.answered
        return bool(self.answered and self.answer_pass and self.citation_hit)


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * len(s) + 0.5) - 1))
    return s[k]


def _rate(flags: Iterable[bool]) -> float | None:
    f = list(flags)
    return sum(f) / len(f) if f else None


def summarise(results: list[QuestionResult], ks: tuple[int, ...] = (1, 3, 5)) -> dict[str, Any]:
    """Aggregate metrics for a group of results."""
    ans = [r for r in results if r.answerable]
    un = [r for r in results if not r.answerable]
    out: dict[str, Any] = {"n": len(results), "answerable": len(ans), "unanswerable": len(un)}
    for k in ks:
        out[f"hit@{k}"] = _rate(r.hit_rank is not None and r.hit_rank <= k for r in ans)
    out["mrr"] = (sum(1.0 / r.hit_rank for r in ans if r.hit_rank) / len(ans)) if ans else None
    out["citation_hit"] = _rate(bool(r.citation_hit) for r in ans)
    out["answer_pass"] = _rate(bool(r.answer_pass) for r in ans)
    out["refusal_accuracy"] = _rate(not r.answered for r in un)
    out["over_refusal"] = _rate(not r.answered for r in ans)
    out["pass"] = _rate(r.passed for r in results)
    # Over the answers a model wrote and Tillit checked (kept, or rejected as unsupported);
    # None for quoted answers, whose markers are right by construction.
    checked = [r for r in results if r.model_checked]
    written = sum(r.markers_written for r in checked)
    out["citation_validity"] = (
        sum(r.markers_supported for r in checked) / written if written else None
    )
    sentences = sum(r.sentences for r in checked)
    out["supported_sentences"] = (
        1 - sum(r.unsupported for r in checked) / sentences if sentences else None
    )
    out["language_match"] = _rate(bool(r.language_match) for r in results
                                  if r.answered and r.language_match is not None)
    reached = [r for r in results if r.answer_mode == "llm" or r.fallback is not None]
    out["generated"] = _rate(r.answer_mode == "llm" and r.answered for r in reached)
    out["fallback_rate"] = _rate(r.fallback is not None for r in reached)
    first = [r.first_token_ms for r in results if r.first_token_ms is not None]
    out["first_token_ms_median"] = statistics.median(first) if first else None
    out["first_token_ms_p95"] = percentile(first, 95) if first else None
    for name in ("retrieval_ms", "answer_ms", "total_ms"):
        vals = [getattr(r, name) for r in results]
        out[f"{name}_median"] = statistics.median(vals) if vals else 0.0
        out[f"{name}_p95"] = percentile(vals, 95)
    return out


def grouped(results: list[QuestionResult]) -> dict[str, dict[str, Any]]:
    """Metrics for all results, per language and per question type."""
    groups: dict[str, list[QuestionResult]] = {"all": results}
    for r in results:
        groups.setdefault(f"lang:{r.lang}", []).append(r)
        groups.setdefault(f"type:{r.qtype}", []).append(r)
    return {name: summarise(rs) for name, rs in groups.items()}
