"""The store: batch results in a database a team can query (SQLite by default, PostgreSQL by URL),
through SQLAlchemy Core.

Tables (columns as in ``unspin.corpus.tables``; lists and count maps are stored as JSON text):

    runs             one row per loaded batch run (run_id, input, model, counts, times)
    articles            key (article_id, model_name, model_version); run_id, status, metadata,
                        summary
    article_authors     (article_id, model_name, model_version, author): one row per author
    article_techniques  (article_id, model_name, model_version, technique, spans), with the
                        article's outlet and month copied in so the statistics need no join
    author_techniques   the same, once per author of the article (statistics by author)
    spans               span_id, article_id, model_name, model_version, start, end, technique,
                        name, score, text, and ``phrase`` (text lower-cased, spaces folded)

``article_authors``, ``article_techniques``, ``author_techniques`` and ``spans`` hold rows for
analysed (``ok``) articles only.

Loading is an upsert keyed by (article id, model name, model version): loading the same output
twice changes nothing, and a newer run replaces an article's row, authors and spans. A failed
row never replaces an article already analysed. Rows repeating an id within a run (failed with
"duplicate id") are not loaded. Everything is written in one transaction, in batches.

>>> load_dir("out/", "sqlite:///unspin.db").articles    # doctest: +SKIP
1000
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, DependencyError, InputError, StoreError, require

log = logging.getLogger(__name__)

__all__ = ["StoreError", "connect", "load_dir", "Loaded", "tables", "safe_url", "phrase"]

_ARTICLE_BATCH = 2_000
_SPAN_BATCH = 20_000
_ID_CHUNK = 500


@dataclass(frozen=True)
class Loaded:
    db: str
    run_id: str
    model: str
    articles: int
    spans: int
    skipped: int


# ---------------------------------------------------------------------------------------------
# schema

_TABLES = None


def tables():
    """(metadata, runs, articles, article_authors, article_techniques, author_techniques, spans)
    as SQLAlchemy Core tables."""
    global _TABLES
    if _TABLES is not None:
        return _TABLES
    sa = require("sqlalchemy", "corpus")
    from sqlalchemy import BigInteger, Column, Float, Index, Integer, MetaData, String, Table, Text

    md = MetaData()
    key = lambda: [Column("article_id", String(512), nullable=False),  # noqa: E731
                   Column("model_name", String(128), nullable=False),
                   Column("model_version", String(64), nullable=False)]
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
        Column("top", Text), Column("counts", Text), Column("model_fingerprint", String(64)),
        sa.PrimaryKeyConstraint("article_id", "model_name", "model_version"),
        Index("ix_articles_outlet", "model_name", "model_version", "status", "outlet"),
        Index("ix_articles_month", "model_name", "model_version", "status", "month"))
    authors = Table(
        "article_authors", md, *key(), Column("author", String(512), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "model_name", "model_version", "author"),
        Index("ix_article_authors_author", "model_name", "model_version", "author"))
    techniques = Table(
        "article_techniques", md, *key(), Column("technique", String(64), nullable=False),
        Column("spans", Integer, nullable=False), Column("outlet", String(512)),
        Column("month", String(7)),
        sa.PrimaryKeyConstraint("article_id", "model_name", "model_version", "technique"),
        Index("ix_article_techniques_outlet", "model_name", "model_version", "outlet",
              "technique", "spans"),
        Index("ix_article_techniques_month", "model_name", "model_version", "month", "technique",
              "spans"),
        Index("ix_article_techniques_technique", "model_name", "model_version", "technique",
              "spans"))
    by_author = Table(
        "author_techniques", md, *key(), Column("author", String(512), nullable=False),
        Column("technique", String(64), nullable=False), Column("spans", Integer, nullable=False),
        sa.PrimaryKeyConstraint("article_id", "model_name", "model_version", "author",
                                "technique"),
        Index("ix_author_techniques_author", "model_name", "model_version", "author",
              "technique", "spans"))
    spans = Table(
        "spans", md,
        Column("span_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
               autoincrement=True),
        *key(), Column("start", Integer, nullable=False), Column("end", Integer, nullable=False),
        Column("technique", String(64), nullable=False), Column("name", String(128)),
        Column("score", Float), Column("text", Text), Column("phrase", String(200)),
        Index("ix_spans_article", "model_name", "model_version", "article_id"),
        Index("ix_spans_phrase", "model_name", "model_version", "technique", "phrase"))
    _TABLES = (md, runs, articles, authors, techniques, by_author, spans)
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


def connect(url: str):
    """An SQLAlchemy Engine for ``url``, checked by connecting once.

    Raises ``StoreError`` ("cannot connect to ...") when the database is down or refuses the
    login, ``ConfigError`` for a malformed URL, ``DependencyError`` for a missing driver. The
    password never appears in a message.
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
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.connect():
            pass
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"cannot connect to {shown}: {_reason(exc, parsed)}") from None
    engine.shown_url = shown
    return engine


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers are not blocked while a load runs
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA temp_store=MEMORY")  # GROUP BY sorts in memory
    cur.execute("PRAGMA cache_size=-262144")  # 256 MiB of page cache
    cur.close()


