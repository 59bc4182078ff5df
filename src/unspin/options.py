"""One frozen options object for every entry point: the CLI, the Python API, the server, batch.

Defaults live here and nowhere else. ``Options.resolve(**arguments)`` applies the precedence
argument > config file > environment > default once; the result is passed down, never looked
up again. Every value is checked once, in ``Options`` itself, so the CLI (exit 2, one line), the
HTTP API (400/422) and the library refuse the same things with the same words.

The config file is TOML, at ``$UNSPIN_CONFIG`` or ``~/.config/unspin/config.toml``, with keys
named as the fields below; it is read once per process (again only if it changes). A file that
``$UNSPIN_CONFIG`` names must exist (``UNSPIN_CONFIG=/dev/null``: no file at all). Environment
variables are ``UNSPIN_<FIELD>`` in capitals; lists (``techniques``, ``api_keys``,
``cors_origins``) are comma-separated there. Any other ``UNSPIN_*`` variable (a misspelt
setting) is named in a warning, once per process, with the known ones; ``UNSPIN_TEST_*`` is
left to test suites and never warned about.

>>> Options(min_score=0.5).min_score
0.5
>>> Options(min_score=5)
Traceback (most recent call last):
...
unspin.errors.ConfigError: min-score must be between 0 and 1 (got 5.0)
"""

from __future__ import annotations

import codecs
import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["Options", "DEFAULT_MODEL", "config_path", "known_variables", "Range", "RANGES"]

#: The model used when none is named (a registered, versioned name).
DEFAULT_MODEL = "minilm-spans.v5"

_LISTS = ("techniques", "api_keys", "cors_origins")


@dataclass(frozen=True)
class Range:
    """The numbers a setting accepts: from ``low`` to ``high`` inclusive (None: no bound);
    with ``above``, ``low`` itself is refused. ``str()`` gives the words of a message.

    >>> str(Range(0, 1)), 1.5 in Range(0, 1)
    ('between 0 and 1', False)
    >>> str(Range(0, 60, above=True, unit="seconds")), Range(0, 60, above=True).bounds()
    ('more than 0 and at most 60 seconds', {'gt': 0, 'le': 60})
    """

    low: float | None = None
    high: float | None = None
    above: bool = False
    unit: str = ""

    def __contains__(self, value) -> bool:
        if self.low is not None and (value <= self.low if self.above else value < self.low):
            return False
        return self.high is None or value <= self.high

    def __str__(self) -> str:
        low, high = _number(self.low), _number(self.high)
        unit = f" {self.unit}" if self.unit else ""
        if self.low is None:
            return f"at most {high}{unit}"
        if self.above:
            return f"more than {low}" + (f" and at most {high}" if self.high is not None
                                         else "") + unit
        if self.high is None:
            return f"at least {low}{unit}"
        return f"between {low} and {high}{unit}"

    def bounds(self) -> dict[str, float]:
        """The bounds as keywords, as pydantic's ``Field`` takes them (``ge``/``gt``, ``le``)."""
        out = {}
        if self.low is not None:
            out["gt" if self.above else "ge"] = self.low
        if self.high is not None:
            out["le"] = self.high
        return out


def _number(value: float | None) -> str:
    return str(int(value)) if value is not None and float(value).is_integer() else str(value)


#: The numeric range of every number an ``Options`` field holds, written once: ``_check``
#: refuses values outside them, the CLI's argument types and the server's request model
#: read them from here.
RANGES: dict[str, Range] = {
    "threads": Range(0, 256),
    "chunk_chars": Range(1000),
    "min_score": Range(0, 1),
    "max_bytes": Range(1),
    "fetch_timeout": Range(0, 3600, above=True, unit="seconds"),
    "article_timeout": Range(0, 86400, unit="seconds"),
    "max_redirects": Range(0, 50),
    "max_text_bytes": Range(1),
    "request_timeout": Range(0, 86400, above=True, unit="seconds"),
    "concurrency": Range(1, 256),
    "max_queue": Range(0, 100_000),
}


