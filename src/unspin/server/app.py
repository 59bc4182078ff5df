"""FastAPI app: /v1/analyze, /v1/report, /v1/techniques, /v1/corrections, /healthz, and the web
page at /.

Analyses run in a thread pool, off the event loop, behind a bounded gate: at most
``concurrency`` run and ``max_queue`` wait; beyond that the answer is 503 with Retry-After, so
memory stays bounded under load. Each analysis carries its request's deadline into the
detector, which stops between chunks once it passes: a request that timed out gives its slot
back within one chunk's time, not at the end of the text.

Every request passes ``Guard`` first (outside FastAPI's own middleware): it checks the API key,
reads the whole body under a size cap and a read deadline (413 / 408 before any parsing, chunked
bodies included), turns any unexpected exception into one JSON 500 with one log line, and writes
one access-log line per request. Errors are JSON ``{"error": {"code", "message"}}``; exceptions
become HTTP answers in ``error_response`` only, in words for HTTP clients (fields and routes,
never CLI flags or the server's private addresses).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from contextvars import ContextVar
from importlib import resources
from typing import Literal

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import (
    ConfigError,
    FetchError,
    InputError,
    ModelError,
    TooLargeError,
    UnspinError,
    URLNotAllowed,
)
from ..options import RANGES, Options

log = logging.getLogger(__name__)
access_log = logging.getLogger("unspin.access")

#: A request body must arrive within this many seconds (slow clients cannot hold a connection).
BODY_TIMEOUT = 20.0
#: Room for the JSON around the text: the body cap is ``max_text_bytes`` plus this.
BODY_SLACK = 64_000

_SOURCES = ("text", "html", "url")


# ---------------------------------------------------------------------------------------------
# request / response models

def _no_default(schema: dict) -> None:
    schema.pop("default", None)  # absent, not null: null is refused
    schema["minLength"] = 1  # checked in ``one_source`` (a length constraint here would
    # refuse a lone surrogate as a 422 before ``check`` can say what it is)


class AnalyzeOptions(BaseModel):
    # strict: "0.5" is not a number and "false" not a boolean (a client bug, not a choice)
    model_config = ConfigDict(extra="forbid", title="Options", strict=True)
    min_score: float | None = Field(
        None, **RANGES["min_score"].bounds(),
        description="drop spans below this (0-1); default: the model's display threshold "
        "(a model without one shows every span); 0 keeps every span")
    techniques: list[str] | None = Field(
        None, description="keep only these techniques (ids from GET /v1/techniques)")
    kind: Literal["text", "markdown"] | None = Field(
        None, description="how to read `text`: plain text or a Markdown capture (default: guess)")
    enrich: bool = Field(True, description="find quotes, the targets of spans and check-worthy "
                         "claims (false: skip them, faster)")
    any_language: bool = Field(False, description="analyse text that is clearly not English "
                               "(refused otherwise with 400 bad_input: the models read English "
                               "only); the result's warnings say so")
    model: str | None = Field(None, description="an installed model by name (GET /v1/models "
                              "lists them); default: the server's model")

    @field_validator("techniques")
    @classmethod
    def known_techniques(cls, value):
        """An unknown technique is a bad option like any other (422), named in HTTP words."""
        from ..errors import ConfigError
        from ..techniques import get

        for name in value or ():
            try:
                get(name)
            except ConfigError as exc:
                raise ValueError(for_http(str(exc))) from None
        return value


#: Beside ``html``, ``url`` is the page's address, recorded in the Analysis and never fetched.
_PAGE_URL_MAX = 8192


class AnalyzeRequest(BaseModel):
    """Exactly one of ``text``, ``html`` or ``url``, and optional ``options``; ``html`` may come
    with the ``url`` it was read at (recorded as the document's url, never fetched)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "oneOf": [{"required": ["text"]}, {"required": ["html"]},
                  {"required": ["url"], "not": {"required": ["html"]}}]})
    text: str = Field(None, json_schema_extra=_no_default,
                      description="plain text or a Markdown capture of a page")
    html: str = Field(None, json_schema_extra=_no_default,
                      description="an HTML page")
    url: str = Field(None, json_schema_extra=_no_default,
                     description="an http(s) URL to fetch; beside `html`, the address the page "
                     "was read at, recorded in the result and not fetched")
    options: AnalyzeOptions = Field(default_factory=AnalyzeOptions)

    @model_validator(mode="after")
    def one_source(self):
        given = [k for k in _SOURCES if getattr(self, k) is not None]
        if given == ["html", "url"]:
            given = ["html"]  # the url is the page's address, not a second source
        if len(given) != 1:
            got = " and ".join(given) if given else "none of them"
            raise ValueError(f'give exactly one of "text", "html" or "url" (got {got}), for '
                             'example {"text": "Headline\\n\\nThe article..."}')
        if getattr(self, given[0]) == "":
            raise ValueError(f"{given[0]}: must not be empty")
        return self

    @property
    def field(self) -> str:
        return next(k for k in _SOURCES if getattr(self, k) is not None)

    @property
    def page_url(self) -> str | None:
        """The address an ``html`` page was read at, if the client gave one."""
        return self.url if self.html is not None else None


