"""The store: batch results in a database a team can query (SQLite by default, PostgreSQL by URL),
through SQLAlchemy Core.

Every row is keyed by the article id and the model that analysed it: name, version and
fingerprint (sha256 over every file of the model folder), so results of models that behave
differently never mix, even under one name and version. Tables (columns as in
``unspin.corpus.tables``; lists and count maps are stored as JSON text):

    runs                one row per loaded batch run (run_id, input, model, counts, times)
    articles            key (article_id, model_name, model_version, model_fingerprint); run_id,
                        status, metadata, summary, ``day`` (``YYYY-MM-DD`` of ``published``),
                        ``digest`` (of the row and its spans: tells a changed article) and
                        ``taxonomy`` (of the model's techniques: 2020 or 2023; null: 2020)
    article_authors     (key, author): one row per author
    article_techniques  (key, technique, spans), with the article's outlet, month and day
                        copied in so the statistics need no join
    author_techniques   the same, once per author of the article (statistics by author)
    spans               span_id, key, start, end, technique, name, score, text, and ``phrase``
                        (the text folded for counting: see ``phrase``)
    quotes              quote_id, key, start, end, text, kind, speaker, speaker_start,
                        speaker_end, cue, confidence
    targets             target_id, key, span, technique, span_start, span_end, entity, kind,
                        start, end, text, how, with the article's outlet and month copied in
                        (statistics by target)

``article_authors``, ``article_techniques``, ``author_techniques``, ``spans``, ``quotes`` and
``targets`` hold rows for analysed (``ok``) articles only; an article analysed without
enrichment has none in ``quotes`` and ``targets`` and a null ``articles.enrichment``. A batch
output written before the enrich stage (no ``quotes.parquet``) loads as such.

Loading is an upsert on that key: an article whose row and spans are as stored is left alone
(loading the same output twice changes nothing), a changed one replaces the stored row, authors
and spans. A failed row never replaces an article already analysed. Rows repeating an id within
a run (failed with "duplicate id") are not loaded. Everything is written in one transaction, so
a load that is killed leaves the database as it was.

A database made before fingerprints were part of the key is refused: load into a new one. One
made before the enrich stage is brought up to date by the next load (``quotes`` and ``targets``
created, three nullable columns added to ``articles``), one made before the taxonomy column
gets it (null, read as 2020); its rows stay as they were.

A load is one transaction, schema included (SQLite's DDL is made transactional here): a load
that fails (a full disk, a dropped connection) leaves the database as it was, and an SQLite
file the load created is removed with its ``-wal``/``-shm`` files. An in-memory SQLite URL
(``sqlite://``) is refused: what it loads is gone when the command ends. A NUL character
(which PostgreSQL cannot store) in a row's values becomes U+FFFD, as batch does with ids and
metadata, and the rows are named (``Loaded.nul_rows``) instead of the load failing whole.

>>> load_dir("out/", "sqlite:///unspin.db").articles    # doctest: +SKIP
1000
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..errors import ConfigError, DependencyError, InputError, StoreError, require

log = logging.getLogger(__name__)

__all__ = ["StoreError", "connect", "load_dir", "Loaded", "Tables", "tables", "safe_url",
           "phrase", "has_enrichment", "inventory", "Inventory", "StoredModel", "StoredRun",
           "export", "Exported", "EXPORT_COLUMNS", "delete", "Deleted"]

_ARTICLE_BATCH = 2_000
_SPAN_BATCH = 20_000  # rows per batch of spans, quotes and targets
_ID_CHUNK = 500


@dataclass(frozen=True)
class Loaded:
    """What a load read and what it changed. ``articles``/``spans``: rows in the batch output;
    ``new``/``updated``/``unchanged``: articles against the database before the load;
    ``kept``: failed rows that did not replace an earlier success; spans (and quotes, targets)
    written for new and updated articles, removed from updated ones, and left as they were."""

    db: str
    run_id: str
    model: str
    articles: int
    spans: int
    skipped: int
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0
    spans_new: int = 0
    spans_removed: int = 0
    spans_unchanged: int = 0
    quotes: int = 0
    quotes_new: int = 0
    quotes_removed: int = 0
    quotes_unchanged: int = 0
    targets: int = 0
    targets_new: int = 0
    targets_removed: int = 0
    targets_unchanged: int = 0
    nul_rows: tuple[str, ...] = ()  # "articles row 3 (id x)": NUL characters stored as U+FFFD


# ---------------------------------------------------------------------------------------------
# schema

_TABLES = None

#: Tables whose rows belong to one analysed article (deleted when the article is replaced).
_PER_ARTICLE = ("authors", "techniques", "by_author", "spans", "quotes", "targets")
#: Columns ``articles`` gained with the enrich stage (added to an older database on load).
_ENRICH_COLUMNS = ("enrichment", "quotes", "targets")
#: Columns added to ``articles`` after the enrich stage's (nullable; the next load adds them)
_LATER_COLUMNS = ("taxonomy",)


class Tables(NamedTuple):
    """The store's SQLAlchemy Core tables."""

    md: object
    runs: object
    articles: object
    authors: object  # article_authors
    techniques: object  # article_techniques
    by_author: object  # author_techniques
    spans: object
    quotes: object
    targets: object


