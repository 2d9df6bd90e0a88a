"""Evaluation of retrieval and answers against a curated question set."""
