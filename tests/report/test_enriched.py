"""What the enrich stage found, in every report: quotes, targets, claims (no browser here).

Without an enrichment (the stage was skipped) every format renders as before: the golden files
of ``test_formats`` are made from an analysis without one and did not change.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from unspin.analysis import Analysis, sentence_bounds
from unspin.enrich.types import Claim, Enrichment, Quote, TallyRow, Target
from unspin.errors import InputError
from unspin.report import FORMATS, html_parts, render, render_html
from unspin.report._enriched import span_positions
from unspin.report._layout import ordered_spans

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "script", "div", "span", "header", "h1",
    "h2", "p", "b", "dl", "dt", "dd", "ul", "ol", "li", "a", "code", "time", "svg", "rect",
    "text", "section", "aside", "main", "article", "button", "details", "summary", "q",
    "footer",
}


def with_enrichment(analysis: Analysis, enrichment: Enrichment | None) -> Analysis:
    return Analysis(analysis.document, analysis.spans, analysis.summary, analysis.model,
                    enrichment=enrichment)


class Marks(HTMLParser):
    """Text inside the quote (``us-qt``), claim (``us-cl``) and span (``h``) marks of the
    article, by ``q<index>``, ``c<index>`` and ``h<index>``, and the buttons of the panels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.text: dict[str, str] = {}
        self.buttons: dict[str, list[dict[str, str | None]]] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        self.in_script = tag == "script"
        classes = (a.get("class") or "").split()
        if tag == "button":
            for cls in classes:
                self.buttons.setdefault(cls, []).append(a)
        mark = None
        if "us-qt" in classes:
            mark = f"q{a['data-q']}"
        elif "us-cl" in classes:
            mark = f"c{a['data-c']}"
        elif "h" in classes:
            mark = f"h{a['data-i']}"
        if tag not in ("meta", "rect"):
            self.stack.append((tag, mark))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self.in_script = False
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self.in_script:
            return
        for _, mark in self.stack:
            if mark is not None:
                self.text[mark] = self.text.get(mark, "") + data


def marks(page: str) -> Marks:
    parser = Marks()
    parser.feed(page)
    parser.close()
    return parser


def payload(page: str) -> dict:
    raw = re.search(r'<script type="application/json" class="us-data">(.*?)</script>', page,
                    re.DOTALL)
    assert raw
    return json.loads(raw[1])


# -- golden files -------------------------------------------------------------------------

def test_text_golden(enriched, golden):
    golden("sample-enriched.text", render(enriched, "text"))


def test_terminal_golden(enriched, golden):
    golden("sample-enriched.terminal", render(enriched, "terminal", color=False, width=80))


def test_terminal_narrow_golden(enriched, golden):
    golden("sample-enriched-narrow.terminal",
           render(enriched, "terminal", color=False, width=44))


def test_json_golden(enriched, golden):
    out = render(enriched, "json")
    golden("sample-enriched.json", out)
    assert Analysis.from_dict(json.loads(out)).to_dict() == enriched.to_dict()


# -- skipped stage: as before ---------------------------------------------------------------

def test_without_enrichment_nothing_new_shows(sample):
    body = html_parts(sample)["body"]
    for cls in ("us-targeted", "us-quoted", "us-claims", "us-qt", "us-cl", "us-focusbar",
                "us-bq", "us-qchip", "us-cchip"):
        assert not re.search(rf'class="([^"]* )?{cls}[ "]', body), cls
    assert "tally" not in payload(body)
    for fmt in ("text", "terminal"):
        out = render(sample, fmt, color=False, width=80)
        assert "Quoted" not in out and "Targeted" not in out and "Claims to check" not in out


# -- text and terminal --------------------------------------------------------------------

def test_text_and_terminal_summarise(enriched):
    listing = render(enriched, "text")
    assert "Quoted\n  Inès Dubois (1), Kenji Watanabe (1), unattributed (1)\n" in listing
    assert "  City council — 4 spans, Loaded language (3) and Doubt (1)\n" in listing
    claims = listing[listing.index("Claims to check"):listing.index("\nSpans")]
    assert claims.index("1. On Tuesday night") < claims.index("2. Organisers say") \
        < claims.index("3. “Every serious")
    view = render(enriched, "terminal", color=False, width=100)
    assert "Quoted: Inès Dubois (1), Kenji Watanabe (1), unattributed (1)" in view
    assert "Targeted: City council — 4 spans, Loaded language (3) and Doubt (1)" in view
    assert "Claims to check:\n  1. On Tuesday night" in view