def tables() -> Tables:
    """The store's tables (SQLAlchemy Core), made once."""
    global _TABLES
    if _TABLES is not None:
        return _TABLES
    sa = require("sqlalchemy", "corpus")
    from sqlalchemy import BigInteger, Column, Float, Index, Integer, MetaData, String, Table, Text

    md = MetaData()
    key = lambda: [Column("article_id", String(512), nullable=False),  # noqa: E731
                   Column("model_name", String(128), nullable=False),
                   Column("model_version", String(64), nullable=False),
                   Column("model_fingerprint", String(64), nullable=False)]
    model = ("model_name", "model_version", "model_fingerprint")
    runs = Table(
        "runs", md,
        Column("run_id", String(64), primary_key=True), Column("input", Text),
        Column("out", Text), Column("engine", String(16)), Column("format", String(16)),
        Column("started", String(40)), Column("finished", String(40)),
        Column("model_name", String(128)), Column("model_version", String(64)),
        Column("model_fingerprint", String(64)), Column("unspin_version", String(32)),
        Column("articles", Integer), Column("ok", Integer), Column("failed", Integer),
        Column("spans", Integer), Column("loaded_at", String(40)))
    articles = Table(
        "articles", md, *key(),
        Column("run_id", String(64)), Column("row", BigInteger), Column("source", Text),
        Column("status", String(8), nullable=False), Column("error", Text),
        Column("title", Text), Column("url", Text), Column("outlet", String(512)),
        Column("language", String(16)), Column("authors", Text), Column("published", String(64)),
        Column("month", String(7)), Column("chars", BigInteger), Column("words", Integer),
        Column("sentences", Integer), Column("spans", Integer), Column("per_1000_words", Float),
        Column("sentences_with_technique", Integer), Column("intensity", Integer),
        Column("top", Text), Column("counts", Text), Column("day", String(10)),
        Column("digest", String(32)), Column("enrichment", String(64)),
        Column("quotes", Integer), Column("targets", Integer), Column("taxonomy", String(8)),
        sa.PrimaryKeyConstraint("article_id", *model),
        Index("ix_articles_outlet", *model, "status", "outlet"),
        Index("ix_articles_month", *model, "status", "month"),
        Index("ix_articles_day", *model, "status", "day"))
    authors = Table(
        "article_authors", md, *key(), Column("author", String(512), nullable=False),
        sa.PrimaryKeyConstraint("article_id", *model, "author"),
        Index("ix_article_authors_author", *model, "author"))
    techniques = Table(
        "article_techniques", md, *key(), Column("technique", String(64), nullable=False),
        Column("spans", Integer, nullable=False), Column("outlet", String(512)),
        Column("month", String(7)), Column("day", String(10)),
        sa.PrimaryKeyConstraint("article_id", *model, "technique"),
        Index("ix_article_techniques_outlet", *model, "outlet", "technique", "spans"),
        Index("ix_article_techniques_month", *model, "month", "technique", "spans"),
        Index("ix_article_techniques_day", *model, "day", "technique", "spans"),
        Index("ix_article_techniques_technique", *model, "technique", "spans"))
    by_author = Table(
        "author_techniques", md, *key(), Column("author", String(512), nullable=False),
        Column("technique", String(64), nullable=False), Column("spans", Integer, nullable=False),
        sa.PrimaryKeyConstraint("article_id", *model, "author", "technique"),
        Index("ix_author_techniques_author", *model, "author", "technique", "spans"))
    spans = Table(
        "spans", md,
        Column("span_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
               autoincrement=True),
        *key(), Column("start", Integer, nullable=False), Column("end", Integer, nullable=False),
        Column("technique", String(64), nullable=False), Column("name", String(128)),
        Column("score", Float), Column("text", Text), Column("phrase", String(200)),
        Index("ix_spans_article", *model, "article_id"),
        Index("ix_spans_phrase", *model, "technique", "phrase"))
    quotes = Table(
        "quotes", md,
        Column("quote_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
               autoincrement=True),
        *key(), Column("start", Integer, nullable=False), Column("end", Integer, nullable=False),
        Column("text", Text), Column("kind", String(16)), Column("speaker", String(512)),
        Column("speaker_start", Integer), Column("speaker_end", Integer),
        Column("cue", String(64)), Column("confidence", Float),
        Index("ix_quotes_article", *model, "article_id"),
        Index("ix_quotes_speaker", *model, "speaker"))
    targets = Table(
        "targets", md,
        Column("target_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
               autoincrement=True),
        *key(), Column("span", Integer), Column("technique", String(64), nullable=False),
        Column("span_start", Integer), Column("span_end", Integer),
        Column("entity", String(512), nullable=False), Column("kind", String(16)),
        Column("start", Integer), Column("end", Integer), Column("text", Text),
        Column("how", String(16)), Column("outlet", String(512)), Column("month", String(7)),
        Index("ix_targets_article", *model, "article_id"),
        # covering the GROUP BYs of stats --by target, for all outlets and for one
        Index("ix_targets_entity", *model, "entity", "kind", "outlet", "technique", "article_id"),
        Index("ix_targets_outlet", *model, "outlet", "entity", "kind", "technique", "article_id"))
    _TABLES = Tables(md, runs, articles, authors, techniques, by_author, spans, quotes, targets)
    return _TABLES


# ---------------------------------------------------------------------------------------------
# connecting