# ---------------------------------------------------------------------------------------------
# loading

def load_dir(folder, url: str) -> Loaded:
    """Upsert the batch output in ``folder`` (Parquet or JSONL format) into the database."""
    folder = Path(folder)
    run = _read_run(folder)
    source = _Source(folder)
    engine = connect(url)
    sa = require("sqlalchemy", "corpus")
    md, runs_t, articles_t, *children = tables()
    n_articles = n_spans = skipped = 0
    model = None
    try:
        with engine.begin() as conn:
            md.create_all(conn)
            conn.info.pop("unspin_existing_ids", None)
            for kind, rows in source.batches():
                if kind == "articles":
                    keep = [r for r in rows if not (r["status"] == "failed" and
                                                    (r["error"] or "").startswith("duplicate id"))]
                    skipped += len(rows) - len(keep)
                    n_articles += len(keep)
                    if keep:
                        model = model or (keep[0]["model_name"], keep[0]["model_version"])
                        _upsert_articles(conn, sa, (articles_t, *children), keep, run["run_id"])
                elif rows:
                    _bulk_insert(conn, children[-1], [
                        {**{k: r[k] for k in _SPAN_KEYS}, "phrase": phrase(r["text"])}
                        for r in rows])
                    n_spans += len(rows)
            _upsert(conn, sa, runs_t, ["run_id"], [_run_row(run, n_articles, n_spans)])
            if conn.dialect.name == "postgresql":  # fresh statistics for the planner
                for t in (articles_t, *children):
                    conn.execute(sa.text(f'ANALYZE "{t.name}"'))
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"{engine.shown_url}: load failed ({_reason(exc, engine.url)})") from None
    finally:
        engine.dispose()
    m = run.get("model") or {}
    if m.get("name"):
        model = (m["name"], m.get("version"))
    return Loaded(engine.shown_url, run["run_id"], "@".join(filter(None, model or ("?",))),
                  n_articles, n_spans, skipped)


_SPAN_KEYS = ("article_id", "model_name", "model_version", "start", "end", "technique", "name",
              "score", "text")
_ARTICLE_JSON = ("authors", "top")


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
    """A span's text as a phrase to count: lower case, spaces folded, at most 200 characters.

    >>> phrase("  Radical\\n LEFT ")
    'radical left'
    """
    return " ".join(text.lower().split())[:200] if text is not None else None


def _existing_ids(conn, sa, articles_t, model: tuple[str, str]) -> set[str]:
    """Ids already stored for ``model``: read once per load, in one query."""
    cache = conn.info.setdefault("unspin_existing_ids", {})
    if model not in cache:
        cache[model] = {row[0] for row in conn.execute(sa.select(articles_t.c.article_id).where(
            articles_t.c.model_name == model[0], articles_t.c.model_version == model[1]))}
    return cache[model]


