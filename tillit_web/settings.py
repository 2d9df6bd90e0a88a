"""The web's settings are a section of the one settings object (``Settings.web``); the class
is defined in :mod:`assistant.web_settings` and re-exported here."""

from __future__ import annotations

from assistant.web_settings import WebSettings

__all__ = ["WebSettings"]
