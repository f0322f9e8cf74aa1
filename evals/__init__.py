"""Evals: retrieval, drafting, precedents, abstention. `python -m evals all` writes evals/reports/latest.md."""
