"""Issue 10 (Hardening II): each numbered finding, tested through the public functions that fix it.

Findings 1 (stall) live in test_linear_time.py. The UI wiring (middleware, throttle, inert rendering, temp dir)
is exercised here on the functions the UI installs; browser-level tests follow when ui/ wires them."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest
from conftest import make_settings
from test_pdf_pages import minimal_pdf

from assistant.auth import add_user, load_roles, require_admin
from assistant.contracts import (CaseFile, Citation, Determination, DisputedItem, EvidenceTier, GuidelineEntry,
                                 ItemRationale)
from assistant.corpus.add import add_guideline
from assistant.corpus.audit import read_corpus_audit
from assistant.corpus.catalog import load_catalog, read_catalog_file, write_catalog_file
from assistant.drafting.intake import case_from_json, case_from_text
from assistant.errors import AccessDenied, CaseFormatError, CaseInputError, CatalogError
from assistant.export import determination_docx, determination_markdown
from assistant.files import check_upload_size, make_tree_private, remove_stale_files, private_temp_dir, restrict_new_files
from assistant.host_guard import HostAllowListMiddleware, allowed_hosts_for, host_allowed
from assistant.index.store import add_guideline_and_index
from assistant.login_throttle import LoginThrottle
from assistant.storage import DraftStore
from assistant.text_safety import check_case_id, escape_markdown_export, export_file_stem, inert_markdown


def guideline_pdf(path: Path, topic: str = "Physical medicine") -> Path:
    path.write_bytes(minimal_pdf([
        [topic, f"Guidance on {topic.lower()} for injured workers with chronic pain conditions.",
         "Recommended as an option when function has not improved with conservative care alone."],
        [f"{topic} continued. A trial of up to six visits over two weeks is reasonable for most patients.",
         "Further visits need objective functional improvement documented by the treating physician."],
    ]))
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ------------------------------------------------------------------ 2. break for everyone


def test_catalog_round_trips_any_legal_title(tmp_path):
    """The old hand-written TOML emitted a raw carriage return: every later load failed."""
    entry = GuidelineEntry(id="odd-title", title='Odd\r"quoted"\t\\ title — ünïcode', short_form="Odd",
                           tier=EvidenceTier.mtus, sha256="a" * 64, filename="odd-title.pdf")
    path = tmp_path / "catalog.toml"
    write_catalog_file(path, [entry])
    assert read_catalog_file(path) == [entry.model_copy(update={"source": "catalog"})]


@pytest.mark.parametrize("title", ["MTUS\rChronic Pain", "MTUS\nChronic", "A\x00B title", "A\x1b[31m red"])
def test_control_characters_in_a_title_are_refused_and_nothing_is_saved(tmp_path, title):
    settings = make_settings(tmp_path / "home")
    with pytest.raises(CatalogError, match="control character"):
        add_guideline(settings, guideline_pdf(tmp_path / "g.pdf"), "mtus-test", title, EvidenceTier.mtus)
    assert not settings.user_catalog_file.exists()
    assert [e.id for e in load_catalog(settings)] == [e.id for e in load_catalog(make_settings(tmp_path / "x"))]


@pytest.mark.parametrize("pattern, reason", [("(", "not a valid regular expression"),
                                             ("^(a+)+$", "repeats a group"), ("(x*)*y", "repeats a group")])
def test_bad_section_patterns_are_refused_before_saving(tmp_path, pattern, reason):
    settings = make_settings(tmp_path / "home")
    with pytest.raises(CatalogError, match=reason):
        add_guideline(settings, guideline_pdf(tmp_path / "g.pdf"), "mtus-test", "MTUS test", EvidenceTier.mtus,
                      section_pattern=pattern)
    assert not settings.user_catalog_file.exists() and not (settings.documents_dir / "mtus-test.pdf").exists()


def test_a_good_section_pattern_is_kept(tmp_path):
    settings = make_settings(tmp_path / "home")
    entry = add_guideline(settings, guideline_pdf(tmp_path / "g.pdf"), "mtus-test", "MTUS test", EvidenceTier.mtus,
                          section_pattern=r"^Physical medicine$", actor="alice")
    assert entry.section_rules[0].pattern == r"^Physical medicine$"
    assert mode(settings.user_catalog_file) == 0o600
    [record] = read_corpus_audit(settings)
    assert record["actor"] == "alice" and record["action"] == "add" and record["guideline_id"] == "mtus-test"


def test_a_pdf_of_only_running_headers_is_refused(tmp_path):
    settings = make_settings(tmp_path / "home")
    pdf = tmp_path / "headers.pdf"
    pdf.write_bytes(minimal_pdf([["MTUS Chronic Pain Guidelines", f"Page {i}"] for i in range(1, 7)]))
    with pytest.raises(CatalogError, match="no passages"):
        add_guideline(settings, pdf, "mtus-headers", "MTUS headers", EvidenceTier.mtus)
    assert not settings.user_catalog_file.exists()


def test_a_failed_index_build_rolls_the_add_back_and_audits_it(tmp_path):
    settings = make_settings(tmp_path / "home")
    pdf = guideline_pdf(tmp_path / "g.pdf")

    def failing_build(_settings, _progress):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        add_guideline_and_index(settings, lambda: add_guideline(settings, pdf, "mtus-test", "MTUS test",
                                                                EvidenceTier.mtus, actor="alice"),
                                "alice", build=failing_build)
    assert "mtus-test" not in [e.id for e in load_catalog(settings)]
    assert not (settings.documents_dir / "mtus-test.pdf").exists()
    assert [r["action"] for r in read_corpus_audit(settings)] == ["add", "rollback"]


def test_only_admins_may_add_guidelines(tmp_path):
    users = tmp_path / "users.toml"
    add_user(users, "alice", "correct horse battery", admin=True)
    add_user(users, "bob", "another long password")
    add_user(users, "alice", "a changed password!")  # a password change keeps the role
    assert load_roles(users) == {"alice": "admin", "bob": "reviewer"}
    require_admin(users, "alice")
    with pytest.raises(AccessDenied, match="--admin"):
        require_admin(users, "bob")
    with pytest.raises(AccessDenied):
        require_admin(users, "mallory")
    require_admin(None, "anyone")  # loopback single-user mode: the owner of the process
    assert mode(users) == 0o600


def test_cli_users_add_admin_flag(tmp_path):
    from assistant.cli import main

    users = tmp_path / "users.toml"
    import io
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO("correct horse battery\n")
    try:
        assert main(["users", "add", "carol", "--admin", "--auth", str(users)]) == 0
    finally:
        sys.stdin = old
    assert load_roles(users) == {"carol": "admin"}


# ------------------------------------------------------------------ 3. PHI files private


def test_store_files_and_data_folder_are_owner_only(tmp_path):
    previous = os.umask(0o022)  # what the old app ran with
    try:
        home = tmp_path / "home"
        store = DraftStore(home / "drafts.sqlite3")
        store.create_case("alice", CaseFile(case_id="CM-1", summary="PHI"))
        store.backup(tmp_path / "backup")
    finally:
        os.umask(previous)
    assert mode(home) == 0o700
    for name in ("drafts.sqlite3", "drafts.sqlite3-wal", "drafts.sqlite3-shm"):
        if (home / name).exists():
            assert mode(home / name) == 0o600, name
    assert mode(tmp_path / "backup") == 0o700 and mode(tmp_path / "backup" / "drafts.sqlite3") == 0o600


def test_umask_and_private_temp_and_tree(tmp_path, monkeypatch):
    previous = restrict_new_files()
    try:
        (tmp_path / "new.txt").write_text("x")
        (tmp_path / "newdir").mkdir()
    finally:
        os.umask(previous)
    assert mode(tmp_path / "new.txt") == 0o600 and mode(tmp_path / "newdir") == 0o700

    monkeypatch.delenv("GRADIO_TEMP_DIR", raising=False)
    settings = make_settings(tmp_path / "home")
    temp = private_temp_dir(settings.gradio_temp_dir)
    assert os.environ["GRADIO_TEMP_DIR"] == str(temp) and temp.is_relative_to(settings.home)
    assert mode(temp) == 0o700

    tree = tmp_path / "index"
    (tree / "gen").mkdir(parents=True)
    (tree / "gen" / "chroma.sqlite3").write_text("x")
    os.chmod(tree / "gen" / "chroma.sqlite3", 0o644)
    make_tree_private(tree)
    assert mode(tree / "gen") == 0o700 and mode(tree / "gen" / "chroma.sqlite3") == 0o600


# ------------------------------------------------------------------ 4. active case content

PAYLOAD = ('Pain 7/10. ![p](http://evil.example/pixel.png) <img src=x onerror="alert(1)"> '
           '<form action="http://evil.example"><input name=pw></form> [click](javascript:alert(1)) <script>x()</script>')


def test_case_text_renders_inert():
    out = inert_markdown(PAYLOAD)
    for active in ("<img", "<form", "<input", "<script", "](", "![", "javascript:", "http://"):
        assert active not in out, active
    assert "Pain 7/10" in out


def test_markdown_export_is_escaped_and_docx_survives_control_characters(tmp_path):
    item = DisputedItem(text="MRI <b>lumbar</b>")
    rationale = ItemRationale(item=item, decision="Upheld", rationale=PAYLOAD + " NUL\x00 and ESC\x1b here.",
                              citations=[])
    determination = Determination(case=CaseFile(case_id="CM16-0042", summary="x\x00", items=[item]),
                                  items=[rationale])
    md = determination_markdown(determination)
    for active in ("<script", "<img", "<form", "<input", "<b>", "javascript:", "!["):
        assert active not in md, active
    assert re.search(r"(?<!\\)\]\(", md) is None  # every "](" that would close a link text is escaped
    assert "\x00" not in md and "\x1b" not in md
    path = determination_docx(determination, tmp_path / "letter.docx")
    assert path.stat().st_size > 0


def test_escape_keeps_ordinary_text_readable():
    assert escape_markdown_export("Oxycodone 15mg #180, p. 25 [1].") == "Oxycodone 15mg #180, p. 25 [1]."


def test_control_characters_are_stripped_at_intake():
    case = case_from_text("Patient\x00 with\x1b[31m back pain.\x07\nIMR ISSUES:\n1. MRI\x0c lumbar\n")
    assert not any(ord(c) < 32 and c not in "\n\t\r" for c in case.summary + case.items[0].text)
    assert case.items[0].text == "MRI lumbar"


def test_case_ids_are_bounded_and_export_names_never_too_long():
    with pytest.raises(CaseFormatError, match="1–64"):
        check_case_id("C" * 300)
    with pytest.raises(CaseFormatError):
        check_case_id("../../etc/passwd")
    assert check_case_id("CM16-0213037") == "CM16-0213037"
    long_a, long_b = export_file_stem("A" * 300), export_file_stem("A" * 299 + "B")
    assert len(long_a) <= 80 and long_a != long_b
    assert export_file_stem("../../etc/passwd") == "etc-passwd"


@pytest.mark.parametrize("data, message", [
    ("[" * 50_000 + "]" * 50_000, "nested"),
    (json.dumps({"summary": 5, "items": "MRI"}), "CaseFile format"),
    (json.dumps({"case_text": ["not", "text"]}), "case_text"),
    (json.dumps({"case_text": "x\nIMR ISSUES:\n1. MRI\n", "items": "MRI"}), "list"),
    (json.dumps({"case_id": "C" * 300, "summary": "x", "items": []}), "Case id"),
    (json.dumps([1, 2]), "object"),
])
def test_malformed_json_cases_give_a_case_format_error(data, message):
    with pytest.raises(CaseFormatError, match=message):
        case_from_json(data)


# ------------------------------------------------------------------ 5. sign-in


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_login_throttle_backs_off_then_locks_out_without_checking_the_password():
    clock, events, checked = FakeClock(), [], []
    throttle = LoginThrottle(free_failures=3, base_s=2, max_s=60, clock=clock, audit=lambda e, d: events.append(e))

    def check(ok: bool):
        return lambda: checked.append(ok) or ok

    for _ in range(3):
        assert not throttle.attempt("alice", "10.0.0.1", check(False))
    assert throttle.retry_after("alice", "10.0.0.1") == 2  # the 3rd failure starts the lockout
    assert not throttle.attempt("alice", "10.0.0.1", check(True))  # right password, but locked: not even checked
    assert checked == [False, False, False] and events[-1] == "login_locked"
    clock.now += 2
    assert not throttle.attempt("alice", "10.0.0.1", check(False))
    assert throttle.retry_after("alice", "10.0.0.1") == 4  # doubles
    clock.now += 4
    assert throttle.attempt("alice", "10.0.0.1", check(True)) and events[-1] == "login_ok"
    assert throttle.retry_after("alice", "10.0.0.1") == 0


def test_login_throttle_limits_one_client_guessing_many_users_and_caps_the_wait():
    clock = FakeClock()
    throttle = LoginThrottle(free_failures=2, base_s=10, max_s=60, clock=clock)
    waits = []
    for user in ("a", "b", "c", "d", "e", "f"):
        clock.now += throttle.retry_after(user, "10.0.0.9")  # the attacker waits out each lockout
        throttle.attempt(user, "10.0.0.9", lambda: False)
        waits.append(throttle.retry_after("zed", "10.0.0.9"))
    assert waits == [0, 10, 20, 40, 60, 60]  # the client is locked whatever user it names; doubling, capped
    assert throttle.retry_after("zed", "10.0.0.10") == 0  # another client is not


def test_a_lockout_survives_a_restart_and_the_state_file_is_private(tmp_path):
    """Restarting the app must not hand an attacker a fresh set of guesses."""
    clock, state = FakeClock(), tmp_path / "data" / "sign-in-throttle.json"
    first = LoginThrottle(free_failures=2, base_s=30, max_s=600, clock=clock, state_file=state)
    for _ in range(2):
        first.attempt("alice", "10.0.0.1", lambda: False)
    assert first.retry_after("alice", "10.0.0.1") == 30
    assert state.stat().st_mode & 0o777 == 0o600
    restarted = LoginThrottle(free_failures=2, base_s=30, max_s=600, clock=clock, state_file=state)
    assert restarted.retry_after("alice", "10.0.0.2") == 30  # the user's lockout, from any address
    assert not restarted.attempt("alice", "10.0.0.2", lambda: True)
    clock.now += 30
    assert restarted.attempt("alice", "10.0.0.2", lambda: True)
    assert LoginThrottle(clock=clock, state_file=state).retry_after("alice", "10.0.0.3") == 0  # success forgotten


def test_an_unreadable_throttle_state_starts_empty_instead_of_breaking_sign_in(tmp_path):
    state = tmp_path / "sign-in-throttle.json"
    state.write_text("{not json", encoding="utf-8")
    throttle = LoginThrottle(state_file=state)
    assert throttle.attempt("alice", "10.0.0.1", lambda: True)
    assert not throttle.attempt("bob", "10.0.0.1", lambda: False) and "bob" in state.read_text()


def test_host_allow_list_refuses_rebinding_names():
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    app = Starlette(routes=[Route("/", lambda _request: PlainTextResponse("case list"))])
    app.add_middleware(HostAllowListMiddleware, allowed=allowed_hosts_for(["imr.example.org"]))
    client = TestClient(app)
    assert client.get("/", headers={"Host": "rebind.attacker.example"}).status_code == 421
    assert "case list" not in client.get("/", headers={"Host": "rebind.attacker.example:7860"}).text
    for host in ("127.0.0.1:7860", "localhost:7860", "[::1]:7860", "imr.example.org", "IMR.example.org."):
        response = client.get("/", headers={"Host": host})
        assert response.status_code == 200 and response.text == "case list", host
    assert not host_allowed("", allowed_hosts_for())
    assert host_allowed("127.0.0.2:80", allowed_hosts_for())


def test_uploads_over_the_limit_are_refused_and_removed(tmp_path):
    settings = make_settings(tmp_path / "home", max_upload_mb=1)
    assert settings.max_upload_bytes == 1_000_000
    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    small.write_bytes(b"x" * 1000)
    big.write_bytes(b"x" * 1_000_001)
    assert check_upload_size(small, settings.max_upload_bytes) == small
    with pytest.raises(CaseInputError, match="ASSISTANT_MAX_UPLOAD_MB"):
        check_upload_size(big, settings.max_upload_bytes)
    assert not big.exists()


def test_stale_cached_exports_are_removed(tmp_path):
    old, fresh = tmp_path / "a" / "old-determination.docx", tmp_path / "b" / "new-determination.docx"
    for path in (old, fresh):
        path.parent.mkdir()
        path.write_text("PHI")
    os.utime(old, (1000, 1000))
    assert remove_stale_files(tmp_path, older_than_s=3600) == 1
    assert not old.exists() and not old.parent.exists() and fresh.exists()


def test_cli_corpus_add_needs_an_admin_when_accounts_exist(tmp_path, monkeypatch, capsys):
    from assistant.cli import main

    users = tmp_path / "users.toml"
    add_user(users, "bob", "another long password")
    add_user(users, "alice", "correct horse battery", admin=True)
    home = tmp_path / "home"
    monkeypatch.setenv("ASSISTANT_HOME", str(home))
    monkeypatch.setenv("ASSISTANT_AUTH_FILE", str(users))
    monkeypatch.setenv("ASSISTANT_CORPUS_MIRROR", str(tmp_path))
    pdf = guideline_pdf(tmp_path / "g.pdf")
    previous = os.umask(0o022)
    try:
        monkeypatch.setenv("ASSISTANT_REVIEWER", "bob")
        assert main(["corpus", "add", str(pdf), "--id", "mtus-test", "--title", "MTUS test", "--no-index"]) == 2
        assert "Only an admin" in capsys.readouterr().err
        assert not (home / "catalog.toml").exists()
        monkeypatch.setenv("ASSISTANT_REVIEWER", "alice")
        assert main(["corpus", "add", str(pdf), "--id", "mtus-test", "--title", "MTUS test", "--no-index"]) == 0
    finally:
        os.umask(previous)
    assert [r["actor"] for r in read_corpus_audit(make_settings(home))] == ["alice"]
