"""Index stage: embeddings in Chroma plus a BM25 index over the same chunks, built atomically."""
