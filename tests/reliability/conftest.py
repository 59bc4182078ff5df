"""The reliability suite's corpus of bad input, generated here, for every entry point.

Each bad input must give one clear error: one line, no traceback, through the CLI, the Python
API, the HTTP API and batch alike (test_cli_*, test_api_*, test_http_*, test_batch_*).
Nothing here touches the network: URLs are numeric or ``localhost``, refused before any
connection, or served by a local server.
"""

from __future__ import annotations

import io
import os
import threading
import zipfile
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

#: The default --max-bytes; the big file is ten times over it.
CAP = 5_000_000

GOOD_ARTICLE = ("Council votes on the bridge\n\nThe council met on Tuesday and agreed to repair "
                "the old bridge before winter. The mayor called the plan overdue, and the "
                "opposition called it a waste of money.\n")


@dataclass(frozen=True)
class Bad:
    """A bad input file and a fragment its one-line error must contain."""

    name: str
    path: Path
    says: str


def make_bad_files(folder: Path) -> list[Bad]:
    """Write the bad input files into ``folder`` (small but for the sparse 50 MB one)."""
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Bad] = []

    def add(name: str, data: bytes | None, says: str) -> Path:
        path = folder / name
        if data is not None:
            path.write_bytes(data)
        out.append(Bad(name, path, says))
        return path

    add("empty.txt", b"", "no text")
    add("whitespace.txt", b" \n\t\r\n  \n", "no text")
    add("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary")
    add("invalid-utf8.txt", "Le caf\xe9 est chaud.\n".encode("latin-1"), "--encoding")
    with open(add("huge.txt", None, "--max-bytes"), "wb") as fh:  # sparse: nothing to read
        fh.truncate(10 * CAP)
    add("one-long-line.txt", b"x" * 2_000_000, "not prose")
    add("symbols.txt", b"%$#@! 123 -- ++ ** " * 400, "not prose")
    add("nesting-bomb.html", b"<html><body>" + b"<div>" * 100_000 + b"deep" + b"</div>" * 100_000
        + b"</body></html>", "levels deep")
    add("no-article.html", b"<html><head><title>Home</title></head><body><nav><a href=/>Home"
        b"</a> | <a href=/about>About</a></nav></body></html>", "no article text")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("story.txt", GOOD_ARTICLE * 20)
    add("archive.html", buffer.getvalue(), "binary")
    add("missing.txt", None, "no such file")
    unreadable = add("unreadable.txt", GOOD_ARTICLE.encode(), "permission denied")
    unreadable.chmod(0)
    if os.access(unreadable, os.R_OK):  # root reads anything: nothing to test
        out.pop()
    return out


#: Addresses that are not http(s) or not a URL at all, and the words their error must hold.
BAD_URLS = [
    ("gopher://example.org/1", "gopher"),
    ("FTP://example.org/file", "ftp"),
    ("javascript:alert(1)", "javascript"),
    ("http://", "no host name"),
    ("http://[::1", "not a valid URL"),
    ("http://example.org:99999/", "not a valid URL"),
    ("http://user:secret@example.org/", "user name or password"),
    ("gopher://example.org/" + "a" * 100_000, "more characters"),
]

#: Every spelling of a loopback or private address that must be refused (no connection made).
PRIVATE_URLS = [
    "http://127.0.0.1/", "HTTP://127.0.0.1/", "http://localhost/", "http://2130706433/",
    "http://0x7f000001/", "http://0177.0.0.1/", "http://127.1/", "http://0/",
    "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
    "http://10.0.0.1/", "http://192.168.1.1/", "http://172.16.0.1/",
    "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://[fc00::1]/",
    "http://100.64.0.1/", "http://0.0.0.0/",
]

#: Redirect targets that must be refused at the hop. The test server's 127.0.0.1 is let
#: through (``first_hop_allowed``), so loopback spellings here name 127.0.0.2.
REDIRECT_TARGETS = [
    "http://127.0.0.2/", "http://2130706434/", "http://0x7f000002/", "http://127.2/",
    "http://[::1]/", "http://[::ffff:127.0.0.2]/", "http://10.0.0.1/",
    "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "gopher://127.0.0.1/",
]


@pytest.fixture(scope="session")
def bad_files(tmp_path_factory) -> list[Bad]:
    return make_bad_files(tmp_path_factory.mktemp("bad-input"))


def one_line(message: str) -> str:
    """``message`` if it is one line with no traceback (else the assertion fails)."""
    lines = message.strip().splitlines()
    assert len(lines) == 1, message
    assert "Traceback" not in message, message
    return lines[0]


class _Redirects(BaseHTTPRequestHandler):
    """/to?URL answers 302 to URL; anything else a small article."""

    def log_message(self, *_args):
        pass

    def do_GET(self):
        if self.path.startswith("/to?"):
            self.send_response(302)
            self.send_header("Location", self.path[4:])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = ("<html><body><article><h1>Local</h1>" + "<p>" + GOOD_ARTICLE * 3 + "</p>"
                "</article></body></html>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def redirect_server():
    """A server on 127.0.0.1 whose /to?URL redirects to URL. Tests let 127.0.0.1 itself pass
    the address check (monkeypatch), so only the redirect's target decides."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Redirects)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def first_hop_allowed(monkeypatch):
    """127.0.0.1 (the local test server) counts as public; every other address is checked."""
    from unspin.ingest import url

    real = url.address_refusal
    monkeypatch.setattr(url, "address_refusal",
                        lambda address: None if address == "127.0.0.1" else real(address))


# A real `unspin serve` (uvicorn, the guarded protocol, the app) on 127.0.0.1 with a stand-in
# detector, so server behaviour is tested through real sockets without the shipped model. The
# detector finds "traitors"; a text holding "SLOW" makes it work (in steps that honour the
# request deadline, as the real detector does between chunks) for that many seconds.
LIVE_CHILD = r"""
import json, sys, time
import unspin.pipeline
from unspin.detect import ModelInfo
from unspin.detect.predictor import Prediction
from unspin.options import Options
from unspin.server import serve

class Stand:
    info = ModelInfo("stand-in", "1", "0" * 64, "test", "", 0)
    techniques = ("Name_Calling,Labeling",)

    def find_spans(self, text):
        from unspin.detect.chunks import find_in_chunks
        if "SLOW" in text:
            end = time.monotonic() + float(text.split("SLOW", 1)[1].split()[0])
            while time.monotonic() < end:
                find_in_chunks(lambda chunk: [], "x", 1000)  # raises past the deadline
                time.sleep(0.05)
        i = text.find("traitors")
        return [Prediction(i, i + 8, "Name_Calling,Labeling", 0.9)] if i >= 0 else []

unspin.pipeline.load_detector = lambda options: Stand()
serve(Options(**json.loads(sys.argv[2])), port=int(sys.argv[1]), log_level="warning")
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_server():
    """``start(**options) -> base URL``: real servers, stopped when the module ends."""
    import json
    import subprocess
    import sys
    import time
    import urllib.request

    procs = []

    def start(**options) -> str:
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-c", LIVE_CHILD, str(port),
                                 json.dumps(options)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return base
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("server exited: " + proc.stderr.read().decode()[-800:])
                time.sleep(0.1)
        pytest.fail("server did not start in 30 s")

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(10)
