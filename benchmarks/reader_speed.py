"""The reader's time per question: its candidates read as served (no work on padding, the
last layer at ``<s>`` only) against the training path (every layer over every padded
position), on the dev questions' own candidates.

    python -m benchmarks reader [--limit 60] [--candidates 8] [--precision auto]

Both paths read the same batch of each question in turn, so a slower moment of the
machine falls on both alike; the figures are per question, the largest logit difference
between the paths is printed beside them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.query_bench import percentiles, settings_for


def reader_speed(data_dir: Path, limit: int, candidates: int, precision: str,
                 repeat: int = 3) -> dict[str, Any]:
    """Median / p95 / p99 ms per question for the served and the training path."""
    import torch

    from assistant.factory import build_assistant
    from assistant.reader.model import CrossEncoder, load_reader, resolve_precision
    from eval.questions import tuning_questions
    from eval.reader.dev import collect

    chosen = resolve_precision(precision)
    reader = load_reader(precision=chosen)
    assistant = build_assistant(settings_for(data_dir, reader=False))
    cases = collect(assistant, tuning_questions("dev")[:limit], reader.card.reads_previous)
    model = reader.model
    assert isinstance(model, CrossEncoder)
    served: list[float] = []
    training: list[float] = []
    padding: list[float] = []
    drift = 0.0
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16,
                                                enabled=chosen == "bf16"):
        for case in cases:
            texts = case.candidates[:candidates]
            if not texts:
                continue
            batches = list(reader.batches(case.query, texts))
            masks = [mask for _, _, mask in batches]
            padding.append(1.0 - sum(int(m.sum()) for m in masks)
                           / sum(m.numel() for m in masks))
            for _, ids, mask in batches:
                a, b = model(ids, mask), model.upper(model.lower(ids, mask), mask)
                drift = max(drift, float((a.float() - b.float()).abs().max()))
            for _ in range(repeat):
                t0 = time.perf_counter()
                for _, ids, mask in batches:
                    model(ids, mask)
                t1 = time.perf_counter()
                for _, ids, mask in batches:
                    model.upper(model.lower(ids, mask), mask)
                t2 = time.perf_counter()
                served.append((t1 - t0) * 1e3)
                training.append((t2 - t1) * 1e3)
    return {"precision": chosen, "questions": len(padding), "candidates": candidates,
            "threads": torch.get_num_threads(),
            "padding_share_mean": round(float(np.mean(padding)), 3) if padding else 0.0,
            "served_ms": percentiles(served), "training_path_ms": percentiles(training),
            "max_logit_difference": drift}
