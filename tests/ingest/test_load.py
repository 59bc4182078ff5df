"""Bad input through ingest.load: one-line errors that name the file and say what to do."""

import pytest

from unspin.document import Document
from unspin.errors import ConfigError, EncodingError, InputError, TooLargeError
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
    md.write_bytes("\ufeff# A Title\n\nBy Jane Doe\n\nSome body text long enough to be an article body.\n"
                   .encode("utf-8"))
    doc = ingest.load(str(md))
    source = md.read_bytes().decode("utf-8")
    assert doc.title == "A Title"
    assert all(doc.text[p.start:p.end] == source[p.source_start:p.source_end] for p in doc.pieces)
