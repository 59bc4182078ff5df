"""Batch input: every format streamed into Records, bad rows kept as failures (no model)."""

from __future__ import annotations

import datetime as dt

import pytest

from unspin.corpus.records import count_records, input_format, iter_records, to_document
from unspin.errors import ConfigError, InputError


def records(path, max_bytes=10_000):
    return list(iter_records(path, max_bytes=max_bytes))


def test_jsonl_rows_and_failures(tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_bytes(b'{"id": 7, "text": "Hello there.", "authors": "Ann Lee; Bo Ng", '
                  b'"published": "2020-02-03", "outlet": " Daily "}\n'
                  b"\n"
                  b'{"id": "no-text", "text": "  "}\n'
                  b'{"text": "who am I"}\n'
                  b"{not json\n"
                  b"[1, 2]\n"
                  b'{"id": "bad", "text": "caf\xe9"}\n'
                  b'{"id": "big", "text": "' + b"x" * 200 + b'"}\n')
    rows = records(f, max_bytes=100)
    assert [r.row for r in rows] == list(range(1, 8))  # from 1; blank lines are not rows
    ok = rows[0]
    assert (ok.id, ok.text, ok.error) == ("7", "Hello there.", None)
    assert ok.meta == {"url": None, "outlet": "Daily", "published": "2020-02-03", "title": None,
                       "authors": ("Ann Lee", "Bo Ng")}
    assert ok.source == f"{f}:1"
    assert [(r.id, r.error) for r in rows[1:4]] == [
        ("no-text", "no text"), ("<row 3>", "no id"),
        ("<row 4>", "not JSON (Expecting property name enclosed in double quotes: line 1 "
                    "column 2 (char 1))")]
    assert rows[4].error == "not a JSON object"
    assert rows[5].id == "bad" and rows[5].error == "not valid utf-8 text"
    assert rows[6].error.startswith("text of 200 bytes is over the 100-byte limit")
    assert count_records(f) == 7


def test_jsonl_rows_in_utf8_are_read_as_utf8_whatever_single_byte_encoding(tmp_path):
    f = tmp_path / "mixed.jsonl"
    f.write_bytes('{"id": "u", "text": "don’t"}\n'.encode() + b'{"id": "l", "text": "caf\xe9"}\n')
    rows = list(iter_records(f, max_bytes=1000, encoding="latin-1"))
    assert [(r.id, r.text, r.error) for r in rows] == [("u", "don’t", None), ("l", "café", None)]


def test_csv_quoted_newlines_bom_and_bad_bytes(tmp_path):
    f = tmp_path / "in.csv"
    f.write_bytes("\ufeffid,text,authors,published\n".encode() +
                  b'1,"Line one.\nLine two, with a comma.","A; B",2019-05-01\n'
                  b"2,caf\xe9,,\n"
                  b"3,,,\n")
    rows = records(f)
    assert rows[0].id == "1" and rows[0].text == "Line one.\nLine two, with a comma."
    assert rows[0].meta["authors"] == ("A", "B")
    assert rows[1].error == "not valid utf-8 text"
    assert rows[2].error == "no text"
    assert rows[2].source.endswith(":5")


def test_parquet_types(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    f = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": [1, 2], "text": ["One.", None],
                             "authors": [["X Y", "Z"], []],
                             "published": [dt.date(2021, 1, 2), None]}), f)
    rows = records(f)
    assert (rows[0].id, rows[0].meta["authors"], rows[0].meta["published"]) == \
        ("1", ("X Y", "Z"), "2021-01-02")
    assert rows[1].error == "no text"
    assert count_records(f) == 2


def test_published_that_is_not_a_date_is_kept_flagged_and_the_row_goes_on(tmp_path):
    f = tmp_path / "in.jsonl"
    values = ["2019-03-04", "2019-03-04T10:00:00Z", "2019-03", "yesterday", "2019-02-30",
              "March 4, 2019", ""]
    f.write_text("".join(f'{{"id": "{i}", "text": "Some text.", "published": "{v}"}}\n'
                         for i, v in enumerate(values)))
    rows = records(f)
    assert [r.error for r in rows] == [None] * len(values)  # every article is kept
    assert [r.meta["published"] for r in rows] == values[:-1] + [None]  # "" is no value
    assert [r.bad_date for r in rows] == [
        None, None, None, "yesterday", "2019-02-30", "March 4, 2019", None]
    assert to_document(rows[3]).published == "yesterday"


def test_corrupt_or_incomplete_inputs_raise(tmp_path):
    pytest.importorskip("pyarrow")
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        records(bad)
    nocol = tmp_path / "nocol.csv"
    nocol.write_text("id,body\n1,hello\n")
    with pytest.raises(InputError, match="no 'text' column"):
        records(nocol)
    with pytest.raises(InputError, match="no such file"):
        input_format(tmp_path / "missing.jsonl.gz")
    (tmp_path / "x.xlsx").write_bytes(b"PK")
    with pytest.raises(ConfigError):
        input_format(tmp_path / "x.xlsx")


def test_folder_ids_and_documents(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "article111.txt").write_text("Title\n\nBody text here.")
    (tmp_path / "sub" / "story.html").write_text(
        "<html><head><title>T</title></head><body><article><p>Some page text that is long "
        "enough to be kept as the article body.</p></article></body></html>")
    (tmp_path / ".hidden.txt").write_text("skip me")
    (tmp_path / "notes.csv").write_text("ignored")
    rows = records(tmp_path)
    assert [r.id for r in rows] == ["111", "sub/story"]
    doc = to_document(rows[0])
    assert doc.id == "111" and doc.title == "Title"


def test_record_documents_keep_metadata(tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text('{"id": "a", "text": "Heading\\n\\nBody.", "title": "Given", '
                 '"authors": ["P Q"], "outlet": "O", "url": "https://x.test/a"}\n')
    doc = to_document(records(f)[0])
    assert (doc.id, doc.title, doc.authors, doc.outlet, doc.url, doc.kind) == \
        ("a", "Given", ("P Q",), "O", "https://x.test/a", "record")
    assert doc.text == "Heading\n\nBody."


def test_lone_surrogates_are_replaced_per_row(tmp_path):
    """Half an emoji ("\\ud83d", cut off by a scraper) in a JSON id, title or text becomes
    U+FFFD in that row only; bytes that are not UTF-8 still fail their row."""
    f = tmp_path / "in.jsonl"
    f.write_bytes(b'{"id": "a\\ud83d", "title": "T \\ud83d", "text": "Hi \\ud83d there.", '
                  b'"authors": ["X\\udc00"]}\n'
                  b'{"id": "b", "text": "caf\xe9 \\ud83d"}\n'
                  b'{"id": "c", "text": "Fine."}\n')
    rows = records(f)
    assert [(r.id, r.text, r.error) for r in rows] == [
        ("a\ufffd", "Hi \ufffd there.", None), ("b", None, "not valid utf-8 text"),
        ("c", "Fine.", None)]
    assert rows[0].meta["title"] == "T \ufffd" and rows[0].meta["authors"] == ("X\ufffd",)


def test_folder_file_names_with_bad_bytes_get_printable_ids(tmp_path):
    import os

    name = os.fsencode(tmp_path) + b"/bad\xff.txt"
    with open(name, "wb") as fh:
        fh.write(b"Some text.")
    [rec] = records(tmp_path)
    assert rec.id == "bad\ufffd" and rec.row == 1
    assert to_document(rec).text.strip() == "Some text."
