"""Issue 10 in the web app, without a browser: the middleware around Gradio's FastAPI app (cached files only for
their owner, security headers, the client address for the sign-in throttle), the throttled sign-in `serve`
installs, the launch options, and the Workspace handlers' upload limit, admin check and inert case text."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import FileResponse, PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from assistant.auth import add_user, load_users
from assistant.config import Settings
from assistant.contracts import CaseFile, DisputedItem
from assistant.host_guard import HostAllowListMiddleware
from assistant.ui import serve as serve_module
from assistant.ui.guard import (
    CLIENT_ADDRESS,
    CONTENT_SECURITY_POLICY,
    CachedFileOwnerMiddleware,
    CachedFiles,
    ClientAddressMiddleware,
    SecurityHeadersMiddleware,
)
from assistant.ui.render import case_summary_md

COOKIE_ID = "c0ffee"
TOKENS = {"tok-alice": "alice", "tok-bob": "bob"}


class FakeGradio(Starlette):
    """What the middleware reads from Gradio's App: the session tokens and the cookie id."""

    tokens = TOKENS
    cookie_id = COOKIE_ID


def file_app(temp_dir: Path, files: CachedFiles, auth_enabled: bool = True, downloads: list | None = None):
    async def serve_file(request):
        return FileResponse(request.path_params["path"])

    async def whoami(_request):
        return PlainTextResponse(str(CLIENT_ADDRESS.get()))

    after = (lambda: downloads.append(1)) if downloads is not None else (lambda: None)
    return FakeGradio(
        routes=[Route("/gradio_api/file={path:path}", serve_file), Route("/client", whoami)],
        middleware=[Middleware(SecurityHeadersMiddleware), Middleware(ClientAddressMiddleware),
                    Middleware(CachedFileOwnerMiddleware, temp_dir=temp_dir, files=files, auth_enabled=auth_enabled,
                               after_download=after)],
    )


def as_user(client: TestClient, name: str | None) -> TestClient:
    client.cookies.clear()
    if name:
        token = next(t for t, user in TOKENS.items() if user == name)
        client.cookies.set(f"access-token-unsecure-{COOKIE_ID}", token)
    return client


@pytest.fixture
def cache(tmp_path):
    temp_dir = tmp_path / "gradio"
    (temp_dir / "copy").mkdir(parents=True)
    export = tmp_path / "exports" / "CM-1.md"
    export.parent.mkdir()
    export.write_text("alice's letter about her case")
    cached = temp_dir / "copy" / "CM-1.md"  # Gradio's cached copy: a new path, the same bytes
    cached.write_bytes(export.read_bytes())
    files = CachedFiles()
    files.grant("alice", export)
    return SimpleNamespace(temp_dir=temp_dir, cached=cached, files=files)


def test_a_cached_export_is_served_only_to_its_owner(cache):
    downloads: list = []
    client = TestClient(file_app(cache.temp_dir, cache.files, downloads=downloads))
    url = f"/gradio_api/file={cache.cached}"
    assert as_user(client, "alice").get(url).text == "alice's letter about her case"
    assert downloads == [1], "stale cached files are swept after a download"
    refused = as_user(client, "bob").get(url)
    missing = as_user(client, "bob").get(f"/gradio_api/file={cache.temp_dir / 'copy' / 'no-such.md'}")
    assert refused.status_code == missing.status_code == 404
    assert refused.text == missing.text, "another reviewer's file looks exactly like a missing one"
    assert as_user(client, None).get(url).status_code == 404
    sneaky = f"/gradio_api/file={cache.temp_dir}/../gradio/copy/CM-1.md"
    assert as_user(client, "bob").get(sneaky).status_code == 404


def test_remote_urls_are_never_relayed_and_other_files_pass_through(cache, tmp_path):
    client = as_user(TestClient(file_app(cache.temp_dir, cache.files)), "bob")
    assert client.get("/gradio_api/file=http://attacker.example/x.png").status_code == 404
    outside = tmp_path / "static.css"
    outside.write_text("body {}")
    assert client.get(f"/gradio_api/file={outside}").text == "body {}"  # Gradio's own allow-list decides


def test_without_sign_in_the_one_reviewer_owns_every_cached_file(cache):
    client = as_user(TestClient(file_app(cache.temp_dir, CachedFiles(), auth_enabled=False)), None)
    assert client.get(f"/gradio_api/file={cache.cached}").status_code == 200


