"""Clinical vocabulary: drug names, abbreviations, tolerant matching and item categories.

The bottom of the dependency graph: nothing here imports another `assistant` stage, so classification,
retrieval query expansion and fact extraction can all share one vocabulary.
"""
