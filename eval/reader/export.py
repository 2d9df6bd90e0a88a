"""Write a reader file from a training checkpoint: ``python -m eval.reader.export CKPT OUT``.

(For measuring an epoch's reader in the full pipeline while training goes on.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

from assistant.reader.model import CrossEncoder, save_trained
from assistant.reader.weights import read_e5


def export(checkpoint: Path, out: Path) -> None:
    """The checkpoint's trained layers and head as a reader file."""
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    model = CrossEncoder(read_e5(), int(state["args"]["trained_layers"]))
    model.load_state_dict(state["model"], strict=False)
    save_trained(model, out, threshold=0.5, data_sha256=state["data_sha256"],
                 info={"epoch": state["epoch"] + 1, "args": state["args"]})


if __name__ == "__main__":
    export(Path(sys.argv[1]), Path(sys.argv[2]))
