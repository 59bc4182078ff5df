"""A small article with known spans, analysed by hand (no model), for the review tests."""

from __future__ import annotations

import json

import pytest

from unspin.analysis import Analysis, ModelRef, make_span, summarize
from unspin.document import Document

# the emoji is one character here and two UTF-16 units in Label Studio: offsets after it differ
TEXT = ("Storm over the budget\n\nThe reckless scheme was rammed through at night. "
        "Can we really trust a minister who was wrong? \N{GRINNING FACE} They are traitors, "
        "every one of them. Jobs, not excuses!")
MODEL = ModelRef("demo-spans.v1", "1", "ab" * 32)


def span_at(phrase: str, technique: str, score: float = 0.8):
    start = TEXT.index(phrase)
    return make_span(TEXT, start, start + len(phrase), technique, score)


@pytest.fixture
def analysis() -> Analysis:
    spans = (span_at("reckless scheme", "Loaded_Language"),
             span_at("Can we really trust a minister", "Doubt", 0.6),
             span_at("traitors", "Name_Calling,Labeling", 0.9),
             span_at("Jobs, not excuses!", "Slogans", 0.7))
    return Analysis(Document(TEXT, id="storm1", title="Storm over the budget"), spans,
                    summarize(TEXT, spans), MODEL)


@pytest.fixture
def analysis_file(tmp_path, analysis):
    path = tmp_path / "analysis.json"
    path.write_text(json.dumps(analysis.to_dict(), ensure_ascii=False, indent=2),
                    encoding="utf-8")
    return path
