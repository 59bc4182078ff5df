"""The HTML report in headless Chromium: no script errors, hostile markup inert, panel, keyboard,
filters, phone width, print. Screenshots go to $UNSPIN_TEST_SCREENSHOT_DIR (default: tmp_path).

Needs Debian's chromium at /usr/bin/chromium and the playwright package (no downloaded browser).
"""

from __future__ import annotations

import pytest

from unspin.report import render_html

pytestmark = pytest.mark.browser


def open_report(browser, analysis, tmp_path, name, width=1280, height=900):
    """Write the report to a file and open it; returns (page, problems) where problems collects
    uncaught errors, console errors (a CSP refusal shows there) and any network request."""
    path = tmp_path / f"{name}.html"
    path.write_text(render_html(analysis), encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
            if msg.type in ("error", "warning") else None)
    page.on("request", lambda req: problems.append(f"request: {req.url}")
            if not req.url.startswith("file://") else None)
    page.goto(path.as_uri())
    page.wait_for_function("document.querySelector('.unspin-report[data-us-ready]')")
    return page, problems


def background(page, selector, settle_on=None):
    """The computed background of the first match, after any colour transition settles."""
    if settle_on is not None:
        page.wait_for_function(
            "([sel, want]) => getComputedStyle(document.querySelector(sel)).backgroundColor"
            " === want", arg=[selector, settle_on])
    return page.eval_on_selector(selector, "el => getComputedStyle(el).backgroundColor")


def test_hostile_markup_never_runs(browser, hostile, tmp_path, shots):
    page, problems = open_report(browser, hostile, tmp_path, "hostile")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img").count() == 0
    assert "<script>window.__pwned=1</script>" in page.inner_text("h1")
    page.locator(".us-tag").first.click()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    page.screenshot(path=str(shots / "report-hostile.png"), full_page=True)
    assert problems == []
    page.close()


def test_panel_filters_and_screenshots(browser, sample, tmp_path, shots):
    page, problems = open_report(browser, sample, tmp_path, "sample")
    page.screenshot(path=str(shots / "report-desktop.png"), full_page=True)

    # Click a highlight: the panel names the technique, quotes the phrase, gives confidence.
    panel = page.locator(".us-panel")
    assert panel.is_hidden()
    page.get_by_text("Every serious economist", exact=False).first.click()
    assert panel.is_visible()
    assert "Appeal to authority" in panel.inner_text()
    assert "84%" in panel.inner_text()
    assert "Every serious economist agrees the harbour will pay for itself" in panel.inner_text()
    page.screenshot(path=str(shots / "report-desktop-panel.png"))

    # Overlap: clicking the nested word lists both techniques, innermost first.
    page.locator('.h.t8:not(.d1)', has_text="so-called").first.click(position={"x": 30, "y": 8})
    text = panel.inner_text()
    assert "2 techniques overlap here" in text
    assert text.index("Loaded language") < text.index("Name calling / labelling")

    # Keyboard: Tab reaches a span's code button, Enter opens, Escape closes and keeps focus.
    page.keyboard.press("Escape")
    assert panel.is_hidden()
    first_tag = page.locator(".us-tag").first
    first_tag.focus()
    page.keyboard.press("Enter")
    assert panel.is_visible() and "Loaded language" in panel.inner_text()
    page.keyboard.press("Escape")
    assert panel.is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('us-tag')")
    page.keyboard.press("Tab")
    page.keyboard.press(" ")
    assert panel.is_visible() and "Loaded language" in panel.inner_text()
    page.keyboard.press("Escape")

    # Filter: hiding Appeal to authority removes its highlight, code and finding.
    authority = page.locator('.us-filter[data-t="t0"]')
    highlight = '.h.t0'
    visible_bg = background(page, highlight)
    assert visible_bg != "rgba(0, 0, 0, 0)"
    authority.click()
    assert authority.get_attribute("aria-pressed") == "false"
    assert background(page, highlight, settle_on="rgba(0, 0, 0, 0)") == "rgba(0, 0, 0, 0)"
    assert page.locator('.us-tag.t0').is_hidden()
    assert page.locator('.us-finding.t0').is_hidden()
    assert page.locator('.us-tag.t8').first.is_visible()  # others untouched
    page.locator(highlight).first.click()
    assert panel.is_hidden()  # a hidden span does not open the panel
    page.locator(".us-showall").click()
    assert authority.get_attribute("aria-pressed") == "true"
    assert background(page, highlight, settle_on=visible_bg) == visible_bg

    # The findings list jumps to a span and opens it.
    page.locator('.us-jump[data-i="14"]').click()
    assert "Thought-terminating cliché" in panel.inner_text()
    assert problems == []
    page.close()


