"""The store and statistics on SQLite and PostgreSQL, from a synthetic batch output (no model)."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

pytest.importorskip("sqlalchemy", reason="unspin[corpus] is not installed")
pytest.importorskip("pyarrow", reason="unspin[corpus] is not installed")

from unspin.corpus.stats import compute, render_table, to_csv  # noqa: E402
from unspin.corpus.store import StoreError, connect, load_dir  # noqa: E402
from unspin.errors import ConfigError, InputError  # noqa: E402


def counts(url: str) -> dict[str, int]:
    import sqlalchemy as sa

    engine = connect(url)
    with engine.connect() as conn:
        found = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                 for t in ("runs", "articles", "article_authors", "spans")}
    engine.dispose()
    return found


def test_load_twice_is_idempotent(db_url, synthetic_out):
    first = load_dir(synthetic_out, db_url)
    assert (first.articles, first.spans, first.skipped) == (5, 9, 1)  # the duplicate is skipped
    before = counts(db_url)
    assert before == {"runs": 1, "articles": 5, "article_authors": 4, "spans": 9}
    load_dir(synthetic_out, db_url)
    assert counts(db_url) == before


def test_newer_run_replaces_an_article_and_failure_never_replaces_success(db_url, synthetic_out,
                                                                          tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    load_dir(synthetic_out, db_url)
    rerun = tmp_path / "rerun"
    shutil.copytree(synthetic_out, rerun)
    arts = pq.read_table(rerun / "articles.parquet").to_pylist()
    spans = pq.read_table(rerun / "spans.parquet")
    for a in arts:
        if a["id"] == "a2":  # analysed before; this run failed on it
            a.update(status="failed", error="timed out after 1s", spans=None)
        if a["id"] == "a5":  # failed before; this run got it
            a.update(status="ok", error=None, words=50, spans=0, outlet="Gazette")
    pq.write_table(pa.Table.from_pylist(arts, schema=pq.read_schema(rerun / "articles.parquet")),
                   rerun / "articles.parquet")
    keep = [i for i, a in enumerate(spans.column("article_id").to_pylist()) if a != "a2"]
    pq.write_table(spans.take(keep), rerun / "spans.parquet")
    run = json.loads((rerun / "run.json").read_text())
    (rerun / "run.json").write_text(json.dumps({**run, "run_id": "second-run"}))
    load_dir(rerun, db_url)

    import sqlalchemy as sa

    engine = connect(db_url)
    with engine.connect() as conn:
        status = dict(conn.execute(sa.text("SELECT article_id, status FROM articles")).all())
        a2_spans = conn.execute(sa.text(
            "SELECT count(*) FROM spans WHERE article_id = 'a2'")).scalar_one()
    engine.dispose()
    assert status["a2"] == "ok" and a2_spans == 2  # kept the earlier success and its spans
    assert status["a5"] == "ok"
    assert counts(db_url)["runs"] == 2


def test_stats_by_each_grouping(db_url, synthetic_out):
    load_dir(synthetic_out, db_url)
    outlet = compute(db_url, "outlet")
    assert (outlet.articles, outlet.words, outlet.spans) == (4, 400, 9)
    groups = {g.key: g for g in outlet.groups}
    assert set(groups) == {"Daily Planet", "Gazette"}
    dp = groups["Daily Planet"]
    assert (dp.articles, dp.words, dp.spans) == (2, 200, 5)
    assert dp.techniques["Loaded_Language"] == (3, 2)  # 3 spans in 2 articles
    assert dp.share("Loaded_Language") == 1.0 and dp.share("Doubt") == 0.0
    assert dp.per_1000_words == pytest.approx(25.0)

    author = {g.key: g for g in compute(db_url, "author").groups}
    assert author["Lois Lane"].articles == 2 and author["(no author)"].articles == 1

    month = compute(db_url, "month")
    assert [g.key for g in month.groups] == ["2019-03", "2019-04", "(undated)"]

    tech = {r.technique: r for r in compute(db_url, "technique").techniques}
    loaded = tech["Loaded_Language"]
    assert (loaded.spans, loaded.articles, loaded.share) == (4, 3, 0.75)
    assert loaded.phrases == [("corrupt", 3)]  # case and surrounding spaces folded
    assert tech["Doubt"].phrases == []  # "so-called experts" is said once: not a pattern
    assert tech["Repetition"].spans == 0

    table = render_table(compute(db_url, "outlet", min_articles=2))
    assert "Daily Planet" in table and "Loaded language 100%" in table
    rows = list(csv.DictReader(to_csv(outlet).splitlines()))
    assert len(rows) == 2 * 14 and {r["outlet"] for r in rows} == {"Daily Planet", "Gazette"}


def test_stats_cli_table_csv_and_plots(corpus, synthetic_out, tmp_path):
    db = f"sqlite:///{tmp_path / 'u.db'}"
    code, _o, err = corpus.run_cli("store", "load", synthetic_out, "--db", db)
    assert code == 0, err
    assert "5 articles and 9 spans" in err
    for by in ("outlet", "author", "technique", "month"):
        png, table = tmp_path / f"{by}.png", tmp_path / f"{by}.csv"
        code, out, err = corpus.run_cli("stats", "--db", db, "--by", by, "--plot", png,
                                        "--csv", table)
        assert code == 0, err
        assert out.startswith(f"{by}: 4 articles")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
        assert table.read_text().count("\n") > 1


def test_model_choice(db_url, synthetic_out):
    load_dir(synthetic_out, db_url)
    assert compute(db_url, "outlet", model="test-model@1").model == ("test-model", "1", "0" * 64)
    with pytest.raises(InputError, match="no articles analysed with model other"):
        compute(db_url, "outlet", model="other")


def test_empty_database_says_what_to_do(tmp_path):
    import sqlite3

    sqlite3.connect(tmp_path / "empty.db").close()  # a database, but no unspin tables in it
    with pytest.raises(InputError, match="unspin store load"):
        compute(f"sqlite:///{tmp_path / 'empty.db'}", "outlet")


def test_unfinished_or_missing_output_is_refused(tmp_path, synthetic_out):
    with pytest.raises(InputError, match="no such folder"):
        load_dir(tmp_path / "nope", f"sqlite:///{tmp_path / 'x.db'}")
    half = tmp_path / "half"
    shutil.copytree(synthetic_out, half)
    run = json.loads((half / "run.json").read_text())
    (half / "run.json").write_text(json.dumps({**run, "complete": False}))
    with pytest.raises(InputError, match="not finished"):
        load_dir(half, f"sqlite:///{tmp_path / 'x.db'}")


def test_bad_urls():
    with pytest.raises(ConfigError):
        connect("not a url")
    with pytest.raises(ConfigError, match="SQLite .* and PostgreSQL"):
        connect("mysql://me:pw@localhost/db")


def test_database_down_is_one_line_without_password(corpus, synthetic_out):
    url = "postgresql://reader:hunter2-secret@127.0.0.1:9/news"  # port 9 (discard): refused
    with pytest.raises(StoreError, match="cannot connect to postgresql://reader:\\*\\*\\*@"):
        connect(url)
    for args in (["stats", "--by", "outlet"], ["store", "load", synthetic_out]):
        code, out, err = corpus.run_cli(*args, "--db", url)
        assert code == 1
        assert corpus.one_line_error(err), err
        assert "cannot connect to" in err and "hunter2-secret" not in out + err


def test_wrong_password_is_one_line_without_password(corpus, pg_server):
    from sqlalchemy.engine import make_url

    url = make_url(pg_server.replace("postgresql://", "postgresql+psycopg://")).set(
        password="not-the-password").render_as_string(hide_password=False)
    code, out, err = corpus.run_cli("stats", "--by", "outlet", "--db", url)
    assert code == 1 and corpus.one_line_error(err), err
    assert "cannot connect to" in err and "password authentication failed" in err
    assert "not-the-password" not in out + err


def test_unwritable_sqlite_path_is_clean(corpus, tmp_path):
    code, _o, err = corpus.run_cli("stats", "--by", "outlet", "--db",
                                   f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
    assert code == 1 and corpus.one_line_error(err) and "cannot connect to" in err


def test_csv_and_plot_to_dev_null_leave_it_a_device(db_url, synthetic_out):
    import os
    import stat

    from unspin.corpus.plots import plot
    from unspin.corpus.stats import write_csv

    load_dir(synthetic_out, db_url)
    stats = compute(db_url, "outlet")
    write_csv(stats, "/dev/null")
    plot(stats, "/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


# ---------------------------------------------------------------------------------------------
# model fingerprints in the key (issue 9)

def _copy_with_fingerprint(src, dst, fingerprint: str, run_id: str):
    """``src`` as if made by a model of the same name and version but other files."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    shutil.copytree(src, dst)
    schema = pq.read_schema(dst / "articles.parquet")
    arts = pq.read_table(dst / "articles.parquet").to_pylist()
    for a in arts:
        a["model_fingerprint"] = fingerprint
    pq.write_table(pa.Table.from_pylist(arts, schema=schema), dst / "articles.parquet")
    run = json.loads((dst / "run.json").read_text())
    run["model"]["fingerprint"] = fingerprint
    (dst / "run.json").write_text(json.dumps({**run, "run_id": run_id}))
    return dst