def test_security_headers_and_client_address(cache):
    response = TestClient(file_app(cache.temp_dir, cache.files)).get("/client")
    assert response.text == "testclient"
    policy = response.headers["content-security-policy"]
    assert policy == CONTENT_SECURITY_POLICY
    for directive in ("img-src 'self' data: blob:", "form-action 'self'", "connect-src 'self'",
                      "frame-ancestors 'none'", "object-src 'none'"):
        assert directive in policy
    assert "http:" not in policy and "*" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"


def settings_for(tmp_path: Path, **overrides) -> Settings:
    return Settings(home=tmp_path / "home", **overrides)


def test_serve_installs_the_host_guard_first_and_limits_uploads(tmp_path, monkeypatch):
    settings = settings_for(tmp_path, max_upload_mb=3)
    launched: dict = {}

    class FakeBlocks:
        def queue(self, **_kw):
            return self

        def launch(self, **options):
            launched.update(options)

    monkeypatch.setattr(serve_module, "prepare_process", lambda s: launched.setdefault("prepared", s))
    serve_module.serve(settings, lambda s: FakeBlocks())
    assert launched["prepared"] is settings
    assert launched["max_file_size"] == 3_000_000
    stack = launched["app_kwargs"]["middleware"]
    assert stack[0].cls is HostAllowListMiddleware
    assert {m.cls for m in stack} >= {SecurityHeadersMiddleware, ClientAddressMiddleware, CachedFileOwnerMiddleware}
    assert launched["auth"] is None  # loopback, no users.toml


def test_prepare_process_makes_gradio_cache_private_and_clears_old_files(tmp_path, monkeypatch):
    settings = settings_for(tmp_path)
    old = settings.gradio_temp_dir / "abc" / "old-export.md"
    old.parent.mkdir(parents=True)
    old.write_text("an export from an earlier run")
    os.utime(old, (0, 0))
    monkeypatch.setenv("GRADIO_TEMP_DIR", "/tmp/elsewhere")
    previous = os.umask(0o022)
    try:
        serve_module.prepare_process(settings)
        assert os.umask(0o022) == 0o077
    finally:
        os.umask(previous)
    assert os.environ["GRADIO_TEMP_DIR"] == str(settings.gradio_temp_dir)
    assert stat.S_IMODE(settings.gradio_temp_dir.stat().st_mode) == 0o700
    assert not old.exists()


def test_sign_in_is_throttled_per_client_and_audited(tmp_path):
    settings = settings_for(tmp_path)
    users_file = tmp_path / "users.toml"
    add_user(users_file, "alice", "alice-pass-123")
    check = serve_module.sign_in(settings, load_users(users_file))
    token = CLIENT_ADDRESS.set("10.0.0.9")
    try:
        assert [check("alice", f"guess-{n}") for n in range(6)] == [False] * 6
        assert check("alice", "alice-pass-123") is False, "locked out: the right password is not even checked"
    finally:
        CLIENT_ADDRESS.reset(token)
    audit = serve_module.sign_in_audit_file(settings)
    events = [json.loads(line) for line in audit.read_text().splitlines()]
    assert [e["event"] for e in events] == ["login_failed"] * 5 + ["login_locked"] * 2
    assert events[-1]["client"] == "10.0.0.9" and events[-1]["retry_after_s"] > 0
    assert stat.S_IMODE(audit.stat().st_mode) == 0o600


def test_case_summary_is_inert_markdown():
    hostile = ('![p](http://127.0.0.1:9/pixel.png) <form action="http://x.example/s"><input name=pw></form> '
               '<img src=x onerror=alert(1)> [click](javascript:alert(1)) <script>alert(1)</script>')
    shown = case_summary_md(CaseFile(case_id="CM16-0001", summary=hostile, injury_date="<b>2016</b>",
                                     items=[DisputedItem(text="x")]))
    assert shown.startswith("**Case CM16-0001**")
    for active in ("<", ">", "](", "![", "javascript:", "http:"):
        assert active not in shown
    assert "&#60;form" in shown and "pixel.png" in shown  # shown literally, as text


def request_for(name: str) -> SimpleNamespace:
    return SimpleNamespace(username=name)


def test_uploads_over_the_limit_are_refused_before_anything_is_stored(tmp_path):
    from assistant.ui.workspace import Workspace

    settings = settings_for(tmp_path, max_upload_mb=1)
    upload = settings.gradio_temp_dir / "up" / "huge.txt"
    upload.parent.mkdir(parents=True)
    upload.write_text("Clinical summary. " * 120_000)  # 2.2 MB
    ws = Workspace(settings)
    try:
        with pytest.raises(gr.Error, match="MB"):
            ws.on_read_case("", str(upload), "", request_for("alice"))
        assert not upload.exists(), "the refused upload is deleted from the cache"
        assert ws.store.list_cases("alice") == []
        assert ws.backend._services is None, "refused before the services (and the intake) ran"
    finally:
        ws.store.close()


