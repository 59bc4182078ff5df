"""``unspin batch --engine ray``: the batch run with its workers on a Ray cluster.

Only where the work runs changes: ``RayPool`` offers ``pool.Pool``'s interface over Ray actors
(one model per actor, loaded once; the per-article timeout inside the actor, and an actor stuck
past it killed and replaced), and ``batch`` drives it exactly as it drives local processes. So the
parts, the manifest, the resume of a stopped run and the exactly-once guarantee are the local
engine's, and both engines write the same rows.

The driver reads the input and numbers its rows: a local path through ``records``, a URL
(``s3://``, ``gs://``, ``file://``, ...) through Ray Data's readers, streamed. Records travel to
the actors with their text (a folder's files are read by the driver), so the actors need no
access to the input. Ray is optional (``pip install 'unspin[ray]'``) and imported only here.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator

from ..errors import InputError, ModelError, UnspinError, require
from ..ingest.folder import ARTICLE_SUFFIXES, article_id
from .pool import Result, as_result, cpu_count, run_task
from .records import Record, jsonl_record, make_record

log = logging.getLogger(__name__)

__all__ = ["RayPool", "connect", "remote_records"]


def connect(address: str | None, workers: int | None, reads: bool):
    """Ray, connected to the cluster at ``address`` or to a new local one with a CPU per worker
    (and one more for Ray Data's readers when it ``reads`` the input); returns the module."""
    ray = require("ray", "ray")
    if not ray.is_initialized():
        local = (workers or cpu_count()) + reads
        try:
            ray.init(address=address, num_cpus=None if address else local,
                     include_dashboard=False, log_to_driver=False,
                     logging_level=logging.WARNING, configure_logging=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise UnspinError(f"cannot connect to Ray at {address or 'a new local cluster'}: "
                              f"{_first_line(exc)}") from None
    return ray


class _Analyzer:
    """A Ray actor: loads the model once, then analyses one record per call."""

    def __init__(self, options, fmt: str, timeout: float | None):
        from .work import init_worker

        self.info = init_worker(options, fmt)
        self.options, self.timeout = options, timeout

    def model(self):
        return self.info

    def analyze(self, record: Record) -> tuple:
        from .work import analyze_record

        return run_task(analyze_record, record, self.timeout)

    def peak_rss(self) -> int:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class RayPool:
    """``pool.Pool``'s interface (``idle``, ``send``, ``wait``, ``close``, ``info``) over Ray
    actors. ``n`` actors (default: the cluster's CPUs, less one when Ray Data reads the input,
    ``reads``); ``address`` an existing cluster, else a local one is started."""

    def __init__(self, n: int | None, options, fmt: str, *, timeout: float | None,
                 grace: float | None = None, address: str | None = None, reads: bool = False):
        ray = self.ray = connect(address, n, reads)
        size = n or max(1, int(ray.cluster_resources().get("CPU", 2)) - reads)
        self.options, self.timeout = options, timeout
        self.grace = grace if grace is not None else max(10.0, (timeout or 0) * 0.5)
        self._actor = ray.remote(num_cpus=1, max_restarts=0)(_Analyzer)
        self.args = (options, fmt, timeout)
        self.workers = [self._start() for _ in range(size)]
        self.info = self._ready(self.workers)
        self.tasks: dict = {}  # ObjectRef -> (worker index, key, started)
        self.peak_rss: list[int] = []
        self.restarts = 0

    @property
    def idle(self) -> int:
        return len(self.workers) - len(self.tasks)

    @property
    def busy(self) -> int:
        return len(self.tasks)

    def send(self, key, record: Record) -> None:
        used = {i for i, _k, _t in self.tasks.values()}
        i = next(i for i in range(len(self.workers)) if i not in used)
        record = _read_file(record, self.options)
        if record.error:  # unreadable here: no actor needed
            ref = self.ray.put(("failed", record.error))
        else:
            ref = self.workers[i].analyze.remote(record)
        self.tasks[ref] = (i, key, time.monotonic())

    def wait(self, timeout: float = 1.0) -> list[Result]:
        ray = self.ray
        results = []
        refs = list(self.tasks)
        if refs:
            ready, rest = ray.wait(refs, num_returns=1, timeout=timeout)
            if rest and ready:
                more, _ = ray.wait(rest, num_returns=len(rest), timeout=0)
                ready += more
            for ref in ready:
                i, key, _t = self.tasks.pop(ref)
                try:
                    results.append(as_result(key, ray.get(ref), self._timeout_msg()))
                except ray.exceptions.RayActorError:
                    self._replace(i)
                    results.append(Result(key, False, error="worker process died while "
                                          "analysing this article"))
                except ray.exceptions.RayError as exc:
                    results.append(Result(key, False, error=f"internal error: {_first_line(exc)}"))
        elif timeout:
            time.sleep(min(timeout, 0.05))
        if self.timeout:
            now = time.monotonic()
            for ref, (i, key, started) in list(self.tasks.items()):
                if now - started > self.timeout + self.grace:
                    log.warning("Ray worker %d stuck for %.0fs: replacing it", i, now - started)
                    del self.tasks[ref]
                    self._replace(i)
                    results.append(Result(key, False,
                                          error=self._timeout_msg() + " (worker restarted)"))
        return results

    def close(self) -> None:
        try:
            self.peak_rss = self.ray.get([w.peak_rss.remote() for w in self.workers], timeout=10)
        except Exception:  # a report only
            self.peak_rss = []
        for w in self.workers:
            self.ray.kill(w)
        self.workers, self.tasks = [], {}

    def _timeout_msg(self) -> str:
        return f"timed out after {self.timeout:g}s; raise --article-timeout or split the article"

    def _start(self):
        return self._actor.remote(*self.args)

    def _ready(self, workers) -> tuple:
        try:
            infos = self.ray.get([w.model.remote() for w in workers])
        except Exception as exc:  # the actor's own error is inside Ray's
            for w in workers:
                self.ray.kill(w)
            cause = getattr(exc, "cause", None) or exc
            if isinstance(cause, UnspinError):
                raise cause from None
            raise ModelError(f"a Ray worker could not load the model: {_first_line(exc)}"
                             ) from None
        return infos[0]

    def _replace(self, i: int) -> None:
        self.ray.kill(self.workers[i])
        self.workers[i] = self._start()
        self._ready([self.workers[i]])
        self.restarts += 1


def _read_file(record: Record, options) -> Record:
    """A folder record with its text, read and decoded here as ``ingest.load`` would."""
    if record.path is None or record.text is not None or record.error:
        return record
    try:
        with open(record.path, "rb") as fh:
            data = fh.read(options.max_bytes + 1)
    except OSError as exc:
        return _failed(record, f"{record.path}: cannot read ({exc.strerror or exc})")
    return _file_record(record.row, record.id, record.path, data, options)


def _failed(record: Record, error: str) -> Record:
    return Record(record.row, record.id, record.source, path=record.path, error=error)


def _file_record(row: int, rid: str, path: str, data: bytes, options) -> Record:
    from ..ingest.text import decode

    limit = options.max_bytes
    if len(data) > limit:
        return Record(row, rid, path, path=path, error=f"{path}: {len(data)} bytes is over the "
                      f"{limit}-byte limit; raise it with --max-bytes")
    try:
        text = decode(data, options.encoding, path)
    except UnspinError as exc:
        return Record(row, rid, path, path=path, error=str(exc))
    return Record(row, rid, path, text=text, path=path)


# ---------------------------------------------------------------------------------------------
# URLs, read by Ray Data

def remote_records(url: str, *, max_bytes: int, encoding: str = "utf-8") -> Iterator[Record]:
    """Every record of the input at ``url``, in input order, numbered from 1 (as
    ``records.iter_records`` numbers a local file). Call ``connect`` first."""
    rd = require("ray.data", "ray")
    ctx = rd.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    kind = _kind(url)
    root = url.rstrip("/")
    try:
        ds = _read(rd, url, kind)
        for row, data in enumerate(ds.iter_rows(), 1):
            if kind == "jsonl":
                yield jsonl_record(row, f"{root}:row {row}", data["text"], max_bytes, encoding)
            elif kind in ("csv", "parquet"):
                yield make_record(row, f"{root}:row {row}", data, max_bytes, encoding)
            else:
                path = data["path"]
                rel = os.path.relpath(path.split("://", 1)[-1], root.split("://", 1)[-1])
                from ..options import Options

                yield _file_record(row, article_id(rel), path, data["bytes"],
                                   Options(max_bytes=max_bytes, encoding=encoding))
    except UnspinError:
        raise
    except Exception as exc:  # Ray wraps reader errors in its own types
        raise InputError(f"{url}: cannot read ({_first_line(exc)})") from None


def _kind(url: str) -> str:
    lower = url.lower().rstrip("/")
    for suffix, kind in ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "jsonl"),
                         (".csv", "csv"), (".parquet", "parquet"), (".pq", "parquet")):
        if lower.endswith(suffix):
            return kind
    return "folder"


def _read(rd, source: str, kind: str):
    if kind == "folder":
        return rd.read_binary_files(source, include_paths=True,
                                    file_extensions=[s[1:] for s in ARTICLE_SUFFIXES])
    if kind == "jsonl":
        return rd.read_text(source)
    if kind == "csv":
        import pyarrow as pa
        from pyarrow import csv

        cols = ("id", "text", "url", "outlet", "authors", "published", "title")
        return rd.read_csv(source, parse_options=csv.ParseOptions(newlines_in_values=True),
                           convert_options=csv.ConvertOptions(
                               column_types={c: pa.string() for c in cols}))
    return rd.read_parquet(source)


def _first_line(exc: BaseException) -> str:
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__
