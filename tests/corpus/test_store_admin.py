"""store list, export and delete on SQLite and PostgreSQL, from synthetic batch outputs."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

pytest.importorskip("sqlalchemy", reason="unspin[corpus] is not installed")
pytest.importorskip("pyarrow", reason="unspin[corpus] is not installed")

from unspin.cli import main  # noqa: E402
from unspin.corpus.store import EXPORT_COLUMNS, delete, export, inventory, load_dir  # noqa: E402
from unspin.errors import ConfigError, InputError, StoreError  # noqa: E402

OTHER_FP = "1" * 64


def other_model(synthetic_out, tmp_path, run_id="other-run"):
    """The synthetic output as if made by another fingerprint of test-model@1."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / run_id
    shutil.copytree(synthetic_out, out)
    for name in ("articles.parquet", "spans.parquet"):
        table = pq.read_table(out / name)
        rows = table.to_pylist()
        for r in rows:
            if "model_fingerprint" in r:
                r["model_fingerprint"] = OTHER_FP
        pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), out / name)
    run = json.loads((out / "run.json").read_text())
    run.update(run_id=run_id, model={**run["model"], "fingerprint": OTHER_FP})
    (out / "run.json").write_text(json.dumps(run))
    return out


@pytest.fixture
def two_models(db_url, synthetic_out, tmp_path):
    load_dir(synthetic_out, db_url)
    load_dir(other_model(synthetic_out, tmp_path), db_url)
    return db_url


def test_list_names_models_and_runs_with_counts(two_models):
    inv = inventory(two_models)
    assert [(m.label, m.articles, m.ok, m.failed, m.spans, m.runs) for m in inv.models] == [
        ("test-model@1#000000000000", 5, 4, 1, 9, 1),
        ("test-model@1#111111111111", 5, 4, 1, 9, 1)]
    assert [(r.run_id, r.recorded, r.articles, r.spans) for r in inv.runs] == [
        ("synthetic-run", (6, 4, 2, 9), 5, 9), ("other-run", (6, 4, 2, 9), 5, 9)]


def test_export_csv_is_one_table_with_the_documented_columns(two_models, tmp_path):
    path = tmp_path / "all.csv"
    done = export(two_models, path)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [c for c, _ in EXPORT_COLUMNS]
    # per model: 9 span rows + a3... every article with spans gives its spans, a5 (failed) one row
    assert (done.rows, done.articles, done.spans) == (20, 10, 18) == (len(rows), 10, 18)
    a1 = [r for r in rows if r["article_id"] == "a1" and r["model_fingerprint"] == "0" * 64]
    assert len(a1) == 4 and {r["span_text"] for r in a1} >= {"corrupt", "traitors"}
    assert a1[0]["authors"] == "Lois Lane; Clark Kent" and a1[0]["outlet"] == "Daily Planet"
    failed = [r for r in rows if r["status"] == "failed"]
    assert len(failed) == 2 and all(r["span_start"] == "" and r["error"] for r in failed)


def test_export_parquet_and_one_model(two_models, tmp_path):
    import pyarrow.parquet as pq

    path = tmp_path / "one.parquet"
    done = export(two_models, path, model="test-model@1#1111")
    table = pq.read_table(path)
    assert table.num_rows == done.rows == 10 and table.column_names == [c for c, _ in
                                                                         EXPORT_COLUMNS]
    assert set(table.column("model_fingerprint").to_pylist()) == {OTHER_FP}
    assert str(table.schema.field("span_start").type) == "int64"
    with pytest.raises(InputError, match="no articles analysed with model nope"):
        export(two_models, tmp_path / "x.csv", model="nope")


def test_export_refuses_other_suffixes_and_missing_databases(tmp_path):
    with pytest.raises(ConfigError, match=r"\.csv or \.parquet"):
        export(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "out.xlsx")
    with pytest.raises(StoreError, match="no database file"):
        export(f"sqlite:///{tmp_path / 'missing.db'}", tmp_path / "out.csv")
    assert not (tmp_path / "missing.db").exists() and not (tmp_path / "out.csv").exists()


def test_delete_says_what_it_would_remove_then_removes_a_run(two_models):
    dry = delete(two_models, run="other-run")
    assert (dry.done, dry.articles, dry.spans, dry.runs) == (False, 5, 9, 1)
    assert len(inventory(two_models).models) == 2  # nothing deleted
    done = delete(two_models, run="other-run", yes=True)
    assert (done.done, done.articles, done.spans) == (True, 5, 9)
    inv = inventory(two_models)
    assert [m.fingerprint for m in inv.models] == ["0" * 64]
    assert [r.run_id for r in inv.runs] == ["synthetic-run"]
    with pytest.raises(InputError, match="no run 'other-run'"):
        delete(two_models, run="other-run")


def test_delete_by_model_name_takes_every_fingerprint(two_models):
    with pytest.raises(InputError, match="holds test-model@1#000000000000"):
        delete(two_models, model="other", yes=True)
    one = delete(two_models, model="test-model@1#0000", yes=True)
    assert one.what == "model test-model@1#000000000000" and one.articles == 5
    both = delete(two_models, model="test-model")
    assert both.articles == 5 and not both.done
    delete(two_models, model="test-model", yes=True)
    inv = inventory(two_models)
    assert inv.models == () and inv.runs == ()
    with pytest.raises(ConfigError):
        delete(two_models)


def test_cli_list_export_delete(synthetic_out, tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'u.db'}"
    load_dir(synthetic_out, db)
    capsys.readouterr()
    assert main(["store", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "test-model@1#000000000000" in out and "5 articles (1 failed), 9 spans" in out
    assert "synthetic-run" in out
    assert main(["store", "export", "--to", str(tmp_path / "t.csv"), "--db", db]) == 0
    assert "10 rows (5 articles, 9 spans) written to" in capsys.readouterr().err
    assert main(["store", "delete", "--model", "test-model", "--db", db]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "would remove model test-model@1#000000000000" in err
    assert "5 articles, 9 spans" in err and "--yes" in err
    assert main(["store", "delete", "--run", "synthetic-run", "--yes", "--db", db]) == 0
    assert "deleted run synthetic-run" in capsys.readouterr().err
    assert main(["store", "list", "--db", db]) == 0
    assert "none" in capsys.readouterr().out


def test_cli_delete_needs_run_or_model(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["store", "delete", "--yes"])
    assert exc.value.code == 2
    assert "--run" in capsys.readouterr().err


def test_cli_on_an_empty_or_missing_database_is_one_line(tmp_path, capsys):
    assert main(["store", "list", "--db", f"sqlite:///{tmp_path / 'none.db'}"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no database file" in err
