"""The output folder of a batch run: its lock, ``run.json``, the parts and their manifest, and
the merge into the final files. Both engines (local processes and Ray) write through here, so a
run stopped at any moment resumes the same way whichever ran it.

Every file is written atomically (temp + ``os.replace``); a part is recorded in
``_parts/manifest.jsonl`` only once its files are complete, so a run killed mid-write (SIGKILL, a
full disk) leaves the recorded parts intact and the next run redoes only the rest. One run at a
time: ``OUT/.lock`` is held (``flock``) for the whole run and names its holder; the kernel frees
it when the holder dies, so a lock left by a killed run is simply taken over.
"""

from __future__ import annotations

import datetime as _dt
import errno
import json
import logging
import os
import shutil
import socket
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError, InputError
from ..files import atomic_path, write_atomic
from ..options import Options
from .tables import failed_row, scrub

log = logging.getLogger(__name__)

__all__ = ["OutDir", "BatchResult", "RUN_SCHEMA", "run_options", "Part", "now"]

#: The layout of a batch output. /2: rows numbered from 1, ``counts`` a struct column. /3:
#: ``quotes.parquet`` and ``targets.parquet``, and the enrich option recorded.
RUN_SCHEMA = "unspin.batch/3"
PARTS = "_parts"
FINAL = ("run.json", "articles.parquet", "spans.parquet", "quotes.parquet", "targets.parquet",
         "analyses.jsonl", "errors.jsonl")
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
    quotes: int = 0
    targets: int = 0
    resumed: int = 0
    seconds: float = 0.0
    workers: int = 0
    engine: str = "local"
    model: dict | None = None
    peak_rss: list[int] = field(default_factory=list)  # bytes, per worker (local engine)
    already_complete: bool = False
    bad_dates: int = 0  # rows whose ``published`` is not a date (kept, with no month)
    bad_date: tuple[int, str] | None = None  # the first of them: (row, value as given)

    @property
    def rate(self) -> float:
        done = self.articles - self.resumed
        return done / self.seconds if self.seconds else 0.0


@dataclass
class Part:
    """``chunk_size`` consecutive input rows and what became of each, in input order."""

    number: int
    outcomes: list = field(default_factory=list)  # (Record, outcome dict)
    duplicates: int = 0


def run_options(options: Options) -> dict:
    """The options that decide a run's results, as recorded in ``run.json``."""
    return {"model": options.model, "min_score": options.min_score,
            "techniques": list(options.techniques), "enrich": options.enrich,
            "encoding": options.encoding, "max_bytes": options.max_bytes}


