"""Inputs at the edge of "bad" that must be read, not refused: text with a byte-order mark in
any UTF, CRLF lines, a long URL inside prose, a script without spaces between words."""

from __future__ import annotations

import pytest

from unspin.ingest import load

from .conftest import GOOD_ARTICLE


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_unicode_files_with_a_mark_are_read(tmp_path, codec):
    path = tmp_path / "wide.txt"
    data = GOOD_ARTICLE.encode(codec)
    if codec in ("utf-16-le", "utf-16-be"):
        data = "\ufeff".encode(codec) + data
    path.write_bytes(data)
    doc = load(path)
    assert doc.text.lstrip("\ufeff") == GOOD_ARTICLE
    assert doc.title == "Council votes on the bridge"


def test_crlf_long_url_and_unspaced_script_are_prose(tmp_path):
    text = (GOOD_ARTICLE.replace("\n", "\r\n") + "Source: https://example.org/" + "a" * 500
            + "\r\n" + "\u6751\u8bae\u4f1a\u5468\u4e8c\u5f00\u4f1a\u540c\u610f\u4fee\u6865" * 40)
    path = tmp_path / "mixed.txt"
    path.write_text(text, encoding="utf-8", newline="")
    assert load(path).text == text
