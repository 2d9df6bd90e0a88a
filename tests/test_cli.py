"""The ``tillit`` command line as a user runs it: real subprocesses, real index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(args: list[str], data_dir: Path, timeout: int = 300,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TILLIT_DATA_DIR": str(data_dir), "TILLIT_SHOW_PROGRESS": "false",
           **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "tillit", *args], capture_output=True, text=True,
        env=env, timeout=timeout,
    )


@pytest.fixture(scope="module")
def cli_data(corpus_settings, built_index) -> Path:
    return corpus_settings.data_dir


def test_ask_json_prints_exactly_one_object_with_citations(cli_data: Path) -> None:
    p = run(["ask", "--json", "Vilka tre styrprinciper beskriver Adler?"], cli_data)
    assert p.returncode == 0, p.stderr
    obj = json.loads(p.stdout)
    assert obj["answered"] is True and obj["language"] == "sv" and obj["mode"] == "extractive"
    assert any(c["section"] == "1.2" for c in obj["citations"])
    assert "Traceback" not in p.stderr


def test_ask_json_english_and_refusal(cli_data: Path) -> None:
    en = json.loads(run(["ask", "--json", "What are the three governance principles according "
                         "to Adler?"], cli_data).stdout)
    assert en["language"] == "en" and any(c["section"] == "1.2" for c in en["citations"])
    no = json.loads(run(["ask", "--json", "Hur bakar man kanelbullar?"], cli_data).stdout)
    assert no["answered"] is False and no["citations"] == []


def test_follow_up_through_history_flag(cli_data: Path) -> None:
    p = run(["ask", "--json", "--history", "Vem skrev kapitel 9?",
             "Vilket lärosäte kommer han från?"], cli_data)
    obj = json.loads(p.stdout)
    assert "kapitel 9" in obj["standalone_question"]


@pytest.mark.parametrize("question,code,needle", [
    ("   ", 2, "empty"),
    ("x" * 100_000, 2, "too long"),
    ("Comment faire des crêpes à la maison ce soir?", 2, "Swedish or English"),
])
def test_bad_questions_get_one_line_errors_and_exit_2(
    cli_data: Path, question: str, code: int, needle: str
) -> None:
    p = run(["ask", question], cli_data)
    assert p.returncode == code
    assert needle in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert "Traceback" not in p.stderr


def test_ask_builds_a_missing_index_first_like_every_command(
    tmp_path: Path, small_corpus: Path
) -> None:
    env = {"TILLIT_CORPUS_DIR": str(small_corpus)}  # a small stand-in for the bundled book
    p = run(["ask", "--json", "Vad dokumenterar sjuksköterskor?"], tmp_path / "data", env=env)
    assert p.returncode == 0, p.stderr
    assert "building the bundled anthology's index first" in p.stderr
    assert "Index built:" in p.stderr
    assert json.loads(p.stdout)["citations"]
    again = run(["info"], tmp_path / "data", env=env)  # built once: now only opened
    assert again.returncode == 0 and "building" not in again.stderr
    assert json.loads(again.stdout)["chunks"] > 0


def test_unusable_index_is_exit_3_with_json_error(tmp_path: Path, small_corpus: Path) -> None:
    assert run(["index", str(small_corpus)], tmp_path).returncode == 0
    (tmp_path / "index" / "current.json").write_text("{not json", encoding="utf-8")
    p = run(["ask", "--json", "Vad är tillit?"], tmp_path)
    assert p.returncode == 3, p.stderr
    assert json.loads(p.stdout)["kind"] == "IndexCorrupt"
    assert "tillit index --rebuild" in p.stderr and "Traceback" not in p.stderr


def test_index_reports_a_non_utf8_file_by_name_and_keeps_the_rest(
    tmp_path: Path, small_corpus: Path
) -> None:
    (small_corpus / "trasig.txt").write_bytes("Tillit är viktigt".encode("latin-1"))
    p = run(["index", str(small_corpus)], tmp_path)
    assert p.returncode == 2
    assert "trasig.txt" in p.stderr and "UTF-8" in p.stderr and "Traceback" not in p.stderr
    assert "2 document(s)" in p.stdout
    again = run(["index", str(small_corpus)], tmp_path)
    assert "up to date" in again.stdout


def test_internal_failures_are_exit_1_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "current.json").write_text('{"build_id": "x"}', encoding="utf-8")
    p = run(["ask", "Vad är tillit?"], tmp_path)
    assert p.returncode == 3 and "rebuild" in p.stderr and "Traceback" not in p.stderr
