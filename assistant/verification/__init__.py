"""Mechanical checks that a draft's citations say what it claims: recognise, resolve and verify references."""