class CorrectedSpan(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, title="CorrectedSpan")
    start: int = Field(description="first character (offsets index `text`, end exclusive)")
    end: int
    technique: str = Field(description="the technique the reviewer gives it (for reject: the "
                           "one the model gave); ids from GET /v1/techniques")
    action: Literal["accept", "reject", "relabel", "add", "move"]
    original: str | None = Field(None, description="relabel (and a move that changed it): the "
                                 "model's technique")
    old_start: int | None = Field(None, description="move only: where the model's span began")
    old_end: int | None = Field(None, description="move only: where the model's span ended")


class ReviewedModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: str
    version: str
    fingerprint: str


class CorrectionsRequest(BaseModel):
    """One review of one article in unspin's corrections format (``unspin.corrections/1``):
    what the web page and the HTML report make, and what ``unspin review import`` reads."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)
    format: Literal["unspin.corrections/1"] = Field(alias="schema")
    id: str = Field(description="the article's id")
    text: str = Field(description="the article's text, exactly as analysed")
    text_sha256: str | None = Field(None, description="sha256 of `text` (UTF-8), checked")
    taxonomy: Literal["2020", "2023"] | None = Field(
        None, description="the taxonomy of the reviewed model, whose ids the spans use "
        "(GET /v1/techniques?taxonomy=); absent: 2020")
    model: ReviewedModel | None = Field(description="the model whose spans were reviewed")
    reviewer: str = Field(description="who reviewed (free text)")
    reviewed_at: str = Field(description="ISO 8601 with a time zone")
    source: str | None = None
    spans: list[CorrectedSpan] = Field(default_factory=list,
                                       description="kept spans: accept, relabel, add, move")
    rejected: list[CorrectedSpan] = Field(default_factory=list,
                                          description="the model's spans struck out: reject")


class CorrectionsSaved(BaseModel):
    saved: bool = Field(description="false: this review was in the store already")
    id: str
    text_sha256: str
    counts: dict[str, int] = Field(description="corrections per action")


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


_JSON_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
_STATUS_WORDS = {400: "Bad input", 401: "Missing or wrong API key", 408: "Body too slow",
                 413: "Body or text too large", 422: "Invalid request",
                 502: "The URL could not be fetched", 503: "Busy, timed out or no model"}
#: Error answers, documented as JSON for every route (also /v1/report, whose 200 is HTML).
ERRORS = {status: {"description": words, "content": _JSON_ERROR}
          for status, words in _STATUS_WORDS.items()}


# ---------------------------------------------------------------------------------------------
# errors

class Busy(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


#: CLI advice in library messages, and what an HTTP client can do instead.
_CLI_HINTS = (
    ("run 'unspin techniques' to list them", "GET /v1/techniques lists them"),
    ("'unspin techniques'", "GET /v1/techniques"),
    ("; raise it with --max-bytes", ""),
    ("; raise --max-bytes", ""),
    (" or raise --fetch-timeout", ""),
    (" or raise --timeout", ""),
    ("; pass --allow-private to fetch it", ""),
    (", or pass --kind text", ', or send it as "text"'),
    ("; pass --kind text to read it as plain text",
     '; set options.kind to "text" to read it as plain text'),
    ("save the article's text to a .txt file and analyse that",
     'send the article\'s text as "text" instead'),
)


def for_http(message: str) -> str:
    """A library message in words for HTTP clients: no CLI flags or commands.

    >>> for_http("unknown technique 'x'; run 'unspin techniques' to list them")
    "unknown technique 'x'; GET /v1/techniques lists them"
    """
    for cli, http in _CLI_HINTS:
        message = message.replace(cli, http)
    return _ANY_FLAG.sub("", message)


#: advice naming a CLI flag that ``_CLI_HINTS`` does not know yet: left out, not shown
_ANY_FLAG = re.compile(r"[;,]? *(?:or )?\b(?:pass|raise|force|use|give)\b[^;.]*? --[a-z][a-z-]*"
                       r"[^;.]*")


def _public(exc: UnspinError) -> str:
    """What a remote client may read: never a resolved private address or a CLI flag."""
    message = getattr(exc, "public", None) or str(exc)
    if isinstance(exc, URLNotAllowed) and "allow-private" in message:
        return "url: the address is not allowed (not a public address)"
    return for_http(message)


def _check_page_url(url: str) -> None:
    """The address sent beside ``html``: an http(s) URL, recorded as is and never fetched."""
    from urllib.parse import urlsplit

    if len(url) > _PAGE_URL_MAX or any(c.isspace() or not c.isprintable() for c in url):
        raise InputError(f"url: not a page address (over {_PAGE_URL_MAX} characters, or it "
                         "holds spaces or control characters); send the page's http(s) address "
                         "or leave url out")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
    if not host or parts.scheme.lower() not in ("http", "https"):
        raise InputError("url: beside html it must be the page's http(s) address, such as "
                         "https://news.example/story; leave url out for other pages")


def _json(status: int, code: str, message: str, headers: dict | None = None) -> Response:
    # json.dumps escapes non-ASCII, so a lone surrogate echoed in a message cannot fail encoding
    body = json.dumps({"error": {"code": code, "message": message}})
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def error_response(exc: Exception) -> Response:
    """The one place where exceptions become HTTP answers."""
    if isinstance(exc, Busy):
        return _json(503, exc.code, str(exc), {"Retry-After": "2"})
    if isinstance(exc, RequestValidationError):
        return _json(422, "invalid_request", validation_message(exc.errors()))
    if isinstance(exc, StarletteHTTPException) and exc.status_code == 400 \
            and exc.detail == "There was an error parsing the body":
        # what FastAPI says when json.loads itself fails (a body nested too deeply)
        return _json(422, "invalid_request", "the request body is not valid JSON (nested too "
                     f"deeply); send a JSON object such as {_EXAMPLE} with Content-Type: "
                     "application/json")
    if isinstance(exc, StarletteHTTPException):
        code = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed",
                413: "too_large"}.get(exc.status_code, "http_error")
        message = {404: "no such route; see GET /docs for the API",
                   405: "method not allowed on this route; see GET /docs"}.get(
                       exc.status_code, str(exc.detail))
        return _json(exc.status_code, code, message, getattr(exc, "headers", None))
    if isinstance(exc, UnspinError):
        for kind, status, code in ((TooLargeError, 413, "too_large"),
                                   (URLNotAllowed, 400, "url_not_allowed"),
                                   (FetchError, 502, "fetch_failed"),
                                   (InputError, 400, "bad_input"),
                                   (ConfigError, 400, "bad_input"),
                                   (ModelError, 503, "model_unavailable")):
            if isinstance(exc, kind):
                return _json(status, code, _public(exc))
    return _json(500, "internal", "internal error; see the server log")


_EXAMPLE = '{"text": "Headline\\n\\nThe article..."}'


def _shown(value) -> str:
    """A value as the client sent it (JSON), cut short for a one-line message."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validation_message(errors) -> str:
    """The first validation error as one line naming the field and the fix.

    >>> print(validation_message([{"type": "missing", "loc": ("body",), "msg": "Field required"}]))
    the request body is empty; send a JSON object such as {"text": "Headline\\n\\nThe article..."}
    """
    if not errors:
        return "invalid request"
    e = errors[0]
    kind, ctx = e.get("type", ""), e.get("ctx") or {}
    loc = [str(p) for p in e.get("loc", ()) if p != "body"]
    where = ".".join(loc)
    shown = _shown(e.get("input"))
    if kind == "bool_type":
        return f"{where}: must be true or false (got {shown})"
    if kind == "string_too_short":
        return f"{where}: must not be empty"
    if kind == "json_invalid":
        at = e["loc"][1] if len(e.get("loc", ())) > 1 else 0
        return (f"the request body is not valid JSON ({ctx.get('error', 'decode error')} at "
                f"character {at}); send a JSON object such as {_EXAMPLE} with "
                "Content-Type: application/json")
    if kind == "missing" and not loc:
        return f"the request body is empty; send a JSON object such as {_EXAMPLE}"
    if kind in ("model_attributes_type", "dict_type", "model_type"):
        what = f"{where}" if where else "the request body"
        return f"{what} must be a JSON object, for example {_EXAMPLE if not where else '{}'}"
    if kind == "extra_forbidden":
        known = ", ".join(AnalyzeOptions.model_fields if loc[:1] == ["options"]
                          else AnalyzeRequest.model_fields)
        return f"{where}: unknown field; the fields are {known}"
    if kind == "value_error":
        message = str(ctx.get("error", e.get("msg", "")))
        return f"{where}: {message}" if where else message
    if kind == "string_type":
        return f"{where}: must be a string (got {shown})"
    if kind in ("float_type", "float_parsing"):
        return f"{where}: must be a number between 0 and 1 (got {shown})"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"{where}: must be between 0 and 1 (got {shown})"
    if kind == "list_type":
        return f'{where}: must be a list of technique ids, for example ["Doubt"] (got {shown})'
    if kind == "literal_error":
        return f"{where}: must be {ctx.get('expected', 'one of the documented values')} " \
               f"(got {shown})"
    message = e.get("msg", "invalid value")
    return f"{where}: {message}" if where else message