def _normalize(url: str) -> str:
    """``postgresql://`` (and ``postgres://``) use psycopg 3, the driver unspin[corpus] brings."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def safe_url(url: str) -> str:
    """The URL with its password hidden.

    >>> safe_url("postgresql://me:s3cret@db.example/news")
    'postgresql://me:***@db.example/news'
    """
    sa = require("sqlalchemy", "corpus")
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # unparseable: show no part of it that could hold a secret
        return url.split("://", 1)[0] + "://..." if "://" in url else "(the database URL)"


def _reason(exc: BaseException, url) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = [ln.strip() for ln in str(orig).strip().splitlines() if ln.strip()]
    text = "; ".join(lines[:2]) or type(orig).__name__
    if url.password and len(str(url.password)) >= 4:  # drivers do not echo it; be sure anyway
        text = text.replace(str(url.password), "***")
    return text


def connect(url: str, *, create: bool = True):
    """An SQLAlchemy Engine for ``url``, checked by connecting once.

    With ``create=False`` (reading commands) a missing SQLite file is an error, never created.
    Raises ``StoreError`` ("cannot connect to ...") when the database is down, missing or
    refuses the login, ``ConfigError`` for a malformed URL, ``DependencyError`` for a missing
    driver. The password never appears in a message.
    """
    sa = require("sqlalchemy", "corpus")
    try:
        shown = sa.engine.make_url(url).render_as_string(hide_password=True)
        parsed = sa.engine.make_url(_normalize(url))
    except sa.exc.ArgumentError:
        raise ConfigError("bad database URL: use sqlite:///FILE.db or "
                          "postgresql://USER:PASSWORD@HOST/DB") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(f"{shown}: the store supports SQLite (sqlite:///FILE.db) and "
                          "PostgreSQL (postgresql://USER:PASSWORD@HOST/DB)")
    kwargs = {}
    if parsed.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": 10}
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except (sa.exc.NoSuchModuleError, ImportError) as exc:
        raise DependencyError(f"no driver for {shown} ({_reason(exc, parsed)}); install it with: "
                              "pip install 'unspin[corpus]'") from None
    except sa.exc.ArgumentError as exc:
        raise ConfigError(f"bad database URL {shown}: {_reason(exc, parsed)}") from None
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if not create and path not in ("", ":memory:") and not Path(path).is_file():
            engine.dispose()
            raise StoreError(f"cannot connect to {shown}: no database file at {path} (nothing "
                             f"was created); load batch results into it first with "
                             f"'unspin store load OUT --db {shown}'")
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
    try:
        with engine.connect():
            pass
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"cannot connect to {shown}: {_reason(exc, parsed)}") from None
    engine.shown_url = shown
    return engine


def check_schema(conn, shown: str) -> None:
    """Refuse a database whose unspin tables were made by an older unspin: their rows are not
    keyed by model fingerprint, and results of different models would mix."""
    sa = require("sqlalchemy", "corpus")
    inspector = sa.inspect(conn)
    if not inspector.has_table("articles"):
        return
    columns = {c["name"] for c in inspector.get_columns("articles")}
    key = inspector.get_pk_constraint("articles").get("constrained_columns") or []
    spans = {c["name"] for c in inspector.get_columns("spans")} if inspector.has_table(
        "spans") else {"model_fingerprint"}
    if "model_fingerprint" not in key or not {"day", "digest"} <= columns or \
            "model_fingerprint" not in spans:
        raise StoreError(f"{shown}: this database was made by an older unspin (rows not keyed "
                         "by model fingerprint); load into a new database (--db "
                         "sqlite:///NEW.db or a new PostgreSQL database) with 'unspin store "
                         "load' for each batch output")


def has_enrichment(conn) -> bool:
    """True when the database has the quotes and targets of the enrich stage (it was made, or
    last loaded into, by an unspin that has it)."""
    sa = require("sqlalchemy", "corpus")
    inspector = sa.inspect(conn)
    if not (inspector.has_table("targets") and inspector.has_table("quotes")):
        return False
    return set(_ENRICH_COLUMNS) <= {c["name"] for c in inspector.get_columns("articles")}


def _upgrade(conn, sa) -> None:
    """Add the enrich stage's columns to the ``articles`` of a database made before it (the new
    tables come from ``create_all``). Nullable, so every stored row stays valid as it is."""
    inspector = sa.inspect(conn)
    if not inspector.has_table("articles"):
        return
    have = {c["name"] for c in inspector.get_columns("articles")}
    articles = tables().articles
    for name in _ENRICH_COLUMNS + _LATER_COLUMNS:
        if name not in have:
            column = articles.c[name]
            kind = column.type.compile(dialect=conn.dialect)
            conn.execute(sa.text(f'ALTER TABLE articles ADD COLUMN "{name}" {kind}'))
            log.info("added the column articles.%s (a database made before it)", name)


def _sqlite_pragmas(dbapi_conn, _record):
    # pysqlite opens transactions itself, only before DML: schema changes would be committed
    # at once. Off, and BEGIN sent on SQLAlchemy's begin (``_sqlite_begin``): DDL is in the
    # load's transaction and rolls back with it.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers are not blocked while a load runs
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA temp_store=MEMORY")  # GROUP BY sorts in memory
    cur.execute("PRAGMA cache_size=-262144")  # 256 MiB of page cache
    cur.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN")


# ---------------------------------------------------------------------------------------------
# loading

def load_dir(folder, url: str) -> Loaded:
    """Upsert the batch output in ``folder`` (Parquet or JSONL format) into the database, in
    one transaction: on failure the database is as it was (a file the load made is removed)."""
    folder = Path(folder)
    run = _read_run(folder)
    source = _Source(folder, run)
    digests = source.digests()
    created = _new_sqlite_file(url)
    engine = connect(url)
    sa = require("sqlalchemy", "corpus")
    t = tables()
    nul_rows: list[str] = []
    try:
        with engine.begin() as conn:
            check_schema(conn, engine.shown_url)
            _upgrade(conn, sa)
            t.md.create_all(conn)
            load = _Load(conn, sa, t, run, digests)
            for kind, rows in source.batches():
                getattr(load, kind)(_without_nul(kind, rows, nul_rows))
            c = load.counts
            _upsert(conn, sa, t.runs, ["run_id"], [_run_row(run, c["articles"], c["spans"])])
            if conn.dialect.name == "postgresql" and (c["new"] or c["updated"]):
                for table in t[2:]:  # fresh statistics for the planner
                    conn.execute(sa.text(f'ANALYZE "{table.name}"'))
    except BaseException as exc:
        engine.dispose()
        if created is not None:
            _remove_sqlite(created)
        if isinstance(exc, sa.exc.SQLAlchemyError):
            raise StoreError(f"{engine.shown_url}: load failed ({_reason(exc, engine.url)}); "
                             "the database is as it was") from None
        raise
    engine.dispose()
    m = run.get("model") or {}
    model = (m["name"], m.get("version"), m.get("fingerprint")) if m.get("name") else load.model
    return Loaded(engine.shown_url, run["run_id"], model_label(*model) if model else "?", **c,
                  nul_rows=tuple(nul_rows))


def _new_sqlite_file(url: str) -> Path | None:
    """The SQLite file ``url`` names when it does not exist yet (the load will create it),
    else None. An in-memory SQLite URL is refused: a load into it would be lost at exit."""
    sa = require("sqlalchemy", "corpus")
    try:
        parsed = sa.engine.make_url(_normalize(url))
    except sa.exc.ArgumentError:
        return None  # connect() says what is wrong with it
    if parsed.get_backend_name() != "sqlite":
        return None
    path = parsed.database or ""
    if path in ("", ":memory:") or path.startswith("file::memory:") \
            or "mode=memory" in str(parsed.query):
        raise ConfigError(f"{parsed.render_as_string(hide_password=True)} is an in-memory "
                          "database: what is loaded into it is gone when the command ends; "
                          "give a file, e.g. --db sqlite:///unspin.db")
    file = Path(path)
    return None if file.exists() else file


def _remove_sqlite(file: Path) -> None:
    for path in (file, *(file.with_name(file.name + end) for end in ("-wal", "-shm",
                                                                      "-journal"))):
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("could not remove %s after the failed load: %s", path, exc)


def _without_nul(kind: str, rows: list[dict], named: list[str]) -> list[dict]:
    """``rows`` with NUL characters (which PostgreSQL cannot store, and which batch refuses in
    text and replaces in ids) replaced by U+FFFD; each such row is named in ``named``."""
    out = []
    for r in rows:
        if any(isinstance(v, str) and "\x00" in v for v in r.values()):
            r = {k: v.replace("\x00", "\ufffd") if isinstance(v, str) else v
                 for k, v in r.items()}
            named.append(f"{kind} of article {r.get('id') or r.get('article_id')!r}")
        out.append(r)
    return out


def model_label(name: str, version: str | None, fingerprint: str | None) -> str:
    """``NAME@VERSION#FINGERPRINT12``: how the store and statistics name a model.

    >>> model_label("minilm-spans", "1", "0123456789abcdef")
    'minilm-spans@1#0123456789ab'
    """
    label = f"{name}@{version}" if version else name
    return f"{label}#{fingerprint[:12]}" if fingerprint else label


_SPAN_KEYS = ("article_id", "model_name", "model_version", "start", "end", "technique", "name",
              "score", "text")
_DIGESTED = {  # per table, the columns whose change makes an article's rows change
    "spans": ("start", "end", "technique", "score", "text"),
    "quotes": ("start", "end", "text", "kind", "speaker", "speaker_start", "speaker_end", "cue",
               "confidence"),
    "targets": ("span", "technique", "span_start", "span_end", "entity", "kind", "start", "end",
                "text", "how")}
_CHILDREN = tuple(_DIGESTED)  # the batch output's tables of rows per article
_ARTICLE_JSON = ("authors", "top")
_NOT_CONTENT = ("row", "source", "run_id", "digest")  # where a row came from, not what it says
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class _Load:
    """One load in its transaction: what the database held before, what was written, and the
    counts to report. An article whose digest (row content and spans) is as stored is left
    alone; a changed one replaces the stored row and its authors, technique counts and spans."""

    def __init__(self, conn, sa, t: Tables, run: dict, digests: dict):
        self.conn, self.sa, self.t = conn, sa, t
        self.run_id = run["run_id"]
        m = run.get("model") or {}
        self.default = {"model_name": m.get("name") or "", "model_version": m.get("version") or "",
                        "model_fingerprint": m.get("fingerprint") or ""}
        self.digests = digests  # table -> {(id, name, version): digest of the article's rows}
        self.stored: dict[tuple, dict[str, tuple]] = {}  # model -> {article id: (status, digest)}
        self.written: dict[tuple, dict] = {}  # (id, name, version) -> articles row, ok rows only
        self.model: tuple | None = None
        self.counts = dict.fromkeys(("articles", "skipped", "new", "updated", "unchanged",
                                     "kept", *(f"{kind}{end}" for kind in _CHILDREN
                                               for end in ("", "_new", "_removed",
                                                           "_unchanged"))), 0)

    def articles(self, rows: list[dict]) -> None:
        t = self.t
        c, write, replace = self.counts, [], {}
        for r in rows:
            if r["status"] == "failed" and (r["error"] or "").startswith("duplicate id"):
                c["skipped"] += 1
                continue
            c["articles"] += 1
            d = self._db_row(r)
            model = (d["model_name"], d["model_version"], d["model_fingerprint"])
            self.model = self.model or model
            before = self._stored(model).get(d["article_id"])
            if before is None:
                c["new"] += 1
            elif before[1] == d["digest"]:
                c["unchanged"] += 1
                for kind in _CHILDREN:
                    c[f"{kind}_unchanged"] += d.get(kind) or 0
                continue
            elif d["status"] == "failed" and before[0] == "ok":
                c["kept"] += 1  # a failure never replaces an earlier success
                continue
            else:
                c["updated"] += 1
                if before[0] == "ok":
                    replace.setdefault(model, []).append(d["article_id"])
            write.append(d)
        sa, conn = self.sa, self.conn
        for (name, version, fp), ids in replace.items():
            for i in range(0, len(ids), _ID_CHUNK):
                for kind in _PER_ARTICLE:
                    table = getattr(t, kind)
                    gone = conn.execute(table.delete().where(
                        table.c.model_name == name, table.c.model_version == version,
                        table.c.model_fingerprint == fp,
                        table.c.article_id.in_(ids[i:i + _ID_CHUNK])))
                    if kind in _CHILDREN:
                        c[f"{kind}_removed"] += gone.rowcount
        if not write:
            return
        _upsert(conn, sa, t.articles, ["article_id", "model_name", "model_version",
                                       "model_fingerprint"], write, where=_replaceable)
        ok = [d for d in write if d["status"] == "ok"]
        for d in ok:
            self.written[d["article_id"], d["model_name"], d["model_version"]] = d
        keys = [({k: d[k] for k in ("article_id", "model_name", "model_version",
                                    "model_fingerprint")}, d) for d in ok]
        authors = {d["article_id"]: list(dict.fromkeys(json.loads(d["authors"] or "[]")))
                   for d in ok}
        counts = {d["article_id"]: json.loads(d["counts"]) for d in ok}
        _bulk_insert(conn, t.authors, [{**k, "author": a} for k, d in keys
                                       for a in authors[d["article_id"]]])
        _bulk_insert(conn, t.techniques, [
            {**k, "technique": t, "spans": n, "outlet": d["outlet"], "month": d["month"],
             "day": d["day"]} for k, d in keys for t, n in counts[d["article_id"]].items()])
        _bulk_insert(conn, t.by_author, [
            {**k, "author": a, "technique": t, "spans": n} for k, d in keys
            for a in authors[d["article_id"]] for t, n in counts[d["article_id"]].items()])

    def spans(self, rows: list[dict]) -> None:
        """Insert the spans of the articles written by this load (new or changed)."""
        self._children("spans", rows, lambda r, a: {**{k: r[k] for k in _SPAN_KEYS},
                                                     "phrase": phrase(r["text"])})

    def quotes(self, rows: list[dict]) -> None:
        """Insert the quotes of the articles written by this load."""
        from .tables import QUOTE_FIELDS

        self._children("quotes", rows, lambda r, a: {k: r[k] for k in QUOTE_FIELDS})

    def targets(self, rows: list[dict]) -> None:
        """Insert the targets of the articles written by this load, with the article's outlet
        and month."""
        from .tables import TARGET_FIELDS

        self._children("targets", rows, lambda r, a: {**{k: r[k] for k in TARGET_FIELDS},
                                                       "outlet": a["outlet"],
                                                       "month": a["month"]})

    def _children(self, kind: str, rows: list[dict], make) -> None:
        self.counts[kind] += len(rows)
        insert = []
        for r in rows:
            article = self.written.get((r["article_id"], r["model_name"], r["model_version"]))
            if article is not None:
                insert.append({**make(r, article),
                               "model_fingerprint": article["model_fingerprint"]})
        _bulk_insert(self.conn, getattr(self.t, kind), insert)
        self.counts[f"{kind}_new"] += len(insert)

    def _db_row(self, r: dict) -> dict:
        d = {("article_id" if k == "id" else k): v for k, v in r.items()}
        for k, v in self.default.items():
            d[k] = d.get(k) or v
        for k in _ARTICLE_JSON:
            d[k] = json.dumps(d[k], ensure_ascii=False) if d.get(k) is not None else None
        d["counts"] = json.dumps(_counts(d.get("counts")), sort_keys=True) \
            if d["status"] == "ok" else None
        d["day"] = _day_of(d.get("published"))
        d["run_id"] = self.run_id
        for k in _ENRICH_COLUMNS + _LATER_COLUMNS:  # absent from older batch outputs
            d.setdefault(k, None)
        # what an article without enrichment says is digested as before the enrich stage, and
        # one of a 2020 model as before there was a taxonomy column
        content = {k: v for k, v in d.items() if k not in _NOT_CONTENT
                   and not (k in _ENRICH_COLUMNS and v is None)
                   and not (k == "taxonomy" and v in (None, "2020"))}
        key = (d["article_id"], d["model_name"], d["model_version"])
        digest = hashlib.blake2b(json.dumps(content, sort_keys=True, default=str).encode(),
                                 digest_size=16)
        digest.update(self.digests["spans"].get(key, 0).to_bytes(16, "little"))
        for kind in ("quotes", "targets"):
            found = self.digests[kind].get(key, 0)
            if found:
                digest.update(kind.encode() + found.to_bytes(16, "little"))
        d["digest"] = digest.hexdigest()
        return d

    def _stored(self, model: tuple) -> dict[str, tuple]:
        """Status and digest of the articles stored for ``model``: read once per load."""
        if model not in self.stored:
            articles_t, sa = self.t.articles, self.sa
            q = sa.select(articles_t.c.article_id, articles_t.c.status, articles_t.c.digest).where(
                articles_t.c.model_name == model[0], articles_t.c.model_version == model[1],
                articles_t.c.model_fingerprint == model[2])
            self.stored[model] = {a: (s, g) for a, s, g in self.conn.execute(q)}
        return self.stored[model]


def span_digest(r: dict, kind: str = "spans") -> int:
    """A 128-bit digest of one span (or quote, or target: ``kind``); an article's digest of
    them is their sum (mod 2**128), so it does not depend on the order they are read in."""
    text = repr(tuple(r[k] for k in _DIGESTED[kind]))
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"),
                                          digest_size=16).digest(), "little")


def _counts(value) -> dict[str, int]:
    """``{technique: spans}``, non-zero only, from an articles row's ``counts``: a struct or map
    (a dict or (key, value) pairs), or the JSON text older batch outputs hold."""
    if isinstance(value, str):
        value = json.loads(value or "{}")
    items = value.items() if isinstance(value, dict) else (value or ())
    return {t: int(n) for t, n in items if n}


def _day_of(published: str | None) -> str | None:
    """``YYYY-MM-DD`` of an ISO date, else None.

    >>> _day_of("2019-03-04T10:00:00Z"), _day_of("2019-02-30"), _day_of("March 2019")
    ('2019-03-04', None, None)
    """
    import datetime as dt

    m = _ISO_DAY.match(published or "")
    if not m:
        return None
    try:
        return dt.date(*map(int, m.groups())).isoformat()
    except ValueError:
        return None


def _upsert(conn, sa, table, keys, rows, where=None):
    dialect = conn.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise ConfigError(f"the store supports SQLite and PostgreSQL, not {dialect}")
    stmt = insert(table)
    update = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
    stmt = stmt.on_conflict_do_update(index_elements=keys, set_=update,
                                      where=where(table, stmt.excluded) if where else None)
    conn.execute(stmt, rows)


def _replaceable(table, excluded):
    import sqlalchemy as sa

    return sa.or_(table.c.status == "failed", excluded.status == "ok")


def _bulk_insert(conn, table, rows: list[dict]) -> None:
    """Insert many rows: COPY on PostgreSQL (several times faster than INSERT), executemany
    elsewhere."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    cols = list(rows[0])
    raw = conn.connection.dbapi_connection
    quoted = ", ".join(f'"{c}"' for c in cols)
    with raw.cursor() as cur:
        with cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for r in rows:
                copy.write_row([r[c] for c in cols])


