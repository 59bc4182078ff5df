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


# -- the page's address beside its HTML (what the extension and bookmarklet send) --------------

PAGE = ("<!DOCTYPE html><html><head><title>Traitors in Washington</title></head><body><article>"
        "<h1>Traitors in Washington</h1><p>The corrupt, treasonous elite will destroy this great "
        "nation unless every true patriot stands up now. Wake up, America!</p>"
        "<p>They lie to you every single day, and the shameful cowards in Congress let them.</p>"
        "</article></body></html>")
ADDRESS = "https://news.example/2026/12/traitors?ref=front#top"


def post(app, body):
    async def go():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.post("/v1/analyze", json=body, timeout=120)

    return asyncio.run(go())


@pytest.fixture(scope="module")
def app():
    from unspin.server import create_app

    return create_app(Options(max_text_bytes=50_000))


@pytest.mark.model
def test_html_with_its_url_records_the_url_and_fetches_nothing(app, monkeypatch):
    from unspin import ingest
    from unspin.ingest import url

    def no_fetch(*a, **k):
        pytest.fail("the page's url was fetched")

    monkeypatch.setattr(ingest, "load", no_fetch)
    monkeypatch.setattr(url, "fetch", no_fetch)
    alone = post(app, {"html": PAGE})
    both = post(app, {"html": PAGE, "url": ADDRESS})
    assert alone.status_code == 200 and both.status_code == 200, both.text
    assert alone.json()["document"]["url"] is None
    assert both.json()["document"]["url"] == ADDRESS
    # the url is a record only: the same HTML gives the same text and the same spans
    assert both.json()["document"]["text"] == alone.json()["document"]["text"]
    assert both.json()["spans"] == alone.json()["spans"]


@pytest.mark.parametrize("body, status, words", [
    ({"html": PAGE, "url": "javascript:alert(1)"}, 400, "url: beside html it must be"),
    ({"html": PAGE, "url": "file:///etc/passwd"}, 400, "url: beside html it must be"),
    ({"html": PAGE, "url": "https://"}, 400, "url: beside html it must be"),
    ({"html": PAGE, "url": ""}, 400, "url: beside html it must be"),
    ({"html": PAGE, "url": "https://x.example/a b"}, 400, "url: not a page address"),
    ({"html": PAGE, "url": "https://x.example/" + "a" * 9000}, 400, "url: not a page address"),
    ({"text": "Some text.", "url": ADDRESS}, 422, "got text and url"),
    ({"text": "Some text.", "html": PAGE, "url": ADDRESS}, 422, "got text and html and url"),
])
def test_a_bad_page_address_is_refused_in_one_line(app, body, status, words):
    r = post(app, body)
    assert r.status_code == status, r.text
    message = r.json()["error"]["message"]
    assert words in message and "\n" not in message, message


def test_the_schema_allows_html_with_url_and_nothing_else_twice(app):
    import jsonschema

    async def go():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/openapi.json")

    schema = asyncio.run(go()).json()["components"]["schemas"]["AnalyzeRequest"]
    only = {"oneOf": schema["oneOf"]}
    for good in ({"text": "a"}, {"html": "a"}, {"url": "a"}, {"html": "a", "url": "a"}):
        jsonschema.validate(good, only)
    for bad in ({}, {"text": "a", "url": "a"}, {"text": "a", "html": "a"},
                {"text": "a", "html": "a", "url": "a"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, only)


def test_no_cors_unless_configured():
    """Without --cors-origin no web page may read the answers (the extension needs no CORS: its
    host permission covers the server)."""
    from unspin.server import create_app

    app = create_app(Options())
    for origin in ("https://news.example", EXTENSION, "null"):
        r = preflight(app, origin)
        assert "access-control-allow-origin" not in r.headers, origin