# ---------------------------------------------------------------------------------------------
# bounded execution

#: When the running request's analysis must end (set in the worker thread by ``Gate.run``).
_DEADLINE: ContextVar[float | None] = ContextVar("unspin_request_deadline", default=None)


def check_deadline() -> None:
    """Between stages: stop the work once its request's deadline has passed (the detector
    also stops between chunks), so a request that timed out frees its slot within a stage."""
    at = _DEADLINE.get()
    if at is not None and time.monotonic() > at:
        raise TimeoutError("stopped at the request deadline")


class Gate:
    """Admit at most ``concurrency + max_queue`` analyses; run ``concurrency`` at a time."""

    def __init__(self, concurrency: int, max_queue: int):
        self.concurrency = concurrency
        self.limit = concurrency + max_queue
        self.admitted = 0
        self.pool: ThreadPoolExecutor | None = None
        self.sem: asyncio.Semaphore | None = None

    def start(self) -> None:
        """Fresh pool and semaphore for the running event loop (the app may be restarted)."""
        self.pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="unspin")
        self.sem = asyncio.Semaphore(self.concurrency)
        self.admitted = 0

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self.sem = None

    async def run(self, fn, timeout: float):
        """``fn()`` in the pool, within ``timeout`` seconds from now, queue wait included. The
        detector stops at the same deadline (``detect.chunks.deadline``), so the slot is freed
        soon after the client got its 503, not when a long text would have ended."""
        from ..detect.chunks import deadline

        if self.pool is None or self.sem is None:
            self.start()
        if self.admitted >= self.limit:
            raise Busy("busy", "the server is busy; retry in a few seconds")
        self.admitted += 1
        loop = asyncio.get_running_loop()
        at = time.monotonic() + timeout
        try:
            await asyncio.wait_for(self.sem.acquire(), timeout)
        except BaseException as exc:
            self.admitted -= 1
            if isinstance(exc, TimeoutError):
                raise self._timeout(timeout) from None
            raise

        def bounded():
            token = _DEADLINE.set(at)
            try:
                with deadline(at):
                    return fn()
            finally:
                _DEADLINE.reset(token)

        fut = loop.run_in_executor(self.pool, bounded)

        def done(f, sem=self.sem):  # the slot is freed when the thread ends, not on timeout
            sem.release()
            self.admitted -= 1
            if not f.cancelled():
                f.exception()  # retrieved: a late TimeoutError is expected, not news

        fut.add_done_callback(done)
        try:
            return await asyncio.wait_for(asyncio.shield(fut), max(0.0, at - time.monotonic()))
        except TimeoutError:
            raise self._timeout(timeout) from None

    @staticmethod
    def _timeout(timeout: float) -> Busy:
        return Busy("timeout", f"the analysis took longer than {timeout:g} s and was stopped; "
                               "retry later or send a shorter text")


