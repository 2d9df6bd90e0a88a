"""Derive the retrieval benchmark files from SweQuAD-MC's original training.json and dev.json.

passages.jsonl: every distinct context of both splits, with a stable id.
questions.jsonl: the dev questions, each with the id of its context and its correct answer.
training_questions.jsonl: the same for the training questions (used to train the
answerability decision; never the dev questions, which the retrieval benchmark uses).

Usage: python eval/data/prepare_swequad.py ORIGINAL_FOLDER
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path


def main(src: Path, out: Path) -> None:
    passages: dict[str, str] = {}
    questions: list[dict[str, str]] = []
    training: list[dict[str, str]] = []
    for split in ("dev", "training"):
        for item in json.loads((src / f"{split}.json").read_text(encoding="utf-8"))["data"]:
            text = item["context"].replace("\r\n", "\n").strip()
            pid = "p" + hashlib.sha1(text.encode()).hexdigest()[:10]
            passages.setdefault(pid, text)
            gold = [c["text"] for c in item["choices"] if c["type"] == "Correct answer"]
            row = {"question": item["question"], "passage": pid, "answer": gold[0] if gold else ""}
            (questions if split == "dev" else training).append(row)
    with open(out / "passages.jsonl", "w", encoding="utf-8") as f:
        for pid, text in sorted(passages.items()):
            f.write(json.dumps({"id": pid, "text": text}, ensure_ascii=False) + "\n")
    with open(out / "questions.jsonl", "w", encoding="utf-8") as f:
        for q in questions:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    with open(out / "training_questions.jsonl", "w", encoding="utf-8") as f:
        for q in training:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    print(f"{len(passages)} passages, {len(questions)} questions, {len(training)} training")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(__file__).resolve().parent / "swequad-mc")
