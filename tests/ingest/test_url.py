"""URL fetching against a local server on 127.0.0.1: no network, short timeouts."""

import gzip
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from unspin.errors import FetchError, TooLargeError, URLNotAllowed
from unspin.ingest import load
from unspin.ingest import url as url_module
from unspin.ingest.url import address_refusal, fetch

ARTICLE = ("<html><head><title>Local news</title></head><body><article><h1>Local news</h1>"
           + ("<p>The council met on Tuesday and agreed to repair the old bridge "
              "before winter.</p>") * 5
           + "</article></body></html>")
STOP = threading.Event()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *_args):  # keep test output quiet
        pass

    def send(self, status, body=b"", ctype="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for name, value in headers:
            self.send_header(name, value)
        if not any(name == "Content-Length" for name, _ in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path
        if path == "/ok":
            self.send(200, ARTICLE.encode())
        elif path == "/plain":
            self.send(200, b"Plain title\n\nA plain text article body.", "text/plain")
        elif path == "/latin1":
            self.send(200, "<html><body><p>caf\xe9 cr\xe8me \u201cquoted\u201d</p></body></html>"
                      .encode("cp1252"), "text/html; charset=ISO-8859-1")
        elif path == "/meta-charset":
            body = ('<html><head><meta charset="windows-1252"></head><body><p>na\xefve</p>'
                    "</body></html>").encode("cp1252")
            self.send(200, body, "text/html")
        elif path == "/gzip":
            self.send(200, gzip.compress(ARTICLE.encode()), headers=[("Content-Encoding", "gzip")])
        elif path == "/host":
            self.send(200, f"<p>host={self.headers['Host']}</p>".encode())
        elif path == "/missing":
            self.send(404, b"<p>gone</p>")
        elif path == "/broken":
            self.send(503, b"")
        elif path == "/to-ok":
            self.send(302, headers=[("Location", "/ok")])
        elif path == "/loop-a":
            self.send(302, headers=[("Location", "/loop-b")])
        elif path == "/loop-b":
            self.send(301, headers=[("Location", "/loop-a")])
        elif path.startswith("/chain/"):
            self.send(307, headers=[("Location", f"/chain/{int(path[7:]) + 1}")])
        elif path == "/to-other-host":
            port = self.server.server_address[1]
            self.send(302, headers=[("Location", f"http://127.0.0.2:{port}/ok")])
        elif path == "/to-ftp":
            self.send(302, headers=[("Location", "ftp://127.0.0.1/file")])
        elif path == "/image":
            self.send(200, b"\x89PNG\r\n\x1a\n", "image/png")
        elif path == "/big":
            self.send(200, b"<p>" + b"x" * 5000 + b"</p>")
        elif path == "/big-stream":  # no Content-Length: the cap must stop the stream
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"<p>" + b"y" * 1000 + b"</p>")
            except OSError:
                pass
        elif path == "/slow":
            STOP.wait(2.0)
            self.send(200, ARTICLE.encode())
        elif path == "/drip":  # headers at once, then a byte now and then: total time is capped
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(40):
                    if STOP.wait(0.05):
                        break
                    self.wfile.write(b"z")
                    self.wfile.flush()
            except OSError:
                pass
        elif path == "/drip-headers":  # one header line now and then: the headers never end
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for n in range(40):
                    if STOP.wait(0.1):
                        break
                    self.wfile.write(f"X-Drip-{n}: yes\r\n".encode())
                    self.wfile.flush()
            except OSError:
                pass
            self.close_connection = True
        else:
            self.send(404, b"")


@pytest.fixture(scope="module")
def server():
    STOP.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    STOP.set()
    httpd.shutdown()
    httpd.server_close()


def get(address, **kw):
    kw.setdefault("allow_private", True)
    kw.setdefault("timeout", 5.0)
    kw.setdefault("max_bytes", 100_000)
    return fetch(address, **kw)


def test_fetch_ok_when_private_addresses_are_allowed(server):
    page = get(server + "/ok")
    assert (page.status, page.content_type, page.url) == (200, "text/html", server + "/ok")
    assert "repair the old bridge" in page.text


def test_local_address_is_refused_by_default(server):
    with pytest.raises(FetchError) as err:
        get(server + "/ok", allow_private=False)
    message = str(err.value)
    assert "127.0.0.1 is a loopback address" in message and "--allow-private" in message
    assert "\n" not in message


def test_localhost_name_is_resolved_and_refused(server):
    port = server.rsplit(":", 1)[1]
    with pytest.raises(FetchError, match="localhost is a loopback address"):
        get(f"http://localhost:{port}/ok", allow_private=False)


def test_every_resolved_address_is_checked(monkeypatch):
    def fake_getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(FetchError, match=r"mixed\.example is a private address \(10\.0\.0\.7\)"):
        fetch("http://mixed.example/", max_bytes=1000, allow_private=False, timeout=2)


def test_connection_is_pinned_to_the_checked_address(server, monkeypatch):
    port = int(server.rsplit(":", 1)[1])
    real = socket.getaddrinfo
    calls = []

    def fake_getaddrinfo(host, *args, **kwargs):
        calls.append(host)
        if host == "news.example":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    page = get(f"http://news.example:{port}/host")
    assert f"host=news.example:{port}" in page.text  # Host header keeps the name ...
    assert calls.count("news.example") == 1  # ... resolved once; then only the IP is used
    assert set(calls) == {"news.example", "127.0.0.1"}


def test_each_redirect_hop_is_checked(server, monkeypatch):
    # 127.0.0.1 passes as "public" here; the redirect to 127.0.0.2 must be checked again
    monkeypatch.setattr(url_module, "address_refusal",
                        lambda a: None if a == "127.0.0.1" else "a loopback address")
    with pytest.raises(FetchError, match=r"127\.0\.0\.2 is a loopback address"):
        get(server + "/to-other-host", allow_private=False)


def test_redirect_is_followed(server):
    page = get(server + "/to-ok")
    assert page.url == server + "/ok" and "old bridge" in page.text


def test_redirect_to_another_scheme_is_refused(server):
    with pytest.raises(FetchError, match="only http:// and https://"):
        get(server + "/to-ftp")


def test_http_error_reports_status(server):
    with pytest.raises(FetchError) as err:
        get(server + "/missing")
    assert "404 Not Found" in str(err.value) and "check the address" in str(err.value)
    with pytest.raises(FetchError, match="503 Service Unavailable; try again later"):
        get(server + "/broken")


def test_redirect_loop(server):
    with pytest.raises(FetchError, match="redirect loop"):
        get(server + "/loop-a")


def test_too_many_redirects(server, monkeypatch, tmp_path):
    from unspin import ingest

    with pytest.raises(FetchError, match="more than 3 redirects"):
        get(server + "/chain/0", max_redirects=3)
    # the limit set in the environment reaches the fetcher through the resolved options
    monkeypatch.setenv("UNSPIN_CONFIG", os.devnull)  # no config file
    monkeypatch.setenv("UNSPIN_MAX_REDIRECTS", "2")
    with pytest.raises(FetchError, match="more than 2 redirects"):
        ingest.load(server + "/chain/0", allow_private=True, timeout=5.0)


def test_non_text_content_type(server):
    with pytest.raises(FetchError, match=r"not a web page \(content-type image/png\)"):
        get(server + "/image")


@pytest.mark.parametrize("path", ["/big", "/big-stream"])
def test_too_big(server, path):
    with pytest.raises(TooLargeError, match="over the 2000-byte limit; raise it with --max-bytes"):
        get(server + path, max_bytes=2000)


def test_timeout_waiting_for_response(server):
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out after 0\.3 s"):
        get(server + "/slow", timeout=0.3)
    assert time.monotonic() - started < 1.5


def test_timeout_covers_a_slow_trickle(server):
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        get(server + "/drip", timeout=0.4)
    assert time.monotonic() - started < 1.5


def test_timeout_covers_dripping_headers(server):
    # each header line comes well within the socket timeout; the whole fetch must still stop
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out after 0\.5 s"):
        get(server + "/drip-headers", timeout=0.5)
    assert time.monotonic() - started < 1.5


def test_charsets(server):
    assert "caf\u00e9 cr\u00e8me \u201cquoted\u201d" in get(server + "/latin1").text
    assert "na\u00efve" in get(server + "/meta-charset").text
    assert "old bridge" in get(server + "/gzip").text


def test_load_url_reads_html_and_plain_text(server):
    doc = load(server + "/ok", allow_private=True)
    assert (doc.kind, doc.url, doc.title) == ("url", server + "/ok", "Local news")
    plain = load(server + "/plain", allow_private=True)
    assert (plain.kind, plain.title) == ("url", "Plain title")


@pytest.mark.parametrize("address, message", [
    ("ftp://example.org/x", "only http:// and https://"),
    ("http://user:pw@example.org/", "user name or password"),
    ("http:///nohost", "no host name"),
    ("http://example.org:99999/", "not a valid URL"),
])
def test_bad_urls(address, message):
    with pytest.raises(FetchError, match=message):
        fetch(address, max_bytes=1000, allow_private=False, timeout=1)


@pytest.mark.parametrize("address, refusal", [
    ("127.0.0.1", "a loopback address"), ("10.1.2.3", "a private address"),
    ("192.168.0.1", "a private address"), ("172.16.5.5", "a private address"),
    ("169.254.169.254", "a link-local address"), ("224.0.0.1", "a multicast address"),
    ("0.0.0.0", "an unspecified address"), ("240.0.0.1", "a reserved address"),
    ("100.64.0.1", "a non-public address"), ("::1", "a loopback address"),
    ("::ffff:127.0.0.1", "a loopback address"), ("fe80::1", "a link-local address"),
    ("fc00::1", "a private address"), ("2002:a00:1::", "a private address"),
    ("8.8.8.8", None), ("2001:4860:4860::8888", None),
])
def test_address_refusal(address, refusal):
    assert address_refusal(address) == refusal


def test_private_refusal_keeps_the_address_out_of_the_public_message(server):
    with pytest.raises(URLNotAllowed) as err:
        get(server + "/ok", allow_private=False)
    assert "127.0.0.1 is a loopback address" in str(err.value)  # the CLI user sees why
    public = err.value.public
    assert "not allowed" in public and "--allow-private" not in public
    assert "loopback" not in public and "(127.0.0.1)" not in public


def test_redirect_refusal_public_message_names_only_the_given_url(server, monkeypatch):
    monkeypatch.setattr(url_module, "address_refusal",
                        lambda a: None if a == "127.0.0.1" else "a loopback address")
    with pytest.raises(URLNotAllowed) as err:
        get(server + "/to-other-host", allow_private=False)
    assert "127.0.0.2" in str(err.value)
    assert "127.0.0.2" not in err.value.public and "redirects to" in err.value.public


@pytest.mark.parametrize("address, scheme", [("gopher://example.org/", "gopher"),
                                             ("FTP://example.org/", "ftp")])
def test_unknown_schemes_are_refused_by_name(address, scheme):
    with pytest.raises(URLNotAllowed, match=f"{scheme}: URLs are not fetched"):
        fetch(address, max_bytes=1000, timeout=1)


def test_upper_case_scheme_is_fetched(server):
    page = get(server.replace("http://", "HTTP://") + "/ok")
    assert "old bridge" in page.text


def test_a_huge_url_is_shortened_in_the_message():
    address = "ftp://example.org/" + "a" * 100_000
    with pytest.raises(URLNotAllowed) as err:
        fetch(address, max_bytes=1000, timeout=1)
    assert len(str(err.value)) < 300 and "more characters" in str(err.value)
