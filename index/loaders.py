"""Loaders turn a file into raw pages. One class per format; PDF/DOCX plug in here later."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Protocol

from assistant.errors import IngestError
from index.documents import DocumentMeta, LoadedDocument
from index.manifest import MANIFEST_NAME, Manifest, doc_id_for, read_manifest


class Loader(Protocol):
    """Reads one kind of file into raw pages."""

    fmt: str
    suffixes: tuple[str, ...]

    def pages(self, data: bytes, meta: DocumentMeta, name: str) -> tuple[list[str], bool]:
        """Return the raw page texts and whether the format really has pages."""
        ...


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{name}: not UTF-8 text (byte {exc.start}); save it as UTF-8 and index again",
            f"{name}: inte UTF-8-text (byte {exc.start}); spara filen som UTF-8 och indexera igen",
        ) from exc


class TextLoader:
    """Plain text. Pages split on form feeds, or, for text extracted from a PDF where each
    page begins with one space (``page_break = "leading-space"`` in the manifest), on that."""

    fmt = "text"
    suffixes = (".txt",)

    def pages(self, data: bytes, meta: DocumentMeta, name: str) -> tuple[list[str], bool]:
        text = _decode(data, name)
        if meta.page_break == "leading-space":
            starts = [m.start() for m in re.finditer(r"(?m)^ (?=\S)", text)]
            if starts and starts[0] != 0:
                starts.insert(0, 0)
            bounds = [*starts, len(text)]
            return [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)], True
        if "\f" in text:
            return text.split("\f"), True
        return [text], False


class MarkdownLoader:
    """Markdown: one page; ``#`` headings are recognised by the structure stage."""

    fmt = "markdown"
    suffixes = (".md", ".markdown")

    def pages(self, data: bytes, meta: DocumentMeta, name: str) -> tuple[list[str], bool]:
        return [_decode(data, name)], False


LOADERS: tuple[Loader, ...] = (TextLoader(), MarkdownLoader())  # type: ignore[assignment]


def loader_for(path: Path) -> Loader:
    """The loader for ``path``'s suffix, or a clear error naming the supported types."""
    for loader in LOADERS:
        if path.suffix.lower() in loader.suffixes:
            return loader
    supported = ", ".join(s for ld in LOADERS for s in ld.suffixes)
    raise IngestError(
        f"{path.name}: unsupported file type '{path.suffix}' (supported: {supported})",
        f"{path.name}: filtypen '{path.suffix}' stöds inte (stöds: {supported})",
    )


def discover(paths: list[Path]) -> list[Path]:
    """Expand folders into the supported files they hold, sorted; files are kept as given."""
    found: list[Path] = []
    suffixes = {s for ld in LOADERS for s in ld.suffixes}
    for p in paths:
        if p.is_dir():
            found.extend(
                f for f in sorted(p.rglob("*"))
                if f.is_file() and f.suffix.lower() in suffixes and f.name != MANIFEST_NAME
            )
        elif p.exists():
            found.append(p)
        else:
            raise IngestError(f"{p}: no such file or folder", f"{p}: filen eller mappen finns inte")
    return found


def load_document(path: Path, manifest: Manifest | None = None) -> LoadedDocument:
    """Read ``path`` with its loader and the manifest entry beside it (if any)."""
    loader = loader_for(path)
    manifest = manifest if manifest is not None else read_manifest(path.parent)
    meta = manifest.documents.get(path.name) or DocumentMeta(doc_id=doc_id_for(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(
            f"{path.name}: cannot be read ({exc.strerror})",
            f"{path.name}: kan inte läsas ({exc.strerror})",
        ) from exc
    if not data.strip():
        raise IngestError(f"{path.name}: the file is empty", f"{path.name}: filen är tom")
    pages, has_pages = loader.pages(data, meta, path.name)
    digest = hashlib.sha256(data + repr(meta).encode()).hexdigest()
    return LoadedDocument(path, meta, pages, has_pages, loader.fmt, digest)
