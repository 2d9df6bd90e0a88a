"""Verified citations: read the ``[n]`` markers of a generated answer, check every sentence
against the retrieved passages, and repair markers that point nowhere or to the wrong one.

A sentence is supported by a passage when its embedding is close to one of the passage's
sentences (which also works across languages: English answers, Swedish passages) and it
shares the passage's content words; a number in the sentence (a year, a count) must appear
in the passage.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

import numpy as np

from assistant.errors import TillitError
from assistant.language import detect_language
from assistant.retrieval import Retrieval
from assistant.tuning import SupportWeights
from index.embedders.base import Embedder
from index.store.served import ServedIndex
from index.text.analysis import analyze, words
from index.text.sentences import MIN_SENTENCE_CHARS, split_sentences

# '[1]', '[1, 2]', '[1][2]', '[1–3]', '[Källa 2]', '[Källa: 2]', '[passage 3]', '【1】', and
# in parentheses only with a keyword: '(källa 2)', '(Utdrag 1)'.
_KEYWORD = r"(?:källa|källor|utdrag|passage|passages|source|sources|ref)\.?\s*:?\s*"
_NUMBERS = r"(\d{1,2}(?:\s*(?:,|;|och|and|&|-|–)\s*\d{1,2})*)"
MARKER = re.compile(
    rf"\s*(?:[\[【]\s*(?:{_KEYWORD})?{_NUMBERS}\s*[\]】]|\(\s*{_KEYWORD}{_NUMBERS}\s*\))",
    re.IGNORECASE,
)
# A marker (or a marker and a full stop) followed by a capital may end a generated sentence.
_AFTER_MARKER = re.compile(
    r"(?:(?<=[\]】])|(?<=[\]】][.!?]))\s+(?=[\"”“(]?[A-ZÅÄÖÉÜ])"
)
_LABEL = re.compile(r"^\s*(?:\*\*)?(?:svar|answer)\s*:\s*(?:\*\*)?\s*", re.IGNORECASE)
_LEADING = re.compile(r"^(?:\s*[\[【][^\]】]{0,20}[\]】])+\s*")
# A passage heading echoed by the model ('Utdrag 2 (kap. 1, s. 5):') cites that passage.
_HEADER = re.compile(
    r"^[ \t]*(?:utdrag|passage|källa|source)[ \t]+(\d{1,2})\b[^:\n]{0,80}:[ \t]*\n?",
    re.IGNORECASE | re.MULTILINE,
)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_NUMBER = re.compile(r"\b\d+\b")
_NUMBER_WORDS = {
    w: str(i)
    for i, names in enumerate(
        ["", "", "två two", "tre three", "fyra four", "fem five", "sex six", "sju seven",
         "åtta eight", "nio nine", "tio ten", "elva eleven", "tolv twelve"]
    )
    for w in names.split()
}
# Calibrated on the chapter (python -m eval.calibrate_support; docs/generative.md). The
# passages are Swedish: a Swedish sentence shares their words, so it must score higher than
# an English one, whose support rests on the cross-lingual embedding alone.


def numbers_in(text: str) -> set[str]:
    """The numbers in ``text``, digits or words ('sju', 'seven' → '7')."""
    found = set(_NUMBER.findall(text))
    found.update(_NUMBER_WORDS[w] for w in words(text) if w in _NUMBER_WORDS)
    return found


@dataclass(frozen=True)
class Draft:
    """A sentence of the model's answer with the markers it wrote (1-based passage numbers)."""

    text: str
    written: tuple[int, ...]


@dataclass(frozen=True)
class Support:
    """How well one passage supports one sentence, and the passage sentence that does."""

    score: float
    passage: int
    quote: str


@dataclass(frozen=True)
class Checked:
    """A sentence after checking: the passages (1-based) it now cites and its support."""

    text: str
    cited: tuple[int, ...]
    supported: bool
    support: float
    quotes: dict[int, str] = field(default_factory=dict)


