"""HTML report without a browser: escaping, exact span text, overlaps, self-containment."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from unspin.analysis import Analysis, ModelRef, Span, summarize
from unspin.document import Document
from unspin.report import html_parts, render, render_html
from unspin.report._layout import ordered_spans

ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "script", "div", "span", "header", "h1",
    "h2", "p", "b", "dl", "dt", "dd", "ul", "ol", "li", "a", "code", "time", "svg", "rect",
    "text", "section", "aside", "main", "article", "button", "details", "summary", "q",
    "footer",
}


class Page(HTMLParser):
    """Collects tags, attributes, scripts and the text inside each highlight (by data-i)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[tuple[str, str | None]] = []
        self.span_text: dict[int, str] = {}
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.in_script: dict[str, str | None] | None = None
        self.quotes: list[str] = []
        self.in_q = False
        self.title_text = ""
        self.in_h1 = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "script":
            self.in_script = a
            self.scripts.append((a, ""))
        if tag == "q":
            self.in_q = True
            self.quotes.append("")
        if tag == "h1":
            self.in_h1 = True
        if tag not in ("meta", "rect"):
            self.stack.append((tag, a.get("data-i") if "h" in (a.get("class") or "").split()
                               else None))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = None
        if tag == "q":
            self.in_q = False
        if tag == "h1":
            self.in_h1 = False
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self.in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
            return
        if self.in_q:
            self.quotes[-1] += data
        if self.in_h1:
            self.title_text += data
        for _, index in self.stack:
            if index is not None:
                self.span_text[int(index)] = self.span_text.get(int(index), "") + data


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture
def sample_page(sample) -> str:
    return render_html(sample)


@pytest.fixture
def hostile_page(hostile) -> str:
    return render_html(hostile)


def test_render_dispatches_to_html(sample, sample_page):
    assert render(sample, "html") == sample_page
    assert sample_page.startswith("<!doctype html>")


def test_hostile_text_and_metadata_never_become_markup(hostile, hostile_page):
    assert "<script>window" not in hostile_page
    assert "<img" not in hostile_page and "<b>evil" not in hostile_page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in hostile_page
    assert "onerror=&quot;window.__pwned=2&quot;" in hostile_page
    page = parse(hostile_page)
    for tag, attrs in page.tags:
        assert tag in ALLOWED_TAGS, tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src", "action", "formaction", "xlink:href"):
            assert not (attrs.get(name) or "").strip().lower().startswith("javascript:")
    # Exactly two scripts: the data block and the report's own code, neither loading a file.
    assert [a.get("type") for a, _ in page.scripts] == ["application/json", None]
    assert all("src" not in a for a, _ in page.scripts)
    # The language attribute stays one attribute.
    langs = [a["lang"] for t, a in page.tags if t == "article"]
    assert langs == ['en" onload="window.__pwned=12']
    # Every metadata field that held markup shows it as text.
    assert hostile_page.count("&lt;script&gt;window.__pwned=9&lt;/script&gt;") >= 6
    assert hostile.document.outlet not in hostile_page  # the raw markup itself


def test_javascript_url_is_not_a_link(hostile_page):
    page = parse(hostile_page)
    assert not [a for t, a in page.tags if t == "a"]
    assert "javascript:window.__pwned=11" in hostile_page  # shown, as text


def test_span_data_json_is_safe_and_complete(hostile, hostile_page):
    page = parse(hostile_page)
    (raw,) = [text for a, text in page.scripts if a.get("type") == "application/json"]
    assert "<" not in raw and ">" not in raw and "&" not in raw
    data = json.loads(raw)
    spans = ordered_spans(hostile.spans)
    assert [s["text"] for s in data["spans"]] == [s.text for s in spans]
    assert [(s["start"], s["end"]) for s in data["spans"]] == [(s.start, s.end) for s in spans]
    assert {t["name"] for t in data["techniques"].values()} == {s.name for s in spans}


@pytest.mark.parametrize("which", ["sample", "hostile"])
def test_every_span_shows_its_exact_text(which, request):
    analysis = request.getfixturevalue(which)
    page = parse(render_html(analysis))
    spans = ordered_spans(analysis.spans)
    assert page.span_text == {i: s.text for i, s in enumerate(spans)}
    assert page.quotes == [s.text for s in spans]  # the findings list


def test_overlapping_spans_are_both_present(sample, sample_page):
    spans = ordered_spans(sample.spans)
    index = {(s.start, s.end, s.technique): i for i, s in enumerate(spans)}
    text = sample.document.text
    at = text.index("so-called experts")
    outer = index[(at, at + 17, "Name_Calling,Labeling")]
    inner = index[(at, at + 9, "Loaded_Language")]
    # Nested: the inner span's element sits inside the outer one's, and both carry a code tag.
    nested = re.search(rf'<span class="h t9 d1" data-i="{outer}"[^>]*><span class="us-tag[^>]*'
                       rf'data-i="{outer}"[^>]*></span><span class="h t8" data-i="{inner}"',
                       sample_page)
    assert nested, "nested spans are not drawn as nested elements"
    # Same words, two techniques: both tags precede the phrase.
    slogan = text.index("Our harbour, our future!")
    both = [index[(slogan, slogan + 24, t)] for t in ("Flag-Waving", "Slogans")]
    for i in both:
        assert f'data-i="{i}" data-t=' in sample_page
    page = parse(sample_page)
    assert page.span_text[both[0]] == page.span_text[both[1]] == "Our harbour, our future!"


