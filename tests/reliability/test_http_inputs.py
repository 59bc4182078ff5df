"""Bad input through the HTTP API, in-process: every request gets one clear JSON error (or a
result), never a 500, never a traceback, exactly one access-log line and no error log; URL
refusals name neither a resolved private address nor a CLI flag."""

import gzip
import logging

import pytest

pytest.importorskip("fastapi", reason="needs unspin[serve]")
httpx = pytest.importorskip("httpx")

from tests.conftest import asgi_request as send
from unspin.options import Options
from unspin.server import create_app

pytestmark = pytest.mark.model

CAP = 20_000
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def app():
    return create_app(Options(max_text_bytes=CAP, timeout=2.0))


def check_one_clear_answer(r: httpx.Response, caplog, ok=(400, 413, 422)) -> str:
    assert r.status_code in ok, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/json")
    assert "Traceback" not in r.text and "File \"" not in r.text
    ours = [rec for rec in caplog.records if rec.name.startswith("unspin")]
    assert [rec.name for rec in ours] == ["unspin.access"], [rec.getMessage() for rec in ours]
    if r.status_code == 200:
        return ""
    error = r.json()["error"]
    assert error["code"] and error["message"] and len(error["message"]) < 600
    assert " --" not in error["message"] and "unspin techniques" not in error["message"]
    return error["message"]


@pytest.fixture
def log(caplog):
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="unspin")  # a CLI test may have quietened it
    return caplog


def _chunks(total: int, size: int = 8192):
    async def gen():
        for i in range(0, total, size):
            yield b" " * min(size, total - i)
    return gen()


BODIES = {
    "empty": b"",
    "whitespace body": b"   \n",
    "null": b"null",
    "a list": b"[1, 2]",
    "a string": b'"just text"',
    "truncated JSON": b'{"text": "Hello',
    "invalid UTF-8": b'{"text": "caf\xe9 \xff\xfe"}',
    "UTF-16 with BOM": '{"text": "Hello"}'.encode("utf-16"),
    "NUL bytes": b'\x00\x00{"text": "a"}\x00',
    "gzip bytes": gzip.compress(b'{"text": "hello"}'),
    "zip header": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)),
    "deep nesting": b'{"text": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    "lone surrogate in text": b'{"text": "Breaking \\ud83d news"}',
    "lone surrogate in html": b'{"html": "<p>\\udc00</p>"}',
    "lone surrogate in url": b'{"url": "https://example.org/\\ud83d"}',
    "lone surrogate in a field name": b'{"text": "a", "\\ud83d": 1}',
    "lone surrogate in techniques": b'{"text": "a", "options": {"techniques": ["\\ud83d"]}}',
}


@pytest.mark.parametrize("name", list(BODIES))
def test_bad_bodies(app, log, name):
    r = send(app, "POST", "/v1/analyze", content=BODIES[name], headers=JSON)
    check_one_clear_answer(r, log, ok=(200, 400, 413, 422) if "UTF-16" in name else
                           (400, 413, 422))  # JSON in UTF-16 is still JSON


@pytest.mark.parametrize("payload", [
    {"text": ""}, {"text": "   \n\t "}, {"html": ""}, {"html": "   "}, {"url": ""},
    {"html": "<html><body><nav><a href='/'>Home</a></nav></body></html>"},
    {"html": "<div>" * 3000 + "</div>" * 3000},
    {"html": "PK\x03\x04\x14\x00" + "".join(map(chr, range(1, 32))) * 20},
    {"text": "".join(map(chr, range(32))) * 50},
    {"text": "\ufffd" * 5000},
    {"text": "x" * 15_000},  # one long "word": not prose
    {"text": "a", "options": {"techniques": ["Nope"]}},
    {"text": "a", "options": {"min_score": "high"}},
    {"text": "a", "options": {"kind": "pdf"}},
    {"text": ["a", "b"]},
])
def test_bad_payloads(app, log, payload):
    r = send(app, "POST", "/v1/analyze", json=payload)
    check_one_clear_answer(r, log, ok=(200, 400, 413, 422))


@pytest.mark.parametrize("how", ["content-length", "chunked", "text"])
def test_huge_input_is_413(app, log, how):
    if how == "content-length":
        r = send(app, "POST", "/v1/analyze", content=b" " * 2_000_000, headers=JSON)
    elif how == "chunked":
        r = send(app, "POST", "/v1/analyze", content=_chunks(2_000_000), headers=JSON)
    else:
        r = send(app, "POST", "/v1/analyze", json={"text": "word " * (CAP // 5 + 10)})
    message = check_one_clear_answer(r, log, ok=(413,))
    assert r.json()["error"]["code"] == "too_large" and "bytes" in message


@pytest.mark.parametrize("url", [
    "gopher://example.org/", "ftp://example.org/a", "file:///etc/passwd", "javascript:alert(1)",
    "data:text/html,<p>hi</p>", "HTTP://127.0.0.1/", "http://", "http:///path", "example.org",
    "http://user:secret@example.org/", "http://[::1", "http://example.org:99999/",
    "http://10.0.0.1/" + "a" * 60_000, "gopher://" + "b" * 60_000,
])
def test_bad_urls(app, log, url):
    """Refused before any connection or DNS lookup (no network in the tests)."""
    r = send(app, "POST", "/v1/analyze", json={"url": url})
    message = check_one_clear_answer(r, log, ok=(400,))
    assert "a" * 1000 not in message and "b" * 1000 not in message  # long URLs not echoed


# Every spelling of a loopback or private address: refused before any connection.
PRIVATE = [
    "127.0.0.1", "127.1", "127.0.1", "2130706433", "0x7f000001", "0x7f.0.0.1", "0177.0.0.1",
    "017700000001", "0", "0.0.0.0", "localhost", "LOCALHOST", "[::1]", "[0:0:0:0:0:0:0:1]",
    "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:127.0.0.1]", "[::]",
    "[::ffff:10.0.0.1]", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254",
    "[fe80::1]", "[fc00::1]", "100.64.0.1", "224.0.0.1", "255.255.255.255",
]
RESOLVED = ("127.0.0.1", "::1", "10.0.0.1", "0.0.0.0")


@pytest.mark.parametrize("host", PRIVATE)
def test_private_address_spellings_are_refused(app, log, host):
    url = f"http://{host}:8080/admin"
    r = send(app, "POST", "/v1/analyze", json={"url": url})
    message = check_one_clear_answer(r, log, ok=(400,))
    assert r.json()["error"]["code"] == "url_not_allowed"
    assert "not allowed" in message and "allow-private" not in message
    for address in RESOLVED:  # the address it resolved to is not told, unless it was given
        assert address in url or address not in message, message


def test_every_answer_on_other_routes_is_json(app, log):
    for method, path in (("GET", "/nope"), ("DELETE", "/v1/analyze"), ("GET", "/v1/analyze"),
                         ("POST", "/v1/techniques")):
        log.clear()
        r = send(app, method, path)
        check_one_clear_answer(r, log, ok=(404, 405))