def test_two_fingerprints_of_one_version_never_mix(db_url, synthetic_out, tmp_path):
    other = _copy_with_fingerprint(synthetic_out, tmp_path / "other", "f" * 64, "other-run")
    load_dir(synthetic_out, db_url)
    load_dir(other, db_url)
    assert counts(db_url) == {"runs": 2, "articles": 10, "article_authors": 8, "spans": 18}

    latest = compute(db_url, "outlet", model="test-model@1")
    assert latest.model == ("test-model", "1", "f" * 64)
    assert (latest.articles, latest.spans) == (4, 9)  # one model's rows, not both
    assert "2 fingerprints" in latest.note and "ffffffffffff" in latest.note
    older = compute(db_url, "outlet", model="test-model@1#000000000000")
    assert older.model[2] == "0" * 64 and older.note is None
    assert (older.articles, older.spans) == (4, 9)
    assert "test-model@1#000000000000" in render_table(older)
    with pytest.raises(InputError, match="no articles analysed with model test-model@1#abc"):
        compute(db_url, "outlet", model="test-model@1#abc")


def test_database_of_the_older_schema_is_refused_in_one_line(corpus, synthetic_out, tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    con = sqlite3.connect(path)  # the articles table as unspin made it before fingerprints
    con.execute("CREATE TABLE articles (article_id VARCHAR(512) NOT NULL, model_name VARCHAR(128) "
                "NOT NULL, model_version VARCHAR(64) NOT NULL, status VARCHAR(8) NOT NULL, "
                "model_fingerprint VARCHAR(64), "
                "PRIMARY KEY (article_id, model_name, model_version))")
    con.commit()
    con.close()
    for args in (["store", "load", synthetic_out], ["stats", "--by", "outlet"]):
        code, _o, err = corpus.run_cli(*args, "--db", f"sqlite:///{path}")
        assert code == 1 and corpus.one_line_error(err), err
        assert "older unspin" in err and "new database" in err


# ---------------------------------------------------------------------------------------------
# reading never creates a database (issue 12, item 3)

def test_stats_on_a_missing_database_creates_nothing(corpus, tmp_path):
    path = tmp_path / "nope.db"
    code, _o, err = corpus.run_cli("stats", "--by", "outlet", "--db", f"sqlite:///{path}")
    assert code == 1 and corpus.one_line_error(err), err
    assert str(path) in err and "unspin store load" in err
    assert list(tmp_path.iterdir()) == []  # no nope.db, no -wal, no -shm


# ---------------------------------------------------------------------------------------------
# a second load says what changed (issue 12, item 7)

def test_second_load_says_what_changed(corpus, synthetic_out, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    db = f"sqlite:///{tmp_path / 'u.db'}"
    code, _o, err = corpus.run_cli("store", "load", synthetic_out, "--db", db)
    assert code == 0, err
    assert "5 new, 0 updated, 0 unchanged" in err and "9 new, 0 removed, 0 unchanged" in err
    code, _o, err = corpus.run_cli("store", "load", synthetic_out, "--db", db)
    assert code == 0, err
    assert "0 new, 0 updated, 5 unchanged" in err and "0 new, 0 removed, 9 unchanged" in err

    rerun = tmp_path / "rerun"
    shutil.copytree(synthetic_out, rerun)
    schema = pq.read_schema(rerun / "articles.parquet")
    arts = pq.read_table(rerun / "articles.parquet").to_pylist()
    for a in arts:
        if a["id"] == "a4":
            a["outlet"] = "The Daily Planet"  # metadata fixed in the input
    pq.write_table(pa.Table.from_pylist(arts, schema=schema), rerun / "articles.parquet")
    spans = pq.read_table(rerun / "spans.parquet").to_pylist()
    for s in spans:
        if s["article_id"] == "a3" and s["technique"] == "Black-and-White_Fallacy":
            s["score"] = 0.5  # same count, another score: still a change
    pq.write_table(pa.Table.from_pylist(spans, schema=pq.read_schema(rerun / "spans.parquet")),
                   rerun / "spans.parquet")
    loaded = load_dir(rerun, db)
    assert (loaded.new, loaded.updated, loaded.unchanged) == (0, 2, 3)
    assert (loaded.spans_new, loaded.spans_removed, loaded.spans_unchanged) == (3, 3, 6)
    assert counts(db) == {"runs": 1, "articles": 5, "article_authors": 4, "spans": 9}
    assert {g.key for g in compute(db, "outlet").groups} == {"Daily Planet", "The Daily Planet",
                                                              "Gazette"}


# ---------------------------------------------------------------------------------------------
# SIGKILL during a load, then a rerun (issue 12, reliability suite)

def _big_output(out, n_articles: int, spans_per_article: int):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from unspin.corpus.tables import ARTICLE_FIELDS, article_schema, counts_cell, span_schema

    out.mkdir()
    model = {"model_name": "test-model", "model_version": "1"}
    arts, spans = [], []
    for i in range(n_articles):
        a = dict.fromkeys(ARTICLE_FIELDS)
        a.update(id=f"a{i}", row=i, source=f"x:{i}", status="ok", outlet=f"Outlet {i % 7}",
                 authors=[f"Writer {i % 11}"], published=f"2020-{1 + i % 12:02d}-01",
                 month=f"2020-{1 + i % 12:02d}", chars=3000, words=500, sentences=20,
                 spans=spans_per_article, per_1000_words=2.0 * spans_per_article,
                 sentences_with_technique=1, intensity=5, top=["Doubt"],
                 counts=counts_cell({"Doubt": spans_per_article}), model_fingerprint="0" * 64,
                 **model)
        arts.append(a)
        spans += [{"article_id": f"a{i}", "start": 10 * k, "end": 10 * k + 5,
                   "technique": "Doubt", "name": "Doubt", "score": 0.9, "text": f"w{i} {k}",
                   **model} for k in range(spans_per_article)]
    pq.write_table(pa.Table.from_pylist(arts, schema=article_schema()), out / "articles.parquet")
    pq.write_table(pa.Table.from_pylist(spans, schema=span_schema()), out / "spans.parquet")
    (out / "run.json").write_text(json.dumps({
        "schema": "unspin.batch/1", "run_id": "big-run", "complete": True, "engine": "local",
        "format": "parquet",
        "model": {"name": "test-model", "version": "1", "fingerprint": "0" * 64},
        "result": {"articles": n_articles, "ok": n_articles, "failed": 0,
                   "spans": n_articles * spans_per_article}}))
    return out


def _loading(db_url: str, tmp_path) -> bool:
    """True once the load has written into its open transaction."""
    if db_url.startswith("sqlite"):
        wal = tmp_path / "unspin.db-wal"
        return wal.exists() and wal.stat().st_size > 256_000
    import sqlalchemy as sa

    engine = connect(db_url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND "
                "datname = current_database() AND xact_start IS NOT NULL AND "
                "(query LIKE 'COPY \"spans\"%' OR query LIKE 'ANALYZE%')")).scalar_one())
    finally:
        engine.dispose()


