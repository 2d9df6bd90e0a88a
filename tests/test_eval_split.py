"""The dev/test split: tuning refuses the test split, the test file is frozen, the split is
stratified, and the strict metrics and intervals behave as documented."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from eval.make_split import assign_splits
from eval.metrics import QuestionResult, summarise, wilson
from eval.questions import (
    HeldOutSplitRefused,
    file_sha256,
    load_questions,
    recorded_sha256,
    recorded_test_sha256,
    split_file,
    split_files,
    tuning_questions,
)


def test_the_frozen_test_split_matches_its_recorded_hash() -> None:
    # Changing the test questions is a deliberate act: re-run `python -m eval.make_split`
    # (or update eval/questions/test.sha256) and say why in the commit.
    assert file_sha256(split_file("test")) == recorded_test_sha256()


def test_every_test_file_is_frozen_by_its_own_record() -> None:
    files = split_files("test")
    assert [f.name for f in files] == ["test.jsonl", "test_about_book.jsonl"]
    for f in files:
        assert file_sha256(f) == recorded_sha256(f), f.name
    kinds = Counter(q.kind for q in load_questions(split="test"))
    assert kinds["about_book"] >= 20


def test_a_changed_test_file_is_noticed(tmp_path: Path) -> None:
    copy = tmp_path / "test.jsonl"
    copy.write_bytes(split_file("test").read_bytes())
    assert file_sha256(copy) == recorded_test_sha256()
    copy.write_bytes(copy.read_bytes().replace(b"?", b"?!", 1))
    assert file_sha256(copy) != recorded_test_sha256()


def test_tuning_reads_dev_only() -> None:
    dev = tuning_questions()
    assert dev and all(q.split == "dev" for q in dev)
    with pytest.raises(HeldOutSplitRefused):
        tuning_questions("test")


def test_splits_are_disjoint_and_stratified() -> None:
    dev, test = load_questions(split="dev"), load_questions(split="test")
    assert not {q.id for q in dev} & {q.id for q in test}
    assert not {q.question for q in dev} & {q.question for q in test}
    # The split made by eval.make_split (ids q…) is stratified; the dev-only additions
    # written later to rank reader variants (ids r…) are not part of it. Questions about
    # the book (dev b…, test t…) came later, balanced by hand.
    d = Counter(q.kind for q in dev if q.id.startswith(("q", "b")))
    t = Counter(q.kind for q in test)
    assert all(q.id.startswith(("q", "r", "b")) for q in dev)
    for kind in d | t:
        assert abs(d[kind] - t[kind]) <= max(2, (d[kind] + t[kind]) // 5), (kind, d, t)


def test_assign_splits_keeps_siblings_together_and_balances_groups() -> None:
    rows = [{"id": f"q{i}", "lang": "sv", "kind": "factoid"} for i in range(10)]
    rows.append({"id": "q99", "lang": "sv", "kind": "unanswerable_on_topic",
                 "why_unanswerable": "Sibling of q3: the age is not given."})
    splits = assign_splits(rows)
    assert Counter(splits[f"q{i}"] for i in range(10)) == {"dev": 5, "test": 5}
    assert splits["q99"] == splits["q3"]
    assert assign_splits(rows) == splits, "deterministic"


def test_wilson_interval() -> None:
    lo, hi = wilson(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-3) and hi == pytest.approx(0.9433, abs=1e-3)
    assert wilson(0, 0) == (0.0, 1.0)
    assert wilson(50, 50)[1] == 1.0 and wilson(50, 50)[0] > 0.9


def _r(qid: str, kind: str, answerable: bool, answered: bool, **kw: object) -> QuestionResult:
    base: dict[str, object] = dict(
        id=qid, lang="sv", qtype=kind, answerable=answerable, question="?", standalone="?",
        mode="hybrid", answered=answered, answer="", retrieved=[], cited=[], cited_quotes=[],
        expected=[], hit_rank=1, citation_hit=True, answer_pass=None, retrieval_ms=1.0,
        answer_ms=1.0, total_ms=2.0)
    base.update(kw)
    return QuestionResult(**base)  # type: ignore[arg-type]


def test_strict_metrics_count_the_right_things() -> None:
    results = [
        _r("a", "factoid", True, True, answer_pass=True, citations_correct=[True, False]),
        _r("b", "factoid", True, True, answer_pass=False, groups_match=True,
           citations_correct=[False]),
        _r("c", "factoid", True, False, answer_pass=False, answerability="not_stated"),
        _r("d", "off_topic", False, False, answerability="off_topic"),
        _r("e", "unanswerable_on_topic", False, False, answerability="not_stated"),
        _r("f", "unanswerable_on_topic", False, True, answerability="answered"),
        _r("g", "injection", False, False),
    ]
    m = summarise(results)
    assert m["answer_pass"] == pytest.approx(1 / 3) and m["answer_pass_n"] == 3
    assert m["citation_precision"] == pytest.approx(1 / 3)  # a's two and b's one
    assert m["loose_answer_pass"] == pytest.approx(1 / 3)
    assert m["over_refusal"] == pytest.approx(1 / 3)
    assert m["refusal:off_topic"] == 1.0 and m["refusal:injection"] == 1.0
    assert m["refusal:unanswerable_on_topic"] == pytest.approx(0.5)
    assert m["not_stated_share"] == pytest.approx(0.5)
    lo, hi = m["answer_pass_ci"]
    assert lo < 1 / 3 < hi


def test_the_split_files_are_valid_json_lines() -> None:
    for split in ("dev", "test"):
        for line in split_file(split).read_text(encoding="utf-8").splitlines():
            assert json.loads(line)["split"] == split