def test_only_the_top_targets_and_claims_are_listed(sample):
    text = sample.document.text
    claims = tuple(Claim(a, b, text[a:b], 1.0, k + 1, ("named",), (), ())
                   for k, (a, b) in enumerate(sentence_bounds(text)[:12]))
    a = with_enrichment(sample, Enrichment("rules.v1", claims=claims))
    listing = render(a, "text")
    listed = listing[listing.index("Claims to check"):listing.index("\nSpans")]
    assert "  5. " in listed and "  6. " not in listed and "  and 7 more" in listed
    view = render(a, "terminal", color=False, width=80)
    listed = view[view.index("Claims to check"):]
    assert "  3. " in listed and "  4. " not in listed and "and 9 more" in listed
    page = marks(render_html(a))
    buttons = page.buttons["us-cjump"]
    assert [b["data-c"] for b in buttons] == [str(k) for k in range(12)]
    extra = [a for t, a in page.tags if t == "li" and a.get("class") == "us-extra"]
    assert len(extra) == 2 and all("hidden" in a for a in extra)  # behind "Show all 12 claims"
    assert page.buttons["us-more"][0]["aria-expanded"] == "false"


@pytest.mark.parametrize("width", [40, 44, 80])
def test_terminal_summary_fits_the_width(enriched, width):
    for line in render(enriched, "terminal", color=False, width=width).splitlines():
        assert len(line) <= width, line


def test_empty_enrichment_says_none(sample):
    a = with_enrichment(sample, Enrichment("rules.v1"))
    listing = render(a, "text")
    assert "Quoted\n  none found" in listing and "Targeted\n  none found" in listing
    assert "Claims to check\n  none found" in listing
    view = render(a, "terminal", color=False, width=80)
    assert "Quoted: none found" in view and "Claims to check: none found" in view
    body = html_parts(a)["body"]
    assert "Who is quoted (0)" in body and "The article quotes no one directly." in body
    assert "Who is targeted (0)" in body and "Claims to check (0)" in body
    assert "us-focusbar" not in body  # nothing to select


def test_control_characters_in_findings_never_reach_the_terminal(sample):
    text = sample.document.text
    start, end = text.index("Every serious"), text.index("for itself,") + 11
    bad = "Eve\x1b]0;pwned\x07 \x1b[31mRed\x9b2J"
    q = Quote(start, end, text[start:end], "inline", bad, None, None, "said\x1b[2J", 0.9)
    a = with_enrichment(sample, Enrichment("rules.v1", quotes=(q,)))
    for out in (render(a, "text"), render(a, "terminal", color=False, width=60),
                render(a, "terminal", color=True, width=60)):
        assert "\x1b]0;" not in out and "\x1b[31mRed" not in out and "\x9b" not in out
        assert "\x07" not in out
    assert not CONTROL.search(render(a, "text"))


# -- html -----------------------------------------------------------------------------------

def test_panels_have_the_right_counts(enriched):
    page = render_html(enriched)
    found = enriched.enrichment
    assert "Who is targeted (2)" in page and "Who is quoted (3)" in page
    assert "Claims to check (3)" in page
    parsed = marks(page)
    entities = parsed.buttons["us-entity"]
    assert [b["data-e"] for b in entities] == ["0", "1"]
    assert all(b["aria-pressed"] == "false" for b in entities)
    assert "4 spans, Loaded language (3) and Doubt (1)" in page
    assert "2 spans, Name calling / labelling (1) and Loaded language (1)" in page
    assert [b["data-q"] for b in parsed.buttons["us-qjump"]] == ["0", "1", "2"]
    assert "<b>Inès Dubois</b> <span>said</span>" in page
    assert "<b>Kenji Watanabe</b> <span>introduced with a colon</span>" in page
    assert '<b>Unattributed</b> <span class="us-low">uncertain</span>' in page
    # Claims by rank, whatever their order in the enrichment.
    ranks = re.findall(r'<span class="us-rank">C(\d+)</span>', page)
    assert ranks == ["1", "2", "3"]
    assert len(found.claims) == 3 and "us-more" not in parsed.buttons  # all shown


