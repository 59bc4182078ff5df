"""What the server does for the extension and bookmarklet: CORS for an extension's origin
when configured, and an API key required whenever it listens beyond this machine."""

from __future__ import annotations

import asyncio

import pytest

from unspin.errors import ConfigError
from unspin.options import Options

pytest.importorskip("fastapi", reason="needs unspin[serve]")
httpx = pytest.importorskip("httpx")

EXTENSION = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"


def preflight(app, origin):
    async def go():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.options("/v1/analyze", headers={
                "Origin": origin, "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type"})

    return asyncio.run(go())


def test_cors_for_the_extension_origin_only():
    from unspin.server import create_app

    app = create_app(Options(cors_origins=(EXTENSION,), api_keys=("k",)))
    r = preflight(app, EXTENSION)
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == EXTENSION
    other = preflight(app, "chrome-extension://someoneelse")
    assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "example.org"])
def test_listening_beyond_loopback_needs_a_key(host, monkeypatch):
    import uvicorn

    from unspin.server import serve

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("started without a key"))
    with pytest.raises(ConfigError, match="API key is required"):
        serve(Options(), host=host)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_loopback_needs_no_key(host, monkeypatch):
    import uvicorn

    from unspin.server import config, serve

    started = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append(k["host"]))
    monkeypatch.delenv(config.ENV, raising=False)
    serve(Options(), host=host)
    assert started == [host]
    serve(Options(api_keys=("k",)), host="0.0.0.0")
    assert started == [host, "0.0.0.0"]
