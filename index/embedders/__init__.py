"""Embedding backends behind one narrow interface; one adapter file per backend."""
