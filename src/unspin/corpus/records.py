"""Batch input, streamed: a folder of articles or a JSONL / CSV / Parquet file -> ``Record``s.

A record file holds ``id`` and ``text`` and, optionally, ``url``, ``outlet``, ``authors`` (a list,
or one string with names separated by ``;``), ``published`` (ISO date) and ``title``. A folder is
walked recursively for ``.txt``, ``.md``, ``.markdown``, ``.html`` and ``.htm`` files; a file's id
is its path below the folder without the suffix (``article<ID>.txt`` gives ``<ID>``, as in
``unspin analyze``), and it is read by the worker that analyses it.

Rows are read one at a time (JSONL line by line, CSV with the csv module, Parquet by record
batch), so memory stays bounded whatever the input size. A row that cannot become an article
(no id, no text, bad encoding, too large, not JSON) is still yielded, with ``error`` set, so it
is recorded as failed instead of stopping the run. An input that cannot be read at all raises
``InputError``. Rows are numbered from 1, as editors number lines, in every message and table.

A JSONL or CSV file that starts with a byte-order mark is read in the encoding it names (UTF-8,
UTF-16 or UTF-32, either byte order), as ``unspin analyze`` reads files; ``--encoding utf-16``
(or -32) reads one without a mark, and refuses in one line a file that cannot be in it.

A NUL character in an id or metadata value becomes U+FFFD; one in the text fails the row
("a NUL character"), as ``unspin analyze`` and the HTTP API refuse it.

A lone surrogate (``"\\ud83d"`` in JSON: half an emoji cut off by a scraper) cannot be written
to Parquet or UTF-8; it is replaced by U+FFFD in that row's values and the row goes on. Bytes that
are not valid in the input's encoding fail the row instead ("not valid utf-8 text").

A ``published`` value that is not an ISO date (``YYYY-MM-DD``, a time may follow, or
``YYYY-MM``; "yesterday", "2019-02-30") is kept as given but has no month (the tables count it
as undated); the record also holds it in ``bad_date`` so the run can say how many there were.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError, InputError
from ..ingest.folder import list_articles, table_format
from ..ingest.text import utf8_if_valid

__all__ = ["Record", "iter_records", "count_records", "fingerprint", "input_format",
           "to_document", "month_of", "read_date", "make_record", "jsonl_record", "META_FIELDS"]

META_FIELDS = ("url", "outlet", "authors", "published", "title")
_SURROGATE = re.compile("[\udc80-\udcff]")  # undecodable bytes, kept by surrogateescape
_LONE = re.compile("[\ud800-\udfff]")
_LONE_NOT_BYTES = re.compile("[\ud800-\udc7f\udd00-\udfff]")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?")


@dataclass(frozen=True)
class Record:
    """One input row. ``text`` is set for record files, ``path`` for folder inputs (read by the
    worker; or both, when the file's bytes were read elsewhere)."""

    row: int
    id: str
    source: str
    text: str | None = None
    path: str | None = None
    meta: dict = field(default_factory=dict)
    error: str | None = None
    bad_date: str | None = None  # a ``published`` value that is not a date (kept in meta)


def input_format(path: str | Path) -> str:
    """``folder``, ``jsonl``, ``csv`` or ``parquet``, from what ``path`` is."""
    p = Path(path)
    if p.is_dir():
        return "folder"
    fmt = table_format(p)
    if fmt:
        return fmt
    if not p.exists():
        raise InputError(f"{path}: no such file or folder")
    raise ConfigError(f"{path}: give a folder of articles or a .jsonl, .csv or .parquet file")


def fingerprint(path: str | Path) -> str:
    """A cheap identity of the input (names, sizes, mtimes) so a resumed run can tell it changed."""
    p = Path(path).resolve()
    h = hashlib.sha1(os.fsencode(p))
    if p.is_dir():
        for f in list_articles(p).values():
            st = f.stat()
            rel = f.relative_to(p).as_posix()
            h.update(os.fsencode(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n"))
    else:
        try:
            st = p.stat()
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
        h.update(f"{st.st_size}\0{st.st_mtime_ns}".encode())
    return h.hexdigest()


def count_records(path: str | Path) -> int | None:
    """How many records ``iter_records`` will yield, when that is cheap to know (for an ETA)."""
    fmt = input_format(path)
    try:
        if fmt == "folder":
            return len(list_articles(path))
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
        if fmt == "jsonl":
            n = 0
            with open(path, "rb") as fh:
                for line in fh:
                    n += bool(line.strip())
            return n
        with open(path, newline="", encoding="utf-8", errors="surrogateescape") as fh:
            return max(0, sum(1 for _ in csv.reader(fh)) - 1)
    except Exception:  # only a progress-bar hint: the real read reports what is wrong
        return None


def iter_records(path: str | Path, *, max_bytes: int, encoding: str = "utf-8") -> Iterator[Record]:
    """Every record of the input, in input order, numbered from 1.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); f = os.path.join(d, "in.jsonl")
    >>> _ = open(f, "w").write('{"id": 1, "text": "Hi.", "authors": "A; B"}\\n{"id": 2}\\n')
    >>> [(r.id, r.meta.get("authors"), r.error) for r in iter_records(f, max_bytes=100)]
    [('1', ('A', 'B'), None), ('2', None, 'no text')]
    """
    fmt = input_format(path)
    if fmt == "folder":
        yield from _folder_records(Path(path))
    elif fmt == "jsonl":
        yield from _jsonl_records(Path(path), max_bytes, encoding)
    elif fmt == "csv":
        yield from _csv_records(Path(path), max_bytes, encoding)
    else:
        yield from _parquet_records(Path(path), max_bytes)


def to_document(record: Record, options=None):
    """The Document for a record: read through ``ingest`` (with ``options``' encoding and size
    cap) with the record's metadata on top."""
    from .. import ingest

    if record.path is not None:
        if record.text is None:
            doc = ingest.load(record.path, options=options)
        else:  # a file whose bytes were read elsewhere (Ray)
            doc = ingest.from_string(record.text, source=record.path, name=record.path)
        return doc.with_(id=record.id)
    doc = ingest.from_string(record.text or "", kind="text", doc_id=record.id, source=record.source)
    meta = {k: v for k, v in record.meta.items() if v not in (None, ())}
    return doc.with_(kind="record", **meta)


# ---------------------------------------------------------------------------------------------
# folders

def _folder_records(folder: Path) -> Iterator[Record]:
    for row, (aid, path) in enumerate(list_articles(folder).items(), 1):
        # a file name's undecodable bytes are shown as U+FFFD; the path itself still opens it
        yield Record(row=row, id=_printable(aid), source=_printable(str(path)), path=str(path))


# ---------------------------------------------------------------------------------------------
# record files

def _clean(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from pandas-written files
        return None
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _authors(value) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        parts = re.split(r"\s*[;|]\s*", value)
    elif isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        parts = [_clean(v) or "" for v in (value.tolist() if hasattr(value, "tolist") else value)]
    else:
        parts = [str(value)]
    names = tuple(dict.fromkeys(p.strip() for p in parts if p and p.strip()))
    return names or None


def month_of(published: str | None) -> str | None:
    """``YYYY-MM`` of an ISO date, else None.

    >>> month_of("2019-03-04T10:00:00Z"), month_of("March 2019"), month_of("2019-02-30")
    ('2019-03', None, None)
    """
    date = read_date(published)  # "2019-02-30" is no date, so in no month
    return date[:7] if date else None


def read_date(value: str | None) -> str | None:
    """``value`` when it is a date the tables can place in time: ISO ``YYYY-MM-DD`` (a time may
    follow) or ``YYYY-MM``, a real calendar date; else None.

    >>> read_date("2019-03-04T10:00:00Z"), read_date("2019-03"), read_date("2019-02-30")
    ('2019-03-04T10:00:00Z', '2019-03', None)
    >>> read_date("yesterday"), read_date("March 4, 2019"), read_date(None)
    (None, None, None)
    """
    m = _ISO_DATE.match(value or "")
    if not m:
        return None
    try:
        _dt.date(int(m[1]), int(m[2]), int(m[3] or 1))
    except ValueError:
        return None
    return value


def make_record(row: int, source: str, data: dict, max_bytes: int,
                encoding: str = "utf-8") -> Record:
    """A Record from one parsed row (a dict), with ``error`` set when it cannot be analysed."""
    rid = _clean(data.get("id"))
    text = data.get("text")
    error = None
    if isinstance(text, bytes):
        try:
            text = text.decode(encoding)
        except UnicodeDecodeError as exc:
            text, error = None, f"text is not valid {encoding} at byte {exc.start}"
    meta = {k: _clean(data.get(k)) for k in META_FIELDS if k != "authors"}
    meta["authors"] = _authors(data.get("authors"))
    # a NUL in an id or a metadata value becomes U+FFFD (one in the text fails the row)
    rid = _no_nul(rid)
    meta = {k: tuple(map(_no_nul, v)) if isinstance(v, tuple) else _no_nul(v)
            for k, v in meta.items()}
    strings = [rid, text if isinstance(text, str) else None,
               *(v for v in meta.values() if isinstance(v, str)), *(meta["authors"] or ())]
    if error is None and any(s and _SURROGATE.search(s) for s in strings):
        error = f"not valid {encoding} text"
    bad_date = None
    if meta["published"] is not None and read_date(meta["published"]) is None:
        bad_date = meta["published"]  # kept as given; it only has no month
    if rid is None:
        rid = f"<row {row}>"
        error = error or "no id"
    if error is None:
        if text is None or (isinstance(text, str) and not text.strip()):
            error = "no text"
        elif not isinstance(text, str):
            error = f"text is a {type(text).__name__}, not a string"
        elif len(text) > max_bytes or (len(text) * 4 > max_bytes
                                       and len(text.encode("utf-8")) > max_bytes):
            error = (f"text of {len(text.encode('utf-8', 'surrogateescape'))} bytes is over the "
                     f"{max_bytes}-byte limit; raise it with --max-bytes")
    if error:
        rid = _printable(rid)
        meta = {k: tuple(map(_printable, v)) if isinstance(v, tuple) else
                _printable(v) if isinstance(v, str) else v for k, v in meta.items()}
    return Record(row=row, id=rid, source=source, text=None if error else text, meta=meta,
                  error=error, bad_date=bad_date and _printable(bad_date))


def _no_nul(value):
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


def _printable(s: str) -> str:
    """Undecodable bytes (kept as surrogates while reading) and lone surrogates shown as U+FFFD."""
    if _SURROGATE.search(s):
        try:
            s = s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:  # mixed with lone surrogates: replaced one by one below
            pass
    return _LONE.sub("\ufffd", s)


#: byte-order marks of the wide encodings, longest first, and the codec that reads past each
_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
              (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _wide_codec(path: Path, encoding: str) -> str | None:
    """The UTF-16/32 codec to read ``path`` with: the one its byte-order mark names, else a
    wide ``encoding`` the user named; None for byte-oriented text (UTF-8, latin-1, ...).
    A named wide encoding is refused in one line when the file cannot be in it: JSONL and
    CSV keys are ASCII, so UTF-16/32 text of them holds NUL bytes."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    for bom, codec in _WIDE_BOMS:
        if head.startswith(bom):
            return codec
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ConfigError(f"unknown encoding {encoding!r}") from None
    if not name.startswith(("utf-16", "utf-32")):
        return None
    if head and (b"\x00" not in head or head.startswith(codecs.BOM_UTF8)):
        raise InputError(f"{path}: this file is not {encoding} text (it has no byte-order mark "
                         "and none of the NUL bytes such text has); leave out --encoding or "
                         "name the file's encoding")
    return encoding


def _wide_lines(path: Path, codec: str, encoding: str) -> Iterator[str]:
    """Lines of a UTF-16/32 file; bytes that do not decode end the run in one line."""
    try:
        with open(path, encoding=codec, newline="") as fh:
            yield from fh
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid {codec} text ({exc.reason}); check --encoding "
                         f"(given: {encoding})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _jsonl_records(path: Path, max_bytes: int, encoding: str) -> Iterator[Record]:
    wide = _wide_codec(path, encoding)
    if wide is not None:
        lines = (line.lstrip("\ufeff") for line in _wide_lines(path, wide, encoding))
        row = 1
        for lineno, line in enumerate(lines, 1):
            if line.strip():
                yield jsonl_record(row, f"{path}:{lineno}", line, max_bytes, wide)
                row += 1
        return
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    row = 1
    with fh:
        for lineno, raw in enumerate(fh, 1):
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            if raw.strip():
                yield jsonl_record(row, f"{path}:{lineno}", _decode_line(raw, encoding),
                                   max_bytes, encoding)
                row += 1


def _decode_line(raw: bytes, encoding: str) -> str:
    """A JSONL line as text: valid non-ASCII UTF-8 as UTF-8 whatever ``encoding`` says (as
    files are read, ``ingest.text.utf8_if_valid``), else ``encoding``, undecodable bytes kept."""
    text = utf8_if_valid(raw)
    return text if text is not None else raw.decode(encoding, "surrogateescape")


def jsonl_record(row: int, source: str, line: str, max_bytes: int,
                 encoding: str = "utf-8") -> Record:
    """A Record from one JSONL line (undecodable bytes kept as surrogates)."""
    try:
        data = json.loads(line)
    except ValueError as exc:
        return Record(row, f"<row {row}>", source, error=f"not JSON ({_printable(str(exc))})")
    if not isinstance(data, dict):
        return Record(row, f"<row {row}>", source, error="not a JSON object")
    # surrogates that are not undecodable bytes of the line came from JSON escapes ("\ud83d")
    lone = _LONE_NOT_BYTES if _SURROGATE.search(line) else _LONE
    return make_record(row, source, _replace(data, lone), max_bytes, encoding)


def _replace(value, pattern: re.Pattern):
    """``value`` with ``pattern`` (lone surrogates) replaced by U+FFFD in every string in it."""
    if isinstance(value, str):
        return pattern.sub("\ufffd", value)
    if isinstance(value, dict):
        return {k: _replace(v, pattern) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, pattern) for v in value]
    return value


def _csv_records(path: Path, max_bytes: int, encoding: str) -> Iterator[Record]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    wide = _wide_codec(path, encoding)
    enc = wide or ("utf-8-sig" if encoding.replace("_", "-").lower() in ("utf-8", "utf8")
                   else encoding)
    try:
        fh = open(path, newline="", encoding=enc, errors="strict" if wide else "surrogateescape")
    except LookupError:
        raise ConfigError(f"unknown encoding {encoding!r}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    with fh:
        reader = csv.DictReader(fh)
        try:
            header = reader.fieldnames or []
        except csv.Error as exc:
            raise InputError(f"{path}: not a readable CSV file ({exc})") from None
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not valid {enc} text ({exc.reason}); check "
                             f"--encoding (given: {encoding})") from None
        _check_columns(path, header)
        row = 1
        while True:
            try:
                data = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputError(f"{path}:{reader.line_num}: bad CSV ({exc})") from None
            except UnicodeDecodeError as exc:
                raise InputError(f"{path}: not valid {enc} text ({exc.reason}); check "
                                 f"--encoding (given: {encoding})") from None
            yield make_record(row, f"{path}:{reader.line_num}", data, max_bytes, encoding)
            row += 1


def _check_columns(path: Path, names) -> None:
    missing = [c for c in ("id", "text") if c not in names]
    if missing:
        raise InputError(f"{path}: no {' or '.join(repr(m) for m in missing)} column; expected "
                         "id, text and optionally url, outlet, authors, published, title")


def _parquet_records(path: Path, max_bytes: int) -> Iterator[Record]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        names = pf.schema_arrow.names
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({_first_line(exc)})") from None
    _check_columns(path, names)
    columns = [c for c in ("id", "text", *META_FIELDS) if c in names]
    row = 1
    try:
        for batch in pf.iter_batches(batch_size=256, columns=columns):
            for data in batch.to_pylist():
                yield make_record(row, f"{path}:row {row}", data, max_bytes, "utf-8")
                row += 1
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{path}: corrupt Parquet after row {row - 1} ({_first_line(exc)})"
                         ) from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
