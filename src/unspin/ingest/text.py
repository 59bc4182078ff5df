"""Plain text: kept exactly, so offsets match the file character for character."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..document import Document, Piece
from ..errors import EncodingError, InputError, TooLargeError, shorten

__all__ = ["from_text", "read_source_bytes", "read_file", "decode", "utf8_if_valid",
           "check_prose"]

# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one). Each
# codec keeps the mark as U+FEFF at index 0, as UTF-8 files keep theirs: one rule for all.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))


def read_source_bytes(path: Path, max_bytes: int) -> bytes:
    """Read at most ``max_bytes`` from ``path`` with one-line errors for what goes wrong."""
    name = shorten(path)
    try:
        if path.is_dir():
            raise InputError(f"{name}: is a folder; give a file (or use 'unspin batch')")
        size = path.stat().st_size
        if size > max_bytes:
            raise TooLargeError(f"{name}: {size} bytes is over the {max_bytes}-byte limit; "
                                "raise it with --max-bytes")
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:  # grew since stat, or a device/pipe that reports no size
        raise TooLargeError(f"{name}: more than {max_bytes} bytes; raise it with --max-bytes")
    return data


def decode(data: bytes, encoding: str, name: str) -> str:
    """Bytes to str. A byte-order mark decides the encoding (UTF-8, UTF-16 or UTF-32, as in
    a browser) and stays in the text as U+FEFF, so offsets match the file's characters; else
    ``encoding`` is used, except that non-ASCII text which is valid UTF-8 is read as UTF-8
    whatever single-byte ``encoding`` says (legacy text is almost never valid UTF-8, so a
    folder mixing both is read right). Binary data and undecodable bytes are refused with a
    hint.

    >>> decode("\ufeffHi".encode("utf-16-le"), "utf-8", "a.txt")
    '\ufeffHi'
    >>> decode("don’t".encode("utf-8"), "latin-1", "a.txt"), decode(b"caf\\xe9", "latin-1", "b")
    ('don’t', 'café')
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            encoding = codec
            break
    else:
        try:
            wide = codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}") from None
        if not wide and b"\x00" in data[:65536]:
            raise InputError(f"{name}: looks like a binary file, not text{_wide_hint(data)}")
        text = None if wide else utf8_if_valid(data)
        if text is not None:
            return text
    try:
        text = data.decode(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        raise EncodingError(f"{name}: not valid {encoding} at byte {exc.start}; "
                            "pass --encoding (for example --encoding cp1252)") from None
    return text  # exactly as decoded (a byte-order mark stays): offsets must match the file


def utf8_if_valid(data: bytes) -> str | None:
    """``data`` as UTF-8 when it has non-ASCII bytes and all of them are valid UTF-8, else
    None: such text is UTF-8 whatever single-byte encoding a user named (legacy text is
    almost never valid UTF-8), so inputs mixing both are read right.

    >>> utf8_if_valid("don’t".encode()), utf8_if_valid(b"caf\\xe9"), utf8_if_valid(b"plain")
    ('don’t', None, None)
    """
    if data.isascii():
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _wide_hint(data: bytes) -> str:
    """A hint when NUL bytes look like UTF-16 without a byte-order mark (ASCII letters with a
    NUL beside each), else nothing."""
    head = data[:4096]
    if len(head) >= 8 and head[1::2].count(0) > 0.9 * len(head[1::2]):
        return " (if it is UTF-16 text, pass --encoding utf-16-le)"
    if len(head) >= 8 and head[0::2].count(0) > 0.9 * len(head[0::2]):
        return " (if it is UTF-16 text, pass --encoding utf-16-be)"
    return ""


def read_file(path: Path, encoding: str = "utf-8", max_bytes: int = 50_000_000) -> str:
    """A text file exactly as written (newlines and all), with one-line errors for bad input."""
    return decode(read_source_bytes(Path(path), max_bytes), encoding, str(path))


def from_text(text: str, *, doc_id: str | None = None, source: str | None = None) -> Document:
    """A Document whose text is exactly ``text``; the first line is taken as title when it is
    followed by a blank line (the PTC layout).

    >>> from_text("Title\\n\\nBody.").title
    'Title'
    """
    if not text.strip():
        raise InputError(f"{shorten(source or 'input')}: no text (empty or only whitespace)")
    title = None
    first, sep, _rest = text.partition("\n")
    first = first.lstrip("\ufeff").strip()  # a byte-order mark is no part of the title
    if sep and _rest.startswith("\n") and 0 < len(first) <= 300:
        title = first
    return Document(text=text, id=doc_id, title=title, source=source, kind="text",
                    pieces=(Piece(0, len(text), 0, len(text)),))


# Scripts written without spaces between words: a long run of them is still prose.
_UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u9fff"
                       "\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]")
LONG_WORD = 80  # characters; longer "words" are data (base64, hashes, URL lists), not prose
_MIN_CHARS = 200  # shorter texts are too short to judge
#: with at least ``_MIN_WORDS`` words, a text whose words average more than ``MEAN_WORD``
#: characters is not prose (English prose averages about five)
_MIN_WORDS = 200
MEAN_WORD = 20
_NOT_LETTERS = re.compile(r"[\W\d_]+")


def check_prose(text: str, name: str) -> None:
    """Refuse text that is not prose, with a one-line InputError: a NUL character (no text
    holds one; PostgreSQL cannot store it), mostly "words" longer than
    ``LONG_WORD`` characters, words far longer than prose's on average, or hardly any
    letters. The detector reads such input as one endless sentence and would report nonsense
    (a 2 MB line without spaces gave fifty 40,000-character "slogans"); a short text is
    always let through.

    >>> check_prose("They are traitors. " * 20, "a.txt")
    >>> check_prose("x" * 5000, "a.txt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    unspin.errors.InputError: a.txt: this is not prose: 100% of it is in "words" longer than 80 ...
    """
    nul = text.find("\x00")
    if nul >= 0:  # the same refusal everywhere: CLI, HTTP API, batch rows
        raise InputError(f"{shorten(name)}: a NUL character (\\u0000) at character {nul}; an "
                         "article's text holds none (binary data, or the wrong encoding?)")
    words = text.split()
    total = sum(map(len, words))
    if total < _MIN_CHARS:
        return
    long = sum(len(w) for w in words if len(w) > LONG_WORD and not _UNSPACED.search(w))
    if long > total / 2:
        raise InputError(f"{shorten(name)}: this is not prose: {long * 100 // total}% of it is "
                         f'in "words" longer than {LONG_WORD} characters (data, base64 or '
                         "code?); give the article's text")
    mean = total / len(words)
    if len(words) >= _MIN_WORDS and mean > MEAN_WORD and not _UNSPACED.search(text[:10_000]):
        raise InputError(f"{shorten(name)}: this is not prose: its words are {mean:.0f} "
                         "characters long on average (data, base64 or code?); give the "
                         "article's text")
    letters = len(_NOT_LETTERS.sub("", text))
    if letters < total / 4:
        raise InputError(f"{shorten(name)}: this is not prose: only {letters * 100 // total}% "
                         "of its characters are letters; give the article's text")
