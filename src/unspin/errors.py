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

Messages are one line and say what to do next.
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
    """Base of every error unspin raises on purpose."""

    exit_code = 1


class InputError(UnspinError):
    """The input cannot be read, or holds no article text."""


class EncodingError(InputError):
    """The input's bytes do not decode in the expected encoding."""


class TooLargeError(InputError):
    """The input is larger than the configured limit."""


class FetchError(UnspinError):
    """A URL could not be fetched, or its address is not allowed."""


class URLNotAllowed(FetchError):
    """The URL is refused before any request: bad scheme or syntax, or a private address."""


class ModelError(UnspinError):
    """Model files are missing, corrupt, or not a model unspin knows."""


class StoreError(UnspinError):
    """The database cannot be reached or refused the operation."""


class ConfigError(UnspinError):
    """An option or configuration value is invalid."""

    exit_code = 2


class DependencyError(UnspinError):
    """An optional dependency is missing; the message names the extra to install."""


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
            f"{module} is not installed; install it with: pip install 'unspin[{extra}]'"
        ) from exc