def test_phone_width(browser, sample, tmp_path, shots):
    page, problems = open_report(browser, sample, tmp_path, "phone", width=390, height=844)
    page.screenshot(path=str(shots / "report-phone.png"), full_page=True)
    # Nothing overflows sideways at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator(".us-tag").nth(2).click()
    box = page.locator(".us-panel").bounding_box()
    assert box and box["width"] == pytest.approx(390, abs=1)  # bottom sheet
    page.screenshot(path=str(shots / "report-phone-panel.png"))
    assert problems == []
    page.close()


def test_print_keeps_highlights_and_drops_controls(browser, sample, tmp_path, shots):
    page, problems = open_report(browser, sample, tmp_path, "print")
    page.locator(".us-tag").first.click()
    page.emulate_media(media="print")
    assert page.locator(".us-panel").is_hidden()
    assert page.locator(".us-hint").is_hidden()
    assert page.locator(".us-tag").first.is_visible()  # codes stay, colour is not the only cue
    border = page.eval_on_selector(".h.t8", "el => getComputedStyle(el).borderBottomStyle")
    assert border == "solid"
    page.screenshot(path=str(shots / "report-print.png"), full_page=True)
    page.pdf(path=str(shots / "report-print.pdf"))
    assert problems == []
    page.close()


# -- what the enrich stage found --------------------------------------------------------------

LIT = "Array.from(document.querySelectorAll('.h.is-lit'), el => Number(el.dataset.i))"


def lit_spans(page) -> set[int]:
    return set(page.evaluate(LIT))


def test_selecting_a_name_lights_exactly_its_spans(browser, enriched, tmp_path, shots):
    from unspin.report._enriched import span_positions

    page, problems = open_report(browser, enriched, tmp_path, "enriched")
    page.screenshot(path=str(shots / "report-enriched.png"), full_page=True)
    positions = span_positions(enriched.spans)
    council, hall = ({positions[i] for i in row.spans} for row in enriched.enrichment.tally)
    names = page.locator(".us-entity")
    assert names.count() == 2 and lit_spans(page) == set()

    names.first.click()
    assert lit_spans(page) == council
    assert names.first.get_attribute("aria-pressed") == "true"
    bar = page.locator(".us-focusbar")
    assert bar.is_visible() and bar.inner_text().startswith("4 spans aimed at City council")
    # The lit spans keep their colour, every other span fades to no background (waiting out
    # the colour transition).
    page.wait_for_function(
        """lit => Array.from(document.querySelectorAll('.h')).every(el =>
             (getComputedStyle(el).backgroundColor !== 'rgba(0, 0, 0, 0)')
             === lit.includes(Number(el.dataset.i)))""", arg=sorted(council))
    page.screenshot(path=str(shots / "report-enriched-focus.png"))

    names.nth(1).click()  # another name replaces the first
    assert lit_spans(page) == hall
    assert names.first.get_attribute("aria-pressed") == "false"
    names.nth(1).click()  # again: cleared
    assert lit_spans(page) == set() and bar.is_hidden()
    assert page.evaluate("document.querySelector('.unspin-report.is-focus')") is None

    # Keyboard: Enter selects, Escape clears and gives focus back to the name.
    names.first.focus()
    page.keyboard.press("Enter")
    assert lit_spans(page) == council
    page.keyboard.press("Escape")
    assert lit_spans(page) == set()
    assert page.evaluate("document.activeElement.classList.contains('us-entity')")
    # Clear, on the bar, works too (phones have no Escape key).
    names.first.click()
    page.locator(".us-unfocus").click()
    assert lit_spans(page) == set() and bar.is_hidden()
    assert problems == []
    page.close()