def test_title_is_shown_once_with_its_spans(sample, sample_page):
    page = parse(sample_page)
    assert page.title_text == "Reckless council rams through €40m harbour plan"
    assert sample_page.count("harbour plan</") == 1
    article = sample_page[sample_page.index("<article"):sample_page.index("</article>")]
    assert "Reckless" not in article
    # Spans in the title keep their offsets (0 and 17) and are highlighted in the heading.
    h1 = sample_page[sample_page.index("<h1"):sample_page.index("</h1>")]
    assert h1.count('class="us-tag') == 2


def test_page_is_self_contained(sample, sample_page):
    page = parse(sample_page)
    assert not [t for t, _ in page.tags if t in ("link", "iframe", "img", "object", "embed")]
    links = [a.get("href") for t, a in page.tags if t == "a"]
    assert links == [sample.document.url]
    for tag, attrs in page.tags:
        for name in ("src", "srcset", "poster", "data", "xlink:href"):
            assert name not in attrs, (tag, name)
        if tag != "a":
            assert "href" not in attrs or not attrs["href"], tag
    # The only address in the page is the article's own URL (the link above).
    rest = sample_page.replace(sample.document.url.replace("&", "&amp;"), "")
    assert "http://" not in rest and "https://" not in rest
    assert "@import" not in sample_page and "url(" not in sample_page
    assert 'rel="stylesheet"' not in sample_page


def test_content_security_policy_pins_inline_code(sample_page):
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', sample_page)
    assert policy
    rules = dict(part.strip().split(" ", 1) for part in policy[1].split(";"))
    assert rules["default-src"] == "'none'"
    assert rules["script-src"].startswith("'sha256-") and "unsafe" not in rules["script-src"]
    assert rules["style-src"].startswith("'sha256-") and "unsafe" not in rules["style-src"]


def test_legend_chart_summary_and_print_rules(sample, sample_page):
    page = parse(sample_page)
    filters = [a for t, a in page.tags if t == "button" and "us-filter" in a.get("class", "")]
    assert len(filters) == 11 and all(a["aria-pressed"] == "true" for a in filters)
    assert "Loaded language" in sample_page and ">5</span>" in sample_page
    rects = [a for t, a in page.tags if t == "rect" and a.get("class", "").startswith("t")]
    assert len(rects) == 11
    assert "Share of sentences that contain at least one technique: 10 of 13." in sample_page
    assert "87.21" in sample_page and ">172<" in sample_page
    assert "@media print" in sample_page


def test_html_parts_for_embedding(sample):
    parts = html_parts(sample)
    assert set(parts) == {"title", "lang", "css", "js", "body"}
    assert parts["body"].startswith('<div class="unspin-report">')
    assert "<style" not in parts["css"] and "<script" not in parts["js"]
    assert ".unspin-report .t8{" in parts["css"]  # technique colours ship with the CSS
    assert parts["title"] == "Reckless council rams through €40m harbour plan"


def test_metadata_header(sample_page):
    assert "By <b>Ana Ferreira</b> and <b>Jonas Østergaard</b>" in sample_page
    assert '<time datetime="2024-03-12">12 March 2024</time>' in sample_page
    assert "Nordic Wire, <time" in sample_page
    assert "<li>local politics</li>" in sample_page
    assert 'href="https://example.com/news/harbour-plan?utm=1&amp;ref=feed"' in sample_page
    assert "minilm-spans.v1 1.0.0" in sample_page and "9f86d08188" in sample_page


def test_unknown_technique_and_empty_article_render():
    text = "Headline\n\nA new trick appears."
    spans = (Span(12, 21, "Future_Technique", "Future technique", 0.7, "new trick"),)
    a = Analysis(Document(text, title="Headline"), spans, summarize(text, ()),
                 ModelRef("m", "1", ""))
    page = render_html(a)
    assert 'class="h t14"' in page and ".unspin-report .t14{" in page
    assert parse(page).span_text == {0: "new trick"}
    empty = Analysis(Document("Only a title"), (), summarize("Only a title", ()),
                     ModelRef("m", "1", ""))
    assert "No persuasion techniques were found" in render_html(empty)


def test_low_confidence_spans_are_marked_tentative(sample):
    """Spans under the tentative score are drawn dashed, labelled and counted; the rest not."""
    import dataclasses

    from unspin.report.html import TENTATIVE_BELOW

    spans = list(sample.spans)
    low = dataclasses.replace(spans[0], score=TENTATIVE_BELOW / 2)
    analysis = dataclasses.replace(sample, spans=tuple([low, *spans[1:]]))
    page = parse(render_html(analysis))
    marked = [a for tag, a in page.tags if tag == "span" and "h" in (a.get("class") or "").split()]
    tentative = [a for a in marked if "tent" in a["class"].split()]
    assert len(tentative) == 1 and tentative[0]["data-i"] == str(ordered_index(analysis, low))
    findings = [a for tag, a in page.tags if tag == "li" and "us-finding" in (a.get("class") or "")]
    assert sum("tent" in a["class"].split() for a in findings) == 1
    (_attrs, data_json), = [s for s in page.scripts if "us-data" in (s[0].get("class") or "")]
    flags = [s["tentative"] for s in json.loads(data_json)["spans"]]
    assert flags.count(True) == 1
    assert any(tag == "button" and "us-hidetent" in (a.get("class") or "")
               for tag, a in page.tags)
    # nothing tentative: no note, no switch
    assert not any(tag == "button" and "us-hidetent" in (a.get("class") or "")
                   for tag, a in parse(render_html(sample)).tags)


def ordered_index(analysis, span) -> int:
    return ordered_spans(analysis.spans).index(span)
