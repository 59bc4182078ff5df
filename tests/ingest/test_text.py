"""Plain text is kept exactly: offsets are the identity."""

from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.document import Piece
from unspin.ingest.text import from_text


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1).filter(str.strip), st.data())
def test_from_text_offsets_are_identity(text, data):
    doc = from_text(text)
    assert doc.text == text
    assert doc.pieces == (Piece(0, len(text), 0, len(text)),)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    assert doc.source_offsets(start, end) == (start, end)
