"""Retrieval stage: ranked guideline passages, each with a page-exact Citation."""

from assistant.retrieval.search import GuidelineSearch, GuidelineRetriever, SearchMode

__all__ = ["GuidelineSearch", "GuidelineRetriever", "SearchMode"]
