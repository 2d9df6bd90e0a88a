"""Divide a question file into the dev and test splits (run once; the test split is frozen).

    python -m eval.make_split eval/questions.jsonl

Stratified by kind and language: within each (kind, language) group the questions are
ordered by a hash of their id and alternate between dev and test, so each split holds about
half of every group. Sibling questions (an unanswerable question whose
``why_unanswerable`` names its answerable sibling, "sibling of q012") go to their sibling's
split, so that no pair is divided between tuning and reporting. A question that already
carries a ``split`` keeps it. Writes ``questions/dev.jsonl``, ``questions/test.jsonl`` and
the test split's SHA-256 in ``questions/test.sha256``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from eval.questions import QUESTIONS_DIR, file_sha256, load_questions

_SIBLING = re.compile(r"sibling of (q\d+)", re.IGNORECASE)


def assign_splits(rows: list[dict[str, Any]]) -> dict[str, str]:
    """id -> "dev" | "test" for every row (see the module docstring)."""
    out = {r["id"]: r["split"] for r in rows if r.get("split")}
    sibling_of = {
        r["id"]: m.group(1) for r in rows
        if (m := _SIBLING.search(r.get("why_unanswerable", "")))
    }
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in rows:
        if r["id"] not in out and r["id"] not in sibling_of:
            groups[(r.get("kind") or r.get("type") or "", r["lang"])].append(r["id"])
    for (kind, lang), ids in sorted(groups.items()):
        ids.sort(key=lambda i: hashlib.sha256(f"{kind}/{lang}/{i}".encode()).hexdigest())
        taken = sum(1 for r in rows if out.get(r["id"]) == "test"
                    and (r.get("kind"), r["lang"]) == (kind, lang))
        for n, qid in enumerate(ids, start=taken):
            out[qid] = "test" if n % 2 == 0 else "dev"
    for qid, partner in sibling_of.items():
        out.setdefault(qid, out.get(partner, "dev"))
    return out


def main(argv: list[str] | None = None) -> int:
    """Split the authoring file into the two split files and record the test hash."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("source", type=Path, help="all questions, one JSON object per line")
    args = ap.parse_args(argv)
    load_questions(args.source)  # validates every line first
    rows = [json.loads(line) for line in args.source.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    splits = assign_splits(rows)
    QUESTIONS_DIR.mkdir(exist_ok=True)
    for split in ("dev", "test"):
        lines = [
            json.dumps({**{k: v for k, v in r.items() if k != "split"}, "split": split},
                       ensure_ascii=False)
            for r in rows if splits[r["id"]] == split
        ]
        (QUESTIONS_DIR / f"{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{split}: {len(lines)} questions")
    digest = file_sha256(QUESTIONS_DIR / "test.jsonl")
    (QUESTIONS_DIR / "test.sha256").write_text(f"{digest}  test.jsonl\n", encoding="utf-8")
    print(f"test.sha256: {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
