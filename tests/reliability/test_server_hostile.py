"""Hostile articles against a real `unspin serve` (issue 25, failures 2 and 3): markup that made
the HTML parser quadratic is refused before parsing, quote-dense text is enriched in linear
time, every stage stops at the request deadline, and `/healthz` answers within a second all
along."""

import json
import threading
import time
import urllib.error
import urllib.request

import pytest

pytest.importorskip("fastapi", reason="needs unspin[serve]")

from unspin.enrich import enrich
from unspin.errors import InputError
from unspin.ingest.html import check_shape

pytestmark = pytest.mark.slow

ARTICLE = "<p>" + "It rained all day in the valley and the river rose. " * 10 + "</p>"


def post(base: str, payload: dict, timeout: float = 30):
    """(status, JSON body, seconds)."""
    req = urllib.request.Request(base + "/v1/analyze", json.dumps(payload).encode(),
                                 {"Content-Type": "application/json"})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read()), time.perf_counter() - t0
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read()), time.perf_counter() - t0


def health_while(base: str, work) -> tuple[object, float]:
    """``work()``'s result and the slowest `/healthz` seen while it ran."""
    slowest, done = [0.0], threading.Event()

    def probe():
        while not done.is_set():
            t0 = time.perf_counter()
            with urllib.request.urlopen(base + "/healthz", timeout=10) as r:
                assert r.status == 200
            slowest[0] = max(slowest[0], time.perf_counter() - t0)
            time.sleep(0.05)

    thread = threading.Thread(target=probe)
    thread.start()
    try:
        return work(), slowest[0]
    finally:
        done.set()
        thread.join()


@pytest.mark.parametrize("page,says", [
    ("<html><body><p " + " ".join(f"a{i}=x" for i in range(88_000)) + ">x</p>" + ARTICLE
     + "</body></html>", "more than 500 attributes"),
    ("<html><body>" + "<div>" * 5_000 + ARTICLE + "</div>" * 5_000 + "</body></html>",
     "levels deep"),
    ("<html><body>" + "<b>x</b>" * 200_001 + ARTICLE + "</body></html>",
     "more than 200,000 elements"),
])
def test_pathological_markup_is_refused_in_one_linear_pass(page, says):
    t0 = time.perf_counter()
    with pytest.raises(InputError, match=says):
        check_shape(page, "page.html")
    assert time.perf_counter() - t0 < 1.0


def test_quote_dense_text_is_enriched_in_linear_time():
    text = ('a "b." ' * 15_000)[:100_000]  # took 26 s
    t0 = time.perf_counter()
    enrich(text, [])
    assert time.perf_counter() - t0 < 5.0


def test_hostile_requests_answer_fast_and_health_stays_up(live_server):
    base = live_server(max_text_bytes=1_000_000)
    attrs = " ".join(f"a{i}" for i in range(88_000))  # 560 kB: held a slot for 155 s
    (status, body, seconds), slowest = health_while(base, lambda: post(
        base, {"html": f"<html><body><p {attrs}>x</p>{ARTICLE}</body></html>"}))
    assert status == 400 and "attributes" in body["error"]["message"], body
    assert seconds < 5 and slowest < 1.0
    quotes = ('a "b." ' * 15_000)[:100_000]  # kept a slot 98 s
    (status, body, seconds), slowest = health_while(base, lambda: post(base, {"text": quotes}))
    assert status == 200 and body["enrichment"] is not None
    assert seconds < 10 and slowest < 1.0


def test_the_deadline_frees_the_slot(live_server):
    base = live_server(request_timeout=1.0, concurrency=1, max_queue=0)
    status, body, seconds = post(base, {"text": "They are traitors. SLOW 5 and more words."})
    assert status == 503 and body["error"]["code"] == "timeout" and seconds < 2.5
    time.sleep(0.3)
    status, _, seconds = post(base, {"text": "They are traitors, all of them, said no one."})
    assert status == 200 and seconds < 2.0
