"""Connections of ``unspin serve``: idle or half-sent ones cannot lock other clients out.

``GuardedH11Protocol`` is uvicorn's h11 protocol with two changes:

- A connection must deliver a request's headers within ``HEADER_TIMEOUT`` seconds of opening
  (or of its first byte after a keep-alive pause). One that sends nothing is closed; one that
  began a request and stalled gets a JSON 408.
- Connections are capped per process (uvicorn's ``limit_concurrency``, read here and not left
  to uvicorn, which would answer every new request with a plain-text 503 while idle sockets
  hold the cap). At the cap, a new connection closes the longest-idle one (no request in
  flight) instead of being refused; only when every connection has a request in flight does
  it get the JSON 503 ``busy`` with Retry-After that the app gives when it is full.

Requests, not sockets, are what the app caps (``app.Guard``); ``/healthz`` is exempt there.
"""

from __future__ import annotations

import json
import logging
import time

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["HEADER_TIMEOUT", "GuardedH11Protocol"]

log = logging.getLogger(__name__)

#: Seconds a connection has to deliver its request line and headers.
HEADER_TIMEOUT = 5.0


def raw_json(status: int, reason: str, code: str, message: str,
             headers: tuple[tuple[str, str], ...] = ()) -> bytes:
    """A whole HTTP/1.1 answer in the app's error format, for when no app runs (and the
    connection closes after it).

    >>> raw_json(408, "Request Timeout", "header_timeout", "late").split(b"\\r\\n")[0]
    b'HTTP/1.1 408 Request Timeout'
    """
    body = json.dumps({"error": {"code": code, "message": message}}).encode("ascii")
    lines = [f"HTTP/1.1 {status} {reason}", "content-type: application/json",
             f"content-length: {len(body)}", "connection: close",
             *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body


BUSY = raw_json(503, "Service Unavailable", "busy",
                "the server is busy; retry in a few seconds", (("retry-after", "2"),))
HEADERS_LATE = raw_json(408, "Request Timeout", "header_timeout",
                        f"the request headers did not arrive within {HEADER_TIMEOUT:g} s; "
                        "send the whole request in one go")


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header deadline and longest-idle eviction at the cap."""

    def __init__(self, config, server_state, app_state, _loop=None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.cap = self.limit_concurrency
        self.limit_concurrency = None  # the cap is applied here, by eviction
        self.header_timer = None
        self.idle_since: float | None = time.monotonic()

    # -- connection life ------------------------------------------------------------------

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm()
        if self.cap is not None and len(self.connections) > self.cap:
            idle = [c for c in self.connections
                    if c is not self and getattr(c, "idle_since", None) is not None
                    and not c.transport.is_closing()]
            if idle:
                oldest = min(idle, key=lambda c: c.idle_since)
                oldest.evict()
            else:  # every connection has a request in flight: this one waits its turn
                self._refuse(BUSY)

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE and self.header_timer is None:
            self._arm()  # the first bytes after a keep-alive pause: headers are due again
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()  # the headers are in: the body has the app's own deadline
            self.idle_since = None

    def on_response_complete(self) -> None:
        self.idle_since = time.monotonic()
        super().on_response_complete()

    # -- the guards -----------------------------------------------------------------------

    def _arm(self) -> None:
        self._disarm()
        self.header_timer = self.loop.call_later(HEADER_TIMEOUT, self._headers_late)

    def _disarm(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def _headers_late(self) -> None:
        self.header_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        began = bool(self.conn.trailing_data[0])
        self._refuse(HEADERS_LATE if began else b"")

    def evict(self) -> None:
        """Close this idle connection to make room for a new one."""
        self._disarm()
        log.debug("closing an idle connection from %s to admit a new one", self.client)
        self._refuse(HEADERS_LATE if self.conn.trailing_data[0] else b"")

    def _refuse(self, answer: bytes) -> None:
        self.idle_since = None
        self._disarm()
        if self.transport.is_closing():
            return
        if answer:
            self.transport.write(answer)
        self.transport.close()
