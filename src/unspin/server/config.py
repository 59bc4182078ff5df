"""Server settings. Precedence as everywhere: argument > config file > environment > default;
``to_env``/``from_env`` carry them into uvicorn worker processes."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field

from .. import settings

ENV = "UNSPIN_SERVER_CONFIG"


@dataclass
class ServerConfig:
    model: str | None = None
    max_text_bytes: int = 2_000_000  # request body cap for text/html
    timeout: float = 60.0  # seconds per request, queue wait included
    concurrency: int = 1  # analyses running at once per process (each uses the model's threads)
    max_queue: int = 8  # requests waiting beyond those; more get 503 + Retry-After
    allow_private: bool = False  # URLs on private/loopback/link-local addresses
    api_keys: tuple[str, ...] = ()  # empty: no key needed
    cors_origins: tuple[str, ...] = ()  # empty: CORS off
    fetch_timeout: float | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> "ServerConfig":
        raw = os.environ.get(ENV)
        if raw:
            d = json.loads(raw)
            d["api_keys"] = tuple(d.get("api_keys", ()))
            d["cors_origins"] = tuple(d.get("cors_origins", ()))
            return cls(**d)
        keys = os.environ.get("UNSPIN_API_KEYS", "")
        return cls(model=settings.get("model"), allow_private=settings.get("allow_private"),
                   api_keys=tuple(k.strip() for k in keys.split(",") if k.strip()))

    def to_env(self) -> None:
        os.environ[ENV] = json.dumps(asdict(self))
