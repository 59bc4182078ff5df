"""The ingest stage: any article source -> Document.

``load(source)`` accepts a path (plain text, Markdown capture, HTML, PDF, DOCX), an http(s)
URL, ``-`` for standard input, or a ``Document``. The kind is guessed from the URL scheme, the
file suffix and the content (``%PDF-``, a zip holding ``word/document.xml``), or forced with
``kind=`` (a forced kind reads the bytes as text).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from ..document import Document, Piece
from ..errors import ConfigError, InputError, TooLargeError, shorten
from .documents import sniff
from .folder import article_id, table_format
from .text import check_prose, from_text, read_source_bytes

__all__ = ["load", "from_string", "from_text", "KINDS"]

KINDS = ("text", "markdown", "html", "url")

# "gopher://x", "HTTP://x": a URL whatever the case of its scheme; "mailto:", "data:" and
# the like need no "//". Anything else is a path.
_SCHEME = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")
_BARE_SCHEMES = ("data", "javascript", "mailto", "file", "about", "blob", "tel", "vbscript")


def url_scheme(source: str) -> str | None:
    """The scheme of ``source``, lower-cased, if it is written as a URL; None for a path.

    >>> url_scheme("HTTPS://example.org/"), url_scheme("gopher://x"), url_scheme("a/b.txt")
    ('https', 'gopher', None)
    >>> url_scheme("data:text/html,hi")
    'data'
    """
    m = _SCHEME.match(source)
    if m:
        return m["scheme"].lower()
    head, sep, _ = source.partition(":")
    if sep and head.lower() in _BARE_SCHEMES:
        return head.lower()
    return None


def _guess_kind(name: str, text: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in (".html", ".htm", ".xhtml"):
        return "html"
    if suffix in (".md", ".markdown"):
        return "markdown"
    head = text.lstrip()[:500].lower()
    if head.startswith(("<!doctype html", "<html")) or "<body" in head:
        return "html"
    from .markdown import looks_like_capture

    if looks_like_capture(text):
        return "markdown"
    return "text"


def load(source, *, kind: str | None = None, options=None, **arguments) -> Document:
    """Read ``source`` into a Document. ``options`` (an ``Options``, or keyword arguments
    naming its fields) give the encoding, size cap and URL fetching limits.

    >>> load(Document("Already clean.")).text
    'Already clean.'
    """
    if isinstance(source, Document):  # built by the caller: still refused when not prose
        check_prose(source.text, source.source or source.id or "document")
        return source
    if kind is not None and kind not in KINDS:
        raise ConfigError(f"unknown input kind {kind!r}; use one of {', '.join(KINDS)}")
    from ..options import of

    opts = of(options, arguments)
    max_bytes, encoding = opts.max_bytes, opts.encoding
    src = str(source)
    scheme = url_scheme(src) if not isinstance(source, Path) else None
    if kind == "url" or scheme in ("http", "https"):
        from .url import fetch

        page = fetch(src, max_bytes=max_bytes, allow_private=opts.allow_private,
                     timeout=opts.fetch_timeout, max_redirects=opts.max_redirects)
        if page.content_type == "text/plain":
            doc = from_text(page.text, source=src).with_(url=page.url, kind="url")
        else:
            from .html import from_html

            doc = from_html(page.text, url=page.url, source=src, kind="url")
        check_prose(doc.text, src)
        return doc
    if scheme is not None and (_SCHEME.match(src) or not os.path.exists(src)):
        raise InputError(f"{shorten(src)}: {scheme}: addresses are not read; only http(s) URLs, "
                         "files and '-' (stdin) can be read")
    if kind is None and src != "-" and table_format(src):
        raise InputError(f"{shorten(src)}: a file of articles (one per row) is read by 'unspin "
                         "batch FILE --out DIR'; force --kind text to read it as prose")
    if src == "-":
        data = _read_stdin(max_bytes)
        name = "stdin"
    else:
        data = read_source_bytes(Path(src), max_bytes)
        name = src
    doc_id = "stdin" if src == "-" else article_id(Path(src).name)
    document_kind = sniff(name, data) if kind is None else None
    if document_kind is not None:  # PDF or DOCX: by suffix, or by content whatever the name
        from .documents import from_bytes

        doc = from_bytes(document_kind, data, source=src, doc_id=doc_id)
        check_prose(doc.text, name)
        return doc
    from .text import decode

    text = decode(data, encoding, name)
    return from_string(text, kind=kind, source=src, doc_id=doc_id, name=name)


def _read_stdin(max_bytes: int) -> bytes:
    """At most ``max_bytes`` of standard input, or a one-line error (closed, unreadable)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise InputError("stdin: standard input is closed; pipe the article in or give a file")
    try:
        data = stream.read(max_bytes + 1)
    except (OSError, ValueError) as exc:  # ValueError: read of a closed file
        detail = getattr(exc, "strerror", None) or exc
        raise InputError(f"stdin: cannot read standard input ({detail}); give a file") from None
    if len(data) > max_bytes:
        raise TooLargeError(f"stdin: more than {max_bytes} bytes; raise it with --max-bytes")
    return data


def from_string(text: str, *, kind: str | None = None, source: str | None = None,
                doc_id: str | None = None, name: str = "input") -> Document:
    """A Document from text already in memory: plain text, a Markdown capture or HTML.

    >>> from_string("Title\\n\\nBody text.", kind="text").title
    'Title'
    """
    if kind is not None and kind not in KINDS:
        raise ConfigError(f"unknown input kind {kind!r}; use one of {', '.join(KINDS)}")
    if kind == "url":
        raise ConfigError("kind 'url' reads a web address; pass the URL to load() instead")
    kind = kind or _guess_kind(name, text)
    if kind == "text":
        doc = from_text(text, doc_id=doc_id, source=source)
        check_prose(doc.text, source or name)
        return doc
    # a byte-order mark is not part of a page: parse without it, keep pieces pointing at `text`
    bom = 1 if text.startswith("\ufeff") else 0
    if kind == "html":
        from .html import from_html

        doc = from_html(text[bom:], source=source, doc_id=doc_id)
    else:
        from .markdown import from_markdown

        doc = from_markdown(text[bom:], source=source, doc_id=doc_id)
    if bom:
        doc = doc.with_(pieces=tuple(Piece(p.start, p.end, p.source_start + 1, p.source_end + 1)
                                     for p in doc.pieces))
    check_prose(doc.text, source or name)
    return doc
