"""Character <-> token mapping and span decoding."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from unspin.detect.spans import (
    decode_segments,
    io_labels,
    is_trivial,
    token_range,
    trim,
    word_mean,
    word_starts,
)


def offsets_of(text):
    import re
    return np.array([(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", text)])


def test_trim_follows_ptc_rule():
    text = " word, here. "
    assert trim(text, 0, len(text)) == (1, 11)
    assert trim("...", 0, 3) == (3, 3)


def test_token_range_and_labels():
    text = "They are traitors, all of them."
    offs = offsets_of(text)
    a, b = token_range(offs, 9, 17)  # "traitors"
    assert (a, b) == (2, 3)
    labels = io_labels(offs, [(9, 17), (19, 30)])
    assert labels.tolist() == [0, 0, 1, 0, 1, 2, 2, 0]


def test_decode_segments_splits_on_begin_and_trims():
    text = "They are traitors, cowardly liars."
    offs = offsets_of(text)
    p_in = np.array([0, 0, .9, .8, .9, .9, .9])
    p_begin = np.array([0, 0, .9, 0, .9, 0, 0])
    spans = decode_segments(text, offs, p_in, p_begin, 0.5)
    assert [text[s.start:s.end] for s in spans] == ["traitors", "cowardly liars"]


def test_function_word_spans_are_dropped():
    text = "We said the plan is a disgrace."
    offs = offsets_of(text)
    p_in = np.array([.9, 0, .9, 0, 0, 0, .9, 0])
    spans = decode_segments(text, offs, p_in, np.ones(8), 0.5)
    assert [text[s.start:s.end] for s in spans] == ["disgrace"]
    assert is_trivial("all of them") and not is_trivial("the traitors")


def test_word_pieces_share_one_decision():
    text = "belligerence now"
    offs = np.array([(0, 4), (4, 8), (8, 12), (13, 16)])  # bell ##iger ##ence now
    starts = word_starts(text, offs)
    assert starts.tolist() == [True, False, False, True]
    compound = "finger-wagging"
    c_offs = np.array([(0, 6), (6, 7), (7, 14)])
    assert word_starts(compound, c_offs).tolist() == [True, False, False]
    p = word_mean(np.array([0.2, 0.9, 1.0, 0.1]), starts)
    assert np.allclose(p, [0.7, 0.7, 0.7, 0.1])
    spans = decode_segments(text, offs, p, np.where(starts, 1.0, 0.0), 0.5)
    assert [text[s.start:s.end] for s in spans] == ["belligerence"]


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 20)), max_size=6))
def test_decoded_spans_lie_inside_text_and_are_trimmed(raw):
    text = "Alpha beta, gamma. Delta epsilon; zeta eta theta, iota kappa lambda mu."
    offs = offsets_of(text)
    spans = [(s, min(len(text), s + w)) for s, w in raw]
    labels = io_labels(offs, spans)
    p_in = (labels > 0).astype(float)
    p_begin = (labels == 1).astype(float)
    for s in decode_segments(text, offs, p_in, p_begin, 0.5):
        assert 0 <= s.start < s.end <= len(text)
        seg = text[s.start:s.end]
        assert seg == seg.strip(" \n.,:;")


def test_hysteresis_grows_confident_words_and_drops_weak_runs():
    text = "a truly shameful betrayal . some vague words here ."
    offs = offsets_of(text)
    p_in = np.array([0, .3, .9, .4, 0, .3, .35, 0, 0, 0])
    single = decode_segments(text, offs, p_in, np.zeros(10), 0.5)
    assert [text[s.start:s.end] for s in single] == ["shameful"]
    both = decode_segments(text, offs, p_in, np.zeros(10), 0.25, seed=0.5)
    assert [text[s.start:s.end] for s in both] == ["truly shameful betrayal"]
    assert both[0].score == 0.9  # a span scores its most confident word


def test_word_counts_match_the_whole_word_regex():
    import re

    from unspin.detect.spans import _count_word, word_runs

    text = ("kerry's kerry kerry-led kerry_2 kerry2 2kerry skerry kerry. (kerry) "
            "finger-wagging finger wagging héros kerry’s")
    runs = word_runs(text)
    for word in ("kerry", "finger", "wagging", "finger-wagging", "kerry's", "héros", "absent"):
        expected = len(re.findall(r"\b" + re.escape(word) + r"\b", text))
        assert _count_word(word, text, runs) == expected, word


def test_multiword_techniques_come_from_how_often_gold_spans_are_one_word():
    from types import SimpleNamespace as NS

    from unspin.detect.spans import multiword_techniques, word_count

    assert word_count("finger-wagging") == 1 and word_count("Kerry's cheery script") == 3
    text = "Liars! Why would anyone believe them, after all this?"
    spans = [NS(start=0, end=5, technique="Name_Calling,Labeling")] * 20 + [
        NS(start=7, end=53, technique="Doubt")] * 20
    assert multiword_techniques([NS(text=text, spans=spans)]) == ["Doubt"]


def test_a_one_word_span_never_gets_a_multiword_technique():
    from unspin.detect.predictor import DecodeConfig, Predictor, TokenOutputs
    from unspin.techniques import TECHNIQUE_IDS

    text = "They think so."
    offs = offsets_of(text)
    n, t = len(offs), len(TECHNIQUE_IDS)
    causal = TECHNIQUE_IDS.index("Causal_Oversimplification")
    head = {"mean": np.zeros(4 * 2 + 7, np.float32), "std": np.ones(4 * 2 + 7, np.float32),
            "w1": np.zeros((3, 4 * 2 + 7), np.float32), "b1": np.zeros(3, np.float32),
            "w2": np.zeros((t, 3), np.float32), "b2": np.eye(t, dtype=np.float32)[causal] * 5}
    p_tech = np.zeros((n, t), np.float32)
    p_tech[1, causal] = 0.95  # the token head also says "think" is causal oversimplification
    outs = TokenOutputs(offs, np.zeros((n, 2), np.float32), np.array([0, .9, 0, 0]),
                        np.zeros(n), p_tech)
    cfg = DecodeConfig(si_threshold=0.5, token_threshold=0.8)
    pred = Predictor(None, None, head, cfg, 0, 0)
    assert [(p.start, p.end, p.technique) for p in pred.detect(text, outs)] == [
        (5, 10, "Causal_Oversimplification")]
    cfg.multiword = ["Causal_Oversimplification"]
    found = pred.detect(text, outs)
    assert [(p.start, p.end) for p in found] == [(5, 10)]
    assert found[0].technique != "Causal_Oversimplification"


def test_no_spans_give_rows_as_wide_as_some_spans_for_any_number_of_techniques():
    """With the token heads' signals a row ends in one maximum per technique: a 2023 model
    has more than 14, and its empty feature block must match its rows' width."""
    from unspin.detect.spans import span_features

    text = "They lie. Officials met."
    offsets = offsets_of(text)
    rng = np.random.RandomState(0)
    hidden = rng.rand(len(offsets), 8).astype(np.float32)
    for n_tech in (14, 19):
        probs = (rng.rand(len(offsets)), rng.rand(len(offsets)), rng.rand(len(offsets), n_tech))
        some = span_features(text, hidden, offsets, [(0, 8)], token_probs=probs)
        none = span_features(text, hidden, offsets, [], token_probs=probs)
        assert none.shape == (0, some.shape[1]), n_tech