def test_quotes_and_claims_are_marked_at_their_offsets(enriched):
    page = render_html(enriched)
    parsed = marks(page)
    found = enriched.enrichment
    text = enriched.document.text
    for k, q in enumerate(found.quotes):
        assert parsed.text[f"q{k}"] == text[q.start:q.end] == q.text
    claims = sorted(found.claims, key=lambda c: c.rank)
    for k, c in enumerate(claims):
        assert parsed.text[f"c{k}"] == text[c.start:c.end]
    # Each mark starts with one chip: the speaker's last name, or the claim's rank.
    assert re.findall(r'data-who="([^"]*)"', page) == ["Dubois", "Watanabe", "Quote"]
    assert re.findall(r'class="us-cchip" data-rank="(\d+)"', page) == ["1", "3", "2"]


@pytest.mark.parametrize("which", ["enriched", "hostile_enriched"])
def test_spans_keep_their_exact_text_with_marks(which, request):
    analysis = request.getfixturevalue(which)
    page = marks(render_html(analysis))
    spans = ordered_spans(analysis.spans)
    assert {k: v for k, v in page.text.items() if k[0] == "h"} == {
        f"h{i}": s.text for i, s in enumerate(spans)}


def test_tally_names_the_spans_in_report_order(enriched):
    data = payload(render_html(enriched))
    spans = ordered_spans(enriched.spans)
    council, hall = data["tally"]
    assert [spans[i].text for i in council] == [
        "Reckless", "rams through",
        "Can we really trust a council that was wrong about the tram budget last year?",
        "worst"]
    assert [spans[i].text for i in hall] == ["so-called experts", "so-called"]
    positions = span_positions(enriched.spans)
    for row, indices in zip(enriched.enrichment.tally, data["tally"]):
        assert sorted(positions[i] for i in row.spans) == indices


def test_no_style_attributes(enriched):
    # The Content-Security-Policy allows the one <style> block by hash: a style="" attribute
    # would be refused by the browser (and reported as a console error).
    assert " style=" not in render_html(enriched)


def test_hostile_findings_stay_text(hostile_enriched):
    page = render_html(hostile_enriched)
    assert "<script>window" not in page and "<img" not in page and "<b>person" not in page
    assert "</li></ul><script>" not in page
    for n in (13, 14, 15, 16):
        assert f"window.__pwned={n}" in page  # shown, escaped
    assert "&lt;img src=x onerror=&quot;window.__pwned=13&quot;&gt;Eve&lt;/b&gt;" in page
    assert "&lt;script&gt;window.__pwned=14&lt;/script&gt;" in page  # the cue
    parsed = marks(page)
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
    data = re.search(r'class="us-data">(.*?)</script>', page, re.DOTALL)[1]
    assert "<" not in data and ">" not in data
    # The block quote's paragraph is set off, and its mark holds exactly the quote.
    assert '<p class="us-bq">' in page
    text = hostile_enriched.document.text
    q = hostile_enriched.enrichment.quotes[0]
    assert parsed.text["q0"] == text[q.start:q.end]
    assert hostile_enriched.document.outlet not in page  # the raw markup itself
    assert hostile_enriched.enrichment.tally[0].entity not in page


def test_hostile_findings_in_text_and_terminal(hostile_enriched):
    listing = render(hostile_enriched, "text", width=200)
    assert f"{hostile_enriched.document.outlet} (1)" in listing  # text formats show text as it is
    assert not CONTROL.search(listing)


@pytest.mark.parametrize("what", ["quote", "claim", "target", "tally", "claim-quote"])
def test_findings_outside_the_analysis_are_refused(sample, what):
    text = sample.document.text
    size = len(text)
    found = {
        "quote": Enrichment("x", quotes=(Quote(10, size + 5, "", "inline", None, None, None,
                                              None, 0.5),)),
        "claim": Enrichment("x", claims=(Claim(size, size + 1, "", 1, 1, (), (), ()),)),
        "target": Enrichment("x", targets=(
            Target(0, "Doubt", 0, 1, "E", "person", -1, 2, "", "nearby"),)),
        "tally": Enrichment("x", tally=(
            TallyRow("E", "person", 1, (("Doubt", 1),), (len(sample.spans),)),)),
        "claim-quote": Enrichment("x", claims=(Claim(0, 5, text[:5], 1, 1, (), (0,), ()),)),
    }[what]
    bad = with_enrichment(sample, found)
    for fmt in FORMATS:
        with pytest.raises(InputError):
            render(bad, fmt)
