"""Tillit: cited question answering over 'Styra och leda med tillit' (SOU 2018:38)."""

from assistant.types import Answer, Citation

__all__ = ["Answer", "Citation"]
