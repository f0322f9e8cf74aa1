"""The draft store: round trips, revisions, reviewer isolation, concurrency, backup/restore, crash safety."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.contracts import CaseFile, Citation, CitationCheck, DisputedItem, ItemRationale, VerificationReport
from assistant.errors import AccessDenied, StorageError
from assistant.storage import CaseNotFound, DraftStore, ai_text_retention

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def make_case(case_id: str = "CM16-0001", items: int = 2) -> CaseFile:
    return CaseFile(
        case_id=case_id,
        summary="48 year old warehouse loader on long-term opioids.",
        items=[DisputedItem(text=f"Item {n}", quantity=str(n)) for n in range(1, items + 1)],
    )


def make_rationale(text: str, decision: str = "Upheld") -> ItemRationale:
    citation = Citation(guideline_id="cdc-opioids-2022", title="CDC Opioid Guideline", short_form="CDC 2022",
                        printed_page="25", section="Recommendation 5", quote="clinicians should avoid increasing dosage")
    return ItemRationale(item=DisputedItem(text="Item 1"), decision=decision, rationale=text, citations=[citation],
                         claims_administrator_guideline="MTUS", reviewer_guideline_line="CDC 2022, p. 25")


@pytest.fixture
def store(tmp_path):
    s = DraftStore(tmp_path / "drafts.sqlite3")
    yield s
    s.close()


def test_pragmas_are_wal_and_full(store):
    conn = store._conn()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_case_and_item_round_trip(store):
    case = make_case()
    store.save_case("alice", case, title="Oxycodone escalation")
    assert store.load_case("alice", case.case_id) == case
    [summary] = store.list_cases("alice")
    assert (summary.case_id, summary.title) == (case.case_id, "Oxycodone escalation")

    rationale = make_rationale("Not medically necessary [1].")
    report = VerificationReport(checks=[CitationCheck(citation=rationale.citations[0], status="verified", message="ok")])
    draft = store.save_item("alice", case.case_id, 0, rationale, report, action="generated")
    assert draft.revision == 1
    items = store.load_items("alice", case.case_id)
    assert list(items) == [0]
    assert items[0].rationale == rationale
    assert items[0].report == report
    assert store.load_item("alice", case.case_id, 1) is None


def test_revisions_are_kept_and_latest_wins(store):
    case = make_case()
    store.save_case("alice", case)
    for n in range(1, 6):
        assert store.save_item("alice", case.case_id, 0, make_rationale(f"version {n}")).revision == n
    store.save_item("alice", case.case_id, 1, make_rationale("other item"))
    history = store.item_history("alice", case.case_id, 0)
    assert [d.rationale.rationale for d in history] == [f"version {n}" for n in range(1, 6)]
    latest = store.load_items("alice", case.case_id)
    assert latest[0].rationale.rationale == "version 5" and latest[0].revision == 5
    assert latest[1].rationale.rationale == "other item"


def test_saving_a_case_again_updates_it(store):
    case = make_case()
    store.save_case("alice", case)
    edited = case.model_copy(update={"items": [DisputedItem(text="Oxycodone 15mg #180")]})
    store.save_case("alice", edited)
    assert store.load_case("alice", case.case_id).items[0].text == "Oxycodone 15mg #180"
    assert len(store.list_cases("alice")) == 1


def test_reviewers_see_only_their_own_cases(store):
    store.save_case("alice", make_case("CM-A"))
    store.save_case("bob", make_case("CM-B"))
    assert [c.case_id for c in store.list_cases("alice")] == ["CM-A"]
    assert [c.case_id for c in store.list_cases("bob")] == ["CM-B"]
    with pytest.raises(AccessDenied):
        store.load_case("bob", "CM-A")
    with pytest.raises(AccessDenied):
        store.load_items("bob", "CM-A")
    with pytest.raises(AccessDenied):
        store.save_item("bob", "CM-A", 0, make_rationale("hijack"))
    with pytest.raises(AccessDenied):
        store.chat_history("bob", "CM-A")
    with pytest.raises(AccessDenied):
        store.audit_entries("bob", "CM-A")
    with pytest.raises(AccessDenied):
        store.list_cases("")
    with pytest.raises(CaseNotFound):
        store.load_case("alice", "no-such-case")
    assert store.load_case("alice", "CM-A").case_id == "CM-A"
    assert store.unique_case_id("alice", "CM-A") == "CM-A-2"
    store.save_case("bob", make_case("CM-A", items=1))  # bob's own CM-A (ids are per reviewer): alice's untouched
    assert [len(store.load_case(r, "CM-A").items) for r in ("alice", "bob")] == [2, 1]


def test_chat_history_in_order(store):
    store.save_case("alice", make_case())
    store.append_chat("alice", "CM16-0001", "user", "what about urine drug testing?")
    store.append_chat("alice", "CM16-0001", "assistant", "See p. 35.")
    assert [(m.role, m.content) for m in store.chat_history("alice", "CM16-0001")] == [
        ("user", "what about urine drug testing?"), ("assistant", "See p. 35."),
    ]
    with pytest.raises(StorageError):
        store.append_chat("alice", "CM16-0001", "system", "no")


def test_audit_records_how_much_ai_text_was_kept(store):
    store.save_case("alice", make_case())
    ai = "The request is not medically necessary. Pain and function did not improve. The dosage exceeds 90 MME."
    store.save_item("alice", "CM16-0001", 0, make_rationale(ai), action="generated")
    edited = "The request is not medically necessary. I reviewed the records myself. The dosage exceeds 90 MME."
    store.save_item("alice", "CM16-0001", 0, make_rationale(edited), action="edited")
    store.audit("alice", "CM16-0001", "exported", detail={"formats": ["docx"]})
    entries = store.audit_entries("alice", "CM16-0001")
    assert [e.action for e in entries] == ["generated", "edited", "exported"]
    assert entries[0].detail["ai_rationale"] == ai
    kept = entries[1].detail["ai_text_kept"]
    assert kept["ai_sentences"] == 3 and kept["kept_sentences"] == 2
    assert kept["kept_fraction"] == pytest.approx(2 / 3, abs=1e-3)
    assert kept["kept_sentence_indexes"] == [0, 2]
    assert all(e.who == "alice" for e in entries)
    with pytest.raises(StorageError):
        store.audit("alice", "CM16-0001", "deleted")


def test_ai_text_retention_edge_cases():
    assert ai_text_retention("", "anything")["kept_fraction"] == 0.0
    assert ai_text_retention("One. Two.", "One.  Two.")["kept_fraction"] == 1.0


def test_ten_concurrent_writers_lose_nothing(tmp_path):
    store = DraftStore(tmp_path / "drafts.sqlite3")
    store.save_case("alice", make_case(items=10))
    errors: list[BaseException] = []
    saves_per_thread = 25

    def writer(item_index: int) -> None:
        try:
            for n in range(saves_per_thread):
                store.save_item("alice", "CM16-0001", item_index, make_rationale(f"item {item_index} rev {n}"))
                store.append_chat("alice", "CM16-0001", "user", f"{item_index}:{n}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    # Also a second store object (as a second process would have) writing to the same item concurrently.
    other = DraftStore(tmp_path / "drafts.sqlite3")

    def shared_writer() -> None:
        try:
            for n in range(saves_per_thread):
                other.save_item("alice", "CM16-0001", 9, make_rationale(f"shared rev {n}"), action=None)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(10)] + [threading.Thread(target=shared_writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for i in range(9):
        history = store.item_history("alice", "CM16-0001", i)
        assert [d.revision for d in history] == list(range(1, saves_per_thread + 1))
        assert {d.rationale.rationale for d in history} == {f"item {i} rev {n}" for n in range(saves_per_thread)}
    shared = store.item_history("alice", "CM16-0001", 9)
    assert [d.revision for d in shared] == list(range(1, 2 * saves_per_thread + 1))
    assert len(store.chat_history("alice", "CM16-0001")) == 10 * saves_per_thread
    assert len([e for e in store.audit_entries("alice", "CM16-0001") if e.action == "edited"]) == 10 * saves_per_thread
    other.close()
    store.close()


def test_backup_and_restore_round_trip(tmp_path):
    store = DraftStore(tmp_path / "home" / "drafts.sqlite3")
    store.save_case("alice", make_case())
    store.save_item("alice", "CM16-0001", 0, make_rationale("before backup"))
    store.append_chat("alice", "CM16-0001", "user", "hello")
    backup = store.backup(tmp_path / "backup")
    assert backup.is_file()

    store.save_item("alice", "CM16-0001", 0, make_rationale("after backup"))
    store.save_case("alice", make_case("CM-LATER"))
    assert store.load_items("alice", "CM16-0001")[0].rationale.rationale == "after backup"

    store.restore(tmp_path / "backup")
    assert store.load_items("alice", "CM16-0001")[0].rationale.rationale == "before backup"
    assert [c.case_id for c in store.list_cases("alice")] == ["CM16-0001"]
    assert [m.content for m in store.chat_history("alice", "CM16-0001")] == ["hello"]
    # A second store opened afterwards (a restarted app) sees the restored content too.
    reopened = DraftStore(tmp_path / "home" / "drafts.sqlite3")
    assert reopened.load_items("alice", "CM16-0001")[0].revision == 1
    reopened.close()

    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "drafts.sqlite3").write_bytes(b"not a database at all" * 100)
    with pytest.raises(StorageError):
        store.restore(tmp_path / "junk")
    with pytest.raises(StorageError):
        store.restore(tmp_path / "nowhere")
    assert store.load_items("alice", "CM16-0001")[0].rationale.rationale == "before backup"
    store.close()


CHILD = r"""
import sys
from assistant.contracts import CaseFile, DisputedItem, ItemRationale
from assistant.storage import DraftStore

