"""The course knowledge base: concept cards, ingested documents and hybrid retrieval."""
