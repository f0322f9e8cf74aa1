"""Team deployment: one PostgreSQL for drafts, one Chroma server for the index, several app instances.

Starts a real PostgreSQL (initdb into a temporary folder, as `nobody` when the tests run as root; TCP on
127.0.0.1 and its unix socket in that folder only) and a real `chroma run` server on 127.0.0.1.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, make_settings
from test_chroma_server import chroma_server, free_port  # noqa: F401  (the module-scoped server fixture)
from test_storage import make_case, make_rationale

pytestmark = [pytest.mark.server, pytest.mark.slow]

PG_BIN_DIRS = ["/usr/local/bin", "/usr/lib/postgresql/15/bin", "/usr/local/pgsql/bin"]
STARTUP_TIMEOUT_S = 60


def pg_binary(name: str) -> str:
    found = shutil.which(name) or next((str(Path(d) / name) for d in PG_BIN_DIRS if (Path(d) / name).exists()), None)
    if not found:
        pytest.skip(f"PostgreSQL's `{name}` is not installed (needed to start a real server)")
    return found


@pytest.fixture(scope="module")
def postgres_url():
    pytest.importorskip("psycopg")
    import psycopg

    initdb, postgres = pg_binary("initdb"), pg_binary("postgres")
    root = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        runuser = shutil.which("runuser")
        try:
            nobody = pwd.getpwnam("nobody")
        except KeyError:
            nobody = None
        if not runuser or nobody is None:
            shutil.rmtree(root, ignore_errors=True)
            pytest.skip("running as root without `runuser` or a `nobody` user: cannot start PostgreSQL as non-root")
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
        prefix = [runuser, "-u", "nobody", "--"]
    data, log_path = root / "data", root / "postgres.log"
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    done = subprocess.run(prefix + [initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                                    "--locale=C", "--no-sync"], capture_output=True, text=True, env=env, timeout=120)
    if done.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"initdb failed:\n{done.stdout}\n{done.stderr}")
    port = free_port()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            prefix + [postgres, "-D", str(data), "-h", "127.0.0.1", "-p", str(port), "-k", str(root),
                      "-c", "fsync=off", "-c", "max_connections=100"],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )
    admin = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"postgres exited with {process.returncode}:\n{log_path.read_text(errors='replace')[-3000:]}")
            try:
                with psycopg.connect(admin, autocommit=True, connect_timeout=2) as conn:
                    conn.execute("CREATE DATABASE drafts")
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    pytest.fail(f"PostgreSQL did not accept connections within {STARTUP_TIMEOUT_S} s:\n"
                                f"{log_path.read_text(errors='replace')[-3000:]}")
                time.sleep(0.25)
        yield f"postgresql://postgres@127.0.0.1:{port}/drafts"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def team_settings(chroma_server, postgres_url, cdc_settings, tmp_path_factory, monkeypatch_module):  # noqa: F811
    """The shared index built into the Chroma server (CDC embeddings reused from the session's cache)."""
    from assistant.index.store import build_index

    monkeypatch_module.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch_module.setenv("no_proxy", "127.0.0.1,localhost")
    home = tmp_path_factory.mktemp("team-home")
    shutil.copytree(cdc_settings.index_dir / "embedding-cache", home / "index" / "embedding-cache")
    settings = make_settings(home, chroma_url=chroma_server, database_url=postgres_url)
    result = build_index(settings)
    assert result.rebuilt and result.embedded_chunks == 0
    assert not (settings.index_dir / "chroma").exists()  # the vectors live on the server only
    return settings


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_retrieval_eval_against_the_chroma_server(team_settings):
    from assistant.retrieval import GuidelineSearch
    from evals.retrieval import run_retrieval_eval

    search = GuidelineSearch(team_settings)
    report = run_retrieval_eval(search)
    hybrid = report["modes"]["hybrid"]
    assert hybrid["queries"] >= 20
    assert hybrid["hit@5"] >= 0.85, hybrid["misses"]


def test_factory_picks_postgres_only_when_a_url_is_set(team_settings, tmp_path):
    from assistant.storage import DraftStore, PostgresDraftStore, open_draft_store

    store = open_draft_store(team_settings)
    try:
        assert isinstance(store, PostgresDraftStore)
        assert "drafts" in repr(store)
    finally:
        store.close()
    local = open_draft_store(make_settings(tmp_path / "solo"))
    try:
        assert type(local) is DraftStore and local.path == tmp_path / "solo" / "drafts.sqlite3"
    finally:
        local.close()


def test_draft_round_trip_between_two_app_instances(team_settings):
    """Instance A drafts and saves; instance B (its own Settings, store and connections) reads the same thing."""
    from assistant.services import Services
    from assistant.storage import PostgresDraftStore, open_draft_store

    services = Services.open(team_settings)
    case = services.intake_file(FIXTURES / "cases" / "opioid-escalation.txt")
    case = case.model_copy(update={"case_id": "TEAM-0001"})
    result = services.draft(case, 0)
    assert result.rationale.citations and result.report.ok

    first = open_draft_store(team_settings)
    first.save_case("alice", case)
    saved = first.save_item("alice", case.case_id, 0, result.rationale, result.report, action="generated")
    first.append_chat("alice", case.case_id, "user", "why was the escalation denied?")

    second_settings = team_settings.model_copy()
    second = open_draft_store(second_settings)
    assert isinstance(second, PostgresDraftStore) and second is not first
    try:
        assert second.load_case("alice", case.case_id) == case
        loaded = second.load_item("alice", case.case_id, 0)
        assert loaded.revision == saved.revision == 1
        assert loaded.rationale == result.rationale
        assert loaded.report == result.report
        assert second.last_generated_text("alice", case.case_id, 0) == result.rationale.rationale
        assert [m.content for m in second.chat_history("alice", case.case_id)] == ["why was the escalation denied?"]
        # B edits; A sees revision 2 and the retention audit.
        edited = result.rationale.model_copy(update={"rationale": result.rationale.rationale + " Reviewer note."})
        assert second.save_item("alice", case.case_id, 0, edited, action="edited").revision == 2
        assert first.load_item("alice", case.case_id, 0).rationale == edited
        assert [e.action for e in first.audit_entries("alice", case.case_id)] == ["generated", "edited"]
        # Issue 10: another reviewer's case reads exactly like a case that does not exist (no leak of who holds it).
        with pytest.raises(Exception, match="among your saved cases"):
            second.load_case("bob", case.case_id)
    finally:
        first.close()
        second.close()


def test_concurrent_writers_on_two_instances_lose_nothing(team_settings):
    from assistant.storage import open_draft_store

    stores = [open_draft_store(team_settings) for _ in range(2)]
    stores[0].save_case("carol", make_case("TEAM-CONC", items=1))
    errors: list[BaseException] = []
    per_thread = 15

    def writer(store, tag):
        try:
            for n in range(per_thread):
                store.save_item("carol", "TEAM-CONC", 0, make_rationale(f"{tag} {n}"))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(stores[i % 2], f"w{i}")) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not errors, errors
        history = stores[1].item_history("carol", "TEAM-CONC", 0)
        assert [d.revision for d in history] == list(range(1, 6 * per_thread + 1))
        assert len({d.rationale.rationale for d in history}) == 6 * per_thread
    finally:
        for s in stores:
            s.close()


