"""The HTTP API in-process, through httpx's ASGI transport."""

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import jsonschema
import pytest

pytest.importorskip("fastapi", reason="needs unspin[serve]")

from unspin.options import Options
from unspin.schema import load as load_schema
from unspin.server import create_app
from unspin.server.app import Busy, Gate

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


def test_enrichment_is_returned_and_can_be_skipped(app):
    body = call(app, "POST", "/v1/analyze", json={"text": ARTICLE}).json()
    assert body["enrichment"]["method"]
    for key in ("quotes", "targets", "tally", "claims", "entities"):
        assert isinstance(body["enrichment"][key], list)
    skipped = call(app, "POST", "/v1/analyze", json={"text": ARTICLE,
                                                     "options": {"enrich": False}})
    assert skipped.status_code == 200 and skipped.json()["enrichment"] is None


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
    ({"text": "Some text.", "options": {"techniques": ["nonsense"]}}, 422, "invalid_request"),
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


def test_cors_preflight_needs_no_key():
    """Browsers send the preflight without the Authorization header they ask to send."""
    app = create_app(Options(cors_origins=("https://newsroom.example",), api_keys=("k",)))
    r = call(app, "OPTIONS", "/v1/analyze", headers={
        "Origin": "https://newsroom.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "https://newsroom.example"
    r = call(app, "POST", "/v1/analyze", json={"text": ARTICLE},
             headers={"Origin": "https://newsroom.example"})
    assert r.status_code == 401


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


# -- issue 12: hardening ------------------------------------------------------------------------

def test_malformed_json_names_the_problem(app):
    r = call(app, "POST", "/v1/analyze", content=b'{"text": "a",}',
             headers={"content-type": "application/json"})
    message = r.json()["error"]["message"]
    assert r.status_code == 422 and "not valid JSON" in message and "character 13" in message
    assert "JSON decode error" not in message and not message.startswith("0:")


@pytest.mark.parametrize("payload,words", [
    ({}, ['exactly one of "text", "html" or "url"', "got none"]),
    ({"text": "a", "url": "http://x"}, ["got text and url"]),
    ({"text": None}, ["text: must be a string (got null)"]),
    ({"text": "a", "bogus": 1}, ["bogus: unknown field", "text, html, url, options"]),
    ({"text": "a", "options": {"threshold": 0.5}},
     ["options.threshold: unknown field", "min_score, techniques, kind, enrich"]),
    ({"text": "a", "options": {"model": "v1"}},
     ["options.model: no model 'v1' here", "GET /v1/models"]),
    ({"text": "a", "options": {"min_score": 2}}, ["options.min_score: must be between 0 and 1"]),
    ({"text": "a", "options": {"kind": "pdf"}}, ["options.kind: must be"]),
    ({"text": "Some text.", "options": {"techniques": ["nonsense"]}},
     ["options.techniques: unknown technique 'nonsense'", "GET /v1/techniques"]),
    ({"text": "   "}, ["text: no text"]),
    ({"html": "<html><body><nav>menu</nav></body></html>"}, ["html: "]),
])
def test_messages_name_the_field_and_speak_http(app, payload, words):
    r = call(app, "POST", "/v1/analyze", json=payload)
    assert 400 <= r.status_code < 500, r.text
    message = r.json()["error"]["message"]
    for w in words:
        assert w in message, message
    assert "unspin techniques" not in message and " --" not in message
    assert "Value error" not in message and "Input should" not in message


def ours(caplog) -> list[str]:
    """Names of the loggers of unspin's records (the test client logs too)."""
    return [rec.name for rec in caplog.records if rec.name.startswith("unspin")]


def test_lone_surrogates_and_odd_keys_are_client_errors_with_one_log_line(caplog):
    app = create_app(Options(api_keys=("s3cret",)))
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="unspin")  # a CLI test may have quietened it
    auth = {"Authorization": "Bearer s3cret", "content-type": "application/json"}
    for body in (b'{"text": "Breaking \\ud83d news"}', b'{"html": "<p>\\udc00</p>"}',
                 b'{"url": "https://example.org/\\ud83d"}'):
        caplog.clear()
        r = call(app, "POST", "/v1/analyze", content=body, headers=auth)
        assert r.status_code == 400 and "lone surrogate" in r.json()["error"]["message"], r.text
        assert ours(caplog) == ["unspin.access"]
    for key in ("cl\u00e9".encode("utf-8"), "cl\u00e9".encode("latin-1"), b"\xff\xfe"):
        caplog.clear()
        r = call(app, "POST", "/v1/analyze", json={"text": ARTICLE},
                 headers={"Authorization": b"Bearer " + key})
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
        assert ours(caplog) == ["unspin.access"]
        assert '"status": 401' in caplog.records[0].getMessage()


def test_an_unexpected_error_is_one_json_500_and_one_log_line(caplog, monkeypatch):
    app = create_app(Options())
    monkeypatch.setattr("unspin.techniques.listing", lambda *_a: 1 / 0)
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="unspin")
    r = call(app, "GET", "/v1/techniques")
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal"
    assert "Traceback" not in r.text and "ZeroDivision" not in r.text
    errors = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert ours(caplog) == ["unspin.server.app", "unspin.access"]


