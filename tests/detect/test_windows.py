"""Windows over long text: every token covered, offsets exact, merge seamless at borders."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.detect.chunks import chunk_bounds
from unspin.detect.windows import merge, window_starts, windows


@given(n=st.integers(1, 3000), size=st.integers(8, 300), data=st.data())
def test_windows_cover_every_token_and_end_at_n(n, size, data):
    stride = data.draw(st.integers(1, size))
    starts = window_starts(n, size, stride)
    covered = np.zeros(n, dtype=bool)
    for s in starts:
        assert 0 <= s and s + min(size, n) <= n
        covered[s:s + size] = True
    assert covered.all()
    assert starts[-1] + min(size, n) == n


@given(n=st.integers(1, 1000), size=st.integers(4, 64), data=st.data())
@settings(max_examples=60)
def test_merge_of_a_position_signal_is_exact(n, size, data):
    """Each window reports the global token index; merging must give back 0..n-1 exactly,
    which fails if any offset at a window border is off by one."""
    stride = data.draw(st.integers(1, size))
    ids = np.arange(n, dtype=np.int64) + 10
    starts, input_ids, mask = windows(ids, size, stride, cls_id=1, sep_id=2)
    out = np.zeros(input_ids.shape + (1,), dtype=np.float32)
    for row, s in enumerate(starts):
        length = int(mask[row].sum()) - 2
        assert input_ids[row, 0] == 1 and input_ids[row, length + 1] == 2
        assert (input_ids[row, 1:length + 1] == ids[s:s + length]).all()
        out[row, 1:length + 1, 0] = np.arange(s, s + length)
    merged = merge(n, starts, size, out)
    assert np.allclose(merged[:, 0], np.arange(n), atol=1e-3)


@given(text=st.text(alphabet=st.sampled_from("ab \n"), max_size=500), size=st.integers(4, 80))
def test_chunks_partition_the_text(text, size):
    bounds = chunk_bounds(text, size)
    assert "".join(text[a:b] for a, b in bounds) == text
    assert all(b > a for a, b in bounds)
