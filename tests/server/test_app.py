"""The HTTP API in-process, through httpx's ASGI transport."""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import jsonschema
import pytest

pytest.importorskip("fastapi", reason="needs unspin[serve]")

from unspin.schema import load as load_schema  # noqa: E402
from unspin.options import Options
from unspin.server import create_app  # noqa: E402
from unspin.server.app import Busy, Gate  # noqa: E402

pytestmark = pytest.mark.model

ARTICLE = ("Traitors in Washington\n\nThe corrupt, treasonous elite will destroy this great "
           "nation unless every true patriot stands up now. Wake up, America!\n")


def run_async(coro):
    """Run a coroutine on a fresh loop in its own thread (a browser test's loop may be running
    in this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def call(app, method, path, **kw):
    async def go():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return await c.request(method, path, **kw)

    return run_async(go())


@pytest.fixture(scope="module")
def app():
    return create_app(Options(max_text_bytes=50_000))


def test_health_and_techniques(app):
    r = call(app, "GET", "/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    r = call(app, "GET", "/v1/techniques")
    assert len(r.json()) == 14 and {"id", "name", "definition", "colour"} <= set(r.json()[0])


def test_analyze_text_returns_the_contract(app):
    r = call(app, "POST", "/v1/analyze", json={"text": ARTICLE})
    assert r.status_code == 200
    body = r.json()
    jsonschema.validate(body, load_schema())
    text = body["document"]["text"]
    assert body["spans"], "expected techniques in an obviously loaded text"
    for s in body["spans"]:
        assert text[s["start"]:s["end"]] == s["text"]


def test_options_filter(app):
    r = call(app, "POST", "/v1/analyze",
             json={"text": ARTICLE, "options": {"techniques": ["Doubt"], "min_score": 0.99}})
    assert r.status_code == 200
    assert all(s["technique"] == "Doubt" and s["score"] >= 0.99 for s in r.json()["spans"])


def test_report_is_html(app):
    r = call(app, "POST", "/v1/report", json={"html": "<html><body><article><h1>Big lie</h1>"
                                              "<p>" + "The corrupt elite lies to you. " * 20 +
                                              "</p></article></body></html>"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html") and "<html" in r.text.lower()


@pytest.mark.parametrize("payload,status,code", [
    ({}, 422, "invalid_request"),
    ({"text": "a", "url": "http://x"}, 422, "invalid_request"),
    ({"text": "a", "options": {"min_score": 2}}, 422, "invalid_request"),
    ({"text": "a", "bogus": 1}, 422, "invalid_request"),
    ({"text": "   "}, 400, "bad_input"),
    ({"text": "Some text.", "options": {"techniques": ["nonsense"]}}, 400, "bad_input"),
    ({"url": "ftp://example.org/a"}, 400, "url_not_allowed"),
    ({"url": "http://127.0.0.1:9/"}, 400, "url_not_allowed"),
])
def test_errors_are_json_with_the_right_status(app, payload, status, code):
    r = call(app, "POST", "/v1/analyze", json=payload)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code and r.json()["error"]["message"]
    assert "Traceback" not in r.text


def test_body_limits(app):
    r = call(app, "POST", "/v1/analyze", json={"text": "word " * 20_000})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    r = call(app, "POST", "/v1/analyze", content=b"{" + b" " * 200_000 + b"}",
             headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_not_json_and_unknown_route(app):
    r = call(app, "POST", "/v1/analyze", content=b"not json",
             headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    r = call(app, "GET", "/nope")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_fetch_failures_are_502():
    app = create_app(Options(allow_private=True, timeout=2))
    r = call(app, "POST", "/v1/analyze", json={"url": "http://127.0.0.1:9/"})
    assert r.status_code == 502 and r.json()["error"]["code"] == "fetch_failed"


def test_api_keys_and_cors_off_by_default():
    app = create_app(Options(api_keys=("s3cret",)))
    r = call(app, "POST", "/v1/analyze", json={"text": ARTICLE})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    r = call(app, "POST", "/v1/analyze", json={"text": ARTICLE},
             headers={"Authorization": "Bearer s3cret", "Origin": "https://elsewhere.example"})
    assert r.status_code == 200
    assert "access-control-allow-origin" not in r.headers
    assert call(app, "GET", "/healthz").status_code == 200  # health needs no key


def test_cors_when_configured():
    app = create_app(Options(cors_origins=("https://newsroom.example",)))
    r = call(app, "GET", "/v1/techniques", headers={"Origin": "https://newsroom.example"})
    assert r.headers["access-control-allow-origin"] == "https://newsroom.example"


def test_openapi_and_page(app):
    spec = call(app, "GET", "/openapi.json").json()
    assert "/v1/analyze" in spec["paths"] and "/v1/report" in spec["paths"]
    page = call(app, "GET", "/")
    assert page.status_code == 200 and "<textarea" in page.text
    assert "http://" not in page.text and "https://" not in page.text.replace("https://…", "")


def test_gate_bounds_the_queue_and_times_out():
    gate = Gate(concurrency=1, max_queue=1)
    release = threading.Event()

    def slow():
        release.wait(5)
        return "done"

    async def scenario():
        first = asyncio.ensure_future(gate.run(slow, 5))
        second = asyncio.ensure_future(gate.run(slow, 5))
        await asyncio.sleep(0.05)
        with pytest.raises(Busy) as busy:
            await gate.run(slow, 5)
        assert busy.value.code == "busy"
        release.set()
        assert await first == "done" and await second == "done"
        release.clear()
        t0 = time.perf_counter()
        with pytest.raises(Busy) as late:
            await gate.run(slow, 0.1)
        assert late.value.code == "timeout" and time.perf_counter() - t0 < 1
        release.set()
        await asyncio.sleep(0.05)
        assert gate.admitted == 0

    run_async(scenario())