# ---------------------------------------------------------------------------------------------
# the guard: key, body, errors, access log

class Guard:
    """Pure ASGI, outermost: API key, body cap and read deadline, no unhandled exception."""

    def __init__(self, app, config: Options, gate: Gate):
        from .config import connection_limit

        self.app = app
        self.keys = tuple(k.encode("utf-8") for k in config.api_keys)
        self.limit = config.max_text_bytes + BODY_SLACK
        self.gate = gate
        self.origins = frozenset(o.encode("latin-1", "replace") for o in config.cors_origins)
        #: requests in flight (``/healthz`` aside): past the cap, a JSON 503 ``busy``
        self.max_requests = connection_limit(config)
        self.requests = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        t0 = time.perf_counter()
        status = {"code": None}

        async def tracked(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = message.get("headers") or []
                if not any(k.lower() == b"content-security-policy" for k, _v in headers):
                    message = {**message, "headers": [
                        *headers, (b"content-security-policy", DEFAULT_POLICY.encode())]}
            await send(message)

        counted = scope.get("path") != "/healthz"  # health answers whatever the load
        if counted:
            self.requests += 1
        try:
            early = self._check(scope)
            if early is None and counted and self.requests > self.max_requests:
                early = error_response(Busy("busy", "the server is busy; retry in a few "
                                                    "seconds"))
            if early is None:
                body = await self._read_body(receive)
                if isinstance(body, Response):
                    early = body
            if early is not None:
                self._cors(scope, early)
                await early(scope, receive, tracked)
            else:
                await self.app(scope, _replay(body, receive), tracked)
        except Exception as exc:
            log.error("unexpected error in %s %s", scope.get("method"), scope.get("path"),
                      exc_info=exc)
            if status["code"] is None:
                await error_response(exc)(scope, receive, tracked)
        finally:
            if counted:
                self.requests -= 1
            client = scope.get("client")
            access_log.info(json.dumps({
                "method": scope.get("method"), "path": scope.get("path"),
                "status": status["code"], "ms": round(1000 * (time.perf_counter() - t0), 1),
                "client": client[0] if client else None, "queued": self.gate.admitted}))

    def _check(self, scope) -> Response | None:
        headers = dict(scope.get("headers") or [])
        # a CORS preflight (OPTIONS) never carries the key; it reads nothing and runs nothing
        if (self.keys and scope.get("path", "").startswith("/v1/")
                and scope.get("method") != "OPTIONS" and not self._authorised(headers)):
            return _json(401, "unauthorized", "missing or wrong API key; send the header "
                                              "'Authorization: Bearer KEY'")
        length = headers.get(b"content-length")
        if length is not None and b"transfer-encoding" in headers:
            # two framings of one body: which one a proxy in front obeyed is unknowable
            return _json(400, "bad_request", "the request has both Content-Length and "
                                             "Transfer-Encoding; send one of them",
                         {"Connection": "close"})
        if length is not None and length.strip().isdigit() and int(length) > self.limit:
            return self._too_large()
        return None

    def _cors(self, scope, answer: Response) -> None:
        """CORS headers on an answer given before the app (401, 413, 408, 503), so that an
        allowed origin can read why it was refused."""
        origin = dict(scope.get("headers") or []).get(b"origin")
        if origin is not None and origin in self.origins:
            answer.headers["Access-Control-Allow-Origin"] = origin.decode("latin-1")
            answer.headers["Vary"] = "Origin"

    def _authorised(self, headers: dict) -> bool:
        """Constant-time compare on bytes: any header value (non-ASCII too) is just wrong."""
        auth = headers.get(b"authorization", b"")
        given = auth[7:].strip() if auth[:7].lower() == b"bearer " else headers.get(
            b"x-api-key", b"").strip()
        return bool(given) and any(hmac.compare_digest(given, k) for k in self.keys)

    def _too_large(self) -> Response:
        return _json(413, "too_large", f"request body over {self.limit} bytes; send a shorter "
                                       "article", {"Connection": "close"})

    async def _read_body(self, receive) -> bytes | Response:
        """The whole body, or the 413/408 answer: over the cap, or slower than BODY_TIMEOUT."""
        chunks, seen = [], 0
        try:
            async with asyncio.timeout(BODY_TIMEOUT):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return b""
                    chunk = message.get("body", b"")
                    seen += len(chunk)
                    if seen > self.limit:
                        return self._too_large()
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        return b"".join(chunks)
        except TimeoutError:
            return _json(408, "body_timeout", f"the request body did not arrive within "
                                              f"{BODY_TIMEOUT:g} s; send it in one go",
                         {"Connection": "close"})


def _replay(body: bytes, receive):
    """A ``receive`` that hands the app the body already read, then waits for a disconnect."""
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class _App(FastAPI):
    def __init__(self, *args, guard, **kwargs):
        self._guard = guard
        super().__init__(*args, **kwargs)

    def build_middleware_stack(self):
        return self._guard(super().build_middleware_stack())


# ---------------------------------------------------------------------------------------------
# the app

def build_app(config: Options) -> FastAPI:
    from .. import ingest
    from ..pipeline import analyze_document, load_detector
    from ..report import render
    from ..techniques import get as technique

    gate = Gate(config.concurrency, config.max_queue)

    @asynccontextmanager
    async def lifespan(_app):
        gate.start()
        await asyncio.get_running_loop().run_in_executor(gate.pool, load_detector, config)
        yield
        gate.stop()

    app = _App(title="unspin", version=__version__, lifespan=lifespan,
               guard=lambda inner: Guard(inner, config, gate), docs_url=None, redoc_url=None,
               description="Find propaganda and persuasion techniques in news articles. "
                           "Errors are JSON: {\"error\": {\"code\", \"message\"}}.")

    for exc_type in (Exception, UnspinError, RequestValidationError, StarletteHTTPException, Busy):
        app.add_exception_handler(exc_type, lambda _r, e: error_response(e))

    def openapi() -> dict:
        """FastAPI's document, with the error body the error responses point to."""
        if app.openapi_schema is None:
            spec = FastAPI.openapi(app)
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            error = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(error.pop("$defs", {}))
            schemas["ErrorResponse"] = error
        return app.openapi_schema

    app.openapi = openapi

    if config.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["*"])

    def check(req: AnalyzeRequest) -> Options:
        """What can be refused before queueing: bad strings, sizes, technique ids."""
        field = req.field
        value = getattr(req, field)
        try:
            size = len(value.encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise InputError(f"{field}: not valid Unicode (a lone surrogate "
                             f"{value[exc.start]!a} at character {exc.start}); send "
                             "UTF-8 text") from None
        if field != "url" and not value.lstrip("\ufeff").strip():
            raise InputError(f"{field}: no text (empty, only whitespace or a byte-order mark)")
        if "\x00" in value:
            raise InputError(f"{field}: a NUL character (\\u0000) at character "
                             f"{value.index(chr(0))}; text holds none: send the article's text")
        if field != "url" and size > config.max_text_bytes:
            raise TooLargeError(f"{field}: {size} bytes is over this server's limit of "
                                f"{config.max_text_bytes} bytes; send a shorter article")
        if req.page_url is not None:
            _check_page_url(req.page_url)
        techniques = []
        for t in req.options.techniques or ():
            try:
                techniques.append(technique(t).id)
            except ConfigError:
                raise InputError(f"options.techniques: unknown technique {t!r}; "
                                 "GET /v1/techniques lists the ids") from None
        return config.replace(min_score=req.options.min_score,
                              techniques=tuple(techniques) or None, enrich=req.options.enrich,
                              any_language=req.options.any_language or None)

    def to_document(req: AnalyzeRequest):
        if req.field == "url":
            return ingest.load(req.url, kind="url",
                               options=config.replace(max_bytes=config.max_text_bytes))
        # the source is the field, so errors name it ("text: no text ..."); pasted text has
        # no article id (the report would show "Article ID: request")
        field = req.field
        kind = "html" if field == "html" else req.options.kind
        doc = ingest.from_string(getattr(req, field), kind=kind, source=field, doc_id=None)
        return doc.with_(url=req.page_url) if req.page_url is not None else doc

    def run_analysis(req: AnalyzeRequest, options: Options):
        """ingest -> detect -> enrich, each started only before the request's deadline."""
        import dataclasses

        doc = to_document(req)
        check_deadline()
        analysis = analyze_document(doc, options.replace(enrich=False))
        if not options.enrich:
            return analysis
        from ..enrich import enrich

        check_deadline()
        enrichment = enrich(doc.text, analysis.spans)
        check_deadline()
        return dataclasses.replace(analysis, enrichment=enrichment)

    @app.post("/v1/analyze", responses=ERRORS, summary="Analyse an article, return JSON")
    async def analyze_route(req: AnalyzeRequest) -> dict:
        """The Analysis JSON (schema ``unspin.analysis/3``: spans, summary, quotes, targets,
        claims and warnings) for a text, HTML page or URL."""
        options = chosen_model(check(req), req)
        result = await gate.run(lambda: run_analysis(req, options), config.request_timeout)
        return result.to_dict()

    @app.post("/v1/report", responses=ERRORS, response_class=HTMLResponse,
              summary="Analyse an article, return the standalone HTML report")
    async def report_route(req: AnalyzeRequest) -> HTMLResponse:
        options = chosen_model(check(req), req)
        html = await gate.run(lambda: render(run_analysis(req, options), "html"),
                              config.request_timeout)
        return HTMLResponse(html)

    def chosen_model(options: Options, req: AnalyzeRequest) -> Options:
        """``options`` with the model the request names: one GET /v1/models offers (an
        installed model's name, never a folder), else the server's."""
        from .models import available

        wanted = req.options.model
        if wanted is None:
            return options
        offered = available(config.model)
        if wanted == offered[0]["name"]:
            return options
        if wanted not in {m["name"] for m in offered}:
            raise InputError(f"options.model: no model {wanted!r} here; GET /v1/models lists "
                             "the installed ones")
        return options.replace(model=wanted)

    @app.get("/v1/models", summary="The models this server can analyse with")
    async def models_route() -> list[dict]:
        """Every model a request may name in ``options.model``: the server's own first
        (``default``), then every installed one, each with its version and a short hint of
        speed and quality from its config."""
        from .models import available

        return available(config.model)

    @app.get("/v1/techniques", responses=ERRORS, summary="The techniques of a taxonomy or model")
    async def techniques_route(taxonomy: Literal["2020", "2023"] | None = None,
                               model: str | None = None) -> list[dict]:
        """The techniques of the 2020 taxonomy (the default), of ``taxonomy`` (2023: with each
        one's ``group`` and ``to_2020``), or of the taxonomy of ``model`` (a name GET
        /v1/models lists), each marked ``detected`` when that model has an output for it."""
        from ..techniques import listing
        from ..techniques import taxonomy as taxonomy_named

        spoken, name = None, taxonomy
        if model is not None:
            from ..detect import spoken_techniques
            from .models import available

            offered = available(config.model)
            if model not in {m["name"] for m in offered}:
                raise InputError(f"model: no model {model!r} here; GET /v1/models lists the "
                                 "installed ones")
            speaks, spoken = spoken_techniques(
                config.model if model == offered[0]["name"] else model)
            if name is not None and name != speaks:
                raise InputError(f"model: {model} speaks the {speaks} taxonomy, not {name}; "
                                 "leave out taxonomy")
            name = speaks
        return listing(taxonomy_named(name), spoken)

    @app.post("/v1/corrections", responses=ERRORS, summary="Save a reviewer's corrections")
    async def corrections_route(req: CorrectionsRequest) -> CorrectionsSaved:
        """Store one review (the web page's "Save corrections") in this server's store, the
        database of ``unspin serve --db``, beside earlier reviews of the same article. Saving
        the same review twice stores it once."""
        from ..errors import StoreError
        from ..review.format import parse_review
        from ..review.store import save_reviews

        try:
            review = parse_review(req.model_dump(by_alias=True))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"corrections: {exc}") from None
        try:
            saved, _ = await asyncio.to_thread(save_reviews, config.db, [review])
        except (StoreError, ConfigError) as exc:
            log.error("saving a review failed: %s", exc)
            raise Busy("store_unavailable", "the server could not save the review in its "
                                            "store; see the server log") from None
        return CorrectionsSaved(saved=bool(saved), id=review.id, text_sha256=review.text_sha256,
                                counts=review.counts())

    @app.get("/healthz", summary="Liveness and model status")
    async def healthz() -> dict:
        info = load_detector(config).info
        return {"status": "ok", "version": __version__, "model": info.name,
                "in_flight": gate.admitted}

    page, policy = web_page()
    icon = resources.files(__package__).joinpath("static", "favicon.svg").read_bytes()

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> HTMLResponse:
        return HTMLResponse(page, headers={"Content-Security-Policy": policy,
                                           "Referrer-Policy": "no-referrer",
                                           "X-Content-Type-Options": "nosniff"})

    docs_page, docs_policy = docs_page_and_policy()

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    async def docs() -> HTMLResponse:
        """Swagger UI, served from this server (assets of an installed package): no CDN."""
        return HTMLResponse(docs_page, headers={"Content-Security-Policy": docs_policy,
                                                "Referrer-Policy": "no-referrer",
                                                "X-Content-Type-Options": "nosniff"})

    @app.get("/docs/assets/{name}", include_in_schema=False)
    async def docs_asset(name: str) -> Response:
        if name not in DOCS_ASSETS:
            raise StarletteHTTPException(404)
        return Response(_docs_asset(name), media_type=DOCS_ASSETS[name],
                        headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/favicon.ico", include_in_schema=False)
    @app.get("/favicon.svg", include_in_schema=False)
    async def favicon() -> Response:
        return Response(icon, media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})

    return app