@dataclass(frozen=True)
class Options:
    """Everything a user can set. Field comments say what each value means."""

    # detection
    model: str = DEFAULT_MODEL  # registered model name (``unspin models``) or a model folder
    threads: int = 0  # onnxruntime threads per process; 0 = min(4, cores)
    chunk_chars: int = 40_000  # long text is detected in chunks of about this many characters
    # drop spans scoring below this (0-1); None: the model's display threshold (0 for a model
    # without one), so 0 keeps every span
    min_score: float | None = None
    techniques: tuple[str, ...] = ()  # keep only these techniques (ids); empty = all
    enrich: bool = True  # find quotes, the targets of spans and check-worthy claims
    # analyse text that is clearly not English (refused otherwise: the models read English
    # only); its Analysis carries a warning
    any_language: bool = False
    # input
    encoding: str = "utf-8"  # of files and stdin
    max_bytes: int = 5_000_000  # refuse larger inputs (a file, stdin or a downloaded page)
    fetch_timeout: float = 20.0  # seconds for a whole URL fetch
    max_redirects: int = 5
    allow_private: bool = False  # allow URLs on private, loopback or link-local addresses
    # corpus
    db: str = "sqlite:///unspin.db"  # store and stats database (SQLAlchemy URL)
    # seconds one article may take in a batch or an analysis of several sources (0: no limit)
    article_timeout: float = 300.0
    # server
    # request text cap: analysis runs at ~11-19 KB/s on 2 cores (50-90 s per MB), so 500 kB
    # ends within the request timeout; longer texts belong in `unspin batch`
    max_text_bytes: int = 500_000
    request_timeout: float = 60.0  # seconds per request, queue wait included
    concurrency: int = 1  # analyses at once per server process
    max_queue: int = 8  # requests waiting beyond those; more get 503 + Retry-After
    api_keys: tuple[str, ...] = ()  # empty: no key needed
    cors_origins: tuple[str, ...] = ()  # empty: CORS off
    # deprecated: the old name of fetch_timeout (config key ``timeout``, UNSPIN_TIMEOUT);
    # still read, with a warning, and always None once read
    timeout: float | None = None

    def __post_init__(self):
        if self.timeout is not None:
            _deprecated_timeout(self)
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _DEPRECATED or (f.name in _OPTIONAL and value is None):
                continue
            if f.name in _LISTS:
                object.__setattr__(self, f.name, _as_tuple(f.name, value))
            else:
                object.__setattr__(self, f.name, _coerce(f.name, value))
        _check(self)

    @classmethod
    def resolve(cls, **arguments) -> Options:
        """Options from arguments (None = not given), the config file, the environment and the
        defaults, in that order of precedence.

        >>> Options.resolve(max_redirects=3).max_redirects
        3
        """
        unknown = set(arguments) - _FIELDS
        if unknown:
            raise ConfigError(f"unknown option {sorted(unknown)[0]!r}")
        _warn_unknown_variables()
        values: dict[str, Any] = {}
        from_file = _file_values()
        for name in _FIELDS:
            if arguments.get(name) is not None:
                values[name] = arguments[name]
            elif name in from_file:
                values[name] = from_file[name]
            elif (env := os.environ.get(f"UNSPIN_{name.upper()}")) is not None:
                values[name] = env
        return cls(**values)

    def min_score_for(self, display_threshold: float) -> float:
        """The score below which spans are left out: ``min_score`` when set, else the model's
        ``display_threshold``.

        >>> Options().min_score_for(0.2), Options(min_score=0).min_score_for(0.2)
        (0.2, 0.0)
        """
        return display_threshold if self.min_score is None else self.min_score

    def replace(self, **changes) -> Options:
        """A copy with ``changes`` applied (None values ignored), checked again."""
        unknown = set(changes) - _FIELDS
        if unknown:
            raise ConfigError(f"unknown option {sorted(unknown)[0]!r}")
        given = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **given) if given else self