def phrase(text: str | None) -> str | None:
    """A span's text as a key to count phrases by: case, punctuation and spacing folded, at most
    200 characters; None when nothing is left.

    >>> phrase("  Radical\\n LEFT! "), phrase("so-called “experts”"), phrase("!!")
    ('radical left', 'so called experts', None)
    """
    if text is None:
        return None
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())[:200] or None


_NOT_WORD = re.compile(r"[\W_]+")


def _run_row(run: dict, n_articles: int, n_spans: int) -> dict:
    import datetime as dt

    result, model = run.get("result") or {}, run.get("model") or {}
    return {"run_id": run["run_id"], "input": run.get("input"), "out": run.get("out"),
            "engine": run.get("engine"), "format": run.get("format"),
            "started": run.get("started"), "finished": run.get("finished"),
            "model_name": model.get("name"), "model_version": model.get("version"),
            "model_fingerprint": model.get("fingerprint"), "unspin_version": run.get("unspin"),
            "articles": result.get("articles", n_articles), "ok": result.get("ok"),
            "failed": result.get("failed"), "spans": result.get("spans", n_spans),
            "loaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")}


def _read_run(folder: Path) -> dict:
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder (give the --out folder of 'unspin batch')")
    path = folder / "run.json"
    try:
        run = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{folder}: no run.json; is this the --out folder of 'unspin batch'?"
                         ) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: unreadable ({exc})") from None
    if not run.get("complete"):
        raise InputError(f"{folder}: the batch run is not finished; run 'unspin batch' again "
                         "to complete it, then load")
    run.setdefault("out", str(folder.resolve()))
    return run


