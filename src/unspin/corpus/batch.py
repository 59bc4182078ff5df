"""Batch runs: every record of an input analysed by a pool of workers, written as tables.

Work is cut into parts of ``chunk_size`` consecutive input rows. Each finished part is written
atomically (temp file + ``os.replace``) under ``OUT/_parts/`` and then recorded, with its ids, as
one line of ``OUT/_parts/manifest.jsonl``. A run killed at any moment (SIGKILL included) and
started again skips the recorded parts and redoes the rest, so every input row ends up in the
output exactly once. When all parts are in, they are merged into the final files (again temp +
rename), ``OUT/run.json`` is marked complete and the parts are removed.

Layout of ``OUT``::

    articles.parquet, spans.parquet     --format parquet (columns: ``unspin.corpus.tables``)
    analyses.jsonl, errors.jsonl        --format jsonl: Analysis JSON per line; failed rows
    run.json                            input, options, model, counts, start/finish times
    _parts/                             work in progress (gone when the run is complete)

A record that fails (no text, bad encoding, too large, timed out, repeated id) is recorded with
its reason and the run goes on; ``BatchResult.failed`` counts them.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import ConfigError, InputError, require
from ..files import atomic_path, write_atomic
from ..options import Options, of
from .records import Record, count_records, fingerprint, input_format, iter_records
from .tables import failed_row

log = logging.getLogger(__name__)

__all__ = ["run_batch", "BatchResult", "FORMATS", "RUN_SCHEMA"]

FORMATS = ("parquet", "jsonl")
RUN_SCHEMA = "unspin.batch/1"
PARTS = "_parts"
_ROW_GROUP = 65_536


@dataclass
class BatchResult:
    """What a batch run did. ``resumed`` counts rows already done by an earlier, stopped run."""

    out: str
    articles: int = 0
    ok: int = 0
    failed: int = 0
    duplicates: int = 0
    spans: int = 0
    resumed: int = 0
    seconds: float = 0.0
    workers: int = 0
    engine: str = "local"
    model: dict | None = None
    peak_rss: list[int] = field(default_factory=list)  # bytes, per worker (local engine)
    already_complete: bool = False

    @property
    def rate(self) -> float:
        done = self.articles - self.resumed
        return done / self.seconds if self.seconds else 0.0


def run_batch(source, out, options: Options | None = None, *, format: str = "parquet",
              engine: str = "local", workers: int | None = None, timeout: float | None = 300.0,
              chunk_size: int = 64, fresh: bool = False, address: str | None = None,
              progress: Callable[[int, int], None] | None = None, **arguments) -> BatchResult:
    """Analyse every article of ``source`` (folder, .jsonl, .csv, .parquet) into tables in ``out``.

    ``options`` (or keyword arguments naming its fields) set the model, filters and input
    limits; ``options.threads`` is onnxruntime threads per worker (0: cores / workers).

    ``progress(done, failed)`` is called as rows finish. Returns counts; raises ``InputError``
    when the input cannot be read at all and ``ConfigError`` for bad options or an ``out`` that
    holds a different run.

    >>> r = run_batch("articles.jsonl", "out/")            # doctest: +SKIP
    >>> r.ok, r.failed, r.spans                             # doctest: +SKIP
    (998, 2, 12345)
    """
    if format not in FORMATS:
        raise ConfigError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    if chunk_size < 1:
        raise ConfigError("--chunk-size must be at least 1")
    if workers is not None and workers < 1:
        raise ConfigError("--workers must be at least 1")
    if timeout is not None and timeout <= 0:
        timeout = None
    opts = of(options, arguments)
    remote = "://" in str(source)  # an fsspec URL, for the Ray engine
    if format == "parquet" or engine == "ray" or (
            not remote and input_format(source) == "parquet"):
        require("pyarrow", "corpus")
    if engine == "ray":
        from .ray_engine import run_ray

        return run_ray(source, out, opts.replace(threads=1), fmt=format, workers=workers,
                       address=address,
                       progress=progress)
    if engine != "local":
        raise ConfigError(f"unknown engine {engine!r}; use local or ray")
    if remote:
        raise ConfigError(f"{source}: the local engine reads local files; "
                          "use --engine ray for URLs")
    return _LocalRun(Path(source), Path(out), opts, format, workers, timeout, chunk_size,
                     fresh, progress).run()


class _LocalRun:
    def __init__(self, source: Path, out: Path, options: Options, fmt: str, workers, timeout,
                 chunk_size, fresh, progress):
        self.source, self.out, self.options = source, out, options
        self.timeout, self.chunk_size, self.progress = timeout, chunk_size, progress
        self.fmt = fmt
        self.kind = input_format(source)
        self.parts = out / PARTS
        self.manifest_path = self.parts / "manifest.jsonl"
        self.fresh = fresh
        from .pool import cpu_count

        cores = cpu_count()
        self.workers = workers or cores
        self.threads = options.threads or max(1, cores // self.workers)

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> BatchResult:
        started = time.monotonic()
        state = self._open_state()
        result = BatchResult(out=str(self.out), workers=self.workers)
        if state.get("complete"):
            result.__dict__.update(state["result"], already_complete=True, seconds=0.0,
                                   peak_rss=[])
            return result
        done = self._read_manifest()
        cheap = self.kind != "csv" and not done  # a CSV is counted only by parsing it all
        total = count_records(self.source) if cheap else None
        workers = self.workers if total is None else max(1, min(self.workers, total))
        result.workers = workers
        records = iter_records(self.source, max_bytes=self.options.max_bytes,
                               encoding=self.options.encoding)
        first = next(records, None)  # an unreadable input fails here, before any model loads
        if first is None:
            raise InputError(f"{self.source}: no articles in this input")
        records = itertools.chain([first], records)
        from .pool import Pool
        from .work import analyze_record, init_worker

        pool = Pool(workers, analyze_record, initializer=init_worker,
                    initargs=(self.options.replace(threads=self.threads), self.fmt),
                    timeout=self.timeout)
        try:
            model = dict(zip(("name", "version", "fingerprint"), pool.info, strict=True))
            if state.get("model") and state["model"] != model:
                raise ConfigError(
                    f"{self.out} holds a run with model {state['model']['name']} "
                    f"{state['model']['version']} ({state['model']['fingerprint'][:12]}), not "
                    f"{model['name']} {model['version']} ({model['fingerprint'][:12]}); "
                    "use --fresh to start over or another --out")
            state["model"] = model
            self._write_json(self.out / "run.json", state)
            n_rows = self._drive(pool, records, done, result)
        finally:
            pool.close()
            result.peak_rss = pool.peak_rss
        self._consolidate(done, n_rows)
        result.seconds = time.monotonic() - started
        result.model = model
        for key in ("articles", "ok", "failed", "duplicates", "spans"):
            setattr(result, key, sum(p[key] for p in done.values()))
        state.update(complete=True, finished=_now(), result={
            k: v for k, v in asdict(result).items()
            if k in ("articles", "ok", "failed", "duplicates", "spans", "model", "engine", "out")})
        self._write_json(self.out / "run.json", state)
        shutil.rmtree(self.parts, ignore_errors=True)
        return result

    def _drive(self, pool, records, done: dict, result: BatchResult) -> int:
        """Feed records to the pool and write each part as it completes; returns rows read."""
        model = _ModelRef(*pool.info)
        open_parts: dict[int, _Part] = {}
        seen: dict[str, int] = {}
        counts = {"rows": 0, "done": 0, "failed": 0}

        def settle(part: _Part, rec: Record, outcome: dict) -> None:
            part.outcomes[rec.row] = (rec, outcome)
            counts["done"] += 1
            counts["failed"] += "error" in outcome
            self._report(counts["done"], counts["failed"])
            if part.complete:
                done[part.number] = self._write_part(part, model)
                del open_parts[part.number]

        def close_before(number: int) -> None:
            for part in [p for p in open_parts.values() if p.number < number]:
                part.closed = True
                if part.complete:
                    done[part.number] = self._write_part(part, model)
                    del open_parts[part.number]

        exhausted = False
        while True:
            while pool.idle and not exhausted:
                rec = next(records, None)
                if rec is None:
                    exhausted = True
                    close_before(float("inf"))
                    break
                counts["rows"] += 1
                number = rec.row // self.chunk_size
                close_before(number)
                first = None if rec.id.startswith("<row ") else seen.setdefault(rec.id, rec.row)
                duplicate_of = first if first is not None and first != rec.row else None
                if number in done:  # finished by an earlier run
                    if rec.row == done[number]["first_row"]:
                        result.resumed += done[number]["articles"]
                        counts["done"] += done[number]["articles"]
                        counts["failed"] += done[number]["failed"]
                        self._report(counts["done"], counts["failed"])
                    continue
                part = open_parts.setdefault(number, _Part(number))
                if rec.error:
                    settle(part, rec, {"error": rec.error})
                elif duplicate_of is not None:
                    part.duplicates += 1
                    error = (f"duplicate id {rec.id!r}: row {rec.row} repeats row {duplicate_of}; "
                             "the first is kept")
                    log.info("%s", error)
                    settle(part, rec, {"error": error})
                else:
                    part.records[rec.row] = rec
                    pool.send((number, rec.row), rec)
            if exhausted and not pool.busy:
                return counts["rows"]
            for r in pool.wait(0.5):
                number, row = r.key
                part = open_parts[number]
                rec = part.records.pop(row)
                settle(part, rec, r.value if r.ok else {"error": r.error})

    def _report(self, done: int, failed: int) -> None:
        if self.progress:
            self.progress(done, failed)

    # -- state files --------------------------------------------------------------------------

    def _open_state(self) -> dict:
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"{self.out}: cannot create the output folder "
                             f"({exc.strerror or exc})") from None
        path = self.out / "run.json"
        wanted = {"schema": RUN_SCHEMA, "engine": "local", "input": str(self.source.resolve()),
                  "fingerprint": fingerprint(self.source), "format": self.fmt,
                  "chunk_size": self.chunk_size,
                  "options": run_options(self.options)}
        if self.fresh:
            self._clear()
        state = None
        if path.is_file():
            try:
                state = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                state = None  # torn or foreign: start over
        if state and state.get("schema") == RUN_SCHEMA:
            changed = [k for k in wanted if state.get(k) != wanted[k]]
            if changed:
                raise ConfigError(
                    f"{self.out} holds another run (its {', '.join(changed)} differ); use --fresh "
                    "to start over or another --out")
            log.info("resuming the run in %s", self.out)
            return state
        self._clear()
        state = {**wanted, "run_id": uuid.uuid4().hex, "started": _now(), "finished": None,
                 "complete": False, "unspin": _version()}
        return state

    def _clear(self) -> None:
        shutil.rmtree(self.parts, ignore_errors=True)
        for name in ("run.json", "articles.parquet", "spans.parquet", "analyses.jsonl",
                     "errors.jsonl"):
            (self.out / name).unlink(missing_ok=True)

    def _read_manifest(self) -> dict[int, dict]:
        """Completed parts from the manifest; a torn last line (killed mid-write) is cut off."""
        self.parts.mkdir(parents=True, exist_ok=True)
        done: dict[int, dict] = {}
        if not self.manifest_path.exists():
            return done
        data = self.manifest_path.read_bytes()
        keep = data[: data.rfind(b"\n") + 1]
        if len(keep) != len(data):
            with open(self.manifest_path, "r+b") as fh:
                fh.truncate(len(keep))
        for line in keep.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if all(self._part_path(kind, entry["part"]).exists() for kind in self._kinds()):
                done[entry["part"]] = entry
        return done

    def _kinds(self) -> tuple[str, str]:
        return ("articles", "spans") if self.fmt == "parquet" else ("analyses", "errors")

    def _part_path(self, kind: str, number: int) -> Path:
        ext = "parquet" if self.fmt == "parquet" else "jsonl"
        return self.parts / f"{kind}-{number:06d}.{ext}"

    def _write_part(self, part: "_Part", model) -> dict:
        rows = [part.outcomes[r] for r in sorted(part.outcomes)]
        articles, spans, lines, errors = [], [], [], []
        for rec, outcome in rows:
            if "error" in outcome:
                articles.append(failed_row(rec, outcome["error"], model))
                errors.append(json.dumps({"id": rec.id, "row": rec.row, "source": rec.source,
                                          "error": outcome["error"]}, ensure_ascii=False))
            else:
                articles.append(outcome["article"])
                spans.extend(outcome["spans"])
                if outcome.get("json"):
                    lines.append(outcome["json"])
        if self.fmt == "parquet":
            import pyarrow as pa

            from .tables import article_schema, span_schema

            _atomic_parquet(pa.Table.from_pylist(spans, schema=span_schema()),
                            self._part_path("spans", part.number))
            _atomic_parquet(pa.Table.from_pylist(articles, schema=article_schema()),
                            self._part_path("articles", part.number))
        else:
            write_atomic(self._part_path("errors", part.number), "".join(e + "\n" for e in errors))
            write_atomic(self._part_path("analyses", part.number), "".join(j + "\n" for j in lines))
        failed = sum(1 for a in articles if a["status"] == "failed")
        entry = {"part": part.number, "first_row": rows[0][0].row, "articles": len(rows),
                 "ok": len(rows) - failed, "failed": failed, "duplicates": part.duplicates,
                 "spans": len(spans), "ids": [rec.id for rec, _o in rows]}
        with open(self.manifest_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return entry

    def _consolidate(self, done: dict[int, dict], n_rows: int) -> None:
        """Merge the parts, in input order, into the final files (temp + rename)."""
        numbers = sorted(done)
        rows = sum(done[n]["articles"] for n in numbers)
        if numbers != list(range(len(numbers))) or rows != n_rows:
            raise InputError(f"{self.source}: the input changed during the run; "
                             "run again with --fresh")
        if self.fmt == "jsonl":
            for kind in ("analyses", "errors"):
                with atomic_path(self.out / f"{kind}.jsonl") as tmp, open(tmp, "wb") as out:
                    for n in numbers:
                        with open(self._part_path(kind, n), "rb") as fh:
                            shutil.copyfileobj(fh, out)
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        from .tables import article_schema, span_schema

        for kind, schema in (("articles", article_schema()), ("spans", span_schema())):
            with atomic_path(self.out / f"{kind}.parquet") as tmp, \
                    pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
                buffer, size = [], 0
                for n in numbers:
                    table = pq.read_table(self._part_path(kind, n), schema=schema)
                    buffer.append(table)
                    size += table.num_rows
                    if size >= _ROW_GROUP:
                        writer.write_table(pa.concat_tables(buffer), row_group_size=_ROW_GROUP)
                        buffer, size = [], 0
                if buffer:
                    writer.write_table(pa.concat_tables(buffer), row_group_size=_ROW_GROUP)

    @staticmethod
    def _write_json(path: Path, data: dict) -> None:
        write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@dataclass
class _Part:
    number: int
    outcomes: dict = field(default_factory=dict)  # row -> (Record, outcome)
    records: dict = field(default_factory=dict)  # row -> Record, while in a worker
    duplicates: int = 0
    closed: bool = False  # every row of this part has been read

    @property
    def complete(self) -> bool:
        return self.closed and not self.records and bool(self.outcomes)


@dataclass(frozen=True)
class _ModelRef:
    name: str
    version: str
    fingerprint: str


def _atomic_parquet(table, path: Path) -> None:
    import pyarrow.parquet as pq

    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def run_options(options: Options) -> dict:
    """The options that decide a run's results, as recorded in ``run.json``."""
    return {"model": options.model, "min_score": options.min_score,
            "techniques": list(options.techniques), "encoding": options.encoding,
            "max_bytes": options.max_bytes}


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _version() -> str:
    from .. import __version__

    return __version__