def admin_alice_and_reviewer_bob(tmp_path: Path) -> Path:
    """A users.toml where alice is an admin and bob a reviewer."""
    users_file = tmp_path / "users.toml"
    add_user(users_file, "alice", "alice-pass-123", admin=True)
    add_user(users_file, "bob", "bob-pass-1234")
    return users_file


def test_only_an_admin_may_add_a_guideline_from_the_corpus_tab(tmp_path):
    from assistant.corpus.audit import read_corpus_audit
    from assistant.ui.workspace import Workspace

    users_file = admin_alice_and_reviewer_bob(tmp_path)
    settings = settings_for(tmp_path, auth_file=users_file)
    pdf = tmp_path / "mtus.pdf"
    pdf.write_bytes(b"%PDF-1.4 not really")
    ws = Workspace(settings)
    try:
        with pytest.raises(gr.Error, match="Only an admin"):
            ws.on_add_guideline(str(pdf), "mtus-x", "MTUS X", "mtus", "", "", request_for("bob"))
        assert not settings.user_catalog_file.exists() and read_corpus_audit(settings) == []
        with pytest.raises(gr.Error) as caught:  # alice passes the admin check; the bad PDF is then refused
            ws.on_add_guideline(str(pdf), "mtus-x", "MTUS X", "mtus", "", "", request_for("alice"))
        assert "Only an admin" not in str(caught.value)
    finally:
        ws.store.close()


def test_only_an_admin_may_enable_or_disable_a_guideline_from_the_corpus_tab(tmp_path):
    """Every reviewer drafts from the index: a reviewer who is not an admin changes nothing, and is told why."""
    from assistant.corpus.active import active_entries
    from assistant.corpus.audit import read_corpus_audit
    from assistant.ui.app import catalog_choices
    from assistant.ui.workspace import Workspace

    users_file = admin_alice_and_reviewer_bob(tmp_path)
    settings = settings_for(tmp_path, auth_file=users_file, guidelines="cdc-opioids-2022")
    assert ("vadod-lbp-2022" in dict((v, k) for k, v in catalog_choices(settings)))  # the tab lists the catalog
    ws = Workspace(settings)
    try:
        with pytest.raises(gr.Error, match="Only an admin may enable guidelines"):
            ws.on_enable_guideline("vadod-lbp-2022", request_for("bob"))
        assert [e.id for e in active_entries(settings)] == ["cdc-opioids-2022"] and read_corpus_audit(settings) == []
        with pytest.raises(gr.Error, match="Choose a guideline"):
            ws.on_disable_guideline(None, request_for("alice"))
        with pytest.raises(gr.Error, match="only active guideline"):  # alice passes the admin check
            ws.on_disable_guideline("cdc-opioids-2022", request_for("alice"))
        assert [e.id for e in active_entries(settings)] == ["cdc-opioids-2022"]
    finally:
        ws.store.close()


def test_chat_shows_case_text_and_typed_messages_without_markup(cdc_settings):
    """A drafted item's text (case content) and the reviewer's message appear in the Chatbot (Markdown + HTML):
    formatting stays, but no tag, image or link survives."""
    from assistant.ui.workspace import Workspace, opened_state

    hostile = ('Oxycodone 15mg #180 <img src="http://127.0.0.1:9/x.png"> ![p](http://127.0.0.1:9/p.png) '
               '<form action="http://127.0.0.1:9/s"><input name="pw"></form>')
    ws = Workspace(cdc_settings)
    try:
        case = ws.store.create_case("ws-mallory", CaseFile(case_id="CM-HOSTILE", summary="Chronic low back pain.",
                                                           items=[DisputedItem(text=hostile)]))
        history = ws.on_chat('draft item 1 as upheld <img src="http://127.0.0.1:9/m.png">', [], None,
                             opened_state(case.case_id, None), request_for("ws-mallory"))[0]
        reloaded = ws.chat_messages("ws-mallory", case)
        for message in [*history, *reloaded]:
            text = message["content"]
            assert "<img" not in text and "<form" not in text and "<input" not in text
            assert not re.search(r"(?<!\\)\]\(", text) and "![" not in text  # link/image syntax broken
        assert "**Upheld**" in history[1]["content"], "the reply's own formatting is kept"
        assert "127.0.0.1:9/x.png" in history[1]["content"], "the case text is still shown, as text"
    finally:
        ws.store.close()
