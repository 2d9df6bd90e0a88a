"""Loaders turn a file into raw pages. One class per format, each in its own module for
the formats that need a parser library (``index.formats.pdf.loader``, ``index.formats.word``)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Protocol

from index.documents import DocumentMeta, LoadedDocument
from index.errors import IngestError
from index.formats.furniture import strip_running_lines
from index.formats.pdf.loader import PdfLoader
from index.formats.word import DocxLoader
from index.text.manifest import MANIFEST_NAME, Manifest, doc_id_for, read_manifest


class Loader(Protocol):
    """Reads one kind of file into raw pages."""

    fmt: str
    suffixes: tuple[str, ...]

    def load(
        self, data: bytes, meta: DocumentMeta, name: str
    ) -> tuple[list[str], bool, DocumentMeta]:
        """The raw page texts, whether the format really has pages, and ``meta`` completed
        from the file where it carries metadata (title, authors, page numbering)."""
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
    page begins with one space (``page_break = "leading-space"`` in the manifest), on that.
    Lines recurring at the top or bottom of the pages (running headers) are dropped."""

    fmt = "text"
    suffixes: tuple[str, ...] = (".txt",)

    def load(
        self, data: bytes, meta: DocumentMeta, name: str
    ) -> tuple[list[str], bool, DocumentMeta]:
        text = _decode(data, name)
        if meta.page_break == "leading-space":
            starts = [m.start() for m in re.finditer(r"(?m)^ (?=\S)", text)]
            if starts and starts[0] != 0:
                starts.insert(0, 0)
            bounds = [*starts, len(text)]
            pages = [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
            return strip_running_lines(pages), True, meta
        if "\f" in text:
            return strip_running_lines(text.split("\f")), True, meta
        return [text], False, meta


class MarkdownLoader:
    """Markdown: one page; ``#`` headings are recognised by the structure stage."""

    fmt = "markdown"
    suffixes: tuple[str, ...] = (".md", ".markdown")

    def load(
        self, data: bytes, meta: DocumentMeta, name: str
    ) -> tuple[list[str], bool, DocumentMeta]:
        return [_decode(data, name)], False, meta


LOADERS: tuple[Loader, ...] = (
    TextLoader(), MarkdownLoader(), PdfLoader(), DocxLoader()
)


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


def _ignored(path: Path, root: Path) -> bool:
    """Hidden files and folders, the manifest and editor backups are not documents."""
    parts = path.relative_to(root).parts
    return (
        any(part.startswith((".", "~$", "__")) for part in parts)
        or path.name == MANIFEST_NAME
        or path.name.endswith(("~", ".bak", ".tmp"))
    )


def discover(paths: list[Path]) -> list[Path]:
    """Expand folders into the files they hold, sorted; files are kept as given.

    Files of a type no loader reads are returned too, so that indexing reports them by
    name instead of passing over them in silence; hidden files and the manifest are not.
    """
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found.extend(
                f for f in sorted(p.rglob("*")) if f.is_file() and not _ignored(f, p)
            )
        elif p.exists():
            found.append(p)
        else:
            raise IngestError(f"{p}: no such file or folder", f"{p}: filen eller mappen finns inte")
    return found


def document_meta(path: Path, manifest: Manifest | None = None) -> DocumentMeta:
    """What the manifest beside ``path`` says about it (an id from the name if nothing)."""
    manifest = manifest if manifest is not None else read_manifest(path.parent)
    return manifest.documents.get(path.name) or DocumentMeta(doc_id=doc_id_for(path))


def load_document(path: Path, manifest: Manifest | None = None) -> LoadedDocument:
    """Read ``path`` with its loader and the manifest entry beside it (if any)."""
    loader = loader_for(path)
    meta = document_meta(path, manifest)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(
            f"{path.name}: cannot be read ({exc.strerror})",
            f"{path.name}: kan inte läsas ({exc.strerror})",
        ) from exc
    if not data.strip():
        raise IngestError(f"{path.name}: the file is empty", f"{path.name}: filen är tom")
    digest = hashlib.sha256(data + repr(meta).encode()).hexdigest()
    pages, has_pages, meta = loader.load(data, meta, path.name)
    return LoadedDocument(path, meta, pages, has_pages, loader.fmt, digest)