class _Source:
    """The article and span rows of a batch output folder, in batches."""

    def __init__(self, folder: Path, run: dict):
        self.folder, self.run = folder, run
        if (folder / "articles.parquet").exists():
            self.format = "parquet"
        elif (folder / "analyses.jsonl").exists():
            self.format = "jsonl"
        else:
            raise InputError(f"{folder}: no articles.parquet or analyses.jsonl in this folder")

    def batches(self) -> Iterator[tuple[str, list[dict]]]:
        """``(table, rows)``: all articles first, then spans, quotes and targets (the tables of
        an output written before the enrich stage are simply absent)."""
        if self.format == "parquet":
            yield from self._parquet("articles", _ARTICLE_BATCH)
            for kind in _CHILDREN:
                yield from self._parquet(kind, _SPAN_BATCH)
        else:
            yield from self._jsonl()

    def digests(self) -> dict[str, dict[tuple, int]]:
        """Per table (spans, quotes, targets): (article id, model name, version) -> the digest
        of the article's rows in it."""
        digests: dict[str, dict[tuple, int]] = {kind: {} for kind in _CHILDREN}
        if self.format == "parquet":
            batches = (b for kind in _CHILDREN for b in self._parquet(
                kind, _SPAN_BATCH, ["article_id", "model_name", "model_version",
                                    *_DIGESTED[kind]]))
        else:
            batches = (b for b in self._jsonl() if b[0] in _CHILDREN)
        for kind, rows in batches:
            found = digests[kind]
            for r in rows:
                key = (r["article_id"], r["model_name"], r["model_version"])
                found[key] = (found.get(key, 0) + span_digest(r, kind)) % (1 << 128)
        return digests

    def _parquet(self, kind: str, size: int, columns: list[str] | None = None):
        pa = require("pyarrow", "corpus")
        import pyarrow.dataset as ds

        path = self.folder / f"{kind}.parquet"
        if kind in ("quotes", "targets") and not path.exists():
            return  # an output written before the enrich stage
        try:
            for batch in ds.dataset(path, format="parquet").to_batches(batch_size=size,
                                                                        columns=columns):
                yield kind, batch.to_pylist()
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"{path}: not a readable Parquet file ({exc})") from None

    def _jsonl(self):
        from .tables import ARTICLE_FIELDS, rows_from_dict

        row = 0
        found: dict[str, list] = {"articles": [], **{kind: [] for kind in _CHILDREN}}
        path = self.folder / "analyses.jsonl"
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rows = rows_from_dict(json.loads(line), row, f"{path}:{lineno}")
                except (ValueError, KeyError, TypeError) as exc:
                    raise InputError(f"{path}:{lineno}: not an Analysis ({exc})") from None
                found["articles"].append(rows.article)
                for kind in _CHILDREN:
                    found[kind].extend(getattr(rows, kind))
                row += 1
                if len(found["articles"]) >= _ARTICLE_BATCH:
                    yield from found.items()
                    found = {kind: [] for kind in found}
        yield from found.items()
        errors = self.folder / "errors.jsonl"
        if errors.exists():
            failed = []
            model = self.run.get("model") or {}
            with open(errors, encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        e = json.loads(line)
                        r = dict.fromkeys(ARTICLE_FIELDS)
                        r.update(id=e["id"], row=e.get("row"), source=e.get("source"),
                                 status="failed", error=e.get("error"), authors=[],
                                 model_name=model.get("name"), model_version=model.get("version"),
                                 model_fingerprint=model.get("fingerprint"))
                        failed.append(r)
            yield "articles", failed


# ---------------------------------------------------------------------------------------------
# what is stored: list, export, delete

@dataclass(frozen=True)
class StoredModel:
    """One model key in the store and what it holds: articles (``ok`` and ``failed``), spans,
    quotes and targets, and the runs loaded with it."""

    name: str
    version: str
    fingerprint: str
    articles: int
    ok: int
    failed: int
    spans: int
    quotes: int
    targets: int
    runs: int

    @property
    def label(self) -> str:
        return model_label(self.name, self.version, self.fingerprint)


@dataclass(frozen=True)
class StoredRun:
    """A loaded batch run: what its output held (``recorded``: articles, ok, failed, spans)
    and how many of the stored articles are still as it left them (``articles``, ``spans``;
    fewer when a later run replaced some)."""

    run_id: str
    input: str | None
    model: str
    loaded_at: str | None
    recorded: tuple[int, int, int, int]
    articles: int
    spans: int


@dataclass(frozen=True)
class Inventory:
    db: str
    models: tuple[StoredModel, ...]
    runs: tuple[StoredRun, ...]


def _open_store(url: str, sa):
    """An engine on an existing store (never created) whose tables are unspin's; an empty
    database is an InputError that says how to fill it."""
    engine = connect(url, create=False)
    try:
        with engine.connect() as conn:
            check_schema(conn, engine.shown_url)
            if not sa.inspect(conn).has_table("articles"):
                raise InputError(f"{engine.shown_url}: no batch results here; load some with "
                                 f"'unspin store load OUT --db {engine.shown_url}'")
            if not has_enrichment(conn):  # made before the enrich stage: no quotes, targets
                raise InputError(f"{engine.shown_url}: this database was made before quotes "
                                 "and targets were stored; load a batch output into it once "
                                 "('unspin store load OUT') to bring it up to date")
    except BaseException:
        engine.dispose()
        raise
    return engine


def _model_key(table):
    return (table.c.model_name, table.c.model_version, table.c.model_fingerprint)


def inventory(url: str) -> Inventory:
    """The models and runs in the store at ``url``, with their counts (never creates one).

    >>> [m.label for m in inventory("sqlite:///unspin.db").models]    # doctest: +SKIP
    ['minilm-spans.v5@5#de0e4b4d4f54']
    """
    sa = require("sqlalchemy", "corpus")
    t = tables()
    engine = _open_store(url, sa)
    try:
        with engine.connect() as conn:
            counts: dict[tuple, dict[str, int]] = {}
            a = t.articles
            q = sa.select(*_model_key(a), sa.func.count(),
                          sa.func.sum(sa.case((a.c.status == "ok", 1), else_=0)),
                          sa.func.count(sa.distinct(a.c.run_id))).group_by(*_model_key(a))
            for *key, n, ok, runs in conn.execute(q):
                counts[tuple(key)] = {"articles": n, "ok": int(ok or 0), "runs": runs}
            for kind in ("spans", "quotes", "targets"):
                table = getattr(t, kind)
                q = sa.select(*_model_key(table), sa.func.count()).group_by(*_model_key(table))
                for *key, n in conn.execute(q):
                    counts.setdefault(tuple(key), {"articles": 0, "ok": 0, "runs": 0})[kind] = n
            models = tuple(
                StoredModel(*key, articles=c["articles"], ok=c["ok"],
                            failed=c["articles"] - c["ok"], spans=c.get("spans", 0),
                            quotes=c.get("quotes", 0), targets=c.get("targets", 0),
                            runs=c["runs"])
                for key, c in sorted(counts.items()))
            held = {r[0]: (r[1], int(r[2] or 0)) for r in conn.execute(
                sa.select(a.c.run_id, sa.func.count(), sa.func.sum(a.c.spans))
                .group_by(a.c.run_id))}
            r = t.runs
            runs = tuple(
                StoredRun(row.run_id, row.input,
                          model_label(row.model_name or "?", row.model_version,
                                      row.model_fingerprint),
                          row.loaded_at, (row.articles or 0, row.ok or 0, row.failed or 0,
                                          row.spans or 0),
                          *held.get(row.run_id, (0, 0)))
                for row in conn.execute(sa.select(r).order_by(r.c.loaded_at, r.c.run_id)))
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"{engine.shown_url}: query failed ({_reason(exc, engine.url)})"
                         ) from None
    finally:
        engine.dispose()
    return Inventory(engine.shown_url, models, runs)


