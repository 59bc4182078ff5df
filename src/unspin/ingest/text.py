"""Plain text: kept exactly, so offsets match the file character for character."""

from __future__ import annotations

from pathlib import Path

from ..document import Document, Piece
from ..errors import EncodingError, InputError, TooLargeError

__all__ = ["from_text", "read_source_bytes", "read_file", "decode"]


def read_source_bytes(path: Path, max_bytes: int) -> bytes:
    """Read at most ``max_bytes`` from ``path`` with one-line errors for what goes wrong."""
    try:
        if path.is_dir():
            raise InputError(f"{path}: is a folder; give a file (or use 'unspin batch')")
        size = path.stat().st_size
        if size > max_bytes:
            raise TooLargeError(f"{path}: {size} bytes is over the {max_bytes}-byte limit; "
                                "raise it with --max-bytes")
        with path.open("rb") as fh:
            return fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def decode(data: bytes, encoding: str, name: str) -> str:
    """Bytes to str; binary data and undecodable bytes are refused with a hint."""
    if b"\x00" in data[:65536]:
        raise InputError(f"{name}: looks like a binary file, not text")
    try:
        text = data.decode(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        raise EncodingError(f"{name}: not valid {encoding} at byte {exc.start}; "
                            "pass --encoding (for example --encoding cp1252)") from None
    return text  # exactly as decoded (a byte-order mark stays): offsets must match the file


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
        raise InputError(f"{source or 'input'}: no text (empty or only whitespace)")
    title = None
    first, sep, _rest = text.partition("\n")
    if sep and _rest.startswith("\n") and 0 < len(first.strip()) <= 300:
        title = first.strip()
    return Document(text=text, id=doc_id, title=title, source=source, kind="text",
                    pieces=(Piece(0, len(text), 0, len(text)),))
