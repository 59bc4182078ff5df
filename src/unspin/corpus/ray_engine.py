"""``unspin batch --engine ray``: the same run on a Ray cluster, through Ray Data.

Ray Data reads the input (a local path or any URL its filesystems know: ``s3://``, ``gs://``,
...), an actor pool runs ``_Analyzer`` (one model per actor, loaded once) over record batches,
and the driver streams the results, in input order, into the same files the local engine writes
(``unspin.corpus.tables``): row numbers and repeated ids are settled there, so both engines give
the same rows. Ray is optional (``pip install 'unspin[ray]'``) and imported only here.

Differences from the local engine: no resume (a stopped run starts over; Ray retries failed
tasks itself), no per-article hard kill (the timeout interrupts Python code only), and an input
file with bytes that are not valid text fails as a whole instead of row by row.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from pathlib import Path

from ..errors import InputError, UnspinError, require
from ..ingest.folder import ARTICLE_SUFFIXES, article_id, list_articles
from .records import Record, input_format, jsonl_record, make_record

log = logging.getLogger(__name__)

__all__ = ["run_ray"]

_BATCH = 16


def run_ray(source, out, options, *, fmt: str, workers: int | None = None,
            address: str | None = None, progress=None):
    """Analyse ``source`` on Ray and write the tables to ``out``; returns a ``BatchResult``."""
    from .batch import BatchResult

    ray = require("ray", "ray")
    rd = require("ray.data", "ray")

    import datetime as dt

    started = time.monotonic()
    started_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    source = str(source)
    remote = "://" in source
    kind = _kind(source) if remote else input_format(source)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "run.json").unlink(missing_ok=True)  # a finished run is marked only at the end
    from .pool import cpu_count

    if not ray.is_initialized():
        local = (workers or cpu_count()) + 1  # one CPU for reading, one per analysing actor
        try:
            ray.init(address=address, num_cpus=None if address else local,
                     include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING,
                     configure_logging=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise UnspinError(f"cannot connect to Ray at {address or 'a new local cluster'}: "
                              f"{exc}") from None
    # actors hold one CPU each for the whole run; leave one for the read tasks
    size = workers or max(1, int(ray.cluster_resources().get("CPU", 2)) - 1)
    ctx = rd.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    ds = _read(rd, source, kind, remote)
    ds = ds.map_batches(_Analyzer, fn_constructor_args=(options, fmt, kind, source),
                        batch_size=_BATCH, batch_format="pyarrow",
                        compute=rd.ActorPoolStrategy(size=size), num_cpus=1)
    result = BatchResult(out=str(out), workers=size, engine="ray")
    try:
        result.model = _write(ds, out, fmt, result, progress)
    except UnspinError:
        raise
    except Exception as exc:  # Ray wraps reader and task errors in its own types
        raise InputError(f"{source}: the Ray run failed ({_first_line(exc)})") from None
    result.seconds = time.monotonic() - started
    _write_run(out, source if remote else str(Path(source).resolve()), options, fmt, result,
               started_at)
    return result


def _kind(url: str) -> str:
    lower = url.lower().rstrip("/")
    for suffix, kind in ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "jsonl"),
                         (".csv", "csv"), (".parquet", "parquet"), (".pq", "parquet")):
        if lower.endswith(suffix):
            return kind
    return "folder"


def _read(rd, source: str, kind: str, remote: bool):
    if kind == "folder":
        if remote:
            return rd.read_binary_files(source, include_paths=True,
                                        file_extensions=[s[1:] for s in ARTICLE_SUFFIXES])
        files = [str(p) for p in list_articles(source).values()]
        if not files:
            raise InputError(f"{source}: no articles (.txt, .md or .html files) in this folder")
        return rd.read_binary_files(files, include_paths=True)
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


class _Analyzer:
    """A Ray actor: loads the model once, then turns record batches into result rows."""

    def __init__(self, options, fmt: str, kind: str, root: str):
        from .work import init_worker

        self.model = _Model(*init_worker(options, fmt))
        self.options, self.kind, self.root = options, kind, root.rstrip("/")
        self.timeout = None

    def __call__(self, batch):
        import pyarrow as pa

        rows = [self._one(data) for data in batch.to_pylist()]
        return pa.Table.from_pylist(rows, schema=_ray_schema())

    def _record(self, data: dict) -> Record:
        mb, enc = self.options.max_bytes, self.options.encoding
        if self.kind == "jsonl":
            return jsonl_record(0, self.root, data["text"], mb, enc)
        if self.kind in ("csv", "parquet"):
            return make_record(0, self.root, data, mb, enc)
        return self._file_record(data["path"], data["bytes"])

    def _one(self, data: dict) -> dict:
        from .tables import failed_row
        from .work import analyze_record

        rec = self._record(data)
        outcome = {"error": rec.error} if rec.error else _with_timeout(analyze_record, rec,
                                                                      self.timeout)
        if "error" in outcome:
            return {**failed_row(rec, outcome["error"], self.model), "span_rows": [], "json": None}
        return {**outcome["article"], "span_rows": outcome["spans"], "json": outcome["json"]}

    def _file_record(self, path: str, data: bytes) -> Record:
        """A folder file's bytes (read by Ray) -> a Record with its text, as ``ingest.load``
        would read it."""
        from ..ingest.text import decode

        rel = os.path.relpath(path.split("://", 1)[-1], self.root.split("://", 1)[-1])
        rid = article_id(rel)
        limit = self.options.max_bytes
        if len(data) > limit:
            return Record(0, rid, path, path=path, error=f"{path}: {len(data)} bytes is over the "
                          f"{limit}-byte limit; raise it with --max-bytes")
        try:
            text = decode(data, self.options.encoding, path)
        except UnspinError as exc:
            return Record(0, rid, path, path=path, error=str(exc))
        return Record(0, rid, path, path=path, text=text)


def _with_timeout(func, arg, timeout):
    """``func(arg)`` with the per-article timeout, where signals can be used (main thread)."""
    import signal

    from .pool import TaskTimeout, _on_alarm

    if not timeout or threading.current_thread() is not threading.main_thread():
        return func(arg)
    old = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout)
            return func(arg)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    except TaskTimeout:
        return {"error": f"timed out after {timeout:g}s; raise --timeout or split the article"}


class _Model:
    def __init__(self, name, version, fingerprint):
        self.name, self.version, self.fingerprint = name, version, fingerprint


def _ray_schema():
    import pyarrow as pa

    from .tables import article_schema, span_schema

    return article_schema().append(pa.field("span_rows", pa.list_(pa.struct(list(span_schema()))))
                                   ).append(pa.field("json", pa.string()))


def _write(ds, out: Path, fmt: str, result, progress) -> dict | None:
    """Stream the results in input order into the final files (temp + rename)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .tables import article_schema, span_schema

    seen: set[str] = set()
    first_row: dict[str, int] = {}
    model = None
    row = 0
    names = (("articles.parquet", "spans.parquet") if fmt == "parquet"
             else ("analyses.jsonl", "errors.jsonl"))
    tmps = [out / f".{n}.ray.tmp" for n in names]
    if fmt == "parquet":
        aw = pq.ParquetWriter(tmps[0], article_schema(), compression="zstd")
        sw = pq.ParquetWriter(tmps[1], span_schema(), compression="zstd")
    else:
        aw, sw = open(tmps[0], "w", encoding="utf-8"), open(tmps[1], "w", encoding="utf-8")
    try:
        for batch in ds.iter_batches(batch_format="pyarrow", batch_size=1024):
            articles, spans = [], []
            for r in batch.to_pylist():
                span_rows, text = r.pop("span_rows") or [], r.pop("json")
                r["row"] = row
                if r["id"].startswith("<row "):
                    r["id"] = f"<row {row}>"
                elif r["id"] in seen:
                    r.update(status="failed", error=f"duplicate id {r['id']!r}: row {row} repeats "
                             f"row {first_row[r['id']]}; the first is kept")
                    for k in ("chars", "words", "sentences", "spans", "per_1000_words",
                              "sentences_with_technique", "intensity", "counts"):
                        r[k] = None
                    r["top"] = None
                    span_rows, text = [], None
                    result.duplicates += 1
                else:
                    seen.add(r["id"])
                    first_row[r["id"]] = row
                if model is None and r["model_name"]:
                    model = {"name": r["model_name"], "version": r["model_version"],
                             "fingerprint": r["model_fingerprint"]}
                if r["status"] == "ok":
                    result.ok += 1
                else:
                    result.failed += 1
                result.spans += len(span_rows)
                row += 1
                if fmt == "parquet":
                    articles.append(r)
                    spans.extend(span_rows)
                elif text is not None:
                    aw.write(text + "\n")
                else:
                    sw.write(json.dumps({"id": r["id"], "row": r["row"], "source": r["source"],
                                         "error": r["error"]}, ensure_ascii=False) + "\n")
            if fmt == "parquet":
                aw.write_table(pa.Table.from_pylist(articles, schema=article_schema()))
                sw.write_table(pa.Table.from_pylist(spans, schema=span_schema()))
            result.articles = row
            if progress:
                progress(row, result.failed)
    finally:
        aw.close()
        sw.close()
    for tmp, name in zip(tmps, names, strict=True):
        os.replace(tmp, out / name)
    shutil.rmtree(out / "_parts", ignore_errors=True)
    return model


def _write_run(out: Path, source: str, options, fmt: str, result, started: str) -> None:
    """``run.json`` as the local engine writes it, so ``unspin store load`` takes either."""
    import datetime as dt
    import uuid

    from .. import __version__
    from ..files import write_atomic
    from .batch import RUN_SCHEMA, run_options

    run = {"schema": RUN_SCHEMA, "engine": "ray", "input": source, "format": fmt,
           "options": run_options(options),
           "run_id": uuid.uuid4().hex, "started": started,
           "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
           "complete": True, "unspin": __version__, "model": result.model,
           "result": {k: getattr(result, k) for k in ("articles", "ok", "failed", "duplicates",
                                                       "spans", "engine", "out", "model")}}
    write_atomic(out / "run.json", json.dumps(run, indent=2, ensure_ascii=False) + "\n")


def _first_line(exc: BaseException) -> str:
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__

