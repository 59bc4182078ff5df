"""Correcting spans in the standalone HTML report (headless Chromium, no server): accept,
reject, relabel, add a span from selected words, download, and read the download with
``unspin review import``. Needs Debian's chromium at /usr/bin/chromium and playwright."""

from __future__ import annotations

import json

import pytest

from unspin.cli import main
from unspin.report import render_html
from unspin.review.format import read_reviews

from .conftest import MODEL, TEXT

pytestmark = pytest.mark.browser

# words after the emoji: one character in Python, two UTF-16 units in the page's script
ADDED = "every one of them"


def open_report(browser, analysis, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(render_html(analysis), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
            if msg.type in ("error", "warning") else None)
    page.on("request", lambda req: problems.append(f"request: {req.url}")
            if not req.url.startswith(("file://", "blob:")) else None)
    page.goto(path.as_uri())
    page.wait_for_function("document.querySelector('.unspin-report[data-us-ready]')")
    return page, problems


def select_words(page, words: str) -> None:
    """Select ``words`` in the article as a reader would, with a space before them."""
    page.evaluate("""(words) => {
      const walker = document.createTreeWalker(document.querySelector('.us-article'),
                                               NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(words);
        if (at > 0) {
          window.getSelection().setBaseAndExtent(node, at - 1, node, at + words.length);
          return;
        }
      }
      throw new Error('words not found: ' + words);
    }""", words)


def select_across(page, words: str) -> None:
    """Select ``words`` in the article where they run over several text nodes (in and out of
    a highlight)."""
    page.evaluate("""(words) => {
      const walker = document.createTreeWalker(document.querySelector('.us-article'),
                                               NodeFilter.SHOW_TEXT);
      const nodes = [];
      let text = '';
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        nodes.push([node, text.length]);
        text += node.data;
      }
      const from = text.indexOf(words), to = from + words.length;
      if (from < 0) throw new Error('words not found: ' + words);
      const at = (k) => nodes.filter(([n, o]) => o <= k && k <= o + n.data.length).pop();
      const [a, ao] = at(from), [b, bo] = at(to);
      window.getSelection().setBaseAndExtent(a, from - ao, b, to - bo);
    }""", words)


def tag(page, technique_code: str):
    return page.locator(f'.us-tag[data-code="{technique_code}"]').first


def test_review_in_the_report_downloads_what_review_import_reads(browser, analysis, tmp_path,
                                                                   capsys):
    page, problems = open_report(browser, analysis, tmp_path)
    panel = page.locator(".us-panel")
    codes = {t["id"]: t["code"] for t in page.evaluate(
        "JSON.parse(document.querySelector('script.us-data').textContent).taxonomy")}

    # accept with the mouse
    tag(page, codes["Loaded_Language"]).click()
    panel.get_by_role("button", name="Accept").click()
    assert "You accepted this span." in panel.inner_text()
    page.keyboard.press("Escape")

    # reject with the keyboard: Enter on the code label moves the focus to the controls
    tag(page, codes["Doubt"]).focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.textContent") == "Accept"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert "You rejected this span." in panel.inner_text()
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.classList.contains('us-tag')")

    # relabel: another technique from the panel's list
    tag(page, codes["Slogans"]).click()
    panel.get_by_label("Relabel as").select_option("Exaggeration,Minimisation")
    assert "You relabelled it as" in panel.inner_text()
    page.keyboard.press("Escape")

    # add: select words in the article, choose a technique, add
    select_words(page, ADDED)
    page.wait_for_function("(w) => document.querySelector('.us-rvsel').textContent.includes(w)",
                           arg=ADDED)  # selectionchange comes as a task of its own
    page.get_by_label("Technique of the selected words").select_option("Repetition")
    page.get_by_role("button", name="Add span").click()
    assert "1 accepted, 1 rejected, 1 relabelled, 0 moved, 1 added" in page.locator(
        ".us-rvcount").inner_text()

    page.get_by_label("Reviewer").fill("ana@example.org")
    with page.expect_download() as got:
        page.get_by_role("button", name="Download corrections").click()
    download = got.value
    assert download.suggested_filename == "corrections-storm1.jsonl"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert problems == []
    page.close()

    out = tmp_path / "imported.jsonl"
    assert main(["review", "import", str(saved), "-o", str(out)]) == 0
    assert "accept 1, reject 1, relabel 1, add 1, move 0" in capsys.readouterr().err
    (review,) = read_reviews(out)
    assert review.id == "storm1" and review.text == TEXT and review.reviewer == "ana@example.org"
    assert review.model == MODEL
    found = {(c.action, TEXT[c.start:c.end], c.technique, c.original)
             for c in review.corrections}
    assert found == {
        ("accept", "reckless scheme", "Loaded_Language", None),
        ("reject", "Can we really trust a minister", "Doubt", None),
        ("relabel", "Jobs, not excuses!", "Exaggeration,Minimisation", "Slogans"),
        ("add", ADDED, "Repetition", None),
    }
    line = json.loads(saved.read_text(encoding="utf-8"))
    assert line["text_sha256"] == review.text_sha256 and "taxonomy" not in line  # 2020


def test_a_2023_report_reviews_in_the_23_and_its_download_says_so(browser, tmp_path, capsys):
    """The relabel and add lists of a 2023 model's report offer the 23 (the four no model
    detects among them), and the line it downloads carries "taxonomy": "2023"."""
    from unspin.analysis import Analysis, ModelRef, make_span, summarize
    from unspin.document import Document
    from unspin.techniques import TAXONOMY_2023

    start = TEXT.index("traitors")
    spans = (make_span(TEXT, start, start + 8, "Name_Calling-Labeling", 0.9, "2023"),)
    model = ModelRef("demo-2023.v1", "1", "cd" * 32)
    analysis = Analysis(Document(TEXT, id="storm1"), spans, summarize(TEXT, spans, "2023"),
                        model, taxonomy="2023")
    page, problems = open_report(browser, analysis, tmp_path)
    panel = page.locator(".us-panel")
    tag(page, "NAM").click()
    relabel = panel.get_by_label("Relabel as")
    assert relabel.locator("option").evaluate_all("os => os.map(o => o.value)") == list(
        TAXONOMY_2023.ids)
    relabel.select_option("Straw_Man")
    page.keyboard.press("Escape")
    select_words(page, ADDED)
    page.wait_for_function("(w) => document.querySelector('.us-rvsel').textContent.includes(w)",
                           arg=ADDED)
    page.get_by_label("Technique of the selected words").select_option("Appeal_to_Values")
    page.get_by_role("button", name="Add span").click()
    page.get_by_label("Reviewer").fill("ana")
    with page.expect_download() as got:
        page.get_by_role("button", name="Download corrections").click()
    saved = tmp_path / "corrections.jsonl"
    got.value.save_as(saved)
    assert problems == []
    page.close()

    assert json.loads(saved.read_text(encoding="utf-8"))["taxonomy"] == "2023"
    out = tmp_path / "imported.jsonl"
    assert main(["review", "import", str(saved), "-o", str(out)]) == 0
    assert "in the 2023 taxonomy" in capsys.readouterr().err
    (review,) = read_reviews(out)
    assert review.taxonomy == "2023" and review.model == model
    assert {(c.action, TEXT[c.start:c.end], c.technique, c.original)
            for c in review.corrections} == {
        ("relabel", "traitors", "Straw_Man", "Name_Calling-Labeling"),
        ("add", ADDED, "Appeal_to_Values", None)}


def test_moving_boundaries_by_keyboard_and_by_selected_words(browser, analysis, tmp_path,
                                                           capsys):
    page, problems = open_report(browser, analysis, tmp_path)
    panel = page.locator(".us-panel")
    codes = {t["id"]: t["code"] for t in page.evaluate(
        "JSON.parse(document.querySelector('script.us-data').textContent).taxonomy")}

    # keyboard only: Enter on the code label, Tab to "End one word later", Enter three times
    tag(page, codes["Doubt"]).focus()
    page.keyboard.press("Enter")
    for _ in range(12):
        if page.evaluate("document.activeElement.getAttribute('aria-label')") == \
                "End one word later":
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError("no 'End one word later' button in the span's controls")
    for _ in range(3):
        page.keyboard.press("Enter")
    assert "You moved it to \u201CCan we really trust a minister who was wrong?\u201D" in \
        panel.inner_text()
    # and back one word, then forward again: each press is one word
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    assert "\u201CCan we really trust a minister who was\u201D" in panel.inner_text()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    assert "rv-move" in tag(page, codes["Doubt"]).get_attribute("class")

    # selected words: "They are traitors" for the model's "traitors", relabelled as well
    tag(page, codes["Name_Calling,Labeling"]).click()
    panel.get_by_label("Relabel as").select_option("Loaded_Language")
    select_across(page, "They are traitors")
    page.wait_for_function("() => document.querySelector('.us-rvsel').textContent"
                           ".includes('They are traitors')")
    panel.get_by_role("button", name="Set to selected words").click()
    assert "You moved it to \u201CThey are traitors\u201D" in panel.inner_text()
    # words elsewhere are refused: a move must overlap the model's span
    select_across(page, "reckless scheme")
    page.wait_for_function("() => document.querySelector('.us-rvsel').textContent"
                           ".includes('reckless scheme')")
    panel.get_by_role("button", name="Set to selected words").click()
    assert "must overlap" in page.locator(".us-rvstatus").inner_text()
    page.keyboard.press("Escape")
    assert "1 relabelled, 2 moved" in page.locator(".us-rvcount").inner_text()

    page.get_by_label("Reviewer").fill("ana")
    with page.expect_download() as got:
        page.get_by_role("button", name="Download corrections").click()
    saved = tmp_path / got.value.suggested_filename
    got.value.save_as(saved)
    assert problems == []
    page.close()

    out = tmp_path / "imported.jsonl"
    assert main(["review", "import", str(saved), "-o", str(out)]) == 0
    assert "move 2" in capsys.readouterr().err
    (review,) = read_reviews(out)
    found = {(c.action, TEXT[c.start:c.end], c.technique, c.original, TEXT[slice(*c.was)])
             for c in review.corrections}
    assert found == {
        ("move", "Can we really trust a minister who was wrong?", "Doubt", None,
         "Can we really trust a minister"),
        ("move", "They are traitors", "Loaded_Language", "Name_Calling,Labeling", "traitors")}


def test_saving_needs_a_reviewer_and_a_correction(browser, analysis, tmp_path):
    page, problems = open_report(browser, analysis, tmp_path)
    save = page.get_by_role("button", name="Download corrections")
    save.click()
    assert "reviewer" in page.locator(".us-rvstatus").inner_text()
    page.get_by_label("Reviewer").fill("ana")
    save.click()
    assert "Nothing to save yet" in page.locator(".us-rvstatus").inner_text()
    page.get_by_role("button", name="Add span").click()
    assert "select the words" in page.locator(".us-rvstatus").inner_text()
    assert problems == []
    page.close()
