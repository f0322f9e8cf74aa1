"""Regenerate the README's screenshots of the workspace (docs/images/*.png) in Debian's chromium.

    python scripts/screenshots.py [--home DIR] [--out docs/images]

Without --home, a temporary home is made and the CDC guideline indexed from ASSISTANT_CORPUS_MIRROR.
The app runs offline on a free 127.0.0.1 port; the case is the fictional test fixture opioid-escalation.txt."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
CASE = ROOT / "tests" / "fixtures" / "cases" / "opioid-escalation.txt"
LONG = 300_000


def indexed_home() -> Path:
    from assistant.config import load_settings
    from assistant.index.store import build_index

    home = Path(tempfile.mkdtemp(prefix="screenshots-home-"))
    build_index(load_settings(home=home))
    return home


def start_app(home: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "ASSISTANT_HOME": str(home), "ASSISTANT_MODEL": "offline", "PYTHONPATH": str(ROOT),
           "ASSISTANT_REVIEWER": "screenshots", "GRADIO_ANALYTICS_ENABLED": "False"}
    process = subprocess.Popen([sys.executable, str(ROOT / "ui.py"), "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(300):
        try:
            with urllib.request.urlopen(url, timeout=5):
                return process, url
        except OSError:
            time.sleep(1)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit(f"the app did not answer on {url}")


def take(url: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.goto(url, wait_until="domcontentloaded", timeout=120_000)
        page.wait_for_function("() => (document.querySelector('#corpus-note')?.innerText || '').includes('Indexed:')",
                               timeout=LONG)
        page.locator("#case-text textarea").fill(CASE.read_text())
        page.locator("#case-number textarea, #case-number input").first.fill("CM16-0000001")
        page.locator("#case-submit").click()
        page.wait_for_function("() => (document.querySelector('#case-items')?.innerText || '').includes('Oxycodone')",
                               timeout=LONG)
        page.screenshot(path=str(out / "case.png"))
        page.get_by_role("tab", name="Chat").click()
        page.locator("#chat-input textarea").fill("what does the guideline say about urine drug testing?")
        page.locator("#chat-input textarea").press("Enter")
        page.wait_for_selector("#chat .source-card", timeout=LONG)
        page.screenshot(path=str(out / "chat.png"))
        page.get_by_role("tab", name="Rationale").click()
        page.locator("#draft-button").click()
        page.wait_for_function("() => (document.querySelector('#verify-badge')?.innerText || '').includes('Saved')",
                               timeout=LONG)
        page.locator('#citation-list [data-testid="cell-0-1"]').click()
        page.wait_for_function("() => (document.querySelector('#page-note')?.innerText || '').includes('highlighted')",
                               timeout=LONG)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(out / "rationale.png"), full_page=True)
        page.locator("#page-panel").screenshot(path=str(out / "page-viewer.png"))
        page.get_by_role("tab", name="Export").click()
        page.locator("#export-button").click()
        page.wait_for_selector("#export-docx", state="visible", timeout=LONG)
        page.screenshot(path=str(out / "export.png"))
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="an ASSISTANT_HOME with a built index (default: build one)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args(argv)
    home = args.home or indexed_home()
    process, url = start_app(home)
    try:
        take(url, args.out)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    print(f"screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
