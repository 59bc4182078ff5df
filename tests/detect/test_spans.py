"""Character <-> token mapping and span decoding."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from unspin.detect.spans import decode_segments, io_labels, token_range, trim


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
    text = "They are traitors, all of them."
    offs = offsets_of(text)
    p_in = np.array([0, 0, .9, .8, .9, .9, .9, .9])
    p_begin = np.array([0, 0, .9, 0, .9, 0, 0, 0])
    spans = decode_segments(text, offs, p_in, p_begin, 0.5)
    assert [text[s.start:s.end] for s in spans] == ["traitors", "all of them"]


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
