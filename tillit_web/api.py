"""The HTTP API's routes: ask (JSON and server-sent events), health and feedback.

The request bodies are in :mod:`tillit_web.api_schemas`; every error reaches the client in
the one shape of :mod:`tillit_web.api_errors`, with the message in the request's language
(``lang`` in the body, else Accept-Language, else guessed from the question).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from assistant.core import Assistant
from assistant.errors import InvalidQuestion, TillitError
from assistant.events import Event, Final
from assistant.types import Answer
from index.store.served import ServedIndex
from tillit_web.api_errors import (
    ApiError,
    SafeRoute,
    check_length,
    error_body,
    install_error_handlers,
    shed_error,
    status_for,
)
from tillit_web.api_schemas import AskRequest, FeedbackRequest
from tillit_web.feedback import parse_vote
from tillit_web.i18n import api_message, request_lang
from tillit_web.limits import Overloaded
from tillit_web.references import enrich
from tillit_web.state import WebState

__all__ = ["ApiError", "AskRequest", "FeedbackRequest", "error_body", "install_error_handlers",
           "make_router", "status_for"]

log = logging.getLogger("tillit.web")


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def client_key(request: Request, auth_header: str = "") -> str:
    """Whom a request counts against for rate limiting: the proxy-authenticated user if
    ``auth_header`` names one, else the client address (uvicorn resolves X-Forwarded-For
    from trusted proxies)."""
    if auth_header:
        user = request.headers.get(auth_header, "").strip()
        if user:
            return f"user:{user}"
    return f"addr:{request.client.host if request.client else '-'}"


def log_ask(state: WebState, path: str, question: str, answer: Answer, seconds: float) -> None:
    """One log line per answer; the question's text only if TILLIT_LOG_QUESTIONS is on."""
    text = f" question={question!r}" if state.web.log_questions else ""
    log.info("%s lang=%s chars=%d answered=%s citations=%d ms=%.0f%s", path, answer.language,
             len(question), answer.answered, len(answer.citations), seconds * 1e3, text)


