"""FastAPI app: /v1/analyze, /v1/report, /v1/techniques, /healthz, and the web page at /.

Analyses run in a thread pool, off the event loop, behind a bounded gate: at most
``concurrency`` run and ``max_queue`` wait; beyond that the answer is 503 with Retry-After, so
memory stays bounded under load. Errors are JSON ``{"error": {"code", "message"}}``; the
translation from unspin's exceptions to HTTP statuses happens in ``error_response`` only.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import asdict
from importlib import resources
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import (ConfigError, FetchError, InputError, ModelError, TooLargeError,
                      UnspinError, URLNotAllowed)
from ..options import Options

log = logging.getLogger(__name__)
access_log = logging.getLogger("unspin.access")


# ---------------------------------------------------------------------------------------------
# request / response models

class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_score: float | None = Field(None, ge=0.0, le=1.0, description="drop spans below this")
    techniques: list[str] | None = Field(None, description="keep only these techniques")
    kind: Literal["text", "markdown"] | None = Field(
        None, description="how to read `text`: plain text or a Markdown capture (default: guess)")


class AnalyzeRequest(BaseModel):
    """Exactly one of ``text``, ``html`` or ``url``."""

    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(None, description="plain text or a Markdown capture of a page")
    html: str | None = Field(None, description="an HTML page")
    url: str | None = Field(None, description="an http(s) URL to fetch")
    options: Options = Field(default_factory=Options)

    @model_validator(mode="after")
    def one_source(self):
        given = [k for k in ("text", "html", "url") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of text, html or url")
        return self


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


ERRORS = {400: {"model": ErrorResponse}, 401: {"model": ErrorResponse},
          413: {"model": ErrorResponse}, 422: {"model": ErrorResponse},
          502: {"model": ErrorResponse}, 503: {"model": ErrorResponse}}


# ---------------------------------------------------------------------------------------------
# errors

class Busy(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def error_response(exc: Exception) -> JSONResponse:
    """The one place where exceptions become HTTP answers."""
    headers = {}
    if isinstance(exc, Busy):
        status, code = 503, exc.code
        headers["Retry-After"] = "2"
    elif isinstance(exc, TooLargeError):
        status, code = 413, "too_large"
    elif isinstance(exc, URLNotAllowed):
        status, code = 400, "url_not_allowed"
    elif isinstance(exc, FetchError):
        status, code = 502, "fetch_failed"
    elif isinstance(exc, (InputError, ConfigError)):
        status, code = 400, "bad_input"
    elif isinstance(exc, ModelError):
        status, code = 503, "model_unavailable"
    elif isinstance(exc, RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        msg = first.get("msg", "invalid request")
        status, code = 422, "invalid_request"
        return JSONResponse({"error": {"code": code, "message": f"{where}: {msg}" if where
                                       else msg}}, status_code=status)
    elif isinstance(exc, StarletteHTTPException):
        status = exc.status_code
        code = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed",
                413: "too_large"}.get(status, "http_error")
        return JSONResponse({"error": {"code": code, "message": str(exc.detail)}},
                            status_code=status, headers=getattr(exc, "headers", None))
    else:
        log.error("unexpected error", exc_info=exc)
        status, code = 500, "internal"
        exc = Exception("internal error; see the server log")
    return JSONResponse({"error": {"code": code, "message": str(exc)}}, status_code=status,
                        headers=headers)


# ---------------------------------------------------------------------------------------------
# bounded execution

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
        if self.pool is None or self.sem is None:
            self.start()
        if self.admitted >= self.limit:
            raise Busy("busy", "the server is busy; retry in a few seconds")
        self.admitted += 1
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            await asyncio.wait_for(self.sem.acquire(), timeout)
        except BaseException as exc:
            self.admitted -= 1
            if isinstance(exc, TimeoutError):
                raise self._timeout(timeout) from None
            raise
        fut = loop.run_in_executor(self.pool, fn)

        def done(_f, sem=self.sem):  # the slot is freed when the thread ends, not on timeout
            sem.release()
            self.admitted -= 1

        fut.add_done_callback(done)
        try:
            return await asyncio.wait_for(asyncio.shield(fut), max(0.0, deadline - loop.time()))
        except TimeoutError:
            raise self._timeout(timeout) from None

    @staticmethod
    def _timeout(timeout: float) -> Busy:
        return Busy("timeout", f"the analysis took longer than {timeout:g} s; "
                               "retry later or send a shorter text")


# ---------------------------------------------------------------------------------------------
# body size limit (also for chunked bodies with no Content-Length)

class BodyLimit:
    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return await self._reject(send)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooBig()
            return message

        try:
            await self.app(scope, limited, send)
        except _TooBig:
            await self._reject(send)

    async def _reject(self, send):
        body = json.dumps({"error": {"code": "too_large", "message":
                                     f"request body over {self.limit} bytes"}}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooBig(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# the app

def build_app(config: Options) -> FastAPI:
    from .. import ingest
    from ..pipeline import analyze_document, load_detector
    from ..report import render

    gate = Gate(config.concurrency, config.max_queue)

    @asynccontextmanager
    async def lifespan(_app):
        gate.start()
        await asyncio.get_running_loop().run_in_executor(gate.pool, load_detector, config)
        yield
        gate.stop()

    app = FastAPI(title="unspin", version=__version__, lifespan=lifespan,
                  description="Find propaganda and persuasion techniques in news articles.")

    for exc_type in (Exception, UnspinError, RequestValidationError, StarletteHTTPException, Busy):
        app.add_exception_handler(exc_type, lambda _r, e: error_response(e))

    if config.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["*"])

    @app.middleware("http")
    async def access_and_auth(request: Request, call_next):
        t0 = time.perf_counter()
        if (config.api_keys and request.url.path.startswith("/v1/")
                and not _authorised(request, config.api_keys)):
            response = JSONResponse({"error": {"code": "unauthorized", "message":
                                               "missing or wrong API key; send "
                                               "'Authorization: Bearer KEY'"}}, status_code=401)
        else:
            response = await call_next(request)
        access_log.info(json.dumps({
            "method": request.method, "path": request.url.path, "status": response.status_code,
            "ms": round(1000 * (time.perf_counter() - t0), 1),
            "client": request.client.host if request.client else None,
            "queued": gate.admitted}))
        return response

    app.add_middleware(BodyLimit, limit=config.max_text_bytes + 64_000)

    def to_document(req: AnalyzeRequest):
        if req.url is not None:
            return ingest.load(req.url, kind="url",
                               options=config.replace(max_bytes=config.max_text_bytes))
        content = req.text if req.text is not None else req.html
        if len(content.encode("utf-8")) > config.max_text_bytes:
            raise TooLargeError(f"text over {config.max_text_bytes} bytes; send a shorter article")
        kind = "html" if req.html is not None else req.options.kind
        return ingest.from_string(content, kind=kind, source="request", doc_id="request")

    def run_analysis(req: AnalyzeRequest):
        doc = to_document(req)
        return analyze_document(doc, config.replace(min_score=req.options.min_score,
                                                    techniques=req.options.techniques))

    @app.post("/v1/analyze", responses=ERRORS, summary="Analyse an article, return JSON")
    async def analyze_route(req: AnalyzeRequest) -> dict:
        """The Analysis JSON (schema ``unspin.analysis/1``) for a text, HTML page or URL."""
        result = await gate.run(lambda: run_analysis(req), config.request_timeout)
        return result.to_dict()

    @app.post("/v1/report", responses=ERRORS, response_class=HTMLResponse,
              summary="Analyse an article, return the standalone HTML report")
    async def report_route(req: AnalyzeRequest) -> HTMLResponse:
        html = await gate.run(lambda: render(run_analysis(req), "html"), config.request_timeout)
        return HTMLResponse(html)

    @app.get("/v1/techniques", summary="The techniques unspin finds")
    async def techniques_route() -> list[dict]:
        from ..techniques import TECHNIQUES

        return [asdict(t) for t in TECHNIQUES]

    @app.get("/healthz", summary="Liveness and model status")
    async def healthz() -> dict:
        info = load_detector(config).info
        return {"status": "ok", "version": __version__, "model": info.name,
                "in_flight": gate.admitted}

    page = resources.files(__package__).joinpath("static/index.html").read_text("utf-8")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> HTMLResponse:
        return HTMLResponse(page)

    return app


def _authorised(request: Request, keys: tuple[str, ...]) -> bool:
    auth = request.headers.get("authorization", "")
    given = auth[7:].strip() if auth.lower().startswith("bearer ") else request.headers.get(
        "x-api-key", "")
    return bool(given) and any(hmac.compare_digest(given, k) for k in keys)


def app_from_env() -> FastAPI:
    """Factory for uvicorn workers: settings travel in the environment."""
    from .config import from_env

    return build_app(from_env())