#: The columns of ``export``'s one table: one row per span, with its article's metadata and
#: summary repeated; an article without spans (or one that failed) has one row whose span
#: columns are empty. Offsets index the article's text (which the store does not keep).
EXPORT_COLUMNS = (
    ("model_name", "the model that analysed the article"),
    ("model_version", "its version"),
    ("model_fingerprint", "sha256 over the model's files: same fingerprint, same behaviour"),
    ("run_id", "the batch run that stored the article as it is"),
    ("article_id", "the article's id in its batch input"),
    ("status", "ok, or failed (then error says why and there are no spans)"),
    ("error", "why the article failed; empty when ok"),
    ("title", "headline"), ("url", "address"), ("outlet", "site or publication"),
    ("language", "ISO 639 code"), ("authors", "author names, '; ' between them"),
    ("published", "publication date as given (ISO 8601 when a date)"),
    ("chars", "length of the analysed text in characters"),
    ("words", "words in the text"), ("sentences", "sentences in the text"),
    ("article_spans", "spans found in the article"),
    ("per_1000_words", "the article's spans per 1,000 words"),
    ("intensity", "share of the article's sentences with a span, percent 0-100"),
    ("span_start", "the span's first character (a Python str index into the text)"),
    ("span_end", "just after its last character (end exclusive)"),
    ("technique", "technique id, e.g. Loaded_Language"),
    ("technique_name", "readable technique name, e.g. Loaded language"),
    ("score", "the model's confidence, 0-1"),
    ("span_text", "the span's words"),
)
_EXPORT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
_EXPORT_BATCH = 10_000


