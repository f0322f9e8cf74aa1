"""An append-only record of every change to the guideline corpus: who, when, what.

A guideline every reviewer drafts from is shared state; adding one (or rolling one back) is written here as one
JSON line, appended with O_APPEND to a 0600 file under ASSISTANT_HOME, never rewritten."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from assistant.config import Settings


def corpus_audit_file(settings: Settings) -> Path:
    return settings.home / "corpus-audit.jsonl"


def record_corpus_change(settings: Settings, actor: str, action: str, guideline_id: str, **details: object) -> dict:
    """Append one record ("add", "rollback", "rejected" …) and return it."""
    record = {
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "actor": actor,
        "action": action,
        "guideline_id": guideline_id,
        **{k: v for k, v in details.items() if v is not None},
    }
    path = corpus_audit_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return record


def read_corpus_audit(settings: Settings) -> list[dict]:
    path = corpus_audit_file(settings)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
