"""The HTTP API and web page (``unspin serve``; needs ``unspin[serve]``).

``create_app(ServerConfig(...))`` builds the FastAPI app; ``serve(...)`` runs it under uvicorn.
The routes call the same pipeline as the CLI and return the same JSON contract.
"""

from __future__ import annotations

__all__ = ["ServerConfig", "create_app", "serve"]

from .config import ServerConfig


def create_app(config: ServerConfig | None = None):
    """The FastAPI app for ``config`` (default: settings from the environment)."""
    from .app import build_app

    return build_app(config or ServerConfig.from_env())


def serve(config: ServerConfig, host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          log_level: str = "info") -> None:
    """Run the app under uvicorn; with several workers each process loads the model once."""
    from ..errors import require

    uvicorn = require("uvicorn", "serve")
    require("fastapi", "serve")
    config.to_env()
    uvicorn.run("unspin.server.app:app_from_env", factory=True, host=host, port=port,
                workers=workers, access_log=False, log_level=log_level,
                timeout_graceful_shutdown=5)
