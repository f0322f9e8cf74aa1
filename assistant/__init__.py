"""rationale-assistant: draft IMR medical-necessity rationales whose guideline citations are verified
against the indexed guideline text.

Flow: corpus → index → retrieval → drafting → verification → conversation → UI/export.
"""

__version__ = "0.1.0"
