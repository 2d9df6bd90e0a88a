"""What answering reads: where an index lives on disk and its atomic pointer (``layout``),
the Chroma vector store (``chroma``), BM25 (``lexical``), passage vectors in a serving
process (``vectors``) and the opened, checked build (``served.open_index``)."""