_FIELDS = frozenset(f.name for f in fields(Options))
#: old names still read (with a one-line warning) and the field each one now is
_DEPRECATED = {"timeout": "fetch_timeout"}


def _deprecated_timeout(o: Options) -> None:
    """``timeout`` (the old name) sets ``fetch_timeout`` unless that was given too."""
    import logging

    logging.getLogger(__name__).warning(
        "the setting 'timeout' (UNSPIN_TIMEOUT) is deprecated: it is the URL fetch timeout, "
        "now 'fetch_timeout' (UNSPIN_FETCH_TIMEOUT, --fetch-timeout)")
    if o.fetch_timeout == _DEFAULTS["fetch_timeout"]:
        object.__setattr__(o, "fetch_timeout", _coerce("fetch_timeout", o.timeout))
    object.__setattr__(o, "timeout", None)
#: fields whose None means "the model decides" (``min_score``: its display threshold)
_OPTIONAL = {"min_score": float}
_TYPES = {f.name: _OPTIONAL.get(f.name, type(f.default)) for f in fields(Options)}
_DEFAULTS = {f.name: f.default for f in fields(Options)}


def of(options: Options | Mapping[str, Any] | None, arguments: dict) -> Options:
    """``options`` with keyword ``arguments`` applied, or resolved from them when None. A
    mapping of field names (``{"min_score": 0.5}``) is read as keyword arguments, under those
    given by keyword; anything else is a ``ConfigError`` saying what is wanted.

    >>> of({"min_score": 0.5}, {"max_redirects": 2}).min_score
    0.5
    """
    if options is None:
        return Options.resolve(**arguments)
    if isinstance(options, Options):
        return options.replace(**arguments)
    if isinstance(options, Mapping):
        bad = next((k for k in options if not isinstance(k, str)), None)
        if bad is not None:
            raise ConfigError(f"options: a mapping's keys are field names, not {bad!r}")
        return Options.resolve(**{**options, **{k: v for k, v in arguments.items()
                                                if v is not None}})
    raise ConfigError(f"options must be an unspin.Options, a mapping such as "
                      f"{{'min_score': 0.5}} or None, not {type(options).__name__}; or pass "
                      "fields as keywords: min_score=0.5")


def _flag(name: str) -> str:
    return name.replace("_", "-")


def _coerce(name: str, raw: Any) -> Any:
    kind = _TYPES[name]
    if isinstance(raw, kind) and not (kind is int and isinstance(raw, bool)):
        return raw
    try:
        if kind is bool:
            if isinstance(raw, str):
                word = raw.strip().lower()
                if word in ("1", "true", "yes", "on"):
                    return True
                if word in ("0", "false", "no", "off", ""):
                    return False
                raise ValueError(raw)
            if isinstance(raw, int):
                return bool(raw)
            raise ValueError(raw)
        if kind is int and isinstance(raw, float) and not raw.is_integer():
            raise ValueError(raw)
        if kind in (int, float) and isinstance(raw, bool):
            raise ValueError(raw)
        return kind(raw.strip() if isinstance(raw, str) else raw)
    except (TypeError, ValueError):
        what = {bool: "true or false", int: "a whole number", float: "a number",
                str: "text"}[kind]
        raise ConfigError(f"{_flag(name)} must be {what} (got {raw!r})") from None


