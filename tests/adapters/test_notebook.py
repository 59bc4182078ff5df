"""Jupyter: a one-line repr, and the HTML report in a sandboxed frame."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

import unspin
from unspin.report import render_html


class Elements(HTMLParser):
    """Every start tag with its attributes, and the depth each one opened at."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[int, str, dict]] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((self.depth, tag, dict(attrs)))
        self.depth += 1

    def handle_endtag(self, tag):
        self.depth -= 1


def parse(markup: str) -> Elements:
    parser = Elements()
    parser.feed(markup)
    parser.close()
    return parser


def test_repr_is_one_short_line(sample, synthetic):
    assert repr(sample) == "<Analysis 'Storm warning' 38 chars, 1 span, model test-spans.v1>"
    long = synthetic("x" * 5000, title="A " * 60, spans=())
    line = repr(long)
    assert "\n" not in line and len(line) < 110
    assert line.startswith("<Analysis 'A A A") and "…' 5,000 chars, 0 spans," in line
    untitled = synthetic("No title here.\nJust text.", title=None, spans=(), doc_id=None)
    assert repr(untitled).startswith("<Analysis 'No title here. Just text.' 25 chars")


def test_showcase_repr_is_short(seed_path):
    analysis = unspin.analyze(seed_path)
    line = repr(analysis)
    assert "\n" not in line and len(line) < 120, line  # was 42,775 characters
    assert f"{len(analysis.document.text):,} chars, {len(analysis.spans)} spans" in line


def test_html_is_the_report_in_a_sandboxed_frame(synthetic):
    hostile = synthetic('</iframe><script>parent.document.body.remove()</script>\n\n"x" & y',
                        title='"><img src=x onerror=alert(1)>', spans=())
    cell = hostile._repr_html_()
    tags = parse(cell).tags
    assert [(depth, tag) for depth, tag, _ in tags] == [(0, "iframe")]  # one element, nothing else
    attrs = tags[0][2]
    assert set(attrs["sandbox"].split()) == {
        "allow-scripts", "allow-popups", "allow-popups-to-escape-sandbox"}  # no same origin
    assert attrs["srcdoc"] == render_html(hostile)  # the standalone report, unchanged
    assert "<script" not in cell and "<img" not in cell


def test_html_without_the_notebook_adapter_falls_back_to_text(sample, monkeypatch):
    monkeypatch.setattr("unspin.analysis.HTML_DISPLAY", None)
    assert sample._repr_html_() is None  # Jupyter then shows repr()


@pytest.mark.browser
def test_report_runs_in_the_frame_and_cannot_reach_the_notebook(browser, sample):
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.set_content(f"<title>notebook</title><div id=cell>{sample._repr_html_()}</div>")
    frame = page.frame_locator("iframe")
    frame.locator(".unspin-report[data-us-ready]").wait_for(timeout=10_000)
    assert frame.locator(".us-tag").count() == 1  # the span's label, set up by the report script
    inner = page.frames[1]
    reach = inner.evaluate("() => { try { return parent.document.title } "
                           "catch (e) { return 'blocked' } }")
    assert reach == "blocked"
    assert problems == []
    page.close()