def test_quotes_and_claims_jump_to_the_text(browser, enriched, tmp_path, shots):
    page, problems = open_report(browser, enriched, tmp_path, "jump")
    quote = enriched.enrichment.quotes[1]
    page.locator('.us-qjump[data-q="1"]').click()
    lit = page.locator(".us-qt.is-lit")
    assert lit.count() >= 1
    assert "".join(lit.all_inner_texts()).strip() == quote.text
    assert page.evaluate("document.activeElement.dataset.q") == "1"
    assert page.locator(".us-qt.is-lit").first.is_visible()
    page.screenshot(path=str(shots / "report-enriched-quote.png"))
    top = min(enriched.enrichment.claims, key=lambda c: c.rank)
    page.locator('.us-cjump[data-c="0"]').click()
    assert page.locator(".us-qt.is-lit").count() == 0  # one thing lit at a time
    text = "".join(page.locator(".us-cl.is-lit").all_inner_texts())
    assert " ".join(text.split()) == " ".join(top.text.split())
    page.keyboard.press("Escape")
    assert page.locator(".us-cl.is-lit").count() == 0
    assert problems == []
    page.close()


def test_show_all_claims(browser, sample, tmp_path):
    from unspin.analysis import Analysis, sentence_bounds
    from unspin.enrich.types import Claim, Enrichment

    text = sample.document.text
    claims = tuple(Claim(a, b, text[a:b], 1.0, k + 1, ("named",), (), ())
                   for k, (a, b) in enumerate(sentence_bounds(text)[:12]))
    a = Analysis(sample.document, sample.spans, sample.summary, sample.model,
                 enrichment=Enrichment("rules.v1", claims=claims))
    page, problems = open_report(browser, a, tmp_path, "claims")
    rows = page.locator(".us-claims li")
    more = page.locator(".us-claims .us-more")
    assert rows.count() == 12 and sum(r.is_visible() for r in rows.all()) == 10
    more.click()
    assert sum(r.is_visible() for r in rows.all()) == 12
    assert more.get_attribute("aria-expanded") == "true"
    assert more.inner_text() == "Show the top 10"
    more.click()
    assert sum(r.is_visible() for r in rows.all()) == 10
    assert problems == []
    page.close()


def test_hostile_findings_never_run(browser, hostile_enriched, tmp_path, shots):
    page, problems = open_report(browser, hostile_enriched, tmp_path, "hostile-enriched")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img").count() == 0
    page.locator(".us-entity").first.click()
    page.locator(".us-qjump").first.click()
    page.locator(".us-cjump").first.click()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert "window.__pwned=13" in page.inner_text(".us-targeted")
    assert "window.__pwned=13" in page.inner_text(".us-focusbar")
    page.screenshot(path=str(shots / "report-hostile-enriched.png"), full_page=True)
    assert problems == []
    page.close()


def test_enriched_phone_width(browser, enriched, tmp_path, shots):
    page, problems = open_report(browser, enriched, tmp_path, "enriched-phone", width=390,
                                 height=844)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator(".us-entity").first.click()
    bar = page.locator(".us-focusbar").bounding_box()
    assert bar and bar["x"] >= 0 and bar["x"] + bar["width"] <= 390
    # The first lit span is brought into view.
    assert page.locator(".h.is-lit").first.is_visible()
    box = page.locator(".h.is-lit").first.bounding_box()
    assert box and 0 <= box["y"] <= 844
    page.screenshot(path=str(shots / "report-enriched-phone-focus.png"))
    assert problems == []
    page.close()
