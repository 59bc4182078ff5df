"""The HTTP API and web page (``unspin serve``; needs ``unspin[serve]``).

``create_app(Options(...))`` builds the FastAPI app; ``serve(...)`` runs it under uvicorn.
The routes call the same pipeline as the CLI and return the same JSON contract.
"""

from __future__ import annotations

from ..options import Options
from .config import connection_limit

__all__ = ["connection_limit", "create_app", "serve"]

#: Seconds an idle keep-alive connection stays open.
KEEP_ALIVE = 5
#: uvicorn's HTTP protocol for ``serve`` (by name: worker processes import it themselves).
PROTOCOL = "unspin.server.connections:GuardedH11Protocol"


def create_app(options: Options | None = None):
    """The FastAPI app for ``options`` (default: resolved from config file and environment)."""
    from .app import build_app
    from .config import from_env

    return build_app(options or from_env())


def serve(options: Options, host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          log_level: str = "info") -> None:
    """Run the app under uvicorn; with several workers each process loads the model once.
    Headers must arrive within ``connections.HEADER_TIMEOUT`` s and bodies within
    ``app.BODY_TIMEOUT``; idle connections close after ``KEEP_ALIVE`` s; at
    ``connection_limit`` open connections per process a new one closes the longest-idle one
    (``connections.GuardedH11Protocol``), and the app caps requests in flight."""
    from ..errors import require
    from .config import check_exposure, to_env

    check_exposure(options, host)
    uvicorn = require("uvicorn", "serve")
    require("fastapi", "serve")
    to_env(options)
    uvicorn.run("unspin.server.app:app_from_env", factory=True, host=host, port=port,
                workers=workers, access_log=False, log_level=log_level,
                timeout_graceful_shutdown=5, timeout_keep_alive=KEEP_ALIVE,
                limit_concurrency=connection_limit(options), http=PROTOCOL)
