"""The plan stage of a build: which documents it holds and what must be done for each.

The first of the three stages of ``index.build.run`` (plan, then ``index.build.compute``, then
``index.build.commit``); it reads files and the served build, and writes nothing.

``tillit index PATH…`` adds or updates the files found under the given paths and keeps
every other document of the served build. With ``prune``, documents that are not found
among the given paths are removed. A file that cannot be read is reported by name and,
if it was indexed before, keeps its previous chunks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from index.build.files import BuildFiles, read_build
from index.documents import LoadedDocument
from index.errors import IngestError, TillitError
from index.formats.registry import discover, document_meta, load_document
from index.store.layout import FORMAT_VERSION, IndexLayout
from index.text.chunking import CHUNKING_VERSION
from index.text.tokens import ENCODING


@dataclass
class Plan:
    """The documents of the next build and where their chunks come from."""

    loaded: dict[str, LoadedDocument] = field(default_factory=dict)
    carried: list[str] = field(default_factory=list)  # ids whose previous chunks are kept
    pruned: list[str] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)

    def hashes(self, prev_docs: dict[str, Any]) -> dict[str, str]:
        """Content hash of every document of the build, keyed by document id."""
        out = {doc_id: d.content_hash for doc_id, d in self.loaded.items()}
        out.update((doc_id, str(prev_docs[doc_id]["hash"])) for doc_id in self.carried)
        return out


def _doc_id(path: Path) -> str | None:
    try:
        return document_meta(path).doc_id
    except IngestError:
        return None


def plan_documents(
    sources: list[Path], prev_docs: dict[str, Any], *, reusable: bool, prune: bool
) -> Plan:
    """Load the files under ``sources`` and decide what happens to the previous documents.

    ``reusable`` says whether the previous build's chunks may be carried over as they are
    (same embedder and chunking); if not, kept documents are read again from the file
    they were indexed from, and dropped with a reason when that file is gone.
    """
    plan = Plan()
    seen: set[str] = set()
    failed: set[str] = set()
    for path in discover(sources):
        doc_id = _doc_id(path)
        if doc_id is not None:
            seen.add(doc_id)
        try:
            doc = load_document(path)
        except IngestError as exc:
            plan.errors.append(exc)
            if doc_id is not None:
                failed.add(doc_id)
            continue
        doc_id = doc.meta.doc_id
        if doc_id in plan.loaded:
            other = plan.loaded[doc_id].path.name
            plan.errors.append(IngestError(
                f"{path.name}: skipped, document id '{doc_id}' is already taken by {other} "
                "(give one of them another id in manifest.toml)",
                f"{path.name}: hoppades över, dokument-id '{doc_id}' används redan av {other} "
                "(ge en av dem ett annat id i manifest.toml)",
            ))
            continue
        plan.loaded[doc_id] = doc
    for doc_id, info in prev_docs.items():
        if doc_id in plan.loaded:
            continue
        if prune and doc_id not in seen:
            plan.pruned.append(doc_id)
        elif reusable:
            plan.carried.append(doc_id)
        elif doc_id not in failed:
            _reload(plan, doc_id, info)
    return plan


def _reload(plan: Plan, doc_id: str, info: dict[str, Any]) -> None:
    """Read a kept document again from its file (the previous chunks cannot be reused)."""
    recorded = info.get("path")
    name = str(info.get("file", doc_id))
    if recorded and Path(recorded).is_file():
        try:
            doc = load_document(Path(recorded))
        except IngestError as exc:
            plan.errors.append(exc)
            return
        if doc.meta.doc_id == doc_id:
            plan.loaded[doc_id] = doc
            return
    plan.errors.append(IngestError(
        f"{name}: dropped from the index: it has to be read again (the embedder or chunking "
        "changed) but its file is no longer there",
        f"{name}: togs bort ur indexet: den måste läsas in igen (inbäddaren eller "
        "styckningen har ändrats) men filen finns inte längre",
    ))


# --- the plan stage of a build ---------------------------------------------------------

ChunkVectors = Literal["direct", "pooled"]
CHUNK_VECTOR_MODES: tuple[str, ...] = ("direct", "pooled")


@dataclass(frozen=True)
class BuildSpec:
    """How the next build is made: embedder, chunking, passage vectors, and the options."""

    embedder_id: str
    chunk_size: int
    chunk_overlap: int
    chunk_vectors: str = "direct"
    with_sentences: bool = True
    rebuild: bool = False
    prune: bool = False

    def __post_init__(self) -> None:
        if self.chunk_vectors not in CHUNK_VECTOR_MODES:
            raise ValueError(f"chunk_vectors must be one of {CHUNK_VECTOR_MODES}")

    @property
    def mode(self) -> ChunkVectors:
        """How passage vectors are made: pooled from sentences only when there are any."""
        return "pooled" if self.chunk_vectors == "pooled" and self.with_sentences else "direct"


@dataclass(frozen=True)
class Previous:
    """The served pointer and the build it names (either may be absent)."""

    pointer: dict[str, Any] | None = None
    files: BuildFiles | None = None

    @property
    def documents(self) -> dict[str, Any]:
        return self.files.info["documents"] if self.files is not None else {}


def read_previous(layout: IndexLayout, rebuild: bool) -> Previous:
    """The served build; with ``rebuild`` a damaged index is no obstacle."""
    try:
        pointer = layout.current()
    except TillitError:
        if not rebuild:
            raise
        return Previous()
    if pointer is None:
        return Previous()
    try:
        return Previous(pointer, read_build(layout.build_dir(pointer["build_id"])))
    except TillitError:
        return Previous(pointer, None)


def build_key(spec: BuildSpec, docs: dict[str, str]) -> str:
    """What a build is made from; two builds with the same key hold the same index."""
    parts: list[Any] = [FORMAT_VERSION, CHUNKING_VERSION, spec.embedder_id, ENCODING,
                        spec.chunk_size, spec.chunk_overlap, sorted(docs.items())]
    if spec.mode != "direct":
        parts.append(spec.mode)
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


@dataclass(frozen=True)
class BuildPlan:
    """What the next build holds, how each document changed, and what must be done.

    ``added``/``changed``/``unchanged``/``removed`` compare content hashes with the
    previous build. ``rechunk`` are the documents to be cleaned and chunked from their
    text; every other document of the build keeps its previous chunks. Vectors are looked
    up by text in the previous build when ``reuse_vectors`` (passage vectors only when
    ``reuse_passage_vectors`` too: they were made the same way).
    """

    spec: BuildSpec
    previous: Previous
    documents: Plan
    hashes: dict[str, str]
    key: str
    added: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    rechunk: tuple[str, ...]
    reuse_vectors: bool
    reuse_passage_vectors: bool

    @property
    def up_to_date(self) -> bool:
        """The served build already is this build: nothing to do."""
        prev = self.previous
        return (not self.spec.rebuild and prev.pointer is not None and prev.files is not None
                and prev.pointer.get("key") == self.key)


def plan_build(sources: list[Path], spec: BuildSpec, previous: Previous) -> BuildPlan:
    """Decide the next build from the files under ``sources`` and the ``previous`` one.

    Reads the files (nothing is written). Raises ``IngestError`` when the build would
    hold no document at all.
    """
    files = previous.files
    info = files.info if files is not None else {}
    same_embedder = files is not None and info.get("embedder_id") == spec.embedder_id
    reusable = (not spec.rebuild and same_embedder and info.get("chunk_size") == spec.chunk_size
                and info.get("chunk_overlap") == spec.chunk_overlap
                and info.get("chunking_version") == CHUNKING_VERSION)
    prev_docs = previous.documents
    docs = plan_documents(sources, prev_docs, reusable=reusable, prune=spec.prune)
    hashes = docs.hashes(prev_docs)
    if not hashes:
        raise IngestError(
            "Nothing to index: no readable documents (.txt, .md, .pdf, .docx) in the "
            "given paths.",
            "Inget att indexera: inga läsbara dokument (.txt, .md, .pdf, .docx) i de "
            "angivna sökvägarna.",
        )
    old = {doc_id: str(d["hash"]) for doc_id, d in prev_docs.items()}
    with_chunks = {c.doc_id for c in files.chunks} if reusable and files is not None else set()
    rechunk = tuple(
        doc_id for doc_id, doc in docs.loaded.items()
        if not (doc_id in with_chunks and old.get(doc_id) == doc.content_hash)
    )
    return BuildPlan(
        spec=spec, previous=previous, documents=docs, hashes=hashes,
        key=build_key(spec, hashes),
        added=tuple(d for d in hashes if d not in old),
        changed=tuple(d for d, h in hashes.items() if d in old and old[d] != h),
        unchanged=tuple(d for d, h in hashes.items() if old.get(d) == h),
        removed=tuple(d for d in old if d not in hashes),
        rechunk=rechunk,
        reuse_vectors=same_embedder and not spec.rebuild,
        reuse_passage_vectors=(files is not None
                               and info.get("chunk_vectors", "direct") == spec.mode),
    )