class OutDir:
    """``OUT`` of one run: ``with OutDir(...) as out:`` holds its lock."""

    def __init__(self, path: Path, fmt: str):
        self.path, self.fmt = Path(path), fmt
        self.parts = self.path / PARTS
        self.manifest_path = self.parts / "manifest.jsonl"
        self._lock_fd: int | None = None
        # what this run created, removed again when it ends in an error before recording a part
        self._made: list[Path] = []  # folders, the innermost first
        self._made_parts = self._made_state = False

    # -- the lock -----------------------------------------------------------------------------

    def __enter__(self) -> OutDir:
        if self.path.exists() and not self.path.is_dir():
            raise InputError(f"{self.path} exists and is not a folder; give --out a new folder "
                             "name (or the folder of an earlier run)")
        folder = self.path.absolute()
        while not folder.exists() and folder != folder.parent:
            self._made.append(folder)
            folder = folder.parent
        self._made_state = not (self.path / "run.json").exists()
        try:
            with self._writing("create the output folder"):
                self.path.mkdir(parents=True, exist_ok=True)
            self._lock()
        except BaseException:
            self._discard()
            raise
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self._unlock()
        if exc_type is not None:
            self._discard()

    def _discard(self) -> None:
        """Remove what this run created (its ``_parts``, ``run.json``, the folders it made),
        when it recorded no part: a run refused or failed before any result leaves nothing
        behind. Files that were there before it are never touched."""
        try:
            if self.manifest_path.stat().st_size:
                return  # finished parts: kept for the next run to resume
        except OSError:
            pass  # no manifest: no part recorded
        made = [self.path / "run.json"] if self._made_state else []
        if self._made:
            made.append(self.path / ".lock")  # left where locks do not work
        if self._made_parts:
            shutil.rmtree(self.parts, ignore_errors=True)
        for path in made:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
        for folder in self._made:
            try:
                folder.rmdir()  # only if empty: nothing that someone else put there is lost
            except OSError:
                break

    def _lock(self) -> None:
        import fcntl

        path = self.path / ".lock"
        while True:
            with self._writing("lock the output folder"):
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(fd)
                os.close(fd)
                raise InputError(f"{self.path} is in use by another unspin batch run ({holder}); "
                                 "wait for it to end, or use another --out") from None
            except OSError as exc:  # a file system without locks: go on unguarded
                log.warning("%s: cannot lock (%s); do not start a second run on it", path,
                            exc.strerror or exc)
                os.close(fd)
                return
            try:  # the holder before us may have removed the file between open and lock
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        info = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": now()})
        os.ftruncate(fd, 0)
        os.pwrite(fd, info.encode() + b"\n", 0)
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            (self.path / ".lock").unlink(missing_ok=True)  # removed while still held
            os.close(self._lock_fd)
            self._lock_fd = None

    # -- run.json -----------------------------------------------------------------------------

    def open_state(self, wanted: dict, fresh: bool) -> dict:
        """The state of the run in this folder: resumed when ``wanted`` (input, format, options)
        matches what it holds, else new (a foreign or torn ``run.json`` is started over)."""
        if fresh:
            self.clear()
        path = self.path / "run.json"
        state = None
        if path.is_file():
            try:
                state = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                state = None
        if state and state.get("schema") == RUN_SCHEMA:
            changed = [k for k in wanted if state.get(k) != wanted[k]]
            if changed:
                raise ConfigError(
                    f"{self.path} holds another run (its {', '.join(changed)} differ); use "
                    "--fresh to start over or another --out")
            log.info("resuming the run in %s", self.path)
            return state
        self.clear()
        from .. import __version__

        return {**wanted, "run_id": uuid.uuid4().hex, "started": now(), "finished": None,
                "complete": False, "unspin": __version__}

    def write_state(self, state: dict) -> None:
        with self._writing("write run.json"):
            write_atomic(self.path / "run.json",
                         json.dumps(state, indent=2, ensure_ascii=False) + "\n")

    def clear(self) -> None:
        shutil.rmtree(self.parts, ignore_errors=True)
        for name in FINAL:
            (self.path / name).unlink(missing_ok=True)

    # -- parts --------------------------------------------------------------------------------

    def read_manifest(self) -> dict[int, dict]:
        """Completed parts from the manifest; a torn last line (killed mid-write) is cut off."""
        self._made_parts = self._made_parts or not self.parts.exists()
        with self._writing("create the parts folder"):
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
            if all(self.part_path(kind, entry["part"]).exists() for kind in self._kinds()):
                done[entry["part"]] = entry
        return done

    def _kinds(self) -> tuple[str, ...]:
        from .tables import KINDS

        return KINDS if self.fmt == "parquet" else ("analyses", "errors")

    def part_path(self, kind: str, number: int) -> Path:
        ext = "parquet" if self.fmt == "parquet" else "jsonl"
        return self.parts / f"{kind}-{number:06d}.{ext}"

    def write_part(self, part: Part, model) -> dict:
        """Write a finished part's files, then record it in the manifest; returns the entry."""
        articles, lines, errors = [], [], []
        rows: dict[str, list] = {"spans": [], "quotes": [], "targets": []}
        for rec, outcome in part.outcomes:
            if "error" in outcome:
                articles.append(scrub(failed_row(rec, outcome["error"], model)))
                errors.append(json.dumps(scrub({"id": rec.id, "row": rec.row, "source": rec.source,
                                                "error": outcome["error"]}), ensure_ascii=False))
            else:
                articles.append(outcome["article"])
                for kind, found in rows.items():
                    found.extend(outcome.get(kind, ()))
                if outcome.get("json"):
                    lines.append(outcome["json"])
        with self._writing(f"write part {part.number}"):
            if self.fmt == "parquet":
                import pyarrow as pa

                from .tables import schema_of

                for kind, found in {**rows, "articles": articles}.items():  # articles last
                    _atomic_parquet(pa.Table.from_pylist(found, schema=schema_of(kind)),
                                    self.part_path(kind, part.number))
            else:
                write_atomic(self.part_path("errors", part.number),
                             "".join(e + "\n" for e in errors))
                write_atomic(self.part_path("analyses", part.number),
                             "".join(j + "\n" for j in lines))
        failed = sum(1 for a in articles if a["status"] == "failed")
        entry = {"part": part.number, "first_row": part.outcomes[0][0].row,
                 "articles": len(articles), "ok": len(articles) - failed, "failed": failed,
                 "duplicates": part.duplicates, "spans": len(rows["spans"]),
                 "quotes": len(rows["quotes"]), "targets": len(rows["targets"]),
                 "ids": [a["id"] for a in articles]}
        with self._writing(f"record part {part.number}"), \
                open(self.manifest_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return entry

    def merge(self, done: dict[int, dict], n_rows: int, source) -> None:
        """Merge the parts, in input order, into the final files (temp + rename)."""
        numbers = sorted(done)
        rows = sum(done[n]["articles"] for n in numbers)
        if numbers != list(range(len(numbers))) or rows != n_rows:
            raise InputError(f"{source}: the input changed during the run; "
                             "run again with --fresh")
        with self._writing("merge the parts"):
            if self.fmt == "jsonl":
                for kind in ("analyses", "errors"):
                    with atomic_path(self.path / f"{kind}.jsonl") as tmp, open(tmp, "wb") as out:
                        for n in numbers:
                            with open(self.part_path(kind, n), "rb") as fh:
                                shutil.copyfileobj(fh, out)
                return
            import pyarrow as pa
            import pyarrow.parquet as pq

            from .tables import KINDS, schema_of

            for kind in KINDS:
                schema = schema_of(kind)
                with atomic_path(self.path / f"{kind}.parquet") as tmp, \
                        pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
                    buffer, size = [], 0
                    for n in numbers:
                        table = pq.read_table(self.part_path(kind, n), schema=schema)
                        buffer.append(table)
                        size += table.num_rows
                        if size >= _ROW_GROUP:
                            writer.write_table(pa.concat_tables(buffer), row_group_size=_ROW_GROUP)
                            buffer, size = [], 0
                    if buffer:
                        writer.write_table(pa.concat_tables(buffer), row_group_size=_ROW_GROUP)

    def finish(self) -> None:
        shutil.rmtree(self.parts, ignore_errors=True)

    @contextmanager
    def _writing(self, what: str):
        """An ``OSError`` (a full disk above all) as one line that says the finished parts are
        kept and the same command resumes."""
        try:
            yield
        except (OSError, InputError) as exc:
            reason = (f"{exc.filename}: {exc.strerror}" if isinstance(exc, OSError) and
                      exc.filename and exc.strerror else str(exc))
            kept = ""
            if self.manifest_path.exists():
                n = sum(1 for _ in open(self.manifest_path, "rb"))
                kept = f"; the {n} parts already written are kept"
            raise InputError(f"cannot {what} ({reason}){kept}: {_advice(exc)}") from None


def _advice(exc: BaseException) -> str:
    """What to do about a failed write: free space when the disk is full, else fix the folder
    (an ``InputError`` from ``atomic_path`` keeps the ``OSError`` as its context)."""
    cause = exc if isinstance(exc, OSError) else exc.__context__
    again = "then run the same command again"
    if not isinstance(cause, OSError) or cause.errno is None:
        return f"free some space or fix the folder, {again}"
    if cause.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"free some space, {again}"
    return f"fix the folder, {again} (or give another --out)"


def _holder(fd: int) -> str:
    """Who holds a lock, from what it wrote in the lock file."""
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"pid {info['pid']} on {info['host']}, started {info['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that has not said who it is yet"


def _atomic_parquet(table, path: Path) -> None:
    import pyarrow.parquet as pq

    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def now() -> str:
    """The time now, UTC, ISO 8601 to the second."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
