"""Write the paraphrase and translation pairs that calibrate citation checking.

A local model rewrites sentences of the chapter in its own words (Swedish) and in English.
For a question's top passages, a rewrite of one of their sentences is a supported claim; a
rewrite of a sentence from elsewhere in the chapter (not in the question's top 20) is not.

    TILLIT_LLM=llamacpp python -m eval.make_support_pairs --out eval/data/support_pairs.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from langchain_core.messages import HumanMessage, SystemMessage
from tqdm import tqdm

from assistant.factory import build_assistant
from assistant.settings import Settings
from eval.questions import tuning_questions

ASK = {
    "sv": "Skriv om meningen med andra ord på svenska. Svara bara med den nya meningen.",
    "en": "Translate the sentence into English. Reply with the translation only.",
}


def main(argv: list[str] | None = None) -> int:
    """Generate the pairs with the configured chat model."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--questions", type=int, default=30)
    ap.add_argument("--out", type=Path, default=Path("eval/data/support_pairs.jsonl"))
    args = ap.parse_args(argv)
    settings = Settings(show_progress=False)
    assistant = build_assistant(settings)
    if assistant.generator is None:
        raise SystemExit("Set TILLIT_LLM to a chat backend first.")
    gen = assistant.generator
    index = assistant.index
    rng = random.Random(11)
    qs = [q for q in tuning_questions() if q.answerable and not q.history]
    rng.shuffle(qs)
    texts = {c.chunk_id: c.text for c in index.chunks}
    rows = []
    for q in tqdm(qs[: args.questions], desc="Rewriting"):
        shown = assistant.retrieve(q.question)
        far = {h.chunk.chunk_id for h in assistant.retrieve(q.question, k=20).hits}
        top = shown.hits[0].chunk
        spans = [(s, e) for s, e, _ in index.sentences_of(top.chunk_id)]
        s, e = rng.choice(spans)
        other_id = rng.choice([c for c in texts if c not in far])
        os_, oe = rng.choice([(s2, e2) for s2, e2, _ in index.sentences_of(other_id)])
        pairs = (("supported", top.text[s:e]), ("unsupported", texts[other_id][os_:oe]))
        for kind, sentence in pairs:
            for lang in ("sv", "en"):
                try:
                    ask = [SystemMessage(ASK[lang]), HumanMessage(sentence.strip())]
                    out = gen.complete(ask, 60)
                except Exception as exc:  # a failed rewrite is skipped, not fatal
                    print(f"skipped: {exc}")
                    continue
                line = out.strip().splitlines()[0] if out.strip() else ""
                if line:
                    rows.append({"question": q.id, "kind": kind, "lang": lang,
                                 "source": sentence.strip(), "claim": line})
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                        encoding="utf-8")
    print(f"wrote {len(rows)} pairs to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
