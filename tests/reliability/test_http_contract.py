"""The HTTP API keeps its documented contract on odd requests (issue 25, failures 6, 9 and 10):
a valid OpenAPI document, schema refusals as 422, NUL and a lone byte-order mark as 400, strict
option types, no CLI flag in any message, CORS headers on answers given before the app."""

import pytest

from tests.conftest import asgi_request as send
from unspin.options import Options
from unspin.server import create_app

pytest.importorskip("fastapi", reason="needs unspin[serve]")
httpx = pytest.importorskip("httpx")

ORIGIN = "https://newsroom.example"


@pytest.fixture(scope="module")
def app():
    return create_app(Options(max_text_bytes=50_000, cors_origins=(ORIGIN,)))


def refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


def test_every_ref_of_the_openapi_document_resolves(app):
    spec = send(app, "GET", "/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert "ErrorResponse" in schemas
    for ref in refs(spec):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref
    body = schemas["AnalyzeRequest"]["properties"]
    assert all(body[k]["minLength"] == 1 for k in ("text", "html", "url"))


@pytest.mark.parametrize("payload,status,words", [
    ({"url": ""}, 422, "url: must not be empty"),
    ({"text": ""}, 422, "text: must not be empty"),
    ({"html": ""}, 422, "html: must not be empty"),
    ({"text": "\ufeff"}, 400, "no text"),
    ({"text": "They are traitors.\x00 All of them."}, 400, "NUL"),
    ({"html": "<p>They are traitors.\x00</p>"}, 400, "NUL"),
    ({"text": "a", "options": {"min_score": "0.5"}}, 422, "must be a number"),
    ({"text": "a", "options": {"enrich": "false"}}, 422, "must be true or false"),
])
def test_schema_and_input_refusals(app, payload, status, words):
    r = send(app, "POST", "/v1/analyze", json=payload)
    assert r.status_code == status, r.text
    assert words in r.json()["error"]["message"]


def test_deeply_nested_json_gets_the_invalid_json_answer(app):
    r = send(app, "POST", "/v1/analyze", content=b"[" * 40_000 + b"]" * 40_000,
             headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert "not valid JSON" in r.json()["error"]["message"]


def test_content_length_with_chunked_is_refused(app):
    r = send(app, "POST", "/v1/analyze", content=b'{"text": "x"}',
             headers={"content-type": "application/json", "content-length": "13",
                      "transfer-encoding": "chunked"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize("message", [
    "text: no article text found in the Markdown (only a title, links or page furniture); "
    "pass --kind text to read it as plain text",
    "html: cannot parse the HTML (x); check that it is a web page, or pass --kind text",
    "x: something new; pass --some-flag 3 to change it",
])
def test_no_cli_flag_reaches_an_http_client(message):
    from unspin.server.app import for_http

    assert "--" not in for_http(message)


def test_markdown_refusal_speaks_http(app):
    r = send(app, "POST", "/v1/analyze",
             json={"text": "[Home](/) [About](/about)", "options": {"kind": "markdown"}})
    assert r.status_code == 400 and "--" not in r.json()["error"]["message"], r.text


def test_refusals_before_the_app_carry_cors_headers():
    app = create_app(Options(api_keys=("k",), cors_origins=(ORIGIN,)))
    r = send(app, "POST", "/v1/analyze", json={"text": "a"}, headers={"Origin": ORIGIN})
    assert r.status_code == 401
    assert r.headers["access-control-allow-origin"] == ORIGIN
    r = send(app, "POST", "/v1/analyze", json={"text": "a"},
             headers={"Origin": "https://elsewhere.example"})
    assert r.status_code == 401 and "access-control-allow-origin" not in r.headers
