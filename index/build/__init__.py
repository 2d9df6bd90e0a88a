"""The index build (``run.build_index``), in three stages under the build lock: ``plan``
(which documents are added, changed, unchanged or removed), ``compute`` (chunk, embed
through ``embedding``, BM25 statistics; in memory) and ``commit`` (write a staging folder
with ``files``, swap it in atomically, prune). The served index is never half-written."""
