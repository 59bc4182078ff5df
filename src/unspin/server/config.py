"""How server options reach uvicorn's worker processes (the resolved ``Options``, as JSON in
one environment variable; resolution itself happens once, in the CLI: ``Options.resolve``),
the limits derived from them that both the package (``serve``) and the app read, and the rule
that a server reachable from other machines answers only clients with an API key."""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import asdict

from ..errors import ConfigError
from ..options import Options

__all__ = ["from_env", "to_env", "connection_limit", "check_exposure"]

ENV = "UNSPIN_SERVER_OPTIONS"


def to_env(options: Options) -> None:
    os.environ[ENV] = json.dumps(asdict(options))


def from_env() -> Options:
    """The options the parent process resolved, or a fresh resolution when there are none."""
    raw = os.environ.get(ENV)
    return Options(**json.loads(raw)) if raw else Options.resolve()


def connection_limit(options: Options) -> int:
    """Connections (and requests) one process holds at once before answering 503: room for
    the analyses it may admit and cheap requests beside them, not for hundreds of idle ones.

    >>> connection_limit(Options(concurrency=1, max_queue=8))
    64
    """
    return max(64, 4 * (options.concurrency + options.max_queue))


def check_exposure(options: Options, host: str) -> None:
    """Refuse to listen beyond this machine without an API key: a page in any browser on the
    network could otherwise send articles to it (and read the answers where CORS allows).

    >>> check_exposure(Options(), "127.0.0.1")
    >>> try:
    ...     check_exposure(Options(), "0.0.0.0")
    ... except ConfigError as exc:
    ...     print(str(exc)[:63])
    listening on 0.0.0.0 reaches beyond this machine, so an API key
    """
    if options.api_keys or _loopback(host):
        return
    raise ConfigError(f"listening on {host} reaches beyond this machine, so an API key is "
                      "required: set UNSPIN_API_KEYS (or api_keys in the config file), or "
                      "listen on 127.0.0.1")


def _loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve anywhere
