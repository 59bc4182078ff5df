"""How server options reach uvicorn's worker processes: the resolved ``Options``, as JSON in
one environment variable. Resolution itself happens once, in the CLI (``Options.resolve``)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict

from ..options import Options

__all__ = ["from_env", "to_env"]

ENV = "UNSPIN_SERVER_OPTIONS"


def to_env(options: Options) -> None:
    os.environ[ENV] = json.dumps(asdict(options))


def from_env() -> Options:
    """The options the parent process resolved, or a fresh resolution when there are none."""
    raw = os.environ.get(ENV)
    return Options(**json.loads(raw)) if raw else Options.resolve()
