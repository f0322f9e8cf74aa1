"""Issue 16 in a real browser: one test per numbered problem, and the cited page with its highlight.

One app and one browser page for the whole module (CI has 2 cores); each test opens its own case.
Drives Debian's chromium through Playwright (see ../shared/NOTES.md)."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import FIXTURES
from test_ui_browser import CHROMIUM, CHROMIUM_ARGS, SHOTS, App, _free_port, _skip_reasons

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TAPER = (FIXTURES / "cases" / "opioid-taper.txt").read_text()
ESCALATION = (FIXTURES / "cases" / "opioid-escalation.txt").read_text()
LONG = 180_000


@pytest.fixture(scope="module")
def page(cdc_settings, tmp_path_factory):
    _skip_reasons()
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("ws-browser") / "home"
    shutil.copytree(cdc_settings.home, home, ignore=shutil.ignore_patterns("drafts.sqlite3*"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    app = App(home, _free_port(), SHOTS / "workspace-app.log")
    app.log.write_text("")
    app.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            pg = browser.new_page(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
            pg.app_url = app.url
            _reload(pg)
            yield pg
            browser.close()
    finally:
        app.stop()


def _reload(pg) -> None:
    pg.goto(pg.app_url, wait_until="domcontentloaded", timeout=120_000)
    pg.wait_for_selector("#case-text textarea", timeout=120_000)
    pg.wait_for_function("() => (document.querySelector('#corpus-note')?.innerText || '').includes('Indexed:')",
                         timeout=300_000)


def _tab(pg, name: str) -> None:
    pg.get_by_role("tab", name=name).click()


def _value(pg, selector: str) -> str:
    return pg.locator(selector).input_value()


def _read(pg, text: str, number: str = "") -> None:
    _tab(pg, "Case")
    pg.locator("#case-text textarea").fill(text)
    pg.locator("#case-number textarea, #case-number input").first.fill(number)
    pg.locator("#case-submit").click()
    if number:
        pg.wait_for_function("n => (document.querySelector('#case-summary')?.innerText || '').includes(n)",
                             arg=number, timeout=LONG)


def _text_in(pg, selector: str, text: str, timeout: float = LONG) -> None:
    pg.wait_for_function("([s, t]) => (document.querySelector(s)?.innerText || '').includes(t)",
                         arg=[selector, text], timeout=timeout)


def _draft(pg, decision: str = "Upheld") -> str:
    _tab(pg, "Rationale")
    pg.locator("#draft-button").click()
    pg.wait_for_function("() => (document.querySelector('#rationale-text textarea')?.value || '').length > 20",
                         timeout=LONG)
    _text_in(pg, "#verify-badge", "Saved revision")
    return _value(pg, "#rationale-text textarea")


def _choose(pg, elem_id: str, label: str) -> None:
    pg.locator(f"#{elem_id} input").first.click()
    pg.locator("[role=option]", has_text=label).first.click()


def _set_programmatically(pg, selector: str, value: str) -> None:
    """As assistive tools and paste do: the value set and an input event sent, no keystrokes."""
    pg.evaluate("([s, v]) => { const el = document.querySelector(s); el.value = v;"
                " el.dispatchEvent(new Event('input', {bubbles: true})); }", [selector, value])


def test_5_a_rationale_with_nothing_verified_is_never_green(page):
    _read(page, TAPER, "CM16-5000005")
    _tab(page, "Rationale")
    _choose(page, "decision", "Upheld")
    page.locator("#rationale-text textarea").fill("The request is not medically necessary.")
    _text_in(page, "#verify-badge", "Saved revision")
    badge = page.locator("#verify-state").inner_text()
    assert "✔" not in badge and "0/0" not in badge and "Not verified" in badge
    assert "badge-bad" in page.locator("#verify-state").get_attribute("class")
    _tab(page, "Export")
    page.locator("#export-button").click()
    _text_in(page, "#export-status", "Exported")
    status = page.locator("#export-status").inner_text()
    assert "All citations verified" not in status and "No citation was verified" in status


def test_1_a_draft_made_in_chat_shows_in_the_editor_at_once(page):
    _read(page, TAPER, "CM16-5000001")
    _tab(page, "Chat")
    page.locator("#chat-input textarea").fill("draft item 1 as upheld")
    page.locator("#chat-input textarea").press("Enter")
    _text_in(page, "#chat", "Upheld")
    _tab(page, "Rationale")
    page.wait_for_function("() => (document.querySelector('#rationale-text textarea')?.value || '').length > 20",
                           timeout=30_000)
    assert "Not drafted yet" not in page.locator("#verify-badge").inner_text()


def test_3_an_edit_right_after_closing_the_case_list_is_kept(page):
    _read(page, TAPER, "CM16-5000003")
    drafted = _draft(page)
    edit = drafted + " Reviewer: kept after closing the case list."
    page.locator("#case-select input").first.click()
    page.keyboard.press("Escape")
    page.locator("#case-select input").first.blur()
    _set_programmatically(page, "#rationale-text textarea", edit)
    page.wait_for_timeout(4000)
    assert _value(page, "#rationale-text textarea") == edit
    _reload(page)
    _choose(page, "case-select", "CM16-5000003")
    _tab(page, "Rationale")
    page.wait_for_function("t => document.querySelector('#rationale-text textarea')?.value === t", arg=edit,
                           timeout=60_000)


def test_2_a_pasted_case_does_not_reread_an_attached_file(page, tmp_path):
    attached = tmp_path / "CM16-5000020.txt"
    attached.write_text("Case Number: CM16-5000020\n" + TAPER)
    _tab(page, "Case")
    page.locator("#case-text textarea").fill("")
    page.locator("#case-file input[type=file]").set_input_files(str(attached))
    page.wait_for_timeout(1500)
    page.locator("#case-submit").click()
    _text_in(page, "#case-summary", "CM16-5000020")
    _read(page, ESCALATION, "CM16-5000021")
    options = page.evaluate("() => document.querySelector('#case-select')?.innerText || ''")
    _choose(page, "case-select", "CM16-5000021")
    page.locator("#case-select input").first.click()
    page.wait_for_selector("[role=listbox]", timeout=10_000)
    listed = page.locator("[role=listbox]").first.inner_text()
    page.keyboard.press("Escape")
    assert "CM16-5000020-2" not in listed and "CM16-5000020-2" not in options
    # The pasted case's own item, not the attached file's ("Oxycodone 10mg #135"): the file was not read again.
    items = page.locator("#case-items").inner_text()
    assert "15mg" in items and "#180" in items and "#135" not in items


def test_4_switching_cases_clears_the_previous_export(page):
    _read(page, TAPER, "CM16-5000004")
    _draft(page)
    _tab(page, "Export")
    page.locator("#export-button").click()
    page.wait_for_selector("#export-docx", state="visible", timeout=LONG)
    _choose(page, "case-select", "CM16-5000001")
    _text_in(page, "#case-summary", "CM16-5000001")
    page.wait_for_selector("#export-docx", state="hidden", timeout=30_000)
    assert "Exported" not in page.locator("#export-status").inner_text()


def test_6_a_pasted_case_has_a_number_and_an_injury_date(page):
    _read(page, TAPER)
    _text_in(page, "body", "states no case number")
    _read(page, "Case Number: CM16-5000006\n" + TAPER)
    _text_in(page, "#case-summary", "Case CM16-5000006")
    page.screenshot(path=str(SHOTS / "case.png"))
    summary = page.locator("#case-summary").inner_text()
    assert "injury 11-02-2011" in summary and "Case case" not in summary


def test_7_typing_with_pauses_is_one_revision(page):
    _read(page, TAPER, "CM16-5000007")
    drafted = _draft(page)
    revisions = []
    for n in range(3):
        page.locator("#rationale-text textarea").fill(drafted + " Typed" + " more" * n)
        page.wait_for_timeout(2500)
        _text_in(page, "#verify-badge", "Saved revision")
        revisions.append(page.locator("#verify-badge").inner_text().split("Saved revision")[1].split(".")[0])
    assert revisions == [" 2", " 2", " 2"], revisions


def test_8_the_letter_has_a_summary_numbered_citations_and_no_tool_text(page):
    _read(page, ESCALATION, "CM16-5000008")
    _draft(page)
    _tab(page, "Export")
    page.locator("#export-button").click()
    page.wait_for_selector("#export-md", state="visible", timeout=LONG)
    with page.expect_download(timeout=60_000) as info:
        page.locator("#export-md").click()
    letter = open(info.value.path(), encoding="utf-8").read()
    assert "## Clinical Case Summary" in letter and "**[1]**" in letter
    assert "add its PDF" not in letter and "Note: No indexed guideline" not in letter
    page.screenshot(path=str(SHOTS / "export.png"))


def test_9_a_lookup_shows_each_passage_once_with_its_text(page):
    _tab(page, "Chat")
    page.locator("#chat-input textarea").fill("what does the guideline say about urine drug testing?")
    page.locator("#chat-input textarea").press("Enter")
    page.wait_for_selector("#chat .source-card blockquote", timeout=LONG)
    quote = page.locator("#chat .source-card blockquote").last.inner_text()
    assert page.locator("#chat .source-card blockquote").last.is_visible()
    page.screenshot(path=str(SHOTS / "chat.png"))
    assert page.locator("body").inner_text().count(quote[:60]) == 1


def test_10_the_guideline_box_is_multiline_and_the_chat_label_sits_above_the_chat(page):
    _tab(page, "Rationale")
    rows = int(page.locator("#ca-guideline textarea").get_attribute("rows") or 1)
    assert rows >= 3
    _tab(page, "Chat")
    label = page.locator("#chat-label").bounding_box()
    chat = page.locator("#chat").bounding_box()
    assert label["y"] + label["height"] <= chat["y"] + 1
    assert page.locator("#chat [data-testid='block-label']").count() == 0


def test_clicking_a_citation_shows_the_page_with_the_quote_highlighted(page):
    from assistant.ui.page_view import render_cited_page
    from conftest import CDC_PDF

    _read(page, ESCALATION, "CM16-5000011")
    _draft(page)
    quote = page.locator('#citation-list [data-testid="cell-0-4"]').inner_text().strip()
    printed = page.locator('#citation-list [data-testid="cell-0-2"]').inner_text().strip()
    page.locator('#citation-list [data-testid="cell-0-1"]').click()
    page.wait_for_selector("#page-image img", timeout=60_000)
    _text_in(page, "#page-note", "highlighted", timeout=60_000)
    boxes = json.loads(page.locator("#page-highlight").get_attribute("data-boxes"))
    import pypdf

    physical = pypdf.PdfReader(str(CDC_PDF)).page_labels.index(printed.split("–")[0]) + 1
    expected = render_cited_page(CDC_PDF, physical, quote).boxes
    assert expected and len(boxes) == len(expected)
    for got, want in zip(boxes, expected):
        assert got == pytest.approx(list(want), abs=0.2)
    left, top, right, bottom = boxes[0]
    r, g, b = page.evaluate(
        """([x, y]) => { const img = document.querySelector('#page-image img');
            const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
            const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
            return Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3)); }""",
        [int(left + 3), int((top + bottom) / 2)])
    assert r > 200 and g > 150 and b < 170, (r, g, b)  # the highlight's yellow on the quoted words, as shown
    page.screenshot(path=str(SHOTS / "rationale.png"), full_page=True)
    page.locator("#page-panel").screenshot(path=str(SHOTS / "page-viewer.png"))
