"""The evaluation: question-file validation, metrics on a hand-checked example, the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.benchmarks import load_benchmark, rank_metrics
from eval.matching import all_groups_match, contains_any, normalise
from eval.metrics import QuestionResult, summarise
from eval.questions import QuestionFileError, load_questions
from eval.report import write_report

GOOD = {"id": "q1", "lang": "sv", "question": "Vad är tillit?", "answerable": True,
        "answer_any": [["tillit"]], "source_any": ["Tillit är"]}


def _write(tmp_path: Path, rows: list[object]) -> Path:
    p = tmp_path / "q.jsonl"
    p.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n",
                 encoding="utf-8")
    return p


def test_the_curated_set_meets_the_mix() -> None:
    qs = load_questions()
    assert len(qs) >= 300
    assert sum(q.lang == "en" for q in qs) >= 80
    assert sum(q.kind == "unanswerable_on_topic" for q in qs) >= 60
    assert sum(q.kind == "paraphrase" for q in qs) >= 60
    assert all(q.overlap is not None and q.overlap <= 0.35 for q in qs if q.kind == "paraphrase")
    assert sum(bool(q.history) for q in qs) >= 20
    assert all(q.why_unanswerable for q in qs if q.kind in ("unanswerable_on_topic", "off_topic"))
    assert {"factoid", "definition", "list", "summary", "crosslingual", "paraphrase",
            "followup", "unanswerable_on_topic", "off_topic", "injection"} <= {q.kind for q in qs}


@pytest.mark.parametrize("row,needle", [
    ("{not json", "not valid JSON"),
    ({**GOOD, "lang": "de"}, "'lang'"),
    ({k: v for k, v in GOOD.items() if k != "question"}, "missing field(s) question"),
    ({**GOOD, "answer_any": []}, "'answer_any'"),
    ({**GOOD, "answerble": True}, "unknown field(s) answerble"),
    ({**GOOD, "answerable": False}, "unanswerable question has no"),
    ({**GOOD, "history": "Vem?"}, "'history'"),
])
def test_a_bad_line_is_named_with_a_clear_error(tmp_path: Path, row: object, needle: str) -> None:
    path = _write(tmp_path, [GOOD | {"id": "q0"}, row])
    with pytest.raises(QuestionFileError) as err:
        load_questions(path)
    assert "q.jsonl:2:" in str(err.value) and needle in str(err.value)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    with pytest.raises(QuestionFileError, match="q.jsonl:2: duplicate id 'q1'"):
        load_questions(_write(tmp_path, [GOOD, GOOD]))


def test_matching_folds_case_whitespace_and_hyphenation() -> None:
    assert normalise("Forskar-\nsamhället  är\tSTORT") == "forskarsamhället är stort"
    assert contains_any("Det gäller forskar-\n samhället i dag", ["FORSKARSAMHÄLLET"])
    assert all_groups_match("Adler nämner marknad och hierarki", [["Adler"], ["hierarki", "x"]])
    assert not all_groups_match("Adler nämner marknad", [["Adler"], ["hierarki"]])


def _result(i: int, answerable: bool, rank: int | None, answered: bool, ok: bool,
            ms: float) -> QuestionResult:
    return QuestionResult(
        id=f"q{i}", lang="sv" if i % 2 else "en", qtype="t", answerable=answerable,
        question="?", standalone="?", mode="hybrid", answered=answered, answer="",
        retrieved=[], cited=[], cited_quotes=[], expected=[], hit_rank=rank,
        citation_hit=ok if answerable else None, answer_pass=ok if answerable else None,
        retrieval_ms=ms / 2, answer_ms=ms / 2, total_ms=ms,
    )


def test_metrics_on_a_hand_checked_example() -> None:
    results = [
        _result(1, True, 1, True, True, 10.0),     # hit at 1, passes
        _result(2, True, 3, True, False, 20.0),    # hit at 3, wrong answer
        _result(3, True, None, False, False, 30.0),  # miss, refused (over-refusal)
        _result(4, True, 2, True, True, 40.0),     # hit at 2, passes
        _result(5, False, None, False, False, 50.0),  # correctly refused
        _result(6, False, None, True, False, 60.0),   # wrongly answered
    ]
    m = summarise(results)
    assert m["hit@1"] == pytest.approx(1 / 4)
    assert m["hit@3"] == pytest.approx(3 / 4)
    assert m["hit@5"] == pytest.approx(3 / 4)
    assert m["mrr"] == pytest.approx((1 + 1 / 3 + 0 + 1 / 2) / 4)
    assert m["answer_pass"] == pytest.approx(2 / 4)
    assert m["citation_hit"] == pytest.approx(2 / 4)
    assert m["refusal_accuracy"] == pytest.approx(1 / 2)
    assert m["over_refusal"] == pytest.approx(1 / 4)
    assert m["pass"] == pytest.approx(3 / 6)
    assert m["total_ms_median"] == pytest.approx(35.0)
    assert m["total_ms_p95"] == pytest.approx(60.0)


def test_rank_metrics_for_benchmarks() -> None:
    m = rank_metrics([1, 2, None, 11])
    assert m["recall@1"] == 0.25 and m["recall@5"] == 0.5 and m["recall@10"] == 0.5
    assert m["mrr"] == pytest.approx((1 + 0.5 + 1 / 11) / 4)
    assert m["ndcg@10"] == pytest.approx((1 + 1 / 1.5849625) / 4, rel=1e-4)


def test_benchmark_data_is_bundled_and_consistent() -> None:
    for name, n_min in (("swequad", 400), ("swefaq", 100)):
        passages, questions = load_benchmark(name)
        assert len(passages) >= n_min and questions
        assert all(pid in passages for _, pid in questions)


def test_evaluation_runs_end_to_end_and_writes_a_report(assistant, tmp_path: Path) -> None:
    from eval.runner import evaluate

    qs = load_questions()
    sample = [q for q in qs if q.id in {"q001", "q021", "q106", "q121"}] + [
        q for q in qs if q.history][:2]
    result = evaluate(assistant, sample, modes=("bm25", "hybrid"), show_progress=False)
    assert set(result["modes"]) == {"bm25", "hybrid"}
    per_q = result["modes"]["hybrid"]["results"]
    assert {r["id"] for r in per_q} == {q.id for q in sample}
    refused = {r["id"]: not r["answered"] for r in per_q}
    assert refused["q106"], "the cinnamon-bun question is refused"
    path = write_report(result, tmp_path / "report")
    text = path.read_text(encoding="utf-8")
    assert "| hybrid |" in text and "| bm25 |" in text
    for png in ("hit_at_k.png", "pass_by_group.png", "latency.png"):
        data = (tmp_path / "report" / png).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
