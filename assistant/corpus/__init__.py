"""Corpus stage: the catalog of guidelines, fetching them, and turning PDFs into page-exact text."""
