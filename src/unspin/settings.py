"""Defaults in one place, and their precedence: argument > config file > environment > default.

The config file is TOML, at ``$UNSPIN_CONFIG`` or ``~/.config/unspin/config.toml``, with keys
named as in ``DEFAULTS``. Environment variables are ``UNSPIN_<KEY>`` in capitals.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["DEFAULTS", "get", "config_path"]

DEFAULTS: dict[str, Any] = {
    "model": "minilm-spans.v1",  # registered model name or a model folder
    "max_bytes": 5_000_000,  # refuse larger inputs (text or downloaded page)
    "chunk_chars": 40_000,  # long text is detected in chunks of about this size
    "threads": 0,  # onnxruntime threads; 0 = min(4, cores)
    "min_score": 0.0,  # drop spans scoring below this
    "timeout": 20.0,  # seconds for a URL fetch
    "max_redirects": 5,
    "allow_private": False,  # allow URLs that resolve to private/loopback addresses
    "encoding": "utf-8",
    "db": "sqlite:///unspin.db",  # store and stats database (SQLAlchemy URL)
}


def config_path() -> Path:
    env = os.environ.get("UNSPIN_CONFIG")
    return Path(env) if env else Path.home() / ".config" / "unspin" / "config.toml"


def _file_values() -> dict[str, Any]:
    path = config_path()
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: bad config file ({exc})") from None


def _coerce(key: str, raw: Any) -> Any:
    default = DEFAULTS[key]
    try:
        if isinstance(default, bool):
            if isinstance(raw, str):
                return raw.strip().lower() in ("1", "true", "yes", "on")
            return bool(raw)
        return type(default)(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"setting {key}: {raw!r} is not a valid {type(default).__name__}") from None


def get(key: str, argument: Any = None) -> Any:
    """The value of a setting: the argument if given, else config file, environment, default.

    >>> get("max_redirects", 3)
    3
    """
    if key not in DEFAULTS:
        raise ConfigError(f"unknown setting {key!r}")
    if argument is not None:
        return argument
    values = _file_values()
    if key in values:
        return _coerce(key, values[key])
    env = os.environ.get(f"UNSPIN_{key.upper()}")
    if env is not None:
        return _coerce(key, env)
    return DEFAULTS[key]
