"""`assistant backup DIR` / `assistant restore DIR`: drafts, chat and the audit log go out and come back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_storage import make_case, make_rationale

from assistant.cli import main
from assistant.storage import BACKUP_FILENAME, DraftStore

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def populate(home: Path) -> None:
    store = DraftStore(home / "drafts.sqlite3")
    store.save_case("alice", make_case())
    store.save_item("alice", "CM16-0001", 0, make_rationale("The request is not medically necessary."), action="generated")
    store.save_item("alice", "CM16-0001", 0, make_rationale("Reviewer's own words."), action="edited")
    store.append_chat("alice", "CM16-0001", "user", "what about naloxone?")
    store.audit("alice", "CM16-0001", "exported", detail={"formats": ["docx"]})
    store.save_case("bob", make_case("CM-BOB"))
    store.close()


def snapshot(home: Path) -> dict:
    store = DraftStore(home / "drafts.sqlite3")
    try:
        return {
            reviewer: {
                c.case_id: {
                    "case": store.load_case(reviewer, c.case_id),
                    "history": [(d.revision, d.rationale.rationale) for d in store.item_history(reviewer, c.case_id, 0)],
                    "chat": [(m.role, m.content) for m in store.chat_history(reviewer, c.case_id)],
                    "audit": [(e.who, e.action, e.detail) for e in store.audit_entries(reviewer, c.case_id)],
                }
                for c in store.list_cases(reviewer)
            }
            for reviewer in ("alice", "bob")
        }
    finally:
        store.close()


def test_backup_then_restore_brings_back_drafts_chat_and_audit(tmp_path, capsys):
    home, backup_dir = tmp_path / "home", tmp_path / "backups" / "monday"
    populate(home)
    before = snapshot(home)
    assert before["alice"]["CM16-0001"]["audit"] and before["alice"]["CM16-0001"]["chat"]

    assert main(["--home", str(home), "backup", str(backup_dir)]) == 0
    out = capsys.readouterr().out
    assert (backup_dir / BACKUP_FILENAME).is_file()
    assert "2 cases, 2 draft revisions, 1 chat messages, 3 audit entries" in out

    # Work continues after the backup; then the reviewer restores.
    store = DraftStore(home / "drafts.sqlite3")
    store.save_item("alice", "CM16-0001", 0, make_rationale("written after the backup"))
    store.audit("alice", "CM16-0001", "checked")
    store.save_case("alice", make_case("CM-LATER"))
    store.close()
    assert snapshot(home) != before

    assert main(["--home", str(home), "restore", str(backup_dir), "--yes"]) == 0
    assert snapshot(home) == before


def test_restore_refuses_a_bad_backup_and_keeps_the_drafts(tmp_path, capsys):
    home = tmp_path / "home"
    populate(home)
    before = snapshot(home)
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / BACKUP_FILENAME).write_bytes(b"definitely not sqlite" * 50)
    assert main(["--home", str(home), "restore", str(junk), "--yes"]) == 2
    assert "error:" in capsys.readouterr().err
    assert main(["--home", str(home), "restore", str(tmp_path / "nowhere"), "--yes"]) == 2
    assert snapshot(home) == before


def test_console_script_round_trip(tmp_path):
    """The installed `assistant` entry point (a fresh process, as a cron job would run it)."""
    home, backup_dir = tmp_path / "home", tmp_path / "backup"
    populate(home)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    run = [sys.executable, "-m", "assistant", "--home", str(home)]
    done = subprocess.run(run + ["backup", str(backup_dir)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    (home / "drafts.sqlite3").unlink()
    for suffix in ("-wal", "-shm"):
        Path(str(home / "drafts.sqlite3") + suffix).unlink(missing_ok=True)
    done = subprocess.run(run + ["restore", str(backup_dir)], capture_output=True, text=True, env=env, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    after = snapshot(home)
    assert [r for _, r in after["alice"]["CM16-0001"]["history"]] == [
        "The request is not medically necessary.", "Reviewer's own words."]
    assert [a for _, a, _ in after["alice"]["CM16-0001"]["audit"]] == ["generated", "edited", "exported"]
    assert list(after["bob"]) == ["CM-BOB"]
