"""What held in the probe of issue 25, kept from regressing where no other test covers it.

Covered elsewhere: 413 on a big or chunked body and 408 on a slow one (tests/server/test_app.py),
the prose deadline (test_app, test_server_hostile), a dripping fetch and loopback spellings and
schemes (tests/ingest/test_url.py, test_api_bad_input), lone surrogates and non-ASCII keys
(test_app), CORS for other origins (test_http_contract), hostile HTML/Markdown in reports and the
page (tests/report, test_browser), schemathesis (tests/server/test_schemathesis.py), the batch
lock, SIGKILL and ENOSPC (test_batch_faults, tests/corpus), the gzip bomb (test_http_inputs).
Here: auth path tricks, the constant-time key check, JSON-only 503s under load, and ids that
could escape ``--out``.
"""

import json
import threading
import urllib.error
import urllib.request

import pytest

from tests.conftest import asgi_request as asgi
from unspin.cli import main
from unspin.options import Options

KEY = "s3cret-key"


@pytest.mark.parametrize("path", [
    "/v1/analyze", "/V1/analyze", "//v1/analyze", "/v1//analyze", "/v1/analyze/",
    "/v1/%61nalyze", "/v1/analyze%00", "/v1/analyze;x", "/healthz/../v1/analyze",
    "/v1/./analyze", "/./v1/analyze", "/v1/analyze?key=s3cret-key", "/v1/report",
])
def test_no_path_spelling_gets_past_the_key(path):
    pytest.importorskip("fastapi", reason="needs unspin[serve]")
    from unspin.server import create_app

    app = create_app(Options(api_keys=(KEY,)))
    r = asgi(app, "POST", path, json={"text": "They are traitors, all of them."})
    assert r.status_code in (401, 404, 405), (path, r.status_code)
    assert r.headers["content-type"] == "application/json"


def test_every_key_is_compared_in_constant_time(monkeypatch):
    pytest.importorskip("fastapi", reason="needs unspin[serve]")
    from unspin.server import app as app_module

    compared = []
    real = app_module.hmac.compare_digest
    monkeypatch.setattr(app_module.hmac, "compare_digest",
                        lambda a, b: compared.append((a, b)) or real(a, b))
    guard = app_module.Guard(None, Options(api_keys=("k1-long", "k2")), None)
    assert not guard._authorised({b"authorization": b"Bearer k2x"})
    assert len(compared) == 2  # no early exit on length or on the first key
    assert guard._authorised({b"x-api-key": b"k2"})


@pytest.mark.slow
def test_fifty_clients_get_results_or_json_busy(live_server):
    pytest.importorskip("fastapi", reason="needs unspin[serve]")
    base = live_server(concurrency=1, max_queue=2)
    answers = []

    def client():
        req = urllib.request.Request(
            base + "/v1/analyze", json.dumps({"text": "They are traitors. SLOW 0.3 ok"}).encode(),
            {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                answers.append((r.status, r.headers.get("Content-Type"), None))
        except urllib.error.HTTPError as e:
            answers.append((e.code, e.headers.get("Content-Type"), e.headers.get("Retry-After")))

    threads = [threading.Thread(target=client) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 50
    assert {s for s, _, _ in answers} <= {200, 503} and any(s == 200 for s, _, _ in answers)
    assert all(ct == "application/json" for _, ct, _ in answers)
    assert all(retry == "2" for s, _, retry in answers if s == 503)


@pytest.mark.model
def test_ids_never_write_outside_out(tmp_path, capsys):
    rows = [{"id": "../../escape", "text": "They are traitors, all of them."},
            {"id": "a\x00b", "text": "They are traitors, all of them."},
            {"id": "x" * 10_000, "text": "They are traitors, all of them."},
            {"id": "/etc/passwd", "text": "They are traitors, all of them."}]
    source = tmp_path / "in" / "rows.jsonl"
    source.parent.mkdir()
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "work" / "out"
    for fmt in ("jsonl", "parquet"):
        main(["batch", str(source), "--out", str(out / fmt), "--format", fmt, "-q"])
    capsys.readouterr()
    made = {p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*")}
    assert made == {"in", "work"}
    assert {p.name for p in (tmp_path / "work").iterdir()} == {"out"}
