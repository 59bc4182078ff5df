"""Fetch a web page for analysis: http(s) only, public addresses only, bounded in size and time.

unspin may run as a server that fetches URLs its users give it, so a URL must not become a way
into the host's network (SSRF). Before each connection, on the first request and on every
redirect hop, we resolve the host ourselves and refuse it if any address is private, loopback,
link-local, multicast, reserved or unspecified (unless ``allow_private``). The connection is
then made to the address we checked, with the host name kept for the ``Host`` header and for
TLS (SNI and certificate check), so a second DNS answer cannot swap in another address
(DNS rebinding).

Only the standard library is used. Proxy environment variables are ignored on purpose: a proxy
would connect to addresses we never checked.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import re
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from ..errors import FetchError, TooLargeError, URLNotAllowed, shorten

__all__ = ["Page", "fetch", "address_refusal"]

logger = logging.getLogger(__name__)

TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024
_HEADERS = {
    "User-Agent": "unspin/0.1 (article analysis)",
    "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
    "Accept-Encoding": "identity",
    "Connection": "close",
}
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*(?P<cs>[A-Za-z0-9_.:-]+)",
                           re.IGNORECASE)
# Browsers read these labels as windows-1252 (WHATWG Encoding); so do we.
_WINDOWS_1252 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii", "l1"}


@dataclass(frozen=True)
class Page:
    """A fetched page: the final URL after redirects, its decoded text and media type."""

    url: str
    text: str
    content_type: str  # media type without parameters, e.g. "text/html"
    status: int


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str  # ASCII (IDNA) host name or IP literal, without brackets
    port: int
    path: str  # path and query, percent-encoded


def fetch(url: str, *, max_bytes: int, allow_private: bool = False, timeout: float = 20.0,
          max_redirects: int = 5) -> Page:
    """GET ``url`` following up to ``max_redirects`` redirects, each one checked.

    Raises FetchError (URLNotAllowed, its subclass, for a refused scheme or address; else an
    HTTP error, not a web page, a timeout, too many redirects) or TooLargeError; messages are
    one line and say what to do.

    >>> fetch("ftp://example.org/", max_bytes=1000)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    unspin.errors.URLNotAllowed: ftp://example.org/: ftp: URLs are not fetched; only http:// ...
    """
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    current = url
    for _hop in range(max_redirects + 1):
        target = _parse(current)
        seen.add(target.url)
        try:
            page, location = _get(target, allow_private, max_bytes, deadline)
        except URLNotAllowed as exc:
            if current == url:
                raise
            # the hop's address is for the CLI user; an API client learns only that it was refused
            raise URLNotAllowed(str(exc), public=f"{shorten(url)}: redirects to an address that "
                                "is not allowed (not a public address)") from None
        except TimeoutError:
            raise FetchError(f"{shorten(current)}: timed out after {timeout:g} s; try again "
                             "later or raise --fetch-timeout") from None
        if page is not None:
            return page
        nxt = urljoin(current, location or "").split("#", 1)[0]
        logger.debug("%s redirects to %s", current, nxt)
        if nxt in seen:
            raise FetchError(f"{shorten(url)}: redirect loop at {shorten(nxt)}; open the page in "
                             "a browser and save it as a file instead")
        current = nxt
    raise FetchError(f"{shorten(url)}: more than {max_redirects} redirects; give the final "
                     "address of the article, or raise max_redirects")


def _parse(url: str) -> _Target:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise URLNotAllowed(f"{shorten(url)}: not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if not scheme:
        raise URLNotAllowed(f"{shorten(url)}: not a URL; only http:// and https:// URLs can be "
                            "fetched")
    if scheme not in ("http", "https"):
        raise URLNotAllowed(f"{shorten(url)}: {shorten(scheme, 20)}: URLs are not fetched; only "
                            "http:// and https:// URLs are")
    if parts.username is not None or parts.password is not None:
        raise URLNotAllowed(f"{shorten(url)}: URLs with a user name or password are not "
                            "fetched; remove the 'user@' part")
    if not parts.hostname:
        raise URLNotAllowed(f"{shorten(url)}: no host name in the URL")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise URLNotAllowed(f"{shorten(url)}: {shorten(repr(parts.hostname))} is not a valid "
                            "host name") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    path = quote(path, safe="/?&=%:@!$'()*+,;~-._[]")
    return _Target(url.split("#", 1)[0], scheme, host,
                   port or (443 if scheme == "https" else 80), path)


def address_refusal(address: str) -> str | None:
    """Why an IP address must not be fetched from ("a loopback address"), or None if public.

    >>> address_refusal("169.254.169.254"), address_refusal("93.184.216.34")
    ('a link-local address', None)
    """
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            inner = address_refusal(str(embedded))
            if inner:
                return inner
    for attr, what in (("is_unspecified", "an unspecified"), ("is_loopback", "a loopback"),
                       ("is_link_local", "a link-local"), ("is_multicast", "a multicast"),
                       ("is_reserved", "a reserved"), ("is_private", "a private")):
        if getattr(ip, attr):
            return f"{what} address"
    if not ip.is_global:
        return "a non-public address"
    return None


def _resolve(target: _Target, allow_private: bool, deadline: float) -> list[str]:
    """Addresses of the target's host, each checked; DNS is bounded by the deadline."""
    box: dict[str, object] = {}

    def lookup() -> None:
        try:
            box["infos"] = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            box["error"] = exc

    worker = threading.Thread(target=lookup, name="unspin-dns", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    if worker.is_alive():
        raise TimeoutError
    if "error" in box:
        raise FetchError(f"{shorten(target.url)}: cannot resolve host {target.host!r}; check "
                         "the address and your connection") from None
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in box["infos"]:  # type: ignore[union-attr]
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    if not allow_private:
        for address in addresses:
            why = address_refusal(address)
            if why:
                raise URLNotAllowed(
                    f"{shorten(target.url)}: {target.host} is {why} ({address}); pass "
                    "--allow-private to fetch it",
                    public=f"{shorten(target.url)}: the address of {target.host} is not "
                           "allowed (not a public address)")
    if not addresses:
        raise FetchError(f"{shorten(target.url)}: {target.host!r} has no address")
    return addresses


class _Watchdog:
    """One deadline for a whole request: at the deadline it shuts the connection's socket, so
    whatever the request is waiting for (TLS handshake, the status line, a header dripped line
    by line, the body) ends at once. Socket timeouts alone bound each wait, not their sum."""

    def __init__(self, deadline: float) -> None:
        self.fired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sock = sock
            if self.fired:
                self._shut()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            self._shut()

    def _shut(self) -> None:
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        self._timer.cancel()


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to a checked address, with the URL's host in the Host header."""

    def __init__(self, host: str, port: int, address: str, timeout: float,
                 watchdog: _Watchdog) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address
        self.watchdog = watchdog

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        self.watchdog.watch(self.sock)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address; SNI and the certificate use the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float,
                 watchdog: _Watchdog, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.address = address
        self.watchdog = watchdog
        self.tls = context

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.watchdog.watch(raw)
        try:
            self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _get(target: _Target, allow_private: bool, max_bytes: int,
         deadline: float) -> tuple[Page | None, str | None]:
    """One request: the page, or ``(None, location)`` for a redirect."""
    addresses = _resolve(target, allow_private, deadline)
    last_error: OSError | None = None
    watchdog = _Watchdog(deadline)
    try:
        for address in addresses:
            if target.scheme == "https":
                conn: http.client.HTTPConnection = _PinnedHTTPS(
                    target.host, target.port, address, _remaining(deadline), watchdog,
                    ssl.create_default_context())
            else:
                conn = _PinnedHTTP(target.host, target.port, address, _remaining(deadline),
                                   watchdog)
            try:
                try:
                    conn.request("GET", target.path, headers=_HEADERS)
                except OSError as exc:  # refused or unreachable: try the host's next address
                    if isinstance(exc, (TimeoutError, ssl.SSLError)) or watchdog.fired:
                        raise
                    last_error = exc
                    conn.close()
                    continue
                response = conn.getresponse()
                return _handle(target, response, conn, max_bytes, deadline)
            except (TimeoutError, FetchError, TooLargeError):
                raise
            except (OSError, http.client.HTTPException, ValueError) as exc:
                if watchdog.fired:  # the socket was shut at the deadline
                    raise TimeoutError from None
                raise _failure(target, exc) from None
            finally:
                conn.close()
    finally:
        watchdog.cancel()
    reason = last_error.strerror if last_error and last_error.strerror else last_error
    raise FetchError(f"{shorten(target.url)}: cannot connect to {target.host} ({reason}); "
                     "check the address or try again later")


def _failure(target: _Target, exc: Exception) -> FetchError:
    """The one-line FetchError for a request that failed before the deadline."""
    url = shorten(target.url)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return FetchError(f"{url}: TLS certificate not valid "
                          f"({exc.verify_message or exc.reason}); check the address")
    if isinstance(exc, ssl.SSLError):
        return FetchError(f"{url}: TLS error ({exc.reason or exc}); check the address")
    if isinstance(exc, http.client.HTTPException):
        return FetchError(f"{url}: bad HTTP response ({type(exc).__name__}); try again later")
    if isinstance(exc, ValueError):  # http.client refuses bad characters in the request
        return FetchError(f"{url}: cannot request this URL ({shorten(exc)})")
    reason = getattr(exc, "strerror", None) or exc
    return FetchError(f"{url}: connection failed ({reason}); try again later")


def _handle(target: _Target, response: http.client.HTTPResponse,
            conn: http.client.HTTPConnection, max_bytes: int,
            deadline: float) -> tuple[Page | None, str | None]:
    status = response.status
    if status in _REDIRECTS:
        location = response.getheader("Location")
        if not location:
            raise FetchError(f"{shorten(target.url)}: HTTP {status} redirect without a "
                             "Location header")
        return None, location
    if status >= 400:
        hint = "try again later" if status >= 500 or status == 429 else "check the address"
        raise FetchError(f"{shorten(target.url)}: HTTP {status} {response.reason}; {hint}")
    if not 200 <= status < 300:
        raise FetchError(f"{shorten(target.url)}: unexpected HTTP status {status} "
                         f"{response.reason}")
    header = response.getheader("Content-Type") or ""
    media = header.split(";", 1)[0].strip().lower()
    if media and media not in TEXT_TYPES:
        raise FetchError(f"{shorten(target.url)}: not a web page (content-type {media}); give "
                         "the address of an article page")
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise TooLargeError(f"{shorten(target.url)}: {int(length)} bytes is over the "
                            f"{max_bytes}-byte limit; raise it with --max-bytes")
    data = _read_body(target, response, conn, max_bytes, deadline)
    return Page(target.url, _decode(data, header, media), media or "text/html", status), None


def _read_body(target: _Target, response: http.client.HTTPResponse,
               conn: http.client.HTTPConnection, max_bytes: int, deadline: float) -> bytes:
    """Read the body in chunks, stopping as soon as it passes ``max_bytes`` (after decoding
    gzip/deflate, so a small compressed bomb cannot grow past the limit either)."""
    coding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if coding in ("gzip", "x-gzip", "deflate"):
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)
    elif coding in ("identity", ""):
        inflater = None
    else:
        raise FetchError(f"{shorten(target.url)}: unsupported Content-Encoding {coding!r}")
    chunks: list[bytes] = []
    total = 0
    while True:
        if conn.sock is not None:
            conn.sock.settimeout(_remaining(deadline))
        chunk = response.read1(_CHUNK)
        if not chunk:
            break
        if inflater is not None:
            try:
                chunk = inflater.decompress(chunk, max_bytes + 1 - total)
            except zlib.error:
                raise FetchError(f"{shorten(target.url)}: corrupt {coding} data; try again "
                                 "later") from None
        total += len(chunk)
        if total > max_bytes:
            raise TooLargeError(f"{shorten(target.url)}: page is over the {max_bytes}-byte "
                                "limit; raise it with --max-bytes")
        chunks.append(chunk)
        _remaining(deadline)
    _remaining(deadline)  # an end cut by the deadline is a timeout, not a short page
    return b"".join(chunks)


def _decode(data: bytes, header: str, media: str) -> str:
    """Bytes to text: BOM, then the header's charset, then ``<meta charset>``, then UTF-8;
    undecodable bytes become U+FFFD rather than an error, as in a browser."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", header, re.IGNORECASE)
    charset = m.group(1) if m else None
    if charset is None and media != "text/plain":
        meta = _META_CHARSET.search(data[:4096])
        charset = meta["cs"].decode("ascii") if meta else None
    if charset and charset.lower() in _WINDOWS_1252:
        charset = "cp1252"
    try:
        return data.decode(charset or "utf-8", errors="replace")
    except LookupError:
        logger.debug("unknown charset %r; decoding as UTF-8", charset)
        return data.decode("utf-8", errors="replace")
