"""Reports of a 2023 model speak 2023: names, codes, counts, the SemEval TSV's technique names,
the HTML legend, its colours and its 'not detected by this model' list."""

from __future__ import annotations

import json
import re

from unspin.analysis import Analysis, ModelRef, make_span, summarize
from unspin.document import Document
from unspin.report import render
from unspin.report._layout import tint
from unspin.report.html import _TINT
from unspin.techniques import TAXONOMY_2023

TEXT = ("Budget row\n\nThey say we want to close every hospital. He lectures us on thrift while "
        "flying first class. The traitors are at it again.")


def spans_of(text: str, marks: list[tuple[str, str]], taxonomy: str = "2023"):
    out = []
    for words, technique in marks:
        start = text.index(words)
        out.append(make_span(text, start, start + len(words), technique, 0.8, taxonomy))
    return tuple(out)


def analysis_2023() -> Analysis:
    spans = spans_of(TEXT, [("we want to close every hospital", "Straw_Man"),
                            ("lectures us on thrift while flying first class",
                             "Appeal_to_Hypocrisy"),
                            ("traitors", "Name_Calling-Labeling")])
    return Analysis(Document(TEXT, id="23"), spans, summarize(TEXT, spans, "2023"),
                    ModelRef("fake-2023.v1", "1", ""), taxonomy="2023")


def test_json_records_the_taxonomy_and_its_counts():
    d = json.loads(render(analysis_2023(), "json"))
    assert d["taxonomy"] == "2023"
    assert list(d["summary"]["counts"]) == list(TAXONOMY_2023.ids)
    assert d["summary"]["counts"]["Straw_Man"] == 1
    assert [s["name"] for s in d["spans"]] == ["Straw man", "Appeal to hypocrisy",
                                               "Name calling / labelling"]


def test_semeval_lines_use_2023_names():
    lines = render(analysis_2023(), "semeval").splitlines()
    assert [ln.split("\t")[1] for ln in lines] == ["Straw_Man", "Appeal_to_Hypocrisy",
                                                   "Name_Calling-Labeling"]


def test_text_and_terminal_name_the_2023_techniques():
    for fmt, kwargs in (("text", {}), ("terminal", {"color": False, "width": 90})):
        out = render(analysis_2023(), fmt, **kwargs)
        assert "Straw man" in out and "STR" in out, fmt
        assert "Appeal to hypocrisy" in out and "HYP" in out, fmt
        assert "Whataboutism" not in out, fmt


def test_html_legend_colours_and_undetected_list():
    page = render(analysis_2023(), "html")
    i = TAXONOMY_2023.ids.index("Straw_Man")
    colour = TAXONOMY_2023.by_id["Straw_Man"].colour
    assert f".unspin-report .t{i}{{--c:{tint(colour, _TINT)}" in page
    assert ".unspin-report .t22{" in page  # a colour for each of the 23
    assert 'class="us-name">Straw man<' in page
    assert "Not detected by this model (4)" in page
    for tid in TAXONOMY_2023.unlabelled:
        assert f"<li>{TAXONOMY_2023.by_id[tid].name}</li>" in page
    assert "SemEval-2023 Task 3 taxonomy" in page
    data = json.loads(re.search(r'class="us-data">(.*?)</script>', page).group(1))
    assert [t["id"] for t in data["taxonomy"]] == list(TAXONOMY_2023.ids)


def test_a_2020_report_is_unchanged_by_the_2023_taxonomy():
    text = "Fine. They are traitors!"
    spans = spans_of(text, [("traitors", "Name_Calling,Labeling")], "2020")
    page = render(Analysis(Document(text, id="7"), spans, summarize(text, spans),
                           ModelRef("m", "1", "")), "html")
    assert "Not detected by this model" not in page and ".unspin-report .t14{" not in page
    assert "SemEval-2020 Task 11 taxonomy" in page


def test_the_2023_targeting_techniques_get_targets_and_named_tallies():
    from unspin.enrich import enrich

    text = "Storm\n\nSenator Jane Smith is a traitor, and everyone knows it.\n"
    spans = spans_of(text, [("a traitor", "Name_Calling-Labeling")])
    found = enrich(text, spans)
    assert [(t.technique, t.entity) for t in found.targets] == [("Name_Calling-Labeling",
                                                                 "Jane Smith")]
    assert "Name calling / labelling" in found.tally[0].summary()
