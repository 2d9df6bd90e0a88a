"""What kind of reply an answer is, and the fields the web layer adds to every answer.

Three kinds: ``answered`` (the anthology answers it), ``not_stated`` (the anthology discusses
the subject but does not give what is asked; the reply says so and cites the closest
passages) and ``off_topic`` (nothing in the anthology is about it; nothing is cited).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistant.types import OUTCOMES


def answerability(answer: Mapping[str, Any] | Any) -> str:
    """The kind of reply of an answer dict (``Answer.to_dict()``) or ``Answer``.

    Uses the core's ``answerability`` when given; older answers only say ``answered``, and a
    reply that does not answer was then always off topic.
    """
    if not isinstance(answer, Mapping):
        answer = answer.to_dict()
    given = answer.get("answerability")
    if given in OUTCOMES:
        return str(given)
    return "answered" if answer["answered"] else "off_topic"
