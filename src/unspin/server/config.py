"""How server options reach uvicorn's worker processes (the resolved ``Options``, as JSON in
one environment variable; resolution itself happens once, in the CLI: ``Options.resolve``),
and the limits derived from them that both the package (``serve``) and the app read."""

from __future__ import annotations

import json
import os
from dataclasses import asdict

from ..options import Options

__all__ = ["from_env", "to_env", "connection_limit"]

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
