"""The browser extension and bookmarklet that draw unspin's findings on the page being read.

The files beside this module are the unpacked Manifest V3 extension (Chromium; the same files
load in Firefox 121+): ``draw.js`` places the server's spans on the page's text nodes and draws
highlights, tips and a side panel; ``background.js`` is the only part that talks to the
configured ``unspin serve``; :mod:`.icons` draws the toolbar icons. ``unspin extension --out
DIR`` writes them out with :func:`write`.
"""

from __future__ import annotations

import io
import json
import zipfile
from importlib import resources
from pathlib import Path
from urllib.parse import quote, urlsplit

from ..errors import ConfigError
from ..files import write_atomic
from . import icons

__all__ = ["FILES", "SOURCES", "bookmarklet", "write"]

#: The extension's text files, kept beside this module.
SOURCES = ("manifest.json", "background.js", "content.js", "draw.js", "options.html",
           "options.js")
#: Every file of the unpacked extension, in the order a zip lists them (icons drawn on write).
FILES = SOURCES + tuple(icons.path(size) for size in icons.SIZES)

DEFAULT_SERVER = "http://127.0.0.1:8000"


def _read(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _origin(server: str) -> str:
    parts = urlsplit(server.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"server address {server!r} is not http(s); give one such as "
                          f"{DEFAULT_SERVER}")
    return f"{parts.scheme}://{parts.netloc}"


def bookmarklet_source(server: str = DEFAULT_SERVER) -> str:
    """The bookmarklet's JavaScript (before it becomes a ``javascript:`` URL)."""
    runner = _read("bookmarklet.js").replace('"UNSPIN_SERVER"', _js_string(_origin(server)))
    return "(function(){\n" + _read("draw.js") + "\n" + runner + "\n})();"


def bookmarklet(server: str = DEFAULT_SERVER) -> str:
    """A ``javascript:`` URL that draws unspin's findings on the open page.

    >>> bookmarklet().startswith("javascript:")
    True
    """
    return "javascript:" + quote(bookmarklet_source(server), safe="")


def _js_string(value: str) -> str:
    return json.dumps(value)


def write(out: str | Path, server: str = DEFAULT_SERVER) -> tuple[Path, Path, Path]:
    """Write the unpacked extension to ``OUT/unspin-extension/``, its zip beside it and the
    bookmarklet (``bookmarklet.txt``); returns the three paths.

    >>> folder, archive, mark = write(__import__("tempfile").mkdtemp())
    >>> (folder / "manifest.json").exists(), archive.suffix, mark.name
    (True, '.zip', 'bookmarklet.txt')
    """
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"--out: cannot create {out} ({exc.strerror}); choose a writable "
                          "folder") from None
    folder = out / "unspin-extension"
    folder.mkdir(exist_ok=True)
    archive = out / "unspin-extension.zip"
    packed = io.BytesIO()
    (folder / "icons").mkdir(exist_ok=True)
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
        for name in SOURCES:
            text = _read(name)
            write_atomic(folder / name, text)
            z.writestr(name, text)
        for size in icons.SIZES:
            data = icons.png(size)
            write_atomic(folder / icons.path(size), data)
            z.writestr(icons.path(size), data)
    write_atomic(archive, packed.getvalue())
    mark = out / "bookmarklet.txt"
    write_atomic(mark, bookmarklet(server) + "\n")
    return folder, archive, mark
