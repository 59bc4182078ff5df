"""Decoding rules a v2 model switches on in its config.json (v1 keeps them off)."""

import numpy as np
import pytest

from unspin.detect import calibrate as cb
from unspin.detect.predictor import DecodeConfig, Predictor, TokenOutputs
from unspin.detect.spans import (
    RawSpan,
    break_points,
    cut_at_breaks,
    mock_titles,
    normalise,
    recurrences,
    trim_dangling,
)
from unspin.techniques import TECHNIQUE_IDS

T = len(TECHNIQUE_IDS)
REP = TECHNIQUE_IDS.index("Repetition")
LOADED = TECHNIQUE_IDS.index("Loaded_Language")


def offsets_of(text):
    import re
    return np.array([(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", text)])


def test_breaks_are_blank_lines_and_the_title_end():
    text = "Title here\n\nFirst paragraph.\nSame paragraph.\n\nSecond."
    assert break_points(text) == [10, 44]


def test_no_span_crosses_a_paragraph_break_or_the_title():
    text = "Evil plan exposed\n\nThe corrupt elite lies.\n\nThey lie again."
    spans = [RawSpan(0, len(text), 0, 1, 0.9)]
    cut = cut_at_breaks(text, spans)
    pieces = [text[s.start:s.end] for s in cut]
    assert pieces == ["Evil plan exposed", "The corrupt elite lies", "They lie again"]
    assert all("\n" not in p for p in pieces)
    assert all(s.score == 0.9 for s in cut)


def test_a_single_newline_inside_a_paragraph_is_not_a_break():
    text = "Title\n\nA line\nthat goes on."
    spans = [RawSpan(7, len(text), 0, 1, 0.5)]
    assert [(s.start, s.end) for s in cut_at_breaks(text, spans)] == [(7, len(text))]


@pytest.mark.parametrize("phrase, kept", [
    ("belligerence and", "belligerence"),
    ("torn to shreds in", "torn to shreds"),
    ("the macabre irony of the", "the macabre irony"),  # leading function words stay
    ("a shoe in the door", "a shoe in the door"),
    ("in", "in"),  # a one-word span is never trimmed to nothing
    ("ceasefire, and", "ceasefire"),  # the comma goes with the dangling word
])
def test_trailing_dangling_words_are_trimmed(phrase, kept):
    text = f"Yes: {phrase}. Done"
    start = text.index(phrase)
    [span] = trim_dangling(text, [RawSpan(start, start + len(phrase), 0, 1, 0.7)])
    assert text[span.start:span.end] == kept and span.score == 0.7


def test_trimming_is_a_rule_of_the_model_config():
    """Off unless a model's config.json switches it on: v1 and v2 decode as validated."""
    assert DecodeConfig().trim_dangling is False
    assert DecodeConfig.from_dict({"trim_dangling": True}).trim_dangling is True


def _model_configs():
    """Every model folder's config.json in this checkout (those the packages ship)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    return sorted({*root.glob("models/*/config.json"),
                   *root.glob("src/unspin/models/*/config.json")})


@pytest.mark.parametrize("path", _model_configs(), ids=lambda p: p.parent.name)
def test_every_model_config_decodes_as_written(path):
    import json

    decode = json.loads(path.read_text(encoding="utf-8"))["decode"]
    assert DecodeConfig.from_dict(decode, str(path)).to_dict() == {**DecodeConfig().to_dict(),
                                                                    **decode}


def test_model_configs_are_found():
    assert len(_model_configs()) >= 5


@pytest.mark.parametrize("decode, words", [
    ({"cut_brakes": True}, "unknown decode setting 'cut_brakes'"),
    ({"si_threshold": 1.5}, "'si_threshold' must be between 0 and 1.01 (got 1.5)"),
    ({"min_span_prob": -0.1}, "'min_span_prob' must be between 0 and 1"),
    ({"window": 0}, "'window' must be between 1 and 510"),
    ({"repetition_min": 1.5}, "'repetition_min' must be an integer"),
    ({"multiword": ["Loaded_Languag"]}, "'multiword' names an unknown technique"),
    ({"per_technique": {"Doubt": 3}}, "threshold of Doubt must be between 0 and 1.01"),
    ({"window": 128, "stride": 200}, "'stride' (200) must be at most 'window' (128)"),
    ([1], "'decode' must be a JSON object"),
])
def test_a_model_config_with_a_decode_setting_unspin_cannot_honour_is_refused(decode, words):
    """Dropping a rule the model was validated with would silently give other spans."""
    from unspin.errors import ModelError

    with pytest.raises(ModelError) as caught:
        DecodeConfig.from_dict(decode, "m/config.json")
    assert str(caught.value).startswith("m/config.json: ") and words in str(caught.value)


def test_decode_rules_for_training_are_checked_the_same_way():
    from unspin.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown decode rule 'cut_brakes'"):
        DecodeConfig.check_rules({"cut_brakes": True})
    with pytest.raises(ConfigError, match="decode rule 'mock_titles' must be between 0 and 1"):
        DecodeConfig.check_rules({"mock_titles": 2})
    assert DecodeConfig.check_rules({"si_seed": None}) == {"si_seed": None}


def test_recurrences_count_phrases_and_content_words():
    text = "Assad must go. We said it: Assad must go! The moderate rebels."
    norm = normalise(text)
    assert recurrences("Assad must go", norm) == 2
    assert recurrences("moderate rebels", norm) == 1
    assert recurrences("", norm) == 0


def _predictor(text, head_bias, p_in_value=0.95, **cfg):
    """A Predictor whose encoder marks every word as inside a span and whose head always
    prefers the technique columns given by ``head_bias`` (15 logits: 14 + no technique)."""
    offs = offsets_of(text)
    n = len(offs)
    d = 4
    head = {"w1": np.zeros((4, 4 * d + 7), np.float32), "b1": np.zeros(4, np.float32),
            "w2": np.zeros((len(head_bias), 4), np.float32),
            "b2": np.asarray(head_bias, np.float32),
            "mean": np.zeros(4 * d + 7, np.float32), "std": np.ones(4 * d + 7, np.float32)}
    pred = Predictor(None, None, head, DecodeConfig(si_threshold=0.5, use_token_head=False,
                                                    second_label=1.01, **cfg), 0, 0)
    p_in = np.full(n, p_in_value, np.float32)
    p_begin = np.zeros(n, np.float32)
    outs = TokenOutputs(offs, np.ones((n, d), np.float32), p_in, p_begin,
                        np.zeros((n, T), np.float32))
    return pred, outs


def test_repetition_needs_a_recurrence_in_the_text():
    text = "Unbelievable nonsense."
    bias = np.full(T, -5.0)
    bias[REP] = 5.0
    bias[LOADED] = 2.0
    pred, outs = _predictor(text, bias, repetition_min=2)
    found = pred.detect(text, outs)
    assert found and all(p.technique != "Repetition" for p in found)
    pred_v1, outs = _predictor(text, bias)  # rule off: as v1 decoded
    assert [p.technique for p in pred_v1.detect(text, outs)] == ["Repetition"]


def test_no_technique_output_drops_the_span():
    text = "The minister met the delegation on Tuesday."
    bias = np.full(T + 1, -5.0)
    bias[LOADED] = 0.0
    bias[T] = 5.0  # "no technique" is by far the most likely
    pred, outs = _predictor(text, bias, min_span_prob=0.5)
    assert pred.detect(text, outs) == []
    bias[T] = -5.0
    pred, outs = _predictor(text, bias, min_span_prob=0.5, span_prob_score=True)
    (p,) = pred.detect(text, outs)
    assert p.technique == "Loaded_Language" and 0.8 < p.score <= 0.95


@pytest.mark.parametrize("text, titles", [
    ("Remind the Decider in Chief Obama of it.", ["the Decider in Chief"]),
    ("the internet's conspiracy-theorist-in-chief Alex Jones", ["conspiracy-theorist-in-chief"]),
    ("Our Con Man in Chief spoke.", ["Con Man in Chief"]),
    ("The Commander in Chief and the editor-in-chief met the Editors-in-Chief.", []),
    ("Her evidence in chief was heard; he was examined in chief.", []),
    ("He ruled in chief command of the fleet.", []),
])
def test_mocking_titles_are_found_and_offices_left_alone(text, titles):
    assert [text[s:e] for s, e in mock_titles(text)] == titles


def test_a_mocking_title_is_name_calling_only_where_the_model_asks_for_it():
    text = "Remind the Decider in Chief of that."
    bias = np.full(T + 1, -5.0)
    bias[T] = 5.0  # the model itself finds nothing
    pred, outs = _predictor(text, bias, min_span_prob=0.5, mock_titles=0.5)
    (p,) = pred.detect(text, outs)
    assert (text[p.start:p.end], p.technique, p.score) == (
        "the Decider in Chief", "Name_Calling,Labeling", 0.5)
    pred, outs = _predictor(text, bias, min_span_prob=0.5)  # off: as v1-v3 decode
    assert pred.detect(text, outs) == []


def test_span_probs_of_a_v1_head_are_one():
    bias = np.zeros(T)
    pred, outs = _predictor("Some words here.", bias)
    probs, any_ = pred.span_probs("Some words here.", outs, [(0, 4)])
    assert probs.shape == (1, T) and any_.tolist() == [1.0]


def test_calibration_maps_scores_monotonically():
    text = "The corrupt elite lies."
    bias = np.full(T, -5.0)
    bias[LOADED] = 5.0
    cal = {"x": [0.0, 1.0], "y": [0.0, 0.5]}
    pred, outs = _predictor(text, bias, calibration=cal)
    (p,) = pred.detect(text, outs)
    assert p.score == pytest.approx(0.5 * 0.95 * (1 / (1 + 13 * np.exp(-10))), abs=1e-3)


def test_isotonic_fit_is_monotone_and_ece_is_small_on_its_own_data():
    rng = np.random.RandomState(0)
    s = rng.rand(500)
    y = (rng.rand(500) < s ** 2).astype(float)
    cal = cb.fit_isotonic(s, y)
    assert all(a <= b for a, b in zip(cal["y"], cal["y"][1:]))
    assert all(a < b for a, b in zip(cal["x"], cal["x"][1:]))
    fitted = cb.apply(cal, s)
    assert cb.expected_calibration_error(fitted, y) < cb.expected_calibration_error(s, y)


def test_span_credit_is_the_full_task_share():
    gold = [("a", "Doubt", 0, 10), ("a", "Doubt", 5, 20), ("a", "Slogans", 30, 40)]
    preds = [("a", "Doubt", 10, 30, 0.9), ("a", "Slogans", 0, 10, 0.5), ("b", "Doubt", 0, 5, 1)]
    assert cb.span_credit(gold, preds).tolist() == [0.5, 0.0, 0.0]


def test_a_kept_source_head_is_averaged_into_the_technique_probabilities():
    text = "The corrupt elite lies."
    bias = np.full(T + 1, -5.0)
    bias[LOADED] = 5.0
    pred, outs = _predictor(text, bias)
    alone = pred.span_probs(text, outs, [(0, 10)])[0]
    pred, outs = _predictor(text, bias)
    src_bias = np.full(T, -5.0)
    src_bias[REP] = 5.0
    for k, v in list(pred.head.items()):
        pred.head["source_" + k] = v.copy() if k != "b2" else src_bias.astype(np.float32)
    pred.head["source_w2"] = np.zeros((T, 4), np.float32)
    both, _any = pred.span_probs(text, outs, [(0, 10)])
    assert both[0, LOADED] == pytest.approx(alone[0, LOADED] / 2, rel=1e-3)
    assert both[0, REP] > 0.45 and both.sum() == pytest.approx(1.0, rel=1e-4)


def test_several_span_classifiers_are_averaged_before_the_no_technique_split():
    """A head with span_head<i>_* arrays (``train --span-heads K``) averages every
    classifier's full distribution, "no technique" included, then splits it as one would."""
    from unspin.detect.predictor import SPAN_HEAD_PREFIX

    text = "The corrupt elite lies."
    first = np.full(T + 1, -5.0)
    first[LOADED] = 5.0  # sure: Loaded language
    second = np.full(T + 1, -5.0)
    second[T] = 5.0  # sure: no technique
    pred, outs = _predictor(text, first)
    p1, any1 = pred.span_probs(text, outs, [(0, 10)])
    pred, outs = _predictor(text, first)  # the heads are read once per predictor
    for k, v in list(pred.head.items()):
        pred.head[f"{SPAN_HEAD_PREFIX}1_{k}"] = (second.astype(np.float32) if k == "b2"
                                                 else v.copy())
    assert len(pred.span_heads()) == 2
    p2, any2 = pred.span_probs(text, outs, [(0, 10)])
    assert any1[0] > 0.99 and any2[0] == pytest.approx(any1[0] / 2, rel=1e-3)
    assert p2[0, LOADED] == pytest.approx(p1[0, LOADED], rel=1e-3)  # given a technique


def test_a_second_annotation_adds_examples_and_keeps_negatives_off_its_spans():
    from unspin.training.data import GoldSpan, LabeledArticle
    from unspin.training.train_head import span_examples

    text = "They are traitors. " + "The weather was mild and the roads were quiet. " * 6
    art = LabeledArticle("x", text, [GoldSpan(9, 17, "Name_Calling,Labeling")])
    extra = [(19, 36, LOADED), (10, 16, REP)]  # the second touches the gold span: not added
    empty = TokenOutputs(np.zeros((0, 2), np.int64), np.zeros((0, 4), np.float32),
                         np.zeros(0), np.zeros(0), np.zeros((0, T)))
    ex = span_examples(art, empty, None, np.random.RandomState(0), 20.0, extra)
    assert (9, 17, TECHNIQUE_IDS.index("Name_Calling,Labeling")) in ex
    assert (19, 36, LOADED) in ex and (10, 16, REP) not in ex
    negatives = [(s, e) for s, e, k in ex if k == T]
    assert negatives and all(e <= 19 or s >= 36 for s, e in negatives)
    assert all(e <= 9 or s >= 17 for s, e in negatives)