def _numbers(group: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*(?:,|;|och|and|&)\s*", group, flags=re.IGNORECASE):
        ends = re.split(r"\s*[-–]\s*", part)
        if len(ends) == 2 and ends[0].isdigit() and ends[1].isdigit():
            lo, hi = int(ends[0]), int(ends[1])
            out.extend(range(lo, hi + 1) if 0 < hi - lo < 10 else (lo, hi))
        elif part.strip().isdigit():
            out.append(int(part))
    return out


def markers_in(text: str) -> list[int]:
    """The passage numbers named by the markers in ``text``, in order."""
    return [n for m in MARKER.finditer(text) for n in _numbers(m.group(1) or m.group(2))]


def strip_markers(text: str) -> str:
    """``text`` without its markers, with the spaces they leave tidied."""
    text = MARKER.sub("", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s+", " ", text)).strip()
    # 'medarbetare. [1].' leaves two full stops (an ellipsis '...' stays).
    return re.sub(r"(?<![.])([.!?])\.(?![.])", r"\1", text)


def split_answer(text: str) -> list[Draft]:
    """The sentences of a generated answer; a marker after a full stop goes with the
    sentence before it ('... tillit. [2] Det ...'), one opening a line with that line."""
    drafts: list[Draft] = []
    text = _HEADER.sub(lambda m: f"[{m.group(1)}] ", text.replace("**", ""))
    for line in re.split(r"\n+", text):
        line = _LABEL.sub("", _BULLET.sub("", line)).strip()
        if not line:
            continue
        first = len(drafts)
        opening = _LEADING.match(line)
        lead = markers_in(opening.group(0)) if opening else []
        if lead and opening:
            line = line[opening.end() :]
        for segment in _segments(line):
            _split_segment(segment, drafts)
        if lead and len(drafts) > first:
            d = drafts[first]
            drafts[first] = Draft(d.text, tuple(lead) + d.written)
        elif lead and drafts:  # a line holding only markers ends the sentence before it
            d = drafts[-1]
            drafts[-1] = Draft(d.text, d.written + tuple(lead))
    return drafts


def _segments(line: str) -> list[str]:
    """``line`` cut after markers that end a sentence; not after one inside a clause
    ('According to [1] Hood and Dixon ...'), whose text before it is too short."""
    out: list[str] = []
    start = 0
    for m in _AFTER_MARKER.finditer(line):
        ended = line[m.start() - 1] in ".!?"
        if ended or len(strip_markers(line[start : m.start()])) >= MIN_SENTENCE_CHARS:
            out.append(line[start : m.start()].strip())
            start = m.end()
    out.append(line[start:].strip())
    return [x for x in out if x]


def _split_segment(line: str, drafts: list[Draft]) -> None:
    if line:
        for i, (start, end) in enumerate(split_sentences(line) or [(0, len(line))]):
            piece = line[start:end]
            lead = _LEADING.match(piece)
            if i > 0 and lead and drafts and markers_in(lead.group(0)):
                prev = drafts[-1]
                drafts[-1] = Draft(prev.text, prev.written + tuple(markers_in(lead.group(0))))
                piece = piece[lead.end() :]
            clean = strip_markers(piece)
            if clean:
                drafts.append(Draft(clean, tuple(markers_in(piece))))
            elif drafts and markers_in(piece):
                prev = drafts[-1]
                drafts[-1] = Draft(prev.text, prev.written + tuple(markers_in(piece)))


def tidy(drafts: list[Draft], raw: str) -> tuple[list[Draft], dict[str, int]]:
    """Drop repeated sentences, and a last sentence cut off by the token limit."""
    out: list[Draft] = []
    seen: set[str] = set()
    counts = {"repeated": 0, "cut_off": 0}
    for d in drafts:
        key = re.sub(r"\W+", " ", d.text.lower()).strip()
        if key in seen:
            counts["repeated"] += 1
            continue
        seen.add(key)
        out.append(d)
    if len(out) > 1 and not re.search(r"[.!?:”\"')\]】]\s*$", raw.strip()):
        out.pop()
        counts["cut_off"] += 1
    return out, counts


class Verifier:
    """Checks answer sentences against retrieved passages with the index's own embedder."""

    def __init__(self, embedder: Embedder, index: ServedIndex, weights: SupportWeights) -> None:
        self.embedder = embedder
        self.index = index
        self.weights = weights
        self.thresholds = weights.thresholds

    def supports(self, sentences: list[str], retrieval: Retrieval) -> list[list[Support]]:
        """For every sentence, its support by every retrieved passage (passage order)."""
        if not sentences or not retrieval.hits:
            return [[] for _ in sentences]
        vecs = np.asarray(self.embedder.embed_passages(sentences), dtype=np.float32)
        out: list[list[Support]] = [[] for _ in sentences]
        for p, hit in enumerate(retrieval.hits, start=1):
            spans = self.index.sentences_of(hit.chunk.chunk_id)
            text = hit.chunk.text
            stems = set(analyze(text))
            numbers = numbers_in(text)
            if spans:
                mat = np.stack([v for _, _, v in spans]).astype(np.float32)
                sims = vecs @ mat.T
            else:
                sims = np.zeros((len(sentences), 1), dtype=np.float32)
            for i, sentence in enumerate(sentences):
                j = int(np.argmax(sims[i]))
                terms = set(analyze(sentence))
                overlap = len(terms & stems) / len(terms) if terms else 0.0
                score = float(sims[i, j]) + self.weights.word_share * overlap
                if numbers_in(sentence) - numbers:
                    score -= self.weights.number_penalty
                quote = text[spans[j][0] : spans[j][1]].strip() if spans else text[:300]
                out[i].append(Support(score, p, quote))
        return out

    def threshold(self, sentence: str, lang: str) -> float:
        """The support a sentence needs: by the sentence's own language (an English answer
        may still copy Swedish sentences), ``lang`` when that cannot be told."""
        with contextlib.suppress(TillitError):
            lang = detect_language(sentence)
        return self.thresholds.get(lang, max(self.thresholds.values()))

    def check(
        self, drafts: list[Draft], retrieval: Retrieval, lang: str = "sv"
    ) -> tuple[list[Checked], dict[str, int]]:
        """Check and repair every sentence of an answer in ``lang``; return them with counts
        of what was done."""
        n_passages = len(retrieval.hits)
        checks = {"sentences": len(drafts), "unsupported": 0, "markers_written": 0,
                  "markers_out_of_range": 0, "markers_supported": 0, "markers_repointed": 0,
                  "markers_added": 0, "markers_dropped": 0}
        supports = self.supports([d.text for d in drafts], retrieval)
        out: list[Checked] = []
        for draft, sup in zip(drafts, supports, strict=True):
            written = tuple(dict.fromkeys(draft.written))
            checks["markers_written"] += len(written)
            valid = tuple(n for n in written if 1 <= n <= n_passages)
            checks["markers_out_of_range"] += len(written) - len(valid)
            if not analyze(draft.text):
                out.append(Checked(draft.text, (), True, 1.0))
                continue
            by_n = {s.passage: s for s in sup}
            threshold = self.threshold(draft.text, lang)
            good = tuple(n for n in valid if by_n[n].score >= threshold)
            checks["markers_supported"] += len(good)
            best = max(sup, key=lambda s: s.score) if sup else None
            if good:
                checks["markers_dropped"] += len(valid) - len(good)
                cited = good
            elif best is not None and best.score >= threshold:
                checks["markers_repointed" if valid else "markers_added"] += 1
                checks["markers_dropped"] += len(valid)
                cited = (best.passage,)
            else:
                checks["unsupported"] += 1
                score = best.score if best else 0.0
                # No marker: a number next to it would point to a passage that does not say it.
                checks["markers_dropped"] += len(valid)
                out.append(Checked(draft.text, (), False, score))
                continue
            out.append(Checked(draft.text, cited, True, max(by_n[n].score for n in cited),
                               {n: by_n[n].quote for n in cited}))
        return out, checks
