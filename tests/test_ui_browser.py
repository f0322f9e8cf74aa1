"""End to end in a real browser: paste a case, ask, draft, edit, break a citation, export, restart, find the draft.

Drives Debian's chromium through Playwright (see ../shared/NOTES.md); the app runs as `python ui.py` on a free
127.0.0.1 port with the session's real index. Screenshots go to test-output/ui/.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import CDC_PDF, FIXTURES, PROJECT_ROOT, TEST_OUTPUT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
SHOTS = TEST_OUTPUT / "ui"
EDIT_MARK = "Reviewer addition: edited in the browser test."

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _services_available() -> bool:
    try:
        import assistant.services  # noqa: F401
    except ImportError:
        return False
    return True


def _skip_reasons():
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: `apt-get install -y chromium` (see ../shared/NOTES.md)")
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("playwright (python) is not installed: `pip install playwright`")
    if not _services_available():
        pytest.skip("services not available")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class App:
    """`python ui.py` as a child process, with its log in test-output/ui/."""

    def __init__(self, home: Path, port: int, log: Path):
        self.home, self.port, self.log = home, port, log
        self.process: subprocess.Popen | None = None
        self.extra_args: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, timeout: float = 300) -> None:
        env = {
            **os.environ,
            "ASSISTANT_HOME": str(self.home),
            "ASSISTANT_CORPUS_MIRROR": str(CDC_PDF.parent),
            "ASSISTANT_REVIEWER": "browser-tester",
            "ASSISTANT_MODEL": "offline",
            "GRADIO_ANALYTICS_ENABLED": "False",
            "PYTHONPATH": str(PROJECT_ROOT),
            "PYTHONUNBUFFERED": "1",
        }
        handle = self.log.open("a")
        self.process = subprocess.Popen(
            [sys.executable, str(PROJECT_ROOT / "ui.py"), "--host", "127.0.0.1", "--port", str(self.port), *self.extra_args],
            cwd=PROJECT_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"ui.py exited with {self.process.returncode}; see {self.log}:\n"
                                     + self.log.read_text()[-4000:])
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(1)
        raise AssertionError(f"ui.py did not answer on {self.url} within {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self.process = None


@pytest.fixture
def ui_home(cdc_settings, tmp_path):
    """A copy of the session's indexed home, so this test's drafts start empty and stay its own."""
    home = tmp_path / "home"
    shutil.copytree(cdc_settings.home, home, ignore=shutil.ignore_patterns("drafts.sqlite3*"))
    return home


def _open(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_selector("#case-text textarea", timeout=120_000)


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def _badge(page) -> str:
    return page.locator("#verify-badge").inner_text()


def _wait_badge_change(page, before: str, timeout: float = 120_000) -> str:
    page.wait_for_function(
        "before => { const el = document.querySelector('#verify-badge'); return el && el.innerText !== before; }",
        arg=before, timeout=timeout,
    )
    return _badge(page)


def _edit_first_quote(page, new_quote: str) -> None:
    """Edit the Quote cell (5th column) of the first citation row in the citations table."""
    cell = page.locator('#citation-list [data-testid="cell-0-4"]')
    cell.dblclick()
    editor = page.locator("#citation-list textarea, #citation-list input").first
    editor.wait_for(timeout=10_000)
    editor.fill(new_quote)
    editor.press("Enter")


def test_browser_end_to_end(ui_home, tmp_path):
    _skip_reasons()
    from docx import Document
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    case_text = (FIXTURES / "cases" / "opioid-escalation.txt").read_text()
    app = App(ui_home, _free_port(), SHOTS / "app.log")
    app.log.write_text("")
    app.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            _open(page, app.url)
            page.wait_for_function(
                "() => (document.querySelector('#corpus-note')?.innerText || '').includes('Indexed:')", timeout=300_000)
            assert "Indexed: CDC Clinical Practice Guideline for Prescribing Opioids for Pain (2022)" in \
                page.locator("#corpus-note").inner_text()
            assert "offline" in page.locator("#status-line").inner_text()

            # 1. Paste the case and read it: the disputed item appears in the editable table.
            page.locator("#case-text textarea").fill(case_text)
            page.locator("#case-number textarea, #case-number input").first.fill("CM16-0000042")
            page.locator("#case-submit").click()
            page.wait_for_function(
                "() => (document.querySelector('#case-items')?.innerText || '').includes('Oxycodone')", timeout=180_000)
            page.screenshot(path=str(SHOTS / "01-case.png"), full_page=True)

            # 2. Ask a lookup question: a cited source card with a printed page.
            _tab(page, "Chat")
            page.locator("#chat-input textarea").fill("what does the guideline say about urine drug testing?")
            page.locator("#chat-input textarea").press("Enter")
            page.wait_for_selector("#chat .source-card", timeout=180_000)
            card = page.locator("#chat .source-card").first
            assert "p." in card.inner_text()
            page.screenshot(path=str(SHOTS / "02-chat.png"), full_page=True)

            # 3. Draft item 1.
            _tab(page, "Rationale")
            before = _badge(page)
            page.locator("#draft-button").click()
            page.wait_for_function(
                "() => (document.querySelector('#rationale-text textarea')?.value || '').trim().length > 20",
                timeout=300_000)
            drafted = page.locator("#rationale-text textarea").input_value()
            badge_drafted = _badge(page) if _badge(page) != before else _wait_badge_change(page, before)
            assert "citation(s) found on the cited page" in badge_drafted
            page.screenshot(path=str(SHOTS / "03-drafted.png"), full_page=True)

            # 4. Edit the rationale text: autosaved as a new revision and re-verified.
            page.locator("#rationale-text textarea").fill(drafted + "\n\n" + EDIT_MARK)
            page.wait_for_function(
                "() => /Saved revision [2-9]/.test(document.querySelector('#verify-badge')?.innerText || '')",
                timeout=120_000)
            badge_edited = _badge(page)
            page.screenshot(path=str(SHOTS / "04-edited.png"), full_page=True)

            # 5. Break a citation: change a quoted word; the badge must say so.
            assert page.locator('#citation-list [data-testid="cell-0-4"]').count() == 1, \
                "the draft has no citation to break"
            _edit_first_quote(page, "zebras certainly recommend quadrupling every dosage of oxycodone")
            badge_broken = _wait_badge_change(page, badge_edited)
            page.wait_for_function(
                "() => (document.querySelector('#verify-badge')?.innerText || '').includes('quote_not_found')",
                timeout=120_000)
            badge_broken = _badge(page)
            assert badge_broken.split("\n")[0] != badge_edited.split("\n")[0]
            page.screenshot(path=str(SHOTS / "05-broken-citation.png"), full_page=True)

            # 6. Export DOCX: a download that opens with python-docx and holds the edited text.
            _tab(page, "Export")
            page.locator("#export-button").click()
            page.wait_for_selector("#export-docx", state="visible", timeout=120_000)
            with page.expect_download(timeout=60_000) as download_info:
                page.locator("#export-docx").click()
            target = SHOTS / "determination.docx"
            download_info.value.save_as(str(target))
            letter = "\n".join(par.text for par in Document(str(target)).paragraphs)
            assert EDIT_MARK in letter
            assert "UNVERIFIED" in letter
            page.screenshot(path=str(SHOTS / "06-export.png"), full_page=True)
            browser.close()

        # 7. Restart the app: the draft is still there.
        app.stop()
        app.start()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            _open(page, app.url)
            _tab(page, "Rationale")
            page.wait_for_function(
                "mark => (document.querySelector('#rationale-text textarea')?.value || '').includes(mark)",
                arg=EDIT_MARK, timeout=120_000)
            assert "quote_not_found" in _badge(page)
            page.screenshot(path=str(SHOTS / "07-after-restart.png"), full_page=True)
            browser.close()
    finally:
        app.stop()


def test_login_required_and_each_reviewer_sees_only_their_own_cases(ui_home, tmp_path):
    """With --auth users.toml: the app asks for a login; alice's case never appears in bob's workspace."""
    _skip_reasons()
    from playwright.sync_api import sync_playwright

    from assistant.auth import add_user

    users = tmp_path / "users.toml"
    add_user(users, "alice", "alice-pass-123")
    add_user(users, "bob", "bob-pass-456")
    SHOTS.mkdir(parents=True, exist_ok=True)
    app = App(ui_home, _free_port(), SHOTS / "auth-app.log")
    app.extra_args = ["--auth", str(users)]
    app.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)

            def sign_in(name: str, password: str):
                page = browser.new_context().new_page()
                page.goto(app.url, wait_until="domcontentloaded", timeout=120_000)
                page.wait_for_selector("input[data-testid='password']", timeout=120_000)
                page.fill("input[data-testid='textbox']", name)
                page.fill("input[data-testid='password']", password)
                page.keyboard.press("Enter")
                page.wait_for_selector("#case-text textarea", timeout=120_000)
                page.wait_for_function(
                    "() => (document.querySelector('#corpus-note')?.innerText || '').includes('Indexed:')", timeout=300_000)
                return page

            wrong = browser.new_context().new_page()
            wrong.goto(app.url, wait_until="domcontentloaded", timeout=120_000)
            wrong.wait_for_selector("input[data-testid='password']", timeout=120_000)
            wrong.fill("input[data-testid='textbox']", "alice")
            wrong.fill("input[data-testid='password']", "not-her-password")
            wrong.keyboard.press("Enter")
            wrong.wait_for_timeout(3000)
            assert wrong.locator("#case-text textarea").count() == 0  # still on the login page

            alice = sign_in("alice", "alice-pass-123")
            alice.locator("#case-text textarea").fill((FIXTURES / "cases" / "opioid-taper.txt").read_text())
            alice.locator("#case-number textarea, #case-number input").first.fill("CM16-0000043")
            alice.locator("#case-submit").click()
            alice.wait_for_function(
                "() => (document.querySelector('#case-items')?.innerText || '').includes('Oxycodone')", timeout=180_000)
            assert "alice" in alice.locator("#status-line").inner_text()
            alice.screenshot(path=str(SHOTS / "auth-alice.png"), full_page=True)

            bob = sign_in("bob", "bob-pass-456")
            assert "bob" in bob.locator("#status-line").inner_text()
            bob.locator("#case-select").click()
            bob.wait_for_timeout(1500)
            bob.screenshot(path=str(SHOTS / "auth-bob.png"), full_page=True)
            assert "Oxycodone" not in bob.locator("body").inner_text()
            # Control: alice, signed in again, does see her case in the same list.
            again = sign_in("alice", "alice-pass-123")
            again.locator("#case-select").click()
            again.wait_for_timeout(1500)
            assert "Oxycodone" in again.locator("body").inner_text()
            browser.close()
    finally:
        app.stop()
