"""Property-based fuzzing of ingestion: whatever the input, ``from_string`` (every kind) and
``decode`` give a Document whose pieces slice the text exactly, or one InputError line.
A longer run of the same properties: ``python benchmarks/fuzz_ingest.py``."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from unspin.errors import InputError
from unspin.ingest import from_string
from unspin.ingest.text import decode

FRAGMENTS = st.sampled_from([
    "<p>", "</p>", "<div>", "</div>", "<em>", "</em>", "<br>", "&amp;", "&#8217;", "&bogus;",
    "<script>", "</script>", "<!--", "-->", "<article>", "</article>", "<h1>", "</h1>",
    "<title>", "</title>", "<html>", "<body>", "# ", "## ", "**", "_", "[link](http://a.b/c)",
    "> ", "- ", "1. ", "---", "```", "Title: T\n", "Markdown Content:\n", "\n", "\n\n",
    "\r\n", " ", "\t", "\x00", "\ufeff", "\u2028", "word ", "Another sentence. ",
    "The council voted against the plan. ", "\u65e5\u672c\u8a9e", "x" * 120,
])
SOURCES = st.lists(st.one_of(FRAGMENTS, st.text(max_size=10)), max_size=50).map("".join)
KINDS = [None, "text", "markdown", "html"]


def check(doc, source: str) -> None:
    assert doc.text.strip()
    last = 0
    for p in doc.pieces:
        assert last <= p.start < p.end <= len(doc.text)
        assert 0 <= p.source_start < p.source_end <= len(source)
        assert doc.text[p.start:p.end] == source[p.source_start:p.source_end]
        assert doc.source_offsets(p.start, p.end) == (p.source_start, p.source_end)
        last = p.end


def ingest(source: str, kind: str | None):
    try:
        return from_string(source, kind=kind, name="fuzz.html" if kind == "html" else "fuzz")
    except InputError as err:
        message = str(err)
        assert message and "\n" not in message
        return None


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=SOURCES)
def test_from_string_pieces_slice_the_text(kind, source):
    doc = ingest(source, kind)
    if doc is not None:
        check(doc, source)
        if doc.kind == "text":
            assert doc.text == source


BOM_CASES = dict(text=st.text(min_size=1, max_size=200),
                 codec=st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "utf-32-le",
                                        "utf-32-be"]))
BYTE_CASES = dict(data=st.binary(max_size=300),
                  encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]))


@settings(max_examples=100, deadline=None)
@given(**BOM_CASES)
def test_a_byte_order_mark_always_decodes_to_the_same_text(text, codec):
    bom = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE,
           "utf-16-be": codecs.BOM_UTF16_BE, "utf-32-le": codecs.BOM_UTF32_LE,
           "utf-32-be": codecs.BOM_UTF32_BE}[codec]
    # FF FE 00 00 is the UTF-32 LE mark: UTF-16 LE text cannot start with U+0000 unread
    assume(not (codec == "utf-16-le" and text.startswith("\x00")))
    try:
        data = bom + text.encode(codec)
    except UnicodeEncodeError:  # lone surrogates cannot be written in any UTF
        return
    assert decode(data, "utf-8", "f.txt") == "\ufeff" + text


@settings(max_examples=100, deadline=None)
@given(**BYTE_CASES)
def test_any_bytes_decode_or_give_one_line(data, encoding):
    try:
        text = decode(data, encoding, "f.txt")
    except InputError as err:
        assert "\n" not in str(err)
        return
    assert isinstance(text, str)
