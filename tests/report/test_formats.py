"""json, semeval, text and terminal reports: golden files, format contracts and edge cases."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from unspin.analysis import Analysis, ModelRef, Span, make_span, summarize
from unspin.document import Document
from unspin.errors import ConfigError, InputError
from unspin.report import FORMATS, MANY_FORMATS, render, render_many
from unspin.report.terminal import color_mode

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def visible_width(line: str) -> int:
    plain = ANSI.sub("", line)
    return sum(0 if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf")
               else 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in plain)


def tiny(text: str = "Fine. They are traitors!", spans=((15, 23, "Name_Calling,Labeling"),),
         doc_id: str | None = "7") -> Analysis:
    made = tuple(make_span(text, s, e, t, 0.9) for s, e, t in spans)
    return Analysis(Document(text, id=doc_id), made, summarize(text, made), ModelRef("m", "1", ""))


# -- golden files -------------------------------------------------------------------------

def test_json_golden(sample, golden):
    golden("sample.json", render(sample, "json"))


def test_semeval_golden(sample, golden):
    golden("sample.semeval", render(sample, "semeval"))


def test_text_golden(sample, golden):
    golden("sample.text", render(sample, "text"))


def test_terminal_plain_golden(sample, golden):
    golden("sample.terminal", render(sample, "terminal", color=False, width=80))


def test_terminal_narrow_golden(sample, golden):
    golden("sample-narrow.terminal", render(sample, "terminal", color=False, width=44))


# -- contracts ----------------------------------------------------------------------------

def test_formats_are_the_published_six():
    assert FORMATS == ("terminal", "html", "json", "semeval", "text", "claimreview")
    assert set(MANY_FORMATS) <= set(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_and_ends_with_newline(sample, fmt):
    out = render(sample, fmt, color=False, width=80)
    assert out.endswith("\n")


def test_json_is_the_analysis_contract(sample):
    out = render(sample, "json")
    assert json.loads(out) == sample.to_dict()
    assert Analysis.from_dict(json.loads(out)).to_dict() == sample.to_dict()
    assert out == sample.to_json() + "\n"


def test_render_many_json_is_json_lines(sample):
    out = render_many([sample, tiny()], "json")
    lines = out.splitlines()
    assert len(lines) == 2 and out.endswith("\n")
    assert [json.loads(line)["document"]["id"] for line in lines] == ["demo-001", "7"]
    assert json.loads(lines[0]) == sample.to_dict()


def test_semeval_lines_match_spans(sample):
    rows = [line.split("\t") for line in render(sample, "semeval").splitlines()]
    assert len(rows) == len(sample.spans)
    assert {(r[1], int(r[2]), int(r[3])) for r in rows} == {
        (s.technique, s.start, s.end) for s in sample.spans}
    assert all(r[0] == "demo-001" for r in rows)
    starts = [int(r[2]) for r in rows]
    assert starts == sorted(starts)


def test_semeval_many_concatenates_and_handles_missing_ids(sample):
    out = render_many([tiny(doc_id=None), tiny(doc_id="a b")], "semeval")
    assert out == "-\tName_Calling,Labeling\t15\t23\na_b\tName_Calling,Labeling\t15\t23\n"
    assert render(tiny(spans=()), "semeval") == ""


def test_render_many_text_separates_articles(sample):
    out = render_many([sample, tiny()], "text")
    assert out.count("Title: ") == 2 and "=" * 80 in out


def test_unknown_and_single_article_formats_are_refused(sample):
    with pytest.raises(ConfigError, match="unknown report format"):
        render(sample, "pdf")
    with pytest.raises(ConfigError, match="shows one article"):
        render_many([sample], "html")
    with pytest.raises(ConfigError, match="shows one article"):
        render_many([sample], "terminal")


def test_spans_outside_the_text_are_refused():
    bad = tiny()
    broken = Analysis(bad.document, (Span(10, 99, "Doubt", "Doubt", 0.5, "x"),), bad.summary,
                      bad.model)
    for fmt in FORMATS:
        with pytest.raises(InputError, match="outside the article"):
            render(broken, fmt)


def test_text_lists_every_span_with_line_and_column(sample):
    out = " ".join(render(sample, "text").split())
    assert "line 9, col 45" in out  # "Our harbour, our future!" starts line 9, column 45
    for span in sample.spans:
        assert f"(chars {span.start}-{span.end})" in out
    assert "Intensity: 77% (10 of 13 sentences" in out


def test_text_and_terminal_survive_unknown_technique():
    text = "A new trick appears."
    spans = (Span(2, 11, "Future_Technique", "Future technique", 0.7, "new trick"),)
    a = Analysis(Document(text), spans, summarize(text, ()), ModelRef("m", "1", ""))
    assert "Future technique (FUT)" in render(a, "text")
    assert "[FUT›new trick‹]" in render(a, "terminal", color=False, width=60)


# -- terminal -----------------------------------------------------------------------------

def test_terminal_plain_marks_nested_and_crossing_spans(sample):
    out = render(sample, "terminal", color=False, width=200)
    assert "\x1b[" not in out
    assert "[NAM›[LOA›so-called‹] experts‹]" in out  # nested
    assert "[B&W›Either we build the harbour now or [FEA›the city falls behind‹B&W] for a " \
           "generation‹]" in out  # crossing: the code says which span ends
    assert "[FLA›[SLO›Our harbour, our future!‹]‹]" in out  # same words, two techniques
    # The title is the heading, shown once, with its spans.
    assert out.splitlines()[0] == "[LOA›Reckless‹] council [LOA›rams through‹] €40m harbour plan"
    assert out.count("harbour plan") == 1 + out.count("approved the harbour plan")


@pytest.mark.parametrize("width", [40, 57, 80, 100])
def test_terminal_wraps_to_width(sample, width, monkeypatch):
    monkeypatch.setenv("COLORTERM", "truecolor")
    for color in (False, True):
        out = render(sample, "terminal", color=color, width=width)
        assert max(visible_width(line) for line in out.splitlines()) <= width


def test_terminal_colour_modes(sample, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("COLORTERM", "truecolor")
    true = render(sample, "terminal", color=True, width=80)
    assert "\x1b[" in true and ";48;2;238;136;102m" in true  # Loaded language background
    assert ANSI.sub("", true).count("Reckless") == 1
    monkeypatch.setenv("COLORTERM", "")
    eight = render(sample, "terminal", color=True, width=80)
    assert ";48;5;" in eight and ";48;2;" not in eight
    # Colour never bleeds past the end of a line.
    assert all(ANSI.findall(line)[-1] == "\x1b[0m" for line in true.splitlines()
               if ANSI.search(line))


def test_terminal_colour_follows_environment(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert color_mode(None) == "none"
    assert color_mode(True) != "none"  # an explicit argument wins
    assert color_mode(False) == "none"
    monkeypatch.setenv("NO_COLOR", "")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert color_mode(None) != "none"
    monkeypatch.delenv("FORCE_COLOR")
    # pytest captures stdout, so it is not a terminal: no colour by default.
    assert color_mode(None) == "none"


def test_terminal_default_width_is_capped(sample, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    out = render(sample, "terminal", color=False)
    assert max(visible_width(line) for line in out.splitlines()) <= 100


def test_terminal_title_from_metadata_when_not_in_text():
    a = tiny()
    a = Analysis(a.document.with_(title="Headline from the page"), a.spans, a.summary, a.model)
    out = render(a, "terminal", color=False, width=60)
    assert out.splitlines()[0] == "Headline from the page"
    assert "Fine. They are [NAM›traitors‹]!" in out


def test_terminal_span_across_paragraphs_closes_with_its_code():
    text = "One two.\n\nThree four."
    a = tiny(text, spans=((4, 15, "Doubt"),))
    out = render(a, "terminal", color=False, width=60)
    assert "One [DOU›two." in out and "Three‹DOU] four." in out


def test_empty_analysis_renders_everywhere():
    a = tiny("Nothing to see here.", spans=())
    for fmt in FORMATS:
        render(a, fmt, color=False, width=60)
    assert "none found" in render(a, "text")


def test_control_characters_never_reach_the_terminal():
    text = "Title\x1b]0;pwned\x07\n\nThey are \x1b[31mtraitors\x1b[0m!\r\nOk.\x9b2J"
    start = text.index("traitors")
    a = tiny(text, spans=((start, start + 8, "Name_Calling,Labeling"),))
    a = Analysis(a.document.with_(title="Title\x1b]0;pwned\x07", outlet="Out\x1blet"),
                 a.spans, a.summary, a.model)
    listing, plain = render(a, "text"), render(a, "terminal", color=False, width=60)
    for out in (listing, plain):
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", out)
        assert "Title\ufffd]0;pwned\ufffd" in out and "Out\ufffdlet" in out
    assert "\ufffd[31m[NAM›traitors‹]\ufffd[0m!" in plain
    coloured = render(a, "terminal", color=True, width=60)
    assert "\x1b]0;" not in coloured and "\x1b[31m" not in coloured and "\x9b" not in coloured


def test_label_template_names_what_is_wrong_with_a_span(tmp_path):
    import numpy as np

    from unspin.report.semeval import label_template

    class OneTechnique:  # stands in for the model: every span is Doubt
        techniques = ["Doubt"]

        def label_spans(self, text, spans):
            return [np.array([1.0]) for _ in spans]

    arts = tmp_path / "arts"
    arts.mkdir()
    for aid in ("1", "2", "3", "4"):
        (arts / f"article{aid}.txt").write_text("x" * 2000)
    tpl = tmp_path / "tpl.tsv"
    tpl.write_text("1\t?\t0\t5\n2\t?\t290\t274\n3\t?\t7\t7\n4\t?\t10\t2001\n")
    out, problems = label_template(arts, tpl, OneTechnique())
    assert out == "1\tDoubt\t0\t5\n"
    assert problems == [
        "skipped article 2: span 290-274 starts after it ends (start 290 > end 274)",
        "skipped article 3: span 7-7 is empty (start = end)",
        "skipped article 4: span 10-2001 is outside its text of 2000 characters"]
