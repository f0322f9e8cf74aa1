"""Drafting stage: case intake, evidence gathering, and writing the three-move rationale."""
