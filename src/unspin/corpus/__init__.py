"""Corpus scale: batch runs over many articles, a database store, statistics, and Ray.

    records.py    folder / JSONL / CSV / Parquet input -> Record, streamed
    tables.py     the articles, spans, quotes and targets tables (columns documented there)
    work.py       what a worker does: model loaded once, Record -> rows
    pool.py       worker processes with per-article timeouts and restarts
    stream.py     many articles through the pool, results in input order (analyze DIR, batch)
    outdir.py     a run's output folder: lock, run.json, parts + manifest, merge
    batch.py      run_batch(): chunked, resumable, atomic parts, consolidated Parquet or JSONL
    ray_engine.py the same run with its workers on a Ray cluster (unspin[ray])
    store.py      load_dir(): upsert a batch output into SQLite or PostgreSQL (SQLAlchemy Core)
    stats.py      per outlet / author / technique / period / target statistics, in SQL
    plots.py      charts of those statistics (matplotlib, Agg)
    cli.py        the batch, store and stats commands

>>> from unspin.corpus import run_batch                 # doctest: +SKIP
>>> run_batch("articles.jsonl", "out/").ok              # doctest: +SKIP
998

Nothing heavy is imported until used: pyarrow, SQLAlchemy, matplotlib and ray load on first use.
"""

from __future__ import annotations

__all__ = ["run_batch", "BatchResult", "load_dir", "compute"]


def __getattr__(name):
    if name in ("run_batch", "BatchResult"):
        from . import batch

        return getattr(batch, name)
    if name == "load_dir":
        from .store import load_dir

        return load_dir
    if name == "compute":
        from .stats import compute

        return compute
    raise AttributeError(name)
