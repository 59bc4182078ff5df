"""Batch runs: every record of an input analysed by a pool of workers, written as tables.

Work is cut into parts of ``chunk_size`` consecutive input rows. Results come back from the
workers in input order (``stream.in_order``); each finished part is written atomically under
``OUT/_parts/`` and then recorded, with its ids, as one line of ``OUT/_parts/manifest.jsonl``
(``outdir``). A run killed at any moment (SIGKILL included) and started again skips the
recorded parts and redoes the rest, so every input row ends up in the output exactly once. When
all parts are in, they are merged into the final files (again temp + rename), ``OUT/run.json``
is marked complete and the parts are removed. The engine only decides where the workers run:
local processes (``pool.Pool``) or Ray actors (``ray_engine.RayPool``); the rest is this module's.

Layout of ``OUT``::

    articles.parquet, spans.parquet     --format parquet (columns: ``unspin.corpus.tables``)
    quotes.parquet, targets.parquet     what the enrich stage found (no rows with --no-enrich)
    analyses.jsonl, errors.jsonl        --format jsonl: Analysis JSON per line; failed rows
    run.json                            input, options, model, counts, start/finish times
    _parts/                             work in progress (gone when the run is complete)
    .lock                               while a run is going on (``outdir``)

A record that fails (no text, bad encoding, too large, timed out, repeated id) is recorded with
its reason and the run goes on; ``BatchResult.failed`` counts them. Rows are numbered from 1. A
``published`` value that is not a date is kept as given, with no month, and the article
analysed;
``BatchResult.bad_dates`` counts them. An input that is empty or cannot be read is refused
before ``OUT`` is touched; a run that ends in an error before recording its first part removes
what it created (never what was there).
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from ..analysis import ModelRef
from ..errors import ConfigError, InputError, require
from ..options import Options, of
from .outdir import RUN_SCHEMA, BatchResult, OutDir, Part, now, run_options
from .pool import Result
from .records import count_records, fingerprint, input_format, iter_records
from .stream import ARTICLE_TIMEOUT, in_order

log = logging.getLogger(__name__)

__all__ = ["run_batch", "BatchResult", "FORMATS", "RUN_SCHEMA"]

FORMATS = ("parquet", "jsonl")
ENGINES = ("local", "ray")


def run_batch(source, out, options: Options | None = None, *, format: str = "parquet",
              engine: str = "local", workers: int | None = None,
              timeout: float | None = ARTICLE_TIMEOUT, chunk_size: int = 64, fresh: bool = False,
              address: str | None = None, progress: Callable[[int, int], None] | None = None,
              **arguments) -> BatchResult:
    """Analyse every article of ``source`` (folder, .jsonl, .csv, .parquet; with the Ray engine
    also a URL) into tables in ``out``.

    ``options`` (or keyword arguments naming its fields) set the model, filters and input
    limits; ``options.threads`` is onnxruntime threads per worker (0: cores / workers).

    ``progress(done, failed)`` is called as rows finish. Returns counts; raises ``InputError``
    when the input cannot be read at all or ``out`` is in use by another run, and
    ``ConfigError`` for bad options or an ``out`` that holds a different run.

    >>> r = run_batch("articles.jsonl", "out/")            # doctest: +SKIP
    >>> r.ok, r.failed, r.spans                             # doctest: +SKIP
    (998, 2, 12345)
    """
    if format not in FORMATS:
        raise ConfigError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; use local or ray")
    if chunk_size < 1:
        raise ConfigError("--chunk-size must be at least 1")
    if workers is not None and workers < 1:
        raise ConfigError("--workers must be at least 1")
    if timeout is not None and timeout <= 0:
        timeout = None
    opts = of(options, arguments)
    remote = "://" in str(source)  # a URL the Ray engine reads
    if remote and engine != "ray":
        raise ConfigError(f"{source}: the local engine reads local files; "
                          "use --engine ray for URLs")
    kind = None if remote else input_format(source)
    if format == "parquet" or engine == "ray" or kind == "parquet":
        require("pyarrow", "corpus")
    if engine == "ray":
        require("ray", "ray")
    run = _Run(str(source) if remote else Path(source), kind, Path(out), opts, format, engine,
               workers, timeout, chunk_size, address, progress)
    # a local input that is empty or unreadable is refused before ``out`` is touched (a URL is
    # read through Ray, started only when there is work: a refusal then removes what it made)
    records = None if remote else run.records()
    with OutDir(Path(out), format) as outdir:
        return run.run(outdir, fresh, records)


@dataclass
class _Run:
    source: str | Path
    kind: str | None  # None: a URL, known to the Ray engine only
    out: Path
    options: Options
    fmt: str
    engine: str
    workers: int | None
    timeout: float | None
    chunk_size: int
    address: str | None
    progress: Callable[[int, int], None] | None

    def run(self, outdir: OutDir, fresh: bool, records=None) -> BatchResult:
        started = time.monotonic()
        remote = self.kind is None
        wanted = {"schema": RUN_SCHEMA,
                  "input": str(self.source) if remote else str(Path(self.source).resolve()),
                  "fingerprint": _remote_fingerprint(self.source) if remote
                  else fingerprint(self.source),
                  "format": self.fmt, "chunk_size": self.chunk_size,
                  "options": run_options(self.options)}
        state = outdir.open_state(wanted, fresh)
        state["engine"] = self.engine
        result = BatchResult(out=str(self.out), engine=self.engine)
        if state.get("complete"):
            result.__dict__.update(state["result"], already_complete=True, seconds=0.0,
                                   peak_rss=[], engine=self.engine)
            return result
        records = records or self.records()
        done = outdir.read_manifest()
        pool = self._pool(done)
        result.workers = len(pool.workers)
        try:
            model = dict(zip(("name", "version", "fingerprint"), pool.info, strict=True))
            if state.get("model") and state["model"] != model:
                raise ConfigError(
                    f"{self.out} holds a run with model {state['model']['name']} "
                    f"{state['model']['version']} ({state['model']['fingerprint'][:12]}), not "
                    f"{model['name']} {model['version']} ({model['fingerprint'][:12]}); "
                    "use --fresh to start over or another --out")
            state["model"] = model
            outdir.write_state(state)
            n_rows = self._drive(pool, records, done, result, outdir)
        finally:
            pool.close()
            result.peak_rss = pool.peak_rss
        outdir.merge(done, n_rows, self.source)
        result.seconds = time.monotonic() - started
        result.model = model
        counted = ("articles", "ok", "failed", "duplicates", "spans", "quotes", "targets")
        for key in counted:
            setattr(result, key, sum(p.get(key, 0) for p in done.values()))
        state.update(complete=True, finished=now(), result={
            k: v for k, v in asdict(result).items()
            if k in (*counted, "model", "engine", "out")})
        outdir.write_state(state)
        outdir.finish()
        return result

    def records(self):
        """The input's records; an unreadable or empty input fails here, before any model
        loads."""
        records = self._records()
        first = next(records, None)
        if first is None:
            raise InputError(f"{self.source}: no articles in this input")
        return itertools.chain([first], records)

    def _records(self):
        mb, enc = self.options.max_bytes, self.options.encoding
        if self.kind is None:
            from .ray_engine import connect, remote_records

            connect(self.address, self.workers, reads=True)
            return remote_records(str(self.source), max_bytes=mb, encoding=enc)
        return iter_records(self.source, max_bytes=mb, encoding=enc)

    def _pool(self, done: dict):
        from .pool import cpu_count

        if self.engine == "ray":
            from .ray_engine import RayPool

            return RayPool(self.workers, self.options.replace(threads=1), self.fmt,
                           timeout=self.timeout, address=self.address,
                           reads=self.kind is None)
        from .pool import Pool
        from .work import analyze_record, init_worker

        cores = cpu_count()
        workers = self.workers or cores
        if self.kind != "csv" and not done:  # a CSV is counted only by parsing it all
            total = count_records(self.source)
            if total is not None:
                workers = max(1, min(workers, total))
        threads = self.options.threads or max(1, cores // workers)
        return Pool(workers, analyze_record, initializer=init_worker,
                    initargs=(self.options.replace(threads=threads), self.fmt),
                    timeout=self.timeout)

    def _drive(self, pool, records, done: dict, result: BatchResult, outdir: OutDir) -> int:
        """Feed records to the pool and write each part as its last row comes back; returns
        the rows read."""
        model = ModelRef(*pool.info)  # what its rows record of the model
        seen: dict[str, int] = {}
        counts = {"rows": 0, "done": 0, "failed": 0}

        def items():
            for rec in records:
                counts["rows"] += 1
                if rec.bad_date is not None:
                    result.bad_dates += 1
                    result.bad_date = result.bad_date or (rec.row, rec.bad_date)
                number = (rec.row - 1) // self.chunk_size
                first = None if rec.id.startswith("<row ") else seen.setdefault(rec.id, rec.row)
                if number in done:  # finished by an earlier run
                    if rec.row == done[number]["first_row"]:
                        result.resumed += done[number]["articles"]
                        counts["done"] += done[number]["articles"]
                        counts["failed"] += done[number]["failed"]
                        self._report(counts["done"], counts["failed"])
                    continue
                if rec.error:
                    yield rec, Result(None, False, error=rec.error)
                elif first is not None and first != rec.row:
                    error = (f"duplicate id {rec.id!r}: row {rec.row} repeats row {first}; "
                             "the first is kept")
                    log.info("%s", error)
                    yield rec, Result("duplicate", False, error=error)
                else:
                    yield rec, rec

        part: Part | None = None
        window = 8 * len(pool.workers) + self.chunk_size
        for rec, r in in_order(pool, items(), window=window):
            number = (rec.row - 1) // self.chunk_size
            if part is not None and part.number != number:  # the input ended a part early
                done[part.number] = outdir.write_part(part, model)
                part = None
            part = part or Part(number)
            part.outcomes.append((rec, r.value if r.ok else {"error": r.error}))
            part.duplicates += r.key == "duplicate"
            counts["done"] += 1
            counts["failed"] += not r.ok or "error" in r.value
            self._report(counts["done"], counts["failed"])
            if rec.row % self.chunk_size == 0:  # the part's last row
                done[number] = outdir.write_part(part, model)
                part = None
        if part is not None:
            done[part.number] = outdir.write_part(part, model)
        return counts["rows"]

    def _report(self, done: int, failed: int) -> None:
        if self.progress:
            self.progress(done, failed)


def _remote_fingerprint(url: str) -> str | None:
    """Size and modification time of a URL's files, when its file system tells them."""
    import hashlib

    try:
        from pyarrow import fs

        filesystem, path = fs.FileSystem.from_uri(url)
        info = filesystem.get_file_info(path)
        infos = ([info] if info.type == fs.FileType.File else
                 filesystem.get_file_info(fs.FileSelector(path, recursive=True)))
    except Exception:  # a scheme pyarrow does not know: no way to tell a change
        return None
    h = hashlib.sha1(url.encode())
    for i in sorted(infos, key=lambda i: i.path):
        h.update(f"{i.path}\0{i.size}\0{i.mtime_ns}\n".encode())
    return h.hexdigest()