def make_router(state: WebState) -> APIRouter:
    """The ``/api`` routes bound to one app's state."""
    router = APIRouter(prefix="/api", tags=["api"], route_class=SafeRoute)
    shed_responses: dict[int | str, dict[str, Any]] = {
        429: {"description": "Rate limit exceeded (per client); see Retry-After."},
        503: {"description": "No usable index, or too busy (then with Retry-After)."},
    }

    def check_rate(request: Request, lang: str) -> None:
        wait = state.limiter.check(client_key(request, state.web.auth_header))
        if wait:
            raise shed_error(lang, wait, "rate_limited", "RateLimited", 429)

    def overloaded(lang: str) -> ApiError:
        return shed_error(lang, state.web.retry_after_s, "overloaded", "Overloaded", 503)

    async def prepare(req: AskRequest, request: Request) -> Assistant:
        lang = request_lang(req.lang, request.headers, req.question)
        request.state.lang = lang
        check_rate(request, lang)
        state.follow_current_build()
        if state.assistant is None and not await run_in_threadpool(state.retry):
            if state.error is not None:
                raise state.error
            raise ApiError(503, api_message(lang, "unavailable"), "Unavailable")
        assert state.assistant is not None
        limit = state.settings.max_history_turns
        if len(req.history) > limit:
            raise ApiError(422, api_message(lang, "history_too_long", n=len(req.history),
                                            limit=limit), "InvalidQuestion")
        return state.assistant

    def finish(question: str, answer: Answer, source: str,
               index: ServedIndex | None) -> dict[str, Any]:
        """The answer's JSON with references and links (looked up in ``index``, the build
        that answered), counted for the insights."""
        out = enrich(answer.to_dict(), index, state.web.source_url)
        state.record_answer(question, out, source)
        return out

    @router.post("/ask", summary="Answer a question with citations", responses=shed_responses)
    async def ask(req: AskRequest, request: Request) -> dict[str, Any]:
        """The same JSON object as ``tillit ask --json``, plus ``answerability``
        (``answered``, ``not_stated``, ``off_topic``) and per citation ``reference`` (to
        copy), ``reference_md``, ``read_url`` (the reader view) and ``source_url`` (the page
        in the operator's copy, with ``TILLIT_SOURCE_URL``)."""
        assistant = await prepare(req, request)
        t0 = time.perf_counter()
        try:
            async with state.gate.slot():
                answer = await run_in_threadpool(assistant.answer, req.question, req.history,
                                                 req.lang)
        except Overloaded:
            raise overloaded(request.state.lang) from None
        log_ask(state, "/api/ask", req.question, answer, time.perf_counter() - t0)
        return finish(req.question, answer, "api", assistant.index)

    @router.post(
        "/ask/stream", summary="Answer a question, streamed as server-sent events",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}},
                         "description": "`delta` events ({text}) then one `answer` event "
                         "(the /api/ask object, whose `answer` replaces the deltas) and "
                         "`done`; `error` ({error, kind, status}) then `done` if the answer "
                         "fails midway."}, **shed_responses},
    )
    async def ask_stream(req: AskRequest, request: Request) -> StreamingResponse:
        """Stream the answer text in pieces, then the complete answer object.

        With a language model the pieces are its raw tokens: the final `answer` event holds
        the checked text (markers repaired, unsupported sentences marked, or the quoted
        fallback), which clients show instead of what was streamed.
        """
        assistant = await prepare(req, request)
        lang = request.state.lang
        pieces: Iterator[Event] = assistant.stream(req.question, req.history, req.lang)
        t0 = time.perf_counter()
        # The slot is held until the stream ends: a model generates while it streams.
        slot = AsyncExitStack()
        try:
            await slot.enter_async_context(state.gate.slot())
        except Overloaded:
            raise overloaded(lang) from None
        try:
            # Input errors surface here, before the stream starts: plain HTTP errors.
            first = await run_in_threadpool(next, pieces)
        except BaseException:
            await slot.aclose()
            raise

        async def events() -> AsyncIterator[bytes]:
            try:
                item: Event | None = first
                while item is not None:
                    if isinstance(item, Final):
                        log_ask(state, "/api/ask/stream", req.question, item.answer,
                                time.perf_counter() - t0)
                        out = await run_in_threadpool(finish, req.question, item.answer, "api",
                                                      assistant.index)
                        yield _sse("answer", out)
                        break
                    yield _sse("delta", {"text": item.text})
                    item = await run_in_threadpool(next, pieces, None)
            except Exception as exc:  # after the 200: report it in the stream
                if isinstance(exc, TillitError):
                    status, message, kind = (status_for(exc), exc.message(lang),
                                             type(exc).__name__)
                else:
                    log.exception("internal error on /api/ask/stream")
                    status, message, kind = 500, api_message(lang, "internal"), "InternalError"
                yield _sse("error", {"error": message, "kind": kind, "status": status})
            finally:
                await slot.aclose()
            yield _sse("done", {})

        return StreamingResponse(
            events(), media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            background=BackgroundTask(slot.aclose),  # idempotent; in case the stream broke
        )

    @router.get("/health", summary="Is the index loaded?")
    async def health(request: Request) -> JSONResponse:
        """200 with index facts when questions can be answered, else 503. `llm` names the
        language model that writes the answers (`model`, null for quoted answers) and why a
        configured one could not be loaded (`problem`)."""
        if state.assistant is None:
            lang = request_lang(None, request.headers)
            msg = state.error.message(lang) if state.error else api_message(lang, "unavailable")
            return JSONResponse({"status": "unavailable", "index_loaded": False, "error": msg},
                                status_code=503)
        info = state.info
        llm = info.get("llm") or {}
        return JSONResponse({
            "status": "ok", "index_loaded": True, "chunks": info.get("chunks"),
            "embedder_id": info.get("embedder_id"), "build_id": info.get("build_id"),
            "index_created_at": info.get("created_at"),
            "documents": len(info.get("documents", {})),
            "llm": {"model": llm.get("model"), "problem": llm.get("problem")},
        })

    @router.post("/feedback", status_code=201, summary="Store a vote on an answer",
                 responses={429: shed_responses[429]})
    async def feedback(req: FeedbackRequest, request: Request) -> dict[str, Any]:
        """Store a thumbs up/down with the question, answer and cited chunk ids."""
        lang = request_lang(req.lang, request.headers, req.question)
        request.state.lang = lang
        check_rate(request, lang)
        web = state.web
        check_length(req.question, state.settings.max_question_chars, "question", lang)
        check_length(req.answer, web.feedback_max_answer_chars, "answer", lang)
        check_length(req.comment, web.feedback_max_comment_chars, "comment", lang)
        if len(req.chunk_ids) > 50:
            raise ApiError(422, api_message(lang, "field_too_long", field="chunk_ids",
                                            n=len(req.chunk_ids), limit=50), "InvalidRequest")
        for cid in req.chunk_ids:
            check_length(cid, 200, "chunk_ids", lang)
        if not req.question.strip():
            raise InvalidQuestion("The question is empty.", "Frågan är tom.")
        try:
            vote = parse_vote(req.vote)
        except ValueError:
            raise ApiError(422, api_message(lang, "invalid", detail="vote: up/down"),
                           "InvalidRequest") from None
        fid = await run_in_threadpool(
            state.feedback.add, req.question, req.answer, req.chunk_ids, vote,
            req.comment.strip(), req.lang if req.lang in ("sv", "en") else "", "api",
        )
        await run_in_threadpool(state.record_vote, req.question, vote,
                                req.lang if req.lang in ("sv", "en") else "", "api")
        return {"id": fid, "vote": "up" if vote > 0 else "down"}

    return router