def _as_tuple(name: str, raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    items = raw.split(",") if isinstance(raw, str) else raw
    try:
        items = [str(v).strip() for v in items]
    except TypeError:
        raise ConfigError(f"{_flag(name)} must be a list of text (got {raw!r})") from None
    items = [v for v in items if v]
    if name == "techniques":
        from .techniques import TAXONOMY_2023, get, normalize

        # a 2020 spelling as before; a name only the 2023 taxonomy knows, as its id (the
        # pipeline reads the list in the taxonomy of the model)
        items = [get(v).id if normalize(v) or not TAXONOMY_2023.normalize(v)
                 else TAXONOMY_2023.normalize(v) for v in items]
    return tuple(dict.fromkeys(items))


def _check(o: Options) -> None:
    def need(ok: bool, name: str, rule: str):
        if not ok:
            raise ConfigError(f"{_flag(name)} must be {rule} (got {getattr(o, name)!r})")

    need(bool(o.model.strip()), "model", "a model name or folder")
    for name, allowed in RANGES.items():
        if getattr(o, name) is None and name in _OPTIONAL:
            continue
        need(getattr(o, name) in allowed, name, str(allowed))
    try:
        codecs.lookup(o.encoding)
    except LookupError:
        raise ConfigError(f"encoding: unknown encoding {o.encoding!r} "
                          "(for example utf-8, cp1252, utf-16)") from None


#: ``UNSPIN_*`` variables that are not settings: the config file's path, and the options
#: ``unspin serve`` hands its worker processes (``server.config``)
OTHER_VARIABLES = ("UNSPIN_CONFIG", "UNSPIN_SERVER_OPTIONS")
#: variables of this prefix belong to test suites (a database URL, a folder for screenshots)
TEST_PREFIX = "UNSPIN_TEST_"


def known_variables() -> list[str]:
    """Every ``UNSPIN_*`` environment variable unspin reads, sorted."""
    return sorted({f"UNSPIN_{name.upper()}" for name in _FIELDS} | set(OTHER_VARIABLES))


_warned: set[str] = set()


def _warn_unknown_variables() -> None:
    """A warning (once per process and name) for each ``UNSPIN_*`` variable that unspin does
    not read: a misspelt setting would otherwise be ignored without a word."""
    known = set(known_variables())
    unknown = sorted(name for name in os.environ if name.startswith("UNSPIN_")
                     and name not in known and not name.startswith(TEST_PREFIX)
                     and name not in _warned)
    if not unknown:
        return
    import difflib
    import logging

    _warned.update(unknown)
    close = {n: difflib.get_close_matches(n, known, n=1, cutoff=0.8) for n in unknown}
    named = ", ".join(n + (f" (did you mean {close[n][0]}?)" if close[n] else "")
                      for n in unknown)
    logging.getLogger(__name__).warning(
        "unknown environment variable%s %s, ignored; unspin reads %s (and leaves %s* to "
        "tests)", "s" if len(unknown) > 1 else "", named, ", ".join(sorted(known)), TEST_PREFIX)


def config_path() -> Path:
    env = os.environ.get("UNSPIN_CONFIG")
    return Path(env) if env else Path.home() / ".config" / "unspin" / "config.toml"


def _file_values() -> dict[str, Any]:
    """The config file's values: none when the default file is absent; a file named by
    ``$UNSPIN_CONFIG`` must be there (a typo in its path would go unnoticed), except the null
    device, which says "no config file"."""
    path = config_path()
    named = bool(os.environ.get("UNSPIN_CONFIG"))
    if named and str(path) == os.devnull:
        return {}
    try:
        stat = path.stat()
    except OSError as exc:
        if named:
            raise ConfigError(f"UNSPIN_CONFIG names {path}, which cannot be read "
                              f"({exc.strerror or exc}); create it, correct the path, or set "
                              f"UNSPIN_CONFIG={os.devnull} for no config file") from None
        return {}
    if not path.is_file():
        if named:
            raise ConfigError(f"UNSPIN_CONFIG names {path}, which is not a file; name a TOML "
                              "file")
        return {}
    return _read_config(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _read_config(path: str, _mtime_ns: int, _size: int) -> dict[str, Any]:
    """The config file's values, read once per change of the file."""
    try:
        values = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: bad config file ({exc})") from None
    unknown = sorted(set(values) - _FIELDS)
    if unknown:
        raise ConfigError(f"{path}: unknown setting {unknown[0]!r}; known: "
                          f"{', '.join(sorted(_FIELDS))}")
    return values
