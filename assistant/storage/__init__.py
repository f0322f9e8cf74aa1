"""Drafts that never get lost: cases, item drafts (every revision kept), chat history and an audit log,
in SQLite by default (`storage.sqlite`) or PostgreSQL for a team (`storage.postgres`), one base (`storage.base`)."""

from __future__ import annotations

from assistant.config import Settings
from assistant.storage.base import (
    AUDIT_ACTIONS,
    AuditEntry,
    BaseDraftStore,
    CaseNotFound,
    CaseSummary,
    ChatMessage,
    ItemDraft,
    StaleDraftError,
    ai_text_retention,
)
from assistant.storage.postgres import PG_BACKUP_FILENAME, PostgresDraftStore
from assistant.storage.sqlite import BACKUP_FILENAME, DraftStore

__all__ = [
    "AUDIT_ACTIONS", "AuditEntry", "BACKUP_FILENAME", "BaseDraftStore", "CaseNotFound", "CaseSummary", "ChatMessage",
    "DraftStore", "ItemDraft", "PG_BACKUP_FILENAME", "PostgresDraftStore", "StaleDraftError", "ai_text_retention", "open_draft_store",
]


def open_draft_store(settings: Settings) -> BaseDraftStore:
    """PostgreSQL when `settings.database_url` is set (a team); SQLite under `settings.home` otherwise (default)."""
    if settings.database_url:
        return PostgresDraftStore(settings.database_url)
    return DraftStore(settings.drafts_db)
