"""Where an index lives on disk, and the atomic pointer to the build that is served.

data_dir/index/current.json    names the served build (replaced atomically)
data_dir/index/builds/<id>/    one complete build: build.json, chunks.jsonl, vectors,
                               sentence data and (embedded mode) the Chroma store
data_dir/index/.lock           held while a build runs
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from index.errors import IndexCorrupt, TillitError

FORMAT_VERSION = 1


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to ``path`` so that readers see the old or the new file, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class IndexLayout:
    """Paths of the index inside one data directory."""

    def __init__(self, index_dir: Path) -> None:
        self.root = index_dir
        self.builds = index_dir / "builds"
        self.pointer = index_dir / "current.json"
        self.lock_path = index_dir / ".lock"

    def build_dir(self, build_id: str) -> Path:
        """The folder of one build."""
        return self.builds / build_id

    def current(self) -> dict[str, Any] | None:
        """The pointer to the served build, or None when nothing has been built."""
        if not self.pointer.exists():
            return None
        try:
            data = json.loads(self.pointer.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or "build_id" not in data:
                raise ValueError("no build_id")
            return data
        except (ValueError, OSError) as exc:
            raise IndexCorrupt(
                "The index pointer is unreadable; rebuild with `tillit index --rebuild`.",
                "Indexpekaren går inte att läsa; bygg om med `tillit index --rebuild`.",
            ) from exc

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the build lock; a second concurrent build gets a clear error."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "w") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise TillitError(
                    "Another index build is running in this data directory.",
                    "En annan indexbyggnad pågår redan i den här datakatalogen.",
                ) from exc
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