def test_backup_and_restore_cli_on_postgres(team_settings, tmp_path):
    from assistant.cli import main
    from assistant.storage import PG_BACKUP_FILENAME, open_draft_store

    store = open_draft_store(team_settings)
    store.save_case("dave", make_case("TEAM-BACKUP", items=1))
    store.save_item("dave", "TEAM-BACKUP", 0, make_rationale("before the backup"), action="generated")
    url = team_settings.database_url
    assert main(["backup", str(tmp_path / "bk"), "--database-url", url]) == 0
    assert (tmp_path / "bk" / PG_BACKUP_FILENAME).is_file()
    store.save_item("dave", "TEAM-BACKUP", 0, make_rationale("after the backup"))
    store.save_case("dave", make_case("TEAM-LATER"))
    assert main(["restore", str(tmp_path / "bk"), "--database-url", url, "--yes"]) == 0
    assert [d.rationale.rationale for d in store.item_history("dave", "TEAM-BACKUP", 0)] == ["before the backup"]
    assert "TEAM-LATER" not in {c.case_id for c in store.list_cases("dave")}
    # Sequences continue after the restored ids: new audit rows still insert.
    store.audit("dave", "TEAM-BACKUP", "checked")
    assert [e.action for e in store.audit_entries("dave", "TEAM-BACKUP")] == ["generated", "checked"]
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / PG_BACKUP_FILENAME).write_text("{}")
    assert main(["restore", str(tmp_path / "junk"), "--database-url", url, "--yes"]) == 2
    assert [d.rationale.rationale for d in store.item_history("dave", "TEAM-BACKUP", 0)] == ["before the backup"]
    store.close()
