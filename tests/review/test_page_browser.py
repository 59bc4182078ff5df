"""Correcting spans in the web page of a real ``unspin serve --db`` on 127.0.0.1 (headless
Chromium): accept a span, add one from selected words, save, and find the review in the store."""

from __future__ import annotations

import pytest

from unspin.review.store import read_stored

pytest.importorskip("fastapi", reason="needs unspin[serve]")
httpx = pytest.importorskip("httpx")
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.model, pytest.mark.slow]


@pytest.fixture(scope="module")
def served(tmp_path_factory, start_serve):
    """(address, store URL) of a server started for this module."""
    db = f"sqlite:///{tmp_path_factory.mktemp('store') / 'reviews.db'}"
    yield start_serve("--db", db), db


def test_save_corrections_from_the_page_into_the_store(browser, served, seed_path):
    base, db = served
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(60_000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    page.goto(base + "/")
    page.fill("#text", seed_path.read_text(encoding="utf-8"))
    page.click("#go")
    report = page.locator("#result .unspin-report[data-us-ready]")
    report.wait_for()

    report.locator(".us-tag").first.click()
    report.locator(".us-panel").get_by_role("button", name="Accept").click()
    page.keyboard.press("Escape")
    words = page.evaluate("""() => {
      const p = document.querySelector('#result .us-article > p:nth-of-type(2)');
      const node = document.createTreeWalker(p, NodeFilter.SHOW_TEXT).nextNode();
      const end = node.data.indexOf(' ', 12);
      window.getSelection().setBaseAndExtent(node, 0, node, end);
      return node.data.slice(0, end).trim();
    }""")
    expect(report.locator(".us-rvsel")).to_contain_text(words)  # (no eval under the page's CSP)
    report.get_by_label("Technique of the selected words").select_option("Doubt")
    report.get_by_role("button", name="Add span").click()
    report.get_by_label("Reviewer").fill("ana")
    report.get_by_role("button", name="Save corrections").click()
    expect(report.locator(".us-rvstatus")).to_contain_text("Saved in the server's store")

    (review,) = read_stored(db)
    assert review.reviewer == "ana" and review.source == "unspin web page"
    assert review.counts() == {"accept": 1, "reject": 0, "relabel": 0, "add": 1, "move": 0}
    (added,) = [c for c in review.corrections if c.action == "add"]
    assert review.text[added.start:added.end] == words and added.technique == "Doubt"
    assert review.model is not None and review.model.fingerprint
    assert problems == []
    page.close()