def test_over_cap_chunked_body_is_413(app):
    async def chunks():
        for _ in range(40):
            yield b" " * 4096  # 160 kB, no Content-Length: over the 114 kB body cap

    r = call(app, "POST", "/v1/analyze", content=chunks(),
             headers={"content-type": "application/json"})
    assert "content-length" not in r.request.headers
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/", "http://localhost/", "http://10.1.2.3/",
                                 "http://[::ffff:192.168.0.1]/", "http://0x7f000001/"])
def test_url_refusals_do_not_leak_addresses_or_flags(app, url):
    r = call(app, "POST", "/v1/analyze", json={"url": url})
    message = r.json()["error"]["message"]
    assert r.status_code == 400 and r.json()["error"]["code"] == "url_not_allowed"
    assert "not allowed" in message and "allow-private" not in message
    for private in ("127.0.0.1", "::1"):  # what localhost and 0x7f000001 resolve to
        assert private in url or private not in message, message


def test_slow_bodies_get_408(app, monkeypatch):
    monkeypatch.setattr("unspin.server.app.BODY_TIMEOUT", 0.3)

    async def slow():
        yield b'{"text": '
        await asyncio.sleep(2)
        yield b'"late"}'

    t0 = time.perf_counter()
    r = call(app, "POST", "/v1/analyze", content=slow(),
             headers={"content-type": "application/json"})
    assert r.status_code == 408 and r.json()["error"]["code"] == "body_timeout"
    assert time.perf_counter() - t0 < 1.5


def test_serve_caps_connections_and_keep_alive(monkeypatch):
    import uvicorn

    from unspin.server import serve

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    serve(Options(concurrency=2, max_queue=30), port=8123)
    assert seen["limit_concurrency"] == 128 and seen["timeout_keep_alive"] <= 5
    assert seen["http"] == "unspin.server.connections:GuardedH11Protocol"
    assert seen["port"] == 8123


def test_timeout_stops_the_work():
    """The client's 503 at the deadline also ends the work: the next chunk does not start."""
    from unspin.detect.chunks import find_in_chunks

    gate = Gate(concurrency=1, max_queue=0)
    done = []

    def slow_find(chunk):
        time.sleep(0.1)
        done.append(chunk)
        return []

    async def scenario():
        t0 = time.perf_counter()
        with pytest.raises(Busy) as late:
            await gate.run(lambda: find_in_chunks(slow_find, "word\n" * 20_000, 1000), 0.35)
        assert late.value.code == "timeout" and time.perf_counter() - t0 < 0.6
        for _ in range(50):  # the slot comes back within one chunk, not after 100 of them
            if gate.admitted == 0:
                break
            await asyncio.sleep(0.02)
        assert gate.admitted == 0 and len(done) <= 5
        assert await gate.run(lambda: "next", 1) == "next"

    run_async(scenario())


def test_a_long_text_past_the_deadline_frees_the_server():
    app = create_app(Options(chunk_chars=1000, request_timeout=1.0))
    text = "The reckless plan will destroy jobs, experts warn.\n" * 2000  # 100 kB, ~100 chunks

    async def scenario():  # one event loop, as in a running server
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            t0 = time.perf_counter()
            r = await c.post("/v1/analyze", json={"text": text})
            assert r.status_code == 503 and r.json()["error"]["code"] == "timeout"
            assert "stopped" in r.json()["error"]["message"]
            while (await c.get("/healthz")).json()["in_flight"] and time.perf_counter() < t0 + 6:
                await asyncio.sleep(0.1)
            assert (await c.get("/healthz")).json()["in_flight"] == 0
            assert time.perf_counter() - t0 < 6  # the whole text would take over a minute
            r = await c.post("/v1/analyze", json={"text": ARTICLE})
            assert r.status_code == 200

    run_async(scenario())


def test_default_text_cap_fits_the_timeout():
    """About 90 s per MB was measured on a busy 2-core machine (50 s on a quiet one): the
    default cap must be analysed within the default request timeout."""
    o = Options()
    assert o.max_text_bytes / 1e6 * 90 < o.request_timeout


def test_openapi_says_one_of_and_json_errors(app):
    spec = call(app, "GET", "/openapi.json").json()
    body = spec["components"]["schemas"]["AnalyzeRequest"]
    assert body["oneOf"] == [{"required": ["text"]}, {"required": ["html"]},
                             {"required": ["url"], "not": {"required": ["html"]}}]
    assert all("default" not in body["properties"][k] for k in ("text", "html", "url"))
    for path in ("/v1/analyze", "/v1/report"):
        responses = spec["paths"][path]["post"]["responses"]
        for status in ("400", "401", "413", "422", "502", "503"):
            assert list(responses[status]["content"]) == ["application/json"], (path, status)
    assert list(spec["paths"]["/v1/report"]["post"]["responses"]["200"]["content"]) == [
        "text/html"]


def test_page_favicon_and_no_article_id_for_pasted_text(app):
    page = call(app, "GET", "/")
    assert 'rel="icon"' in page.text and "<iframe" not in page.text
    assert "script-src 'sha256-" in page.headers["content-security-policy"]
    for path in ("/favicon.ico", "/favicon.svg"):
        icon = call(app, "GET", path)
        assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    r = call(app, "POST", "/v1/report", json={"text": ARTICLE})
    assert r.status_code == 200 and "Article ID" not in r.text
    r = call(app, "POST", "/v1/analyze", json={"text": ARTICLE})
    assert r.json()["document"]["id"] is None
