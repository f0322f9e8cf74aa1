"""Criteria stage: what a guideline requires for an item, as reviewable data whose quotes verify on their pages."""

from assistant.criteria.load import (
    CriteriaCheckReport,
    GuidelinePages,
    check_criteria_file,
    load_criteria_dir,
    load_criteria_file,
    parse_criteria_file,
    verify_criteria_set,
)
from assistant.criteria.model import CriteriaSet, CriteriaTopic, Criterion, ItemCategory, RecordFact, Requirement

__all__ = [
    "CriteriaCheckReport",
    "CriteriaSet",
    "CriteriaTopic",
    "Criterion",
    "GuidelinePages",
    "ItemCategory",
    "RecordFact",
    "Requirement",
    "check_criteria_file",
    "load_criteria_dir",
    "load_criteria_file",
    "parse_criteria_file",
    "verify_criteria_set",
]
