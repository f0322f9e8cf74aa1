"""Precedents: prior IMR determinations on similar disputed items, searchable by meaning.

records (what one prior item is) → importer (letters into the index) → index (Chroma plus a JSON sidecar; an
in-memory twin for evals) → governing (which guideline part prior reviewers cited) and note (one line for the
draft). Precedents say what reviewers *did*; they are never authority.
"""
