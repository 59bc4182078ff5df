"""Connections to a real `unspin serve` on 127.0.0.1: idle and half-sent sockets cannot lock
other clients out (issue 25, failure 1), and every refusal at the connection cap is the JSON
503 of the rest of the API (failure 7)."""

import http.client
import json
import socket
import time

import pytest

pytest.importorskip("fastapi", reason="needs unspin[serve]")

from unspin.server.connections import HEADER_TIMEOUT

pytestmark = pytest.mark.slow


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def get(port: int, path: str = "/healthz", timeout: float = 5.0):
    """(status, headers, JSON body, seconds) of one GET on a new connection."""
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        return r.status, dict(r.getheaders()), json.loads(body), time.perf_counter() - t0
    finally:
        conn.close()


def closed_within(socks: list[socket.socket], seconds: float) -> dict[int, bytes]:
    """What each socket got before the server closed it ({index: first bytes})."""
    for s in socks:
        s.setblocking(False)
    got: dict[int, bytes] = {}
    end = time.monotonic() + seconds
    while time.monotonic() < end and len(got) < len(socks):
        for i, s in enumerate(socks):
            if i in got:
                continue
            try:
                data = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:  # reset: closed with our half request unread
                data = b""
            got[i] = data
        time.sleep(0.05)
    return got


def test_a_hundred_idle_sockets_neither_block_health_nor_stay_open(live_server):
    port = port_of(live_server())
    socks = []
    try:
        for i in range(100):
            s = socket.create_connection(("127.0.0.1", port))
            if i % 2:
                s.sendall(b"GET /healthz HT")  # half a request line, then nothing
            socks.append(s)
        time.sleep(0.3)
        for _ in range(3):
            status, headers, body, seconds = get(port)
            assert status == 200 and body["status"] == "ok"
            assert seconds < 1.0
        got = closed_within(socks, HEADER_TIMEOUT + 3)
        assert len(got) == 100, f"{100 - len(got)} idle sockets still open"
        late = [data for data in got.values() if data.startswith(b"HTTP/1.1 408")]
        assert late, "no half-sent request got its 408"
        head, _, body = late[0].partition(b"\r\n\r\n")
        assert b"application/json" in head
        assert json.loads(body)["error"]["code"] == "header_timeout"
    finally:
        for s in socks:
            s.close()
    assert get(port)[0] == 200


def test_at_the_cap_the_longest_idle_connection_makes_room(live_server):
    port = port_of(live_server(concurrency=1, max_queue=0))  # cap: 64 connections
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(64)]
    try:
        time.sleep(0.2)
        status, _, _, seconds = get(port, "/v1/techniques")
        assert status == 200 and seconds < 1.0
        first = socks[0]
        first.settimeout(2)
        assert first.recv(10) == b""  # the oldest idle one was closed for it
    finally:
        for s in socks:
            s.close()


def test_when_every_connection_is_busy_the_answer_is_json_busy(live_server):
    port = port_of(live_server(concurrency=1, max_queue=0))
    socks = []
    try:
        for _ in range(64):  # headers in, body still to come: a request in flight each
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"POST /v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                      b"\r\nContent-Length: 50\r\n\r\n{")
            socks.append(s)
        time.sleep(0.5)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/v1/techniques")
        r = conn.getresponse()
        assert r.status == 503
        assert r.getheader("Retry-After") == "2"
        assert r.getheader("Content-Type") == "application/json"
        assert json.loads(r.read())["error"]["code"] == "busy"
    finally:
        for s in socks:
            s.close()
