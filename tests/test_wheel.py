"""The runtime wheel is self-contained: built from the checkout, installed into a fresh
virtualenv, it indexes the bundled anthology, answers and serves from a folder outside the
repository, and carries nothing but the runtime."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from devtools.live import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = {"assistant", "index", "tillit", "tillit_web"}
NOT_SHIPPED = ("eval/", "benchmarks/", "devtools/", "tests/", "app.py", "web/",
               "tillit_web/live.py", "tillit_web/loadcheck.py", "tillit_web/screenshots.py")


def _build_wheel(tmp: Path) -> Path:
    """``pip wheel`` of a copy of the checkout (no stale build/ folder can leak into it)."""
    source = tmp / "source"
    anywhere = shutil.ignore_patterns(".git", ".venv", "*.egg-info", "__pycache__", ".*_cache",
                                      "node_modules")

    def ignore(folder: str, names: list[str]) -> set[str]:
        # build/, dist/ and data/ only at the top: index/build is a package of ours.
        top = {"build", "dist", "data"} & set(names) if Path(folder) == ROOT else set()
        return set(anywhere(folder, names)) | top

    shutil.copytree(ROOT, source, symlinks=True, ignore=ignore)
    out = tmp / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(out), str(source)], check=True)
    (wheel,) = out.glob("tillit-*.whl")
    return wheel


def _venv_with_locked_dependencies(tmp: Path, wheel: Path) -> Path:
    """A fresh virtualenv that sees the project's installed dependencies through a .pth
    file (but not its editable install of Tillit, whose finder is not run from there), with
    the wheel installed into it."""
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "locked_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", "--no-index", str(wheel)], check=True)
    return venv


def test_the_wheel_runs_from_anywhere(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == RUNTIME, tops
    for shipped in ("assistant/corpus/manifest.toml", "assistant/corpus/01-inledning.txt",
                    "assistant/prompt_files/answer.sv.toml",
                    "assistant/prompt_files/generate.en.toml",
                    "assistant/resources/answerability.json", "tillit_web/static/ui.js"):
        assert shipped in names, shipped
    assert not [n for n in names if n.startswith(NOT_SHIPPED)]

    venv = _venv_with_locked_dependencies(tmp_path, wheel)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TILLIT_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TILLIT_SHOW_PROGRESS="false",
               TILLIT_WARM_UP="false", ANONYMIZED_TELEMETRY="False")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), cwd=work, env=env, capture_output=True, text=True,
                              timeout=600)

    where = run(str(venv / "bin" / "python"), "-c", "import assistant, importlib.util; "
                "print(assistant.__file__); print(importlib.util.find_spec('eval'))")
    installed, eval_spec = where.stdout.split()
    assert installed.startswith(str(venv)), installed  # the wheel, not the checkout
    assert eval_spec == "None"  # the evaluation is not part of the runtime
    tillit = str(venv / "bin" / "tillit")
    assert "serve" in run(tillit, "--help").stdout

    built = run(tillit, "index")
    assert built.returncode == 0, built.stderr
    assert "Index built" in built.stdout and (work / "data" / "index").is_dir()
    asked = run(tillit, "ask", "--json", "Vilka tre styrprinciper beskriver Adler?")
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["answered"] is True and answer["citations"]

    port = free_port()
    server = subprocess.Popen([tillit, "serve", "--port", str(port)], cwd=work, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 180
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as c:
            while True:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "the server did not come up"
                try:
                    health = c.get("/api/health")
                    break
                except httpx.TransportError:
                    time.sleep(0.3)
        assert health.status_code == 200, health.text
        assert health.json()["index_loaded"] is True and health.json()["chunks"] > 10
    finally:
        server.terminate()
        server.wait(30)
