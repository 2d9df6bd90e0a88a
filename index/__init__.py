"""Ingestion: loading, cleaning, chunking, embedding and the vector store."""
