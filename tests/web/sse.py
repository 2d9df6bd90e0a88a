"""Reading a server-sent event stream in tests."""

from __future__ import annotations

import json
from typing import Any

import httpx


def read_events(r: httpx.Response) -> list[tuple[str, dict[str, Any]]]:
    """Every (event name, JSON data) pair of a streamed response, in order."""
    events: list[tuple[str, dict[str, Any]]] = []
    event = ""
    for line in r.iter_lines():
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            events.append((event, json.loads(line[6:])))
    return events