store = DraftStore(sys.argv[1])
store.save_case("alice", CaseFile(case_id="CM-KILL", items=[DisputedItem(text="Item 1")]))
n = 0
while True:
    n += 1
    rationale = ItemRationale(item=DisputedItem(text="Item 1"), decision="Upheld", rationale=f"revision {n} " + "x" * 2000)
    draft = store.save_item("alice", "CM-KILL", 0, rationale)
    print(draft.revision, flush=True)
"""


def test_sigkill_mid_save_loop_keeps_every_committed_draft(tmp_path):
    db = tmp_path / "drafts.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db)], stdout=subprocess.PIPE, text=True, env=env)
    committed: list[int] = []
    deadline = time.monotonic() + 60
    try:
        while len(committed) < 40 and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            committed.append(int(line))
        assert len(committed) >= 40, "the child process did not save drafts"
        os.kill(child.pid, signal.SIGKILL)  # mid-loop: the child is saving the next revision right now
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    store = DraftStore(db)
    revisions = [d.revision for d in store.item_history("alice", "CM-KILL", 0)]
    assert revisions[: len(committed)] == committed  # every reported save is there, in order
    assert revisions == list(range(1, len(revisions) + 1))
    assert store.load_items("alice", "CM-KILL")[0].rationale.rationale.startswith(f"revision {revisions[-1]} ")
    store.save_item("alice", "CM-KILL", 0, make_rationale("after the crash"))  # still writable
    store.close()


def test_concurrent_case_creation_never_collides(tmp_path):
    import threading

    from assistant.contracts import CaseFile

    store = DraftStore(tmp_path / "drafts.sqlite3")
    created, errors = [], []

    def read_case(reviewer: str) -> None:
        try:
            created.append((reviewer, store.create_case(reviewer, CaseFile(case_id="opioid-escalation", summary="s")).case_id))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    # case ids are per reviewer: three reviewers read the same case four times each, all at once
    threads = [threading.Thread(target=read_case, args=(f"reviewer-{i % 3}",)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(created)) == 12
    for i in range(3):
        assert sorted(cid for r, cid in created if r == f"reviewer-{i}") == [
            "opioid-escalation", "opioid-escalation-2", "opioid-escalation-3", "opioid-escalation-4"]
