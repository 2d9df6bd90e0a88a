"""The hashed lock file agrees with pyproject.toml and leaves the CUDA build of torch out."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _locked() -> dict[str, tuple[str, int]]:
    text = (PROJECT_ROOT / "requirements.lock").read_text(encoding="utf-8")
    out: dict[str, tuple[str, int]] = {}
    for block in re.split(r"\n(?=\S)", text):
        m = re.match(r"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==(\S+)", block)
        if m:
            out[m.group(1).lower().replace("_", "-")] = (
                m.group(2), len(re.findall(r"--hash=sha256:[0-9a-f]{64}", block)))
    return out


def test_every_pinned_dependency_is_locked_at_the_same_version_with_hashes() -> None:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    deps = project["project"]["dependencies"] + project["project"]["optional-dependencies"]["dev"]
    locked = _locked()
    assert len(locked) > 100
    assert all(hashes >= 1 for _, hashes in locked.values())
    for dep in deps:
        m = re.match(r"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==(\S+)", dep)
        if not m or m.group(1) == "torch":
            continue
        name = m.group(1).lower().replace("_", "-")
        assert name in locked, f"{name} is not in requirements.lock (run: make lock)"
        assert locked[name][0] == m.group(2), f"{name}: lock has {locked[name][0]} (make lock)"


def test_the_cuda_build_of_torch_is_not_in_the_lock() -> None:
    locked = _locked()
    assert "torch" not in locked
    assert not [n for n in locked if n.startswith(("nvidia-", "cuda-")) or n == "triton"]
