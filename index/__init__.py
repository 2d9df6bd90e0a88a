"""Ingestion and the served index, in four folders by role: ``formats`` (from a file to
pages and metadata), ``text`` (manifest, cleaning, structure, chunking, sentences, lexical
analysis), ``build`` (plan, compute, commit: an atomic, incremental build) and ``store``
(what answering reads: the layout on disk, Chroma, BM25, vectors, the opened build), with
the embedders in ``embedders``. The shared value types are in ``documents`` and the errors a
user can act on in ``errors``."""