def web_page() -> tuple[str, str]:
    """The page at ``/`` with the report's script built in, and its Content-Security-Policy:
    only the page's own inline scripts run (by hash), whatever a report it shows contains."""
    page = resources.files(__package__).joinpath("static", "index.html").read_text("utf-8")
    report_js = resources.files("unspin.report").joinpath("assets", "report.js").read_text(
        "utf-8")
    page = page.replace("/*unspin-report-js*/", report_js, 1)
    hashes = _inline_script_hashes(page)
    policy = (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
              "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
              "frame-ancestors 'none'")
    return page, policy


def _inline_script_hashes(page: str) -> str:
    """The CSP sources (by hash) of every inline ``<script>`` of ``page``, space-separated."""
    from ..report.html import csp_hash

    return " ".join(csp_hash(code) for code in re.findall(r"<script>(.*?)</script>", page,
                                                        re.DOTALL))


#: Swagger UI's files, served at /docs/assets/ from the fastapi-offline package (serve extra).
DOCS_ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}
#: every answer without its own policy (JSON, assets): it is no page and loads nothing
DEFAULT_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"


def _docs_asset(name: str) -> bytes:
    from ..errors import require

    require("fastapi_offline", "serve")
    return resources.files("fastapi_offline").joinpath("static", name).read_bytes()


def docs_page_and_policy() -> tuple[str, str]:
    """The /docs page (Swagger UI from /docs/assets/, the spec from /openapi.json, no online
    validator) and its Content-Security-Policy: this server only, its one inline script by
    hash."""
    from fastapi.openapi.docs import get_swagger_ui_html

    page = get_swagger_ui_html(
        openapi_url="/openapi.json", title="unspin API", swagger_favicon_url="/favicon.svg",
        swagger_js_url="/docs/assets/swagger-ui-bundle.js",
        swagger_css_url="/docs/assets/swagger-ui.css",
        swagger_ui_parameters={"validatorUrl": None}).body.decode("utf-8")
    hashes = _inline_script_hashes(page)
    policy = (f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' "
              "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
              "form-action 'none'; frame-ancestors 'none'")
    return page, policy


def app_from_env() -> FastAPI:
    """Factory for uvicorn workers: settings travel in the environment."""
    from .config import from_env

    return build_app(from_env())
