"""Bad input through ingest.load: one-line errors that name the file and say what to do."""

import pytest

from unspin.document import Document
from unspin.errors import ConfigError, EncodingError, InputError, TooLargeError, URLNotAllowed
from unspin.ingest import load


def one_line(err) -> str:
    message = str(err.value)
    assert "\n" not in message
    return message


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as err:
        load(tmp_path / "nope.txt")
    assert one_line(err) == f"{tmp_path / 'nope.txt'}: no such file"


def test_folder(tmp_path):
    with pytest.raises(InputError) as err:
        load(tmp_path)
    assert "is a folder" in one_line(err)


@pytest.mark.parametrize("name", ["empty.txt", "empty.md", "empty.html"])
@pytest.mark.parametrize("content", ["", "  \n\t \r\n"])
def test_empty_or_whitespace(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load(path)
    message = one_line(err)
    assert str(path) in message and "no text" in message


def test_binary_file(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(InputError) as err:
        load(path)
    assert one_line(err) == f"{path}: looks like a binary file, not text"


def test_invalid_utf8_names_file_and_suggests_encoding(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Caf\u00e9 society\n\nA story.".encode("latin-1"))
    with pytest.raises(EncodingError) as err:
        load(path)
    message = one_line(err)
    assert str(path) in message and "--encoding" in message
    assert load(path, encoding="cp1252").title == "Caf\u00e9 society"


def test_valid_utf8_is_not_garbled_by_a_legacy_encoding(tmp_path):
    # a folder mixing UTF-8 and cp1252 files is read right with --encoding cp1252
    utf8, legacy = tmp_path / "a.txt", tmp_path / "b.txt"
    utf8.write_bytes("Title\n\nThey don\u2019t care.\n".encode("utf-8"))
    legacy.write_bytes("Title\n\nCaf\u00e9 owners don\u2019t care.\n".encode("cp1252"))
    assert "don\u2019t care" in load(utf8, encoding="cp1252").text
    assert "Caf\u00e9 owners don\u2019t" in load(legacy, encoding="cp1252").text


def test_oversize(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("Title\n\n" + "word " * 100, encoding="utf-8")
    with pytest.raises(TooLargeError) as err:
        load(path, max_bytes=50)
    assert "--max-bytes" in one_line(err)


def test_unknown_kind_and_unsupported_scheme(tmp_path):
    with pytest.raises(ConfigError):
        load(tmp_path / "x.txt", kind="pdf")
    with pytest.raises(InputError, match="only http"):
        load("file:///etc/passwd")


def test_kinds_by_suffix_and_content(tmp_path):
    plain = tmp_path / "article123.txt"
    plain.write_text("A Title\n\nPlain body text. It cites [1].\n", encoding="utf-8")
    doc = load(plain)
    assert (doc.kind, doc.id, doc.title) == ("text", "123", "A Title")
    capture = tmp_path / "capture.txt"
    capture.write_text("# A Title\n\nBy Jane Doe\n\nBody *text*.\n", encoding="utf-8")
    assert load(capture).kind == "markdown"
    assert load(capture, kind="text").text.startswith("# A Title")
    ready = Document("Already clean.")
    assert load(ready) is ready


def test_byte_order_mark_kept_in_text_and_skipped_in_markdown(tmp_path):
    from unspin import ingest

    txt = tmp_path / "a.txt"
    txt.write_bytes("\ufeffTitle\n\nBody text here.\n".encode("utf-8"))
    doc = ingest.load(str(txt), kind="text")
    assert doc.text == txt.read_bytes().decode("utf-8")  # exact, offsets match the file

    md = tmp_path / "a.md"
    md.write_bytes(("\ufeff# A Title\n\nBy Jane Doe\n\n"
                    "Some body text long enough to be an article body.\n")
                   .encode("utf-8"))
    doc = ingest.load(str(md))
    source = md.read_bytes().decode("utf-8")
    assert doc.title == "A Title"
    assert all(doc.text[p.start:p.end] == source[p.source_start:p.source_end] for p in doc.pieces)


ARTICLE = "Rates rise\n\nThe bank raised its rate again, and the minister called it a disgrace.\n"


@pytest.mark.parametrize("codec, bom", [("utf-8", b"\xef\xbb\xbf"),
                                        ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                        ("utf-32-le", b"\xff\xfe\x00\x00"),
                                        ("utf-32-be", b"\x00\x00\xfe\xff")])
def test_byte_order_marks_decide_the_encoding(tmp_path, codec, bom):
    path = tmp_path / "bom.txt"
    path.write_bytes(bom + ARTICLE.encode(codec))
    doc = load(path)
    assert doc.text == "\ufeff" + ARTICLE  # the mark stays, as for UTF-8: one offset rule
    start = doc.text.index("disgrace")
    assert doc.text[start:start + 8] == "disgrace"
    assert doc.title == "Rates rise"


def test_utf16_without_a_mark_needs_the_encoding_and_says_so(tmp_path):
    path = tmp_path / "wide.txt"
    path.write_bytes(ARTICLE.encode("utf-16-le"))
    with pytest.raises(InputError, match="--encoding utf-16-le"):
        load(path)
    assert load(path, encoding="utf-16-le").text == ARTICLE
    path.write_bytes(ARTICLE.encode("utf-16"))  # with the platform's mark
    assert load(path, encoding="utf-16").text.lstrip("\ufeff") == ARTICLE


@pytest.mark.parametrize("content", ["x" * 2_000_000, "QUJD" * 50_000 + " end",
                                     "12 34 56 78 90 -- ++ 12 34 56 78 90 " * 100,
                                     # long-but-not-80-character "words": one word, or all
                                     # different but 79 characters each (minutes of CPU else)
                                     ("x" * 79 + " ") * 12_000,
                                     " ".join(f"{i:079d}" for i in range(3_000))])
def test_text_that_is_not_prose_is_refused(tmp_path, content):
    path = tmp_path / "blob.txt"
    path.write_text(content)
    with pytest.raises(InputError) as err:
        load(path)
    assert "not prose" in one_line(err) and str(path) in str(err.value)


def test_a_document_built_by_the_caller_is_checked_too():
    from unspin import analyze

    with pytest.raises(InputError, match="blob: this is not prose"):
        analyze(Document("QUJD" * 5_000, id="blob"))
    assert load(Document("Short is fine.")).text == "Short is fine."


def test_prose_with_a_long_url_and_non_latin_scripts_is_read(tmp_path):
    path = tmp_path / "ok.txt"
    text = ("Title\n\nSee https://example.org/" + "a" * 300 + " for the full report. "
            + "The council voted to close the library on Sundays. " * 20
            + "\u4eca\u5929\u5929\u6c14\u5f88\u597d\u6211\u4eec\u53bb\u516c\u56ed" * 30)
    path.write_text(text)
    assert load(path).text == text


@pytest.mark.parametrize("source, scheme", [("gopher://example.org/1", "gopher"),
                                            ("FILE:///etc/passwd", "file"),
                                            ("javascript:alert(1)", "javascript")])
def test_other_schemes_are_refused_by_name_not_read_as_paths(source, scheme):
    with pytest.raises(InputError) as err:
        load(source)
    assert f"{scheme}: addresses are not read" in one_line(err)


def test_upper_case_http_is_a_url_not_a_path():
    with pytest.raises(URLNotAllowed, match="loopback"):
        load("HTTP://127.0.0.1:9/story", timeout=1)


def test_long_sources_are_shortened_in_messages():
    for source in ("gopher://x/" + "a" * 100_000, "a" * 100_000):
        with pytest.raises(InputError) as err:
            load(source)
        assert len(one_line(err)) < 300


def test_closed_stdin_is_one_line(monkeypatch):
    monkeypatch.setattr("sys.stdin", None)
    with pytest.raises(InputError, match="standard input is closed"):
        load("-")


@pytest.mark.parametrize("name", ["arts.json", "arts.jsonl", "arts.csv", "ARTS.NDJSON",
                                  "arts.pq"])
def test_a_file_of_articles_is_sent_to_batch(tmp_path, name):
    path = tmp_path / name
    path.write_text('{"id": "a", "text": "They are corrupt liars."}\n')
    with pytest.raises(InputError, match="unspin batch") as err:
        load(path)
    assert one_line(err)
    assert load(path, kind="text").text.startswith('{"id"')  # forced: read as it is