@dataclass(frozen=True)
class Exported:
    path: str
    rows: int
    articles: int
    spans: int


def export(url: str, path, *, model: str | None = None) -> Exported:
    """Write the store at ``url`` as one table (``EXPORT_COLUMNS``) to ``path``, CSV or
    Parquet by its suffix, atomically; ``model`` (NAME, NAME@VERSION or
    NAME@VERSION#FINGERPRINT, a prefix) keeps that model's rows only.

    >>> export("sqlite:///unspin.db", "all.parquet").rows        # doctest: +SKIP
    10412
    """
    from ..files import atomic_path, check_writable

    fmt = _EXPORT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise ConfigError(f"--to {path}: name a .csv or .parquet file")
    check_writable(path)
    if fmt == "parquet":
        require("pyarrow", "corpus")
    sa = require("sqlalchemy", "corpus")
    t = tables()
    engine = _open_store(url, sa)
    a, s = t.articles, t.spans
    try:
        with engine.connect() as conn:
            keys = _matching_models(conn, sa, model, engine.shown_url) if model else None
            join = sa.and_(s.c.article_id == a.c.article_id,
                           *(sc == ac for sc, ac in zip(_model_key(s), _model_key(a))))
            q = (sa.select(*_model_key(a), a.c.run_id, a.c.article_id, a.c.status, a.c.error,
                           a.c.title, a.c.url, a.c.outlet, a.c.language, a.c.authors,
                           a.c.published, a.c.chars, a.c.words, a.c.sentences, a.c.spans,
                           a.c.per_1000_words, a.c.intensity, s.c.start, s.c.end,
                           s.c.technique, s.c.name, s.c.score, s.c.text)
                 .select_from(a.outerjoin(s, join))
                 .order_by(*_model_key(a), a.c.article_id, s.c.start, s.c.end, s.c.technique))
            if keys is not None:
                q = q.where(sa.or_(*(sa.and_(*(c == v for c, v in zip(_model_key(a), k)))
                                     for k in keys)))
            rows = conn.execution_options(stream_results=True, yield_per=_EXPORT_BATCH
                                          ).execute(q)
            with atomic_path(path) as tmp:
                n, articles, spans = (_write_csv if fmt == "csv" else _write_parquet)(
                    tmp, _export_rows(rows))
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"{engine.shown_url}: query failed ({_reason(exc, engine.url)})"
                         ) from None
    finally:
        engine.dispose()
    return Exported(str(path), n, articles, spans)