def test_sigkill_during_load_then_rerun_loses_nothing(corpus, db_url, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    out = _big_output(tmp_path / "big", 6_000, 20)
    proc = subprocess.Popen([sys.executable, "-m", "unspin.cli", "store", "load", str(out),
                             "--db", db_url], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while not _loading(db_url, tmp_path):
        assert proc.poll() is None, "the load finished before it could be killed"
        assert time.monotonic() < deadline, "the load never started writing"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    code, _o, err = corpus.run_cli("store", "load", out, "--db", db_url)
    assert code == 0, err
    assert "6000 new" in err  # the killed load left nothing half-written behind
    assert counts(db_url) == {"runs": 1, "articles": 6_000, "article_authors": 6_000,
                              "spans": 120_000}
    stats = compute(db_url, "outlet")
    assert (stats.articles, stats.spans) == (6_000, 120_000)


def test_wrong_password_on_load_is_one_line(corpus, pg_server, synthetic_out):
    from sqlalchemy.engine import make_url

    url = make_url(pg_server).set(password="wrong-pass-9").render_as_string(hide_password=False)
    code, out, err = corpus.run_cli("store", "load", synthetic_out, "--db", url)
    assert code == 1 and corpus.one_line_error(err), err
    assert "password authentication failed" in err and "wrong-pass-9" not in out + err
