"""The shipped minilm-spans.v2 to v5: their decode rules hold on real output, short inputs
behave, and every earlier version stays available by name."""

import json

import pytest

from unspin.detect import load
from unspin.detect.registry import model_paths, resolve

pytestmark = pytest.mark.model

V2 = "minilm-spans.v2"
V3 = "minilm-spans.v3"
V4 = "minilm-spans.v4"
V5 = "minilm-spans.v5"
RULED = [V2, V3, V4, V5]  # the models whose config switches the decode rules on

NEUTRAL = [
    "The city council met on Tuesday to discuss the budget for next year.",
    "Officials said the bridge would reopen to traffic on Monday morning.",
    "Police said two people were taken to hospital after the crash.",
    "Council approves new budget",
]


@pytest.mark.parametrize("name", RULED)
def test_folder_is_small_named_and_card_has_calibration(name):
    folder = resolve(name).folder
    for f in model_paths(folder).values():
        assert f.stat().st_size <= 30 * 1024 * 1024, f
    config = json.loads((folder / "config.json").read_text())
    assert config["name"] == name and config["version"] == name.rsplit(".v", 1)[1]
    assert config["decode"]["cut_breaks"] and config["decode"]["repetition_min"] >= 2
    assert config["decode"]["calibration"]["x"]
    card = (folder / "MODEL_CARD.md").read_text()
    assert "Reliability" in card and "calibration error" in card


def test_every_version_loads_by_name():
    names = ("minilm-spans.v1", V2, V3, V4, V5)
    for name in names:
        assert load(name).info.name == name
    assert len({load(n).info.fingerprint for n in names}) == len(names)


def test_unload_forgets_the_loaded_detectors():
    """What `unspin serve --workers N` does after checking the model in the parent."""
    from unspin.detect import unload

    first = load(V5)
    assert load(V5) is first  # kept: loaded once per process
    unload()
    assert load(V5) is not first


def test_v3_is_distilled_and_trims_span_ends():
    folder = resolve(V3).folder
    config = json.loads((folder / "config.json").read_text())
    assert config["decode"]["trim_dangling"] and config["decode"]["stride"] == 254
    teacher = config["distillation"]["teacher"]
    assert teacher["model"] == "sentence-transformers/all-mpnet-base-v2"
    assert config["distillation"]["unlabelled_articles"] == 200
    card = (folder / "MODEL_CARD.md").read_text()
    assert "Encoder distilled from a teacher" in card and "minilm-spans.v2" in card
    text = ("Title\n\nThe minister showed nothing but belligerence and contempt, and the "
            "whole rotten charade was torn to shreds in public.\n")
    for p in load(V3).find_spans(text):
        last = text[p.start:p.end].split()[-1].lower()
        assert len(text[p.start:p.end].split()) == 1 or last not in {"and", "of", "in", "the"}


def test_v4_learnt_from_the_stronger_teacher_and_all_unlabelled_articles():
    config = json.loads((resolve(V4).folder / "config.json").read_text())
    teacher = config["distillation"]["teacher"]
    assert teacher["frozen_layers"] == 6 and teacher["validation"]["si"] > 0.46
    assert config["distillation"]["unlabelled_articles"] == 400
    assert config["decode"]["trim_dangling"] and config["decode"]["mock_titles"] > 0


def test_v5_span_classifier_learnt_the_teachers_span_labels_over_v4s_encoder():
    config = json.loads((resolve(V5).folder / "config.json").read_text())
    spans = config["span_distillation"]
    assert spans["teacher"]["epochs"] == 6 and spans["teacher"]["validation"]["si"] > 0.5
    assert spans["gold_spans"] > 4000 and spans["unlabelled_spans"] > 4000
    assert spans["unlabelled_articles"] > 300
    assert config["encoder_from"]["model"] == "minilm-distil.v2"  # v4's student, unchanged
    v4_encoder = model_paths(resolve(V4).folder)["encoder.onnx"].read_bytes()
    assert model_paths(resolve(V5).folder)["encoder.onnx"].read_bytes() == v4_encoder
    card = (resolve(V5).folder / "MODEL_CARD.md").read_text()
    assert "technique probabilities of a teacher's span classifier" in card


@pytest.mark.parametrize("name", [V4, V5])
def test_finds_a_mocking_title_as_name_calling(name):
    text = ("Maybe someone should remind Kerry that the Decider in Chief Obama reiterated the "
            "\"Assad must go\" trope less than two weeks ago. The commander-in-chief spoke.")
    found = {(text[p.start:p.end], p.technique) for p in load(name).find_spans(text)}
    assert ("the Decider in Chief", "Name_Calling,Labeling") in found
    assert not any("commander" in span for span, _t in found)


@pytest.mark.parametrize("name", RULED)
@pytest.mark.parametrize("text", NEUTRAL)
def test_neutral_one_sentence_news_gets_no_span(text, name):
    assert load(name).find_spans(text) == []


@pytest.mark.parametrize("name", RULED)
def test_repetition_needs_the_phrase_to_recur(name):
    det = load(name)
    text = "This outrageous betrayal shows how corrupt the whole system is."
    assert not [p for p in det.find_spans(text) if p.technique == "Repetition"]


@pytest.mark.parametrize("name", RULED)
def test_no_span_crosses_a_paragraph_break_or_leaves_the_title(name):
    text = ("Traitors and liars run this rotten country\n\n"
            "The corrupt, treasonous elite will destroy this great nation\n\n"
            "unless every true patriot stands up now. Wake up, America! Wake up, America!\n")
    title_end = text.index("\n")
    found = load(name).find_spans(text)
    assert found
    for p in found:
        assert "\n\n" not in text[p.start:p.end]
        assert not (p.start < title_end < p.end)
        assert 0.0 <= p.score <= 1.0