def _export_rows(rows) -> Iterator[tuple]:
    """Database rows as export rows: authors from JSON to '; '-joined text."""
    for row in rows:
        values = list(row)
        authors = values[11]
        if authors:
            try:
                values[11] = "; ".join(json.loads(authors))
            except (ValueError, TypeError):
                pass
        yield tuple(values)


def _write_csv(path: Path, rows) -> tuple[int, int, int]:
    import csv

    n = spans = 0
    seen: set[tuple] = set()
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([c for c, _ in EXPORT_COLUMNS])
        for row in rows:
            w.writerow(row)
            n += 1
            spans += row[19] is not None
            seen.add(row[:5])
    return n, len(seen), spans


def _write_parquet(path: Path, rows) -> tuple[int, int, int]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    s, i, f = pa.string(), pa.int64(), pa.float64()
    types = {"chars": i, "words": i, "sentences": i, "article_spans": i, "per_1000_words": f,
             "intensity": i, "span_start": i, "span_end": i, "score": f}
    schema = pa.schema([(c, types.get(c, s)) for c, _ in EXPORT_COLUMNS])
    n = spans = 0
    seen: set[tuple] = set()
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            n += 1
            spans += row[19] is not None
            seen.add(row[:5])
            if len(batch) >= _EXPORT_BATCH:
                writer.write_table(_table(pa, schema, batch))
                batch = []
        writer.write_table(_table(pa, schema, batch))
    return n, len(seen), spans


def _table(pa, schema, batch: list[tuple]):
    columns = list(zip(*batch)) if batch else [[] for _ in schema.names]
    return pa.Table.from_arrays([pa.array(col, type=schema.field(k).type)
                                 for k, col in zip(schema.names, columns)], schema=schema)


def _matching_models(conn, sa, wanted: str, shown: str) -> list[tuple[str, str, str]]:
    """Every model key of the store that ``wanted`` names: NAME, NAME@VERSION or
    NAME@VERSION#FINGERPRINT (a prefix of it); an InputError listing the stored ones if none."""
    base, _, prefix = wanted.partition("#")
    name, _, version = base.partition("@")
    a = tables().articles
    found = [tuple(r) for r in conn.execute(sa.select(*_model_key(a)).distinct())]
    chosen = [k for k in found if k[0] == name and (not version or k[1] == version)
              and k[2].startswith(prefix.lower())]
    if not chosen:
        held = ", ".join(sorted(model_label(*k) for k in found)) or "none"
        raise InputError(f"{shown}: no articles analysed with model {wanted} (this store "
                         f"holds {held})")
    return sorted(chosen)


@dataclass(frozen=True)
class Deleted:
    """What a delete removed (or, with ``done`` False, would remove)."""

    db: str
    what: str  # "run X" or "model NAME@VERSION#FP, ..."
    articles: int
    spans: int
    quotes: int
    targets: int
    runs: int
    done: bool


def delete(url: str, *, run: str | None = None, model: str | None = None,
           yes: bool = False) -> Deleted:
    """Remove one run's articles (those the run stored and no later run replaced) or every
    article of a model (NAME, NAME@VERSION or NAME@VERSION#FINGERPRINT), with their spans,
    quotes, targets and per-author rows, and the run records; in one transaction. Without
    ``yes`` nothing is deleted: the result says what would be. Results a deleted run had
    replaced are not brought back.

    >>> delete("sqlite:///unspin.db", run="2024-05-01-a1b2").articles    # doctest: +SKIP
    120
    """
    if (run is None) == (model is None):
        raise ConfigError("store delete: give --run ID or --model NAME (one of them)")
    sa = require("sqlalchemy", "corpus")
    t = tables()
    engine = _open_store(url, sa)
    a = t.articles
    try:
        with (engine.begin() if yes else engine.connect()) as conn:
            if run is not None:
                what = f"run {run}"
                chosen = a.c.run_id == run
                runs_of = t.runs.c.run_id == run
                known = conn.execute(sa.select(sa.func.count()).select_from(t.runs)
                                     .where(runs_of)).scalar() or conn.execute(
                    sa.select(sa.func.count()).select_from(a).where(chosen)).scalar()
                if not known:
                    ids = [r[0] for r in conn.execute(
                        sa.select(t.runs.c.run_id).order_by(t.runs.c.loaded_at).limit(6))]
                    raise InputError(f"{engine.shown_url}: no run {run!r} (runs: "
                                     f"{', '.join(ids) or 'none'}; 'unspin store list' shows "
                                     "them all)")
            else:
                keys = _matching_models(conn, sa, model, engine.shown_url)
                what = "model " + ", ".join(model_label(*k) for k in keys)
                chosen = sa.or_(*(sa.and_(*(c == v for c, v in zip(_model_key(a), k)))
                                  for k in keys))
                runs_of = sa.or_(*(sa.and_(*(c == v for c, v in zip(_model_key(t.runs), k)))
                                   for k in keys))
            counts = {"articles": conn.execute(sa.select(sa.func.count()).select_from(a)
                                               .where(chosen)).scalar()}
            for kind in ("spans", "quotes", "targets", "authors", "techniques", "by_author"):
                child = getattr(t, kind)
                of_chosen = _of_articles(sa, child, a, chosen)
                counts[kind] = conn.execute(sa.select(sa.func.count()).select_from(child)
                                            .where(of_chosen)).scalar()
                if yes:
                    conn.execute(sa.delete(child).where(of_chosen))
            counts["runs"] = conn.execute(sa.select(sa.func.count()).select_from(t.runs)
                                          .where(runs_of)).scalar()
            if yes:
                conn.execute(sa.delete(a).where(chosen))
                conn.execute(sa.delete(t.runs).where(runs_of))
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"{engine.shown_url}: delete failed ({_reason(exc, engine.url)}); "
                         "the database is as it was") from None
    finally:
        engine.dispose()
    return Deleted(engine.shown_url, what, counts["articles"], counts["spans"], counts["quotes"],
                   counts["targets"], counts["runs"], yes)


def _of_articles(sa, child, a, chosen):
    """Rows of ``child`` that belong to the articles ``chosen`` selects (same article and
    model key)."""
    keys = sa.select(a.c.article_id, *_model_key(a)).where(chosen)
    return sa.tuple_(child.c.article_id, *_model_key(child)).in_(keys)