def _upsert_articles(conn, sa, tables, rows, run_id):
    """Upsert a batch of article rows; for the analysed ones, replace their authors, technique
    counts and spans (the spans themselves are inserted afterwards)."""
    articles_t, authors_t, techniques_t, by_author_t, spans_t = tables
    by_model: dict[tuple, list] = {}
    for r in rows:
        if r["status"] == "ok":
            by_model.setdefault((r["model_name"], r["model_version"]), []).append(r)
    known: dict[tuple, list] = {}
    for key, group in by_model.items():
        # only articles loaded before have rows to replace, so a first load deletes nothing
        existing = _existing_ids(conn, sa, articles_t, key)
        known[key] = [r["id"] for r in group if r["id"] in existing]
    db_rows = []
    for r in rows:
        d = {("article_id" if k == "id" else k): v for k, v in r.items()}
        for k in _ARTICLE_JSON:
            d[k] = json.dumps(d[k], ensure_ascii=False) if d.get(k) is not None else None
        if d.get("counts") is not None:  # a struct in batch outputs since unspin.batch/2
            d["counts"] = json.dumps(_counts(d["counts"]), sort_keys=True)
        d["run_id"] = run_id
        db_rows.append(d)
    _upsert(conn, sa, articles_t, ["article_id", "model_name", "model_version"], db_rows,
            where=_replaceable)
    for (name, version), group in by_model.items():
        old = known[name, version]
        for i in range(0, len(old), _ID_CHUNK):
            for t in (authors_t, techniques_t, by_author_t, spans_t):
                conn.execute(t.delete().where(t.c.model_name == name, t.c.model_version == version,
                                              t.c.article_id.in_(old[i:i + _ID_CHUNK])))
        _bulk_insert(conn, authors_t, [
            {"article_id": r["id"], "model_name": name, "model_version": version, "author": a}
            for r in group for a in dict.fromkeys(r["authors"] or ())])
        counts = {r["id"]: _counts(r["counts"]) for r in group}
        _bulk_insert(conn, techniques_t, [
            {"article_id": r["id"], "model_name": name, "model_version": version, "technique": t,
             "spans": n, "outlet": r["outlet"], "month": r["month"]}
            for r in group for t, n in counts[r["id"]].items()])
        _bulk_insert(conn, by_author_t, [
            {"article_id": r["id"], "model_name": name, "model_version": version, "author": a,
             "technique": t, "spans": n}
            for r in group for a in dict.fromkeys(r["authors"] or ()) for t, n in
            counts[r["id"]].items()])


def _counts(value) -> dict[str, int]:
    """``{technique: spans}``, non-zero only, from an articles row's ``counts``: a struct (a
    dict), or the JSON text older batch outputs hold."""
    if isinstance(value, str):
        value = json.loads(value or "{}")
    return {t: int(n) for t, n in (value or {}).items() if n}


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
            "loaded_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}


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

    def __init__(self, folder: Path):
        self.folder = folder
        if (folder / "articles.parquet").exists():
            self.format = "parquet"
        elif (folder / "analyses.jsonl").exists():
            self.format = "jsonl"
        else:
            raise InputError(f"{folder}: no articles.parquet or analyses.jsonl in this folder")

    def batches(self) -> Iterator[tuple[str, list[dict]]]:
        if self.format == "parquet":
            yield from self._parquet("articles", _ARTICLE_BATCH)
            yield from self._parquet("spans", _SPAN_BATCH)
        else:
            yield from self._jsonl()

    def _parquet(self, kind: str, size: int):
        pa = require("pyarrow", "corpus")
        import pyarrow.dataset as ds

        path = self.folder / f"{kind}.parquet"
        try:
            for batch in ds.dataset(path, format="parquet").to_batches(batch_size=size):
                yield kind, batch.to_pylist()
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"{path}: not a readable Parquet file ({exc})") from None

    def _jsonl(self):
        from .tables import ARTICLE_FIELDS, rows_from_dict

        row = 0
        articles, spans = [], []
        path = self.folder / "analyses.jsonl"
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    article, found = rows_from_dict(json.loads(line), row, f"{path}:{lineno}")
                except (ValueError, KeyError, TypeError) as exc:
                    raise InputError(f"{path}:{lineno}: not an Analysis ({exc})") from None
                articles.append(article)
                spans.extend(found)
                row += 1
                if len(articles) >= _ARTICLE_BATCH:
                    yield "articles", articles
                    yield "spans", spans
                    articles, spans = [], []
        yield "articles", articles
        yield "spans", spans
        errors = self.folder / "errors.jsonl"
        if errors.exists():
            failed = []
            run = _read_run(self.folder)
            model = run.get("model") or {}
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
