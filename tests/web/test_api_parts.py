"""The API's parts on their own: request schemas and the mapping of errors to one shape."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from assistant.errors import (
    BackendUnavailable,
    IndexMissing,
    IngestError,
    InvalidQuestion,
    UnsupportedLanguage,
)
from tillit_web.api_errors import ApiError, check_length, error_body, shed_error, status_for
from tillit_web.api_schemas import AskRequest, FeedbackRequest


def test_schemas_replace_lone_surrogates_and_require_the_question() -> None:
    req = AskRequest(question="Vad\ud800?", history=["a\udfff"])
    assert req.question == "Vad\ufffd?" and req.history == ["a\ufffd"] and req.lang is None
    with pytest.raises(ValidationError):
        AskRequest.model_validate({"history": []})
    vote = FeedbackRequest(question="q", answer="a", vote="up")
    assert vote.chunk_ids == [] and vote.comment == ""


@pytest.mark.parametrize("exc,status", [
    (InvalidQuestion("empty"), 422), (UnsupportedLanguage("fr"), 422),
    (IndexMissing("none"), 503), (BackendUnavailable("down"), 503), (IngestError("bad"), 400),
])
def test_core_errors_map_to_http_statuses(exc: Exception, status: int) -> None:
    assert status_for(exc) == status  # type: ignore[arg-type]


def test_one_error_shape_with_retry_after() -> None:
    body = error_body(503, "busy", "Overloaded", {"Retry-After": "5"})
    assert json.loads(bytes(body.body)) == {"error": "busy", "kind": "Overloaded", "status": 503}
    assert body.headers["Retry-After"] == "5" and body.headers["Cache-Control"] == "no-store"
    shed = shed_error("en", 2.2, "overloaded", "Overloaded", 503)
    assert shed.status == 503 and shed.headers["Retry-After"] == "3"
    check_length("short", 10, "comment", "en")
    with pytest.raises(ApiError) as info:
        check_length("x" * 11, 10, "comment", "sv")
    assert info.value.status == 422 and "comment" in info.value.message
