"""Which documents a build holds: the given files, plus those already indexed.

``tillit index PATH…`` adds or updates the files found under the given paths and keeps
every other document of the served build. With ``prune``, documents that are not found
among the given paths are removed. A file that cannot be read is reported by name and,
if it was indexed before, keeps its previous chunks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.documents import LoadedDocument
from index.errors import IngestError
from index.loaders import discover, document_meta, load_document


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
