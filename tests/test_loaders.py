"""Loading files: formats, manifests and broken input."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import IngestError
from index.formats.registry import discover, load_document
from index.text.manifest import read_manifest


def test_manifest_names_chapter_and_authors(small_corpus: Path) -> None:
    doc = load_document(small_corpus / "a.txt")
    assert doc.meta.chapter == 2 and doc.meta.authors == ("Anna Andersson",)
    assert doc.has_pages and len(doc.pages) == 2  # split on the form feed


def test_non_utf8_file_is_refused_by_name(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Tillit är viktigt".encode("latin-1"))
    with pytest.raises(IngestError) as err:
        load_document(bad)
    assert "latin1.txt" in err.value.message("en") and "UTF-8" in err.value.message("en")
    assert "UTF-8" in err.value.message("sv")


@pytest.mark.parametrize("name,content,needle", [
    ("empty.txt", b"  \n", "empty"),
    ("sheet.xlsx", b"PK\x03\x04", "unsupported"),
    ("doc.pdf", b"%PDF-1.4", "not a readable PDF"),
])
def test_empty_and_unsupported_files(
    tmp_path: Path, name: str, content: bytes, needle: str
) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(IngestError, match=needle):
        load_document(f)


def test_discover_expands_folders_and_skips_the_manifest(small_corpus: Path) -> None:
    assert [p.name for p in discover([small_corpus])] == ["a.txt", "b.txt"]
    with pytest.raises(IngestError, match="no such file"):
        discover([small_corpus / "missing.txt"])


def test_broken_manifest_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "manifest.toml").write_text("[[documents]\nfile=", encoding="utf-8")
    with pytest.raises(IngestError, match="manifest"):
        read_manifest(tmp_path)
