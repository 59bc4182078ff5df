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
    assert loaded.phrases[0] == ("corrupt", 3)  # case and surrounding spaces folded
    assert tech["Doubt"].phrases == [("so-called experts", 1)]
    assert tech["Repetition"].spans == 0

    table = render_table(compute(db_url, "outlet"))
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
    assert compute(db_url, "outlet", model="test-model@1").model == ("test-model", "1")
    with pytest.raises(InputError, match="no articles analysed with model other"):
        compute(db_url, "outlet", model="other")


def test_empty_database_says_what_to_do(tmp_path):
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
