"""Text processing, shared by the build and by answering: the corpus manifest, cleaning of
loaded pages, the chapter and section structure, chunking in tiktoken tokens with the
book's own cards (``book_cards``), sentence splitting and the lexical analysis (Swedish
stems) that BM25 and the answer composer share. Pure functions of text; no files written."""
