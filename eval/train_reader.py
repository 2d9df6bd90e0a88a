"""Fine-tune Tillit's reader: ``python -m eval.train_reader``.

The top layers of the e5 encoder and a head on ``<s>`` are trained on the pairs of
``eval.reader.pairs`` (weighted binary cross-entropy); the lower layers stay frozen, so
their output is computed once per pair and cached in memory. Seeded; the data's SHA-256 is
recorded; a checkpoint is written after every epoch and every ``--checkpoint-every``
batches, and a run resumes from it at the batch it reached, drawing the same batches
(dropout's draws differ after a resume), when given the same data and ``RUN_DEFINING``
arguments; other ones are refused unless ``--fresh``. Each epoch is measured on the dev
split's cases (``eval.reader.dev``): ROC AUC of answered vs not stated, and the
question-only baseline. Never runs in CI.

    python -m eval.train_reader                 # train (or resume), write data/reader-train/
    python -m eval.train_reader --ship          # ... and copy the result into the package
    python -m eval.train_reader --export        # the checkpoint's reader, to measure it
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from assistant.reader.model import (
    MAX_PAIR_TOKENS,
    SHIPPED,
    CrossEncoder,
    Reader,
    ReaderCard,
    save_trained,
)
from assistant.reader.tokenizer import E5Tokenizer
from assistant.reader.weights import read_e5
from eval.reader import dev
from eval.reader.pairs import Pair, data_sha256, training_pairs

ROOT = Path(__file__).resolve().parents[1]


# The arguments that make a run what it is: a checkpoint resumes only under the same ones.
RUN_DEFINING = ("trained_layers", "batch", "epochs", "lr", "head_lr", "seed", "limit",
                "pipeline_negatives")


def card_info(args: argparse.Namespace, pairs: int, epochs: int, **extra: int) -> dict[str, Any]:
    """What a written reader file says about its training (``ReaderCard.info``)."""
    return {"pairs": pairs, "epochs": epochs, "batch": args.batch, "lr": args.lr,
            "seed": args.seed, "max_pair_tokens": MAX_PAIR_TOKENS,
            "previous_sentence": True,  # eval.reader.pairs shows it (candidate_text)
            **extra}


def _pad(rows: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(r.shape[0] for r in rows)
    h = torch.zeros(len(rows), width, rows[0].shape[1])
    mask = torch.zeros(len(rows), width, dtype=torch.long)
    for i, r in enumerate(rows):
        h[i, : r.shape[0]] = r.to(torch.float32)
        mask[i, : r.shape[0]] = 1
    return h, mask


def tokenize(tok: E5Tokenizer, pairs: list[Pair]) -> list[np.ndarray]:
    """Token ids of every pair (unpadded)."""
    out: list[np.ndarray] = []
    for i in range(0, len(pairs), 512):
        part = pairs[i:i + 512]
        b = tok.pairs([p.question for p in part], [p.candidate for p in part], MAX_PAIR_TOKENS)
        out.extend(row[mask.astype(bool)] for row, mask in zip(b.ids, b.mask, strict=True))
    return out


@torch.inference_mode()
def cache_lower(model: CrossEncoder, ids: list[np.ndarray], batch: int = 64
                ) -> list[torch.Tensor]:
    """The frozen layers' output of every pair (fp16, unpadded)."""
    model.eval()
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out: list[torch.Tensor] = [torch.empty(0)] * len(ids)
    for s in tqdm(range(0, len(order), batch), desc="Frozen layers", unit="batch"):
        idx = order[s:s + batch]
        width = max(len(ids[i]) for i in idx)
        x = torch.zeros(len(idx), width, dtype=torch.long)
        m = torch.zeros(len(idx), width, dtype=torch.long)
        for r, i in enumerate(idx):
            x[r, : len(ids[i])] = torch.from_numpy(ids[i])
            m[r, : len(ids[i])] = 1
        h = model.lower(x, m)
        for r, i in enumerate(idx):
            out[i] = h[r, : len(ids[i])].to(torch.float16).clone()
    return out


