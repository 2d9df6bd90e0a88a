"""Metrics over per-question results: strict pass, citation precision, refusal, retrieval,
latency; every rate with its 95 % Wilson interval so that one question is never read as
progress.

Strict definitions (the headline):

* **answer pass** — the question was answered (``answerability == "answered"``), every
  expected answer group is in the answer, and a passage an answer sentence rests on (its
  quote) contains a source phrase;
* **citation precision** — of the citations given to answerable questions, the share whose
  quoted passage contains a source phrase;
* **refusal recall** per kind (off-topic, on-topic unanswerable, injection) — the share not
  answered; **over-refusal** — the share of answerable questions not answered.

Loose figures kept for comparison with earlier reports: ``loose_answer_pass`` (answer groups
only) and ``citation_hit`` (a cited chunk, not its quote, contains a source phrase).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Z95 = 1.959963984540054
REFUSE_KINDS = ("off_topic", "unanswerable_on_topic", "injection")


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
    answerability: str = ""
    groups_match: bool | None = None
    quote_hit: bool | None = None
    citations_correct: list[bool] = field(default_factory=list)
    lead: str = ""
    lead_hit: bool | None = None

    @property
    def passed(self) -> bool:
        """Answerable: the strict answer pass. Unanswerable: not answered."""
        if not self.answerable:
            return not self.answered
        return bool(self.answer_pass)


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95 % by default); (0, 1) for n = 0."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * len(s) + 0.5) - 1))
    return s[k]


def _put_rate(out: dict[str, Any], name: str, flags: Iterable[bool]) -> None:
    f = list(flags)
    out[name] = sum(f) / len(f) if f else None
    out[f"{name}_n"] = len(f)
    out[f"{name}_ci"] = list(wilson(sum(f), len(f))) if f else None


def summarise(results: list[QuestionResult], ks: tuple[int, ...] = (1, 3, 5)) -> dict[str, Any]:
    """Aggregate metrics for a group of results (rates with ``_n`` and ``_ci`` beside them)."""
    ans = [r for r in results if r.answerable]
    un = [r for r in results if not r.answerable]
    out: dict[str, Any] = {"n": len(results), "answerable": len(ans), "unanswerable": len(un)}
    _put_rate(out, "answer_pass", (bool(r.answer_pass) for r in ans))
    _put_rate(out, "citation_precision",
              (c for r in ans if r.answered for c in r.citations_correct))
    _put_rate(out, "refusal_recall", (not r.answered for r in un))
    for kind in REFUSE_KINDS:
        _put_rate(out, f"refusal:{kind}", (not r.answered for r in un if r.qtype == kind))
    _put_rate(out, "not_stated_share",
              (r.answerability == "not_stated" for r in un if r.qtype == "unanswerable_on_topic"))
    _put_rate(out, "over_refusal", (not r.answered for r in ans))
    _put_rate(out, "pass", (r.passed for r in results))
    _put_rate(out, "lead_hit", (bool(r.lead_hit) for r in ans
                                if r.answered and r.lead_hit is not None))
    for k in ks:
        _put_rate(out, f"hit@{k}", (r.hit_rank is not None and r.hit_rank <= k for r in ans))
    out["mrr"] = (sum(1.0 / r.hit_rank for r in ans if r.hit_rank) / len(ans)) if ans else None
    _put_rate(out, "loose_answer_pass", (bool(r.groups_match) for r in ans))
    _put_rate(out, "citation_hit", (bool(r.citation_hit) for r in ans))
    # Kept for reports written before the split; same as refusal_recall.
    out["refusal_accuracy"] = out["refusal_recall"]
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
    _put_rate(out, "language_match", (bool(r.language_match) for r in results
                                      if r.answered and r.language_match is not None))
    reached = [r for r in results if r.answer_mode == "llm" or r.fallback is not None]
    _put_rate(out, "generated", (r.answer_mode == "llm" and r.answered for r in reached))
    _put_rate(out, "fallback_rate", (r.fallback is not None for r in reached))
    first = [r.first_token_ms for r in results if r.first_token_ms is not None]
    out["first_token_ms_median"] = statistics.median(first) if first else None
    out["first_token_ms_p95"] = percentile(first, 95) if first else None
    for name in ("retrieval_ms", "answer_ms", "total_ms"):
        vals = [getattr(r, name) for r in results]
        out[f"{name}_median"] = statistics.median(vals) if vals else 0.0
        out[f"{name}_p95"] = percentile(vals, 95)
    return out


def grouped(results: list[QuestionResult]) -> dict[str, dict[str, Any]]:
    """Metrics for all results, per language, per kind, per kind and language, and (for
    generated answers) apart for the answers the model wrote and the quoted fallbacks."""
    groups: dict[str, list[QuestionResult]] = {"all": results}
    for r in results:
        groups.setdefault(f"lang:{r.lang}", []).append(r)
        groups.setdefault(f"kind:{r.qtype}", []).append(r)
        groups.setdefault(f"kind:{r.qtype}/{r.lang}", []).append(r)
        if r.answer_mode == "llm" or r.fallback is not None:
            source = "model" if r.fallback is None else "fallback"
            groups.setdefault(f"written_by:{source}", []).append(r)
    return {name: summarise(rs) for name, rs in sorted(groups.items(), key=_group_order)}


def _group_order(item: tuple[str, list[QuestionResult]]) -> tuple[int, str]:
    name = item[0]
    rank = 0 if name == "all" else 1 if name.startswith("lang:") else (
        2 if name.startswith("kind:") and "/" not in name else 3)
    return rank, name
