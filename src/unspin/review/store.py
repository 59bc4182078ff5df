"""Reviews in the store (the database of ``unspin store``, SQLite or PostgreSQL), beside the batch
results and apart from them: two tables of their own, created on first use.

    reviews      review_id, article_id, text_sha256, model_name, model_version,
                 model_fingerprint (null when every span was added by hand), reviewer,
                 reviewed_at, source, accepted, rejected, relabelled, added, moved (counts),
                 ``taxonomy`` (of the reviewed model's techniques: 2020 or 2023; null in rows
                 saved before the column, read as 2020), and ``record``: the review as its
                 corrections JSON line
    corrections  correction_id, review_id, article_id, action, start, end, technique, original,
                 old_start, old_end (a moved span's boundaries before the review)

Tables made before spans could be moved get their three new columns (nullable) on the next save,
and ones made before the taxonomy column get it (null, read as 2020: what the record says too).

Every review is kept, a later one beside an earlier one of the same article; saving a review
already stored (same article, text, reviewer, time and source) changes nothing, so importing
one file twice is harmless. All of a save is one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import ConfigError, StoreError, require
from ..techniques import DEFAULT_TAXONOMY
from .format import Review

__all__ = ["save_reviews", "read_stored", "review_tables"]

_TABLES = None


def review_tables():
    """(metadata, reviews, corrections): the SQLAlchemy Core tables, made once."""
    global _TABLES
    if _TABLES is None:
        sa = require("sqlalchemy", "corpus")
        from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text

        md = MetaData()
        reviews = Table(
            "reviews", md,
            Column("review_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                   autoincrement=True),
            Column("article_id", String(512), nullable=False),
            Column("text_sha256", String(64), nullable=False),
            Column("model_name", String(128)), Column("model_version", String(64)),
            Column("model_fingerprint", String(64)),
            Column("reviewer", String(512), nullable=False),
            Column("reviewed_at", String(40), nullable=False), Column("source", String(512)),
            Column("accepted", Integer), Column("rejected", Integer),
            Column("relabelled", Integer), Column("added", Integer), Column("moved", Integer),
            Column("record", Text, nullable=False), Column("taxonomy", String(8)),
            Index("ix_reviews_article", "article_id", "reviewed_at"))
        corrections = Table(
            "corrections", md,
            Column("correction_id", BigInteger().with_variant(Integer, "sqlite"),
                   primary_key=True, autoincrement=True),
            Column("review_id", BigInteger().with_variant(Integer, "sqlite"),
                   sa.ForeignKey("reviews.review_id"), nullable=False),
            Column("article_id", String(512), nullable=False),
            Column("action", String(8), nullable=False),
            Column("start", Integer, nullable=False), Column("end", Integer, nullable=False),
            Column("technique", String(64), nullable=False), Column("original", String(64)),
            Column("old_start", Integer), Column("old_end", Integer),
            Index("ix_corrections_review", "review_id"),
            Index("ix_corrections_technique", "technique", "action"))
        _TABLES = (md, reviews, corrections)
    return _TABLES


def _engine(url: str):
    from ..corpus.store import connect

    sa = require("sqlalchemy", "corpus")
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        parsed = None
    if parsed is not None and parsed.get_backend_name() == "sqlite" and \
            parsed.database in (None, "", ":memory:"):
        raise ConfigError("an in-memory database (sqlite://) keeps nothing; give a file: "
                          "--db sqlite:///reviews.db")
    return connect(url)


#: Columns added after the tables were first made: (table, column, SQL type).
_ADDED = (("reviews", "moved", "INTEGER"), ("corrections", "old_start", "INTEGER"),
          ("corrections", "old_end", "INTEGER"), ("reviews", "taxonomy", "VARCHAR(8)"))


def _upgrade(conn, sa) -> None:
    """Add the columns a store made by an earlier unspin lacks (nullable, so its rows stay)."""
    inspector = sa.inspect(conn)
    for table, column, kind in _ADDED:
        if column not in {c["name"] for c in inspector.get_columns(table)}:
            conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))


def save_reviews(url: str, reviews: Iterable[Review]) -> tuple[int, int]:
    """Store ``reviews`` in the database at ``url``; (saved, already there)."""
    sa = require("sqlalchemy", "corpus")
    md, t_reviews, t_corrections = review_tables()
    engine = _engine(url)
    saved = known = 0
    try:
        with engine.begin() as conn:
            md.create_all(conn)
            _upgrade(conn, sa)
            for r in reviews:
                key = dict(article_id=r.id, text_sha256=r.text_sha256, reviewer=r.reviewer,
                           reviewed_at=r.reviewed_at)
                where = [t_reviews.c[k] == v for k, v in key.items()]
                where.append(t_reviews.c.source.is_(None) if r.source is None
                             else t_reviews.c.source == r.source)
                same = t_reviews.c.taxonomy == r.taxonomy  # a null one is 2020
                where.append(sa.or_(same, t_reviews.c.taxonomy.is_(None))
                             if r.taxonomy == DEFAULT_TAXONOMY else same)
                if conn.execute(sa.select(t_reviews.c.review_id).where(*where)).first():
                    known += 1
                    continue
                counts = r.counts()
                review_id = conn.execute(t_reviews.insert().values(
                    **key, source=r.source, record=r.to_json(), taxonomy=r.taxonomy,
                    model_name=r.model.name if r.model else None,
                    model_version=r.model.version if r.model else None,
                    model_fingerprint=r.model.fingerprint if r.model else None,
                    accepted=counts["accept"], rejected=counts["reject"],
                    relabelled=counts["relabel"], added=counts["add"],
                    moved=counts["move"])).inserted_primary_key[0]
                rows = [dict(review_id=review_id, article_id=r.id, action=c.action,
                             start=c.start, end=c.end, technique=c.technique,
                             original=c.original, old_start=c.old_start, old_end=c.old_end)
                        for c in r.corrections]
                if rows:
                    conn.execute(t_corrections.insert(), rows)
                saved += 1
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StoreError(f"{engine.shown_url}: saving the reviews failed ({reason})") from None
    finally:
        engine.dispose()
    return saved, known


def read_stored(url: str) -> list[Review]:
    """Every review in the database at ``url``, oldest first (as saved)."""
    import json

    from .format import parse_review

    sa = require("sqlalchemy", "corpus")
    _, t_reviews, _ = review_tables()
    from ..corpus.store import connect, safe_url

    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        parsed = None
    if parsed is not None and parsed.get_backend_name() == "sqlite" and \
            parsed.database not in (None, "", ":memory:") and \
            not Path(parsed.database).is_file():
        raise StoreError(f"{safe_url(url)}: no database file at {parsed.database}, so no "
                         "reviews; save some from the web page ('unspin serve --db') or with "
                         "'unspin review import FILE --db'")
    engine = connect(url, create=False)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("reviews"):
                return []
            rows = conn.execute(sa.select(t_reviews.c.record).order_by(
                t_reviews.c.review_id)).scalars().all()
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StoreError(f"{engine.shown_url}: reading the reviews failed ({reason})") from None
    finally:
        engine.dispose()
    return [parse_review(json.loads(record)) for record in rows]