def batches(lengths: list[int], size: int, rng: random.Random) -> list[list[int]]:
    """Batches of similar length in a random order (little padding)."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    out: list[list[int]] = []
    group = size * 50
    for g in range(0, len(idx), group):
        part = sorted(idx[g:g + group], key=lambda i: lengths[i])
        out.extend(part[s:s + size] for s in range(0, len(part), size))
    rng.shuffle(out)
    return out


def dev_scorer(model: CrossEncoder, tok: E5Tokenizer, sha: str) -> dev.Scorer:
    """Score (question, candidates) with ``model`` as it is now (fp32, eval mode), the way
    the product's ``Reader`` does."""
    return Reader(model, tok, ReaderCard(model.trained_layers, 0.5, sha, {})).score


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "reader-train")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--trained-layers", type=int, default=4)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=4e-5)
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N pairs (a trial)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dev-cases", type=Path, default=ROOT / "data" / "reader" /
                    "dev_cases.jsonl")
    ap.add_argument("--pipeline-negatives", action="store_true",
                    help="add the chapter sibling questions' pipeline candidates as negatives "
                    "(eval.reader.pipeline; measured, not shipped: docs/reader.md)")
    ap.add_argument("--checkpoint-every", type=int, default=300,
                    help="also write the checkpoint every N batches within an epoch (0: only "
                    "after each epoch); a resumed run goes on from the batch it reached")
    ap.add_argument("--export", action="store_true",
                    help="write the checkpoint's reader (reader-epochN.pt, or "
                    "reader-epochN-batchM.pt within an epoch, in --out) and stop, to measure "
                    "a run before it ends (it resumes as before)")
    ap.add_argument("--fresh", action="store_true",
                    help="start afresh even if --out holds a checkpoint of another run")
    ap.add_argument("--ship", action="store_true",
                    help=f"copy the trained reader to assistant/resources/{SHIPPED}")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)

    pairs = training_pairs(args.seed, pipeline=args.pipeline_negatives)
    if args.limit:
        pairs = pairs[: args.limit]
    sha = data_sha256(pairs)
    print(f"{len(pairs)} pairs, data sha256 {sha[:16]}…")
    file = read_e5()
    tok = E5Tokenizer(file.vocabulary)
    model = CrossEncoder(file, args.trained_layers)
    for p in model.parameters():
        p.requires_grad = False
    trained = [p for n, p in model.named_parameters() if n in model.trained_state()]
    for p in trained:
        p.requires_grad = True
    head = list(model.head.parameters())
    body = [p for p in trained if all(p is not h for h in head)]
    opt = torch.optim.AdamW([{"params": body, "lr": args.lr},
                             {"params": head, "lr": args.head_lr}], weight_decay=0.01)
    steps_per_epoch = math.ceil(len(pairs) / args.batch)
    total = steps_per_epoch * args.epochs
    warm = max(1, total // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / (total - warm))))
    start_epoch = 0
    # Within an epoch: the next batch, the loss so far, and the generator's state before the
    # epoch's batches were drawn (so that a resumed run draws the same ones).
    start_batch, start_loss, epoch_rng = 0, 0.0, None
    ckpt = args.out / "checkpoint.pt"
    if ckpt.exists():
        state = torch.load(ckpt, map_location="cpu", weights_only=False)
        differs = {k: (state["args"].get(k), getattr(args, k)) for k in RUN_DEFINING
                   if state["args"].get(k) != getattr(args, k)}
        if state["data_sha256"] != sha:
            differs["data_sha256"] = (state["data_sha256"][:16], sha[:16])
        if differs and not args.fresh:
            print(f"{ckpt} is a run with other settings: {differs}. Give the same settings "
                  "to resume it, or --fresh to start afresh and overwrite it.")
            return 2
        if not differs:
            model.load_state_dict(state["model"], strict=False)
            opt.load_state_dict(state["optimizer"])
            sched.load_state_dict(state["scheduler"])
            start_epoch = state["epoch"] + 1
            rng.setstate(state["rng"])
            if state.get("batch"):
                start_epoch, start_batch = state["epoch"], state["batch"]
                start_loss = state["running"]
                epoch_rng = state["epoch_rng"]
                print(f"resuming epoch {start_epoch + 1} at batch {start_batch}")
            else:
                print(f"resuming after epoch {start_epoch}")
        else:
            print("starting afresh (--fresh): the checkpoint will be overwritten")
    if args.export:
        if not start_epoch and not start_batch:
            print(f"no checkpoint of this data and settings in {args.out}")
            return 1
        at = f"epoch{start_epoch + 1}-batch{start_batch}" if start_batch else \
            f"epoch{start_epoch}"
        out = args.out / f"reader-{at}.pt"
        save_trained(model, out, threshold=0.5, data_sha256=sha,
                     info=card_info(args, len(pairs), start_epoch,
                                    batches_into_next_epoch=start_batch))
        print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
        return 0

    t0 = time.perf_counter()
    ids = tokenize(tok, pairs)
    hidden = cache_lower(model, ids)
    print(f"cached the frozen layers in {time.perf_counter() - t0:.0f} s")
    labels = torch.tensor([p.label for p in pairs], dtype=torch.float32)
    weights = torch.tensor([p.weight for p in pairs], dtype=torch.float32)
    lengths = [len(i) for i in ids]
    cases = dev.load(args.dev_cases) if args.dev_cases.exists() else []
    loss_fn = nn.BCEWithLogitsLoss(reduction="none")

    def save(epoch: int, batch: int = 0, running: float = 0.0,
             before: object = None) -> None:
        torch.save({"model": model.trained_state(), "optimizer": opt.state_dict(),
                    "scheduler": sched.state_dict(), "epoch": epoch, "rng": rng.getstate(),
                    "batch": batch, "running": running, "epoch_rng": before,
                    "data_sha256": sha, "args": vars(args) | {"out": str(args.out),
                                                              "dev_cases": str(args.dev_cases)}},
                   ckpt.with_suffix(".tmp"))
        ckpt.with_suffix(".tmp").replace(ckpt)

    for epoch in range(start_epoch, args.epochs):
        model.train()
        t_ep = time.perf_counter()
        if epoch_rng is not None:
            rng.setstate(epoch_rng)
        before = rng.getstate()
        order = batches(lengths, args.batch, rng)
        skip, running = start_batch, start_loss
        start_batch, start_loss, epoch_rng = 0, 0.0, None
        bar = tqdm(total=len(order), initial=skip, desc=f"Epoch {epoch + 1}", unit="batch")
        n = skip
        for n, b in enumerate(order[skip:], skip + 1):
            h, m = _pad([hidden[i] for i in b])
            logits = model.upper(h, m)
            loss = (loss_fn(logits, labels[b]) * weights[b]).sum() / weights[b].sum()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trained, 1.0)
            opt.step()
            sched.step()
            running += float(loss)
            bar.update()
            if n % 50 == 0:
                bar.set_postfix(loss=f"{running / n:.4f}")
            if args.checkpoint_every and n % args.checkpoint_every == 0 and n < len(order):
                save(epoch, n, running, before)
        bar.close()
        model.eval()
        record = {"epoch": epoch + 1, "loss": running / max(1, n),
                  "seconds": round(time.perf_counter() - t_ep), "pairs": len(pairs),
                  "data_sha256": sha}
        if cases:
            record.update(dev.evaluate(cases, dev_scorer(model, tok, sha)).summary)
        print(json.dumps(record))
        with open(args.out / "log.jsonl", "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
        save(epoch)

    info = card_info(args, len(pairs), args.epochs,
                     train_seconds=round(time.perf_counter() - t0))
    out = args.out / SHIPPED
    save_trained(model, out, threshold=0.5, data_sha256=sha, info=info)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    if args.ship:
        shutil.copyfile(out, ROOT / "assistant" / "resources" / SHIPPED)
        print(f"shipped as assistant/resources/{SHIPPED}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
