"""The shipped minilm-spans.v2: its decode rules hold on real output, short inputs behave, and
v1 stays available by name."""

import json

import pytest

from unspin.detect import load
from unspin.detect.registry import MODELS

pytestmark = pytest.mark.model

V2 = "minilm-spans.v2"

NEUTRAL = [
    "The city council met on Tuesday to discuss the budget for next year.",
    "Officials said the bridge would reopen to traffic on Monday morning.",
    "Police said two people were taken to hospital after the crash.",
    "Council approves new budget",
]


def test_v2_folder_is_small_named_and_card_has_calibration():
    folder = MODELS[V2].folder
    for f in folder.iterdir():
        assert f.stat().st_size <= 30 * 1024 * 1024, f
    config = json.loads((folder / "config.json").read_text())
    assert config["name"] == V2 and config["version"] == "2"
    assert config["decode"]["cut_breaks"] and config["decode"]["repetition_min"] >= 2
    assert config["decode"]["calibration"]["x"]
    card = (folder / "MODEL_CARD.md").read_text()
    assert "Reliability" in card and "calibration error" in card


def test_both_versions_load_by_name():
    assert load("minilm-spans.v1").info.name == "minilm-spans.v1"
    assert load(V2).info.name == V2


@pytest.mark.parametrize("text", NEUTRAL)
def test_neutral_one_sentence_news_gets_no_span(text):
    assert load(V2).find_spans(text) == []


def test_repetition_needs_the_phrase_to_recur():
    det = load(V2)
    text = "This outrageous betrayal shows how corrupt the whole system is."
    assert not [p for p in det.find_spans(text) if p.technique == "Repetition"]


def test_no_span_crosses_a_paragraph_break_or_leaves_the_title():
    text = ("Traitors and liars run this rotten country\n\n"
            "The corrupt, treasonous elite will destroy this great nation\n\n"
            "unless every true patriot stands up now. Wake up, America! Wake up, America!\n")
    title_end = text.index("\n")
    found = load(V2).find_spans(text)
    assert found
    for p in found:
        assert "\n\n" not in text[p.start:p.end]
        assert not (p.start < title_end < p.end)
        assert 0.0 <= p.score <= 1.0
