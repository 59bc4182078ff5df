"""Files, batch and the store at their edges (issue 25, failures 4, 5, 8 and 9): file names that
are not UTF-8, UTF-16/32 batch inputs, in-memory and failed store loads, NUL characters."""

import json
import os
import sqlite3
from pathlib import Path

import pytest

from unspin.cli import main

pytestmark = pytest.mark.model

ARTICLE = "They are traitors, every one of them, and they will destroy us all!\n"
ROWS = [{"id": "a1", "text": ARTICLE}, {"id": "a2", "text": "The council met on Tuesday."}]


def run(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


def one_line_error(err: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if ln.startswith("unspin: error")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# -- 4: a file name that is not UTF-8 -------------------------------------------------------

@pytest.fixture
def odd_names(tmp_path) -> Path:
    folder = tmp_path / "d"
    folder.mkdir()
    name = os.fsdecode(b"article\xff.txt")  # as Python sees it: a lone surrogate
    (folder / name).write_text(ARTICLE)
    return folder


@pytest.mark.parametrize("fmt", ["json", "text", "semeval", "html"])
def test_a_file_name_that_is_not_utf8_is_shown_with_a_replacement_character(
        capsys, tmp_path, odd_names, fmt):
    single = next(odd_names.iterdir())
    for source in ([single] if fmt == "html" else [single, odd_names]):
        out = tmp_path / f"o.{fmt}"
        code, err = run(capsys, "analyze", source, "--format", fmt, "-o", out)
        assert code == 0 and "Traceback" not in err, err
        assert "\ufffd" in out.read_text(encoding="utf-8") or fmt == "semeval"


def test_batch_names_the_article_with_the_same_form(capsys, tmp_path, odd_names):
    code, err = run(capsys, "batch", odd_names, "--out", tmp_path / "o", "--format", "jsonl",
                    "-q")
    assert code == 0, err
    row = json.loads((tmp_path / "o" / "analyses.jsonl").read_text(encoding="utf-8"))
    assert row["document"]["id"] == "article\ufffd"


# -- 5: UTF-16 and UTF-32 batch inputs -------------------------------------------------------

def jsonl(rows) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def csv_text(rows) -> str:
    return "id,text\n" + "".join(f'{r["id"]},"{r["text"].strip()}"\n' for r in rows)


@pytest.mark.parametrize("suffix,make", [(".jsonl", jsonl), (".csv", csv_text)])
@pytest.mark.parametrize("codec", ["utf-16", "utf-32", "utf-16-be-bom", "utf-8-sig"])
def test_batch_reads_wide_encodings_with_a_byte_order_mark(capsys, tmp_path, suffix, make,
                                                           codec):
    data = (b"\xfe\xff" + make(ROWS).encode("utf-16-be") if codec == "utf-16-be-bom"
            else make(ROWS).encode(codec))
    source = tmp_path / f"in{suffix}"
    source.write_bytes(data)
    code, err = run(capsys, "batch", source, "--out", tmp_path / "o", "--format", "jsonl", "-q")
    assert code == 0, err
    assert "(2 ok, 0 failed)" in err


def test_batch_reads_a_named_wide_encoding_and_refuses_a_wrong_one(capsys, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl(ROWS).encode("utf-16-le"))
    code, err = run(capsys, "batch", source, "--out", tmp_path / "o", "--format", "jsonl",
                    "--encoding", "utf-16-le", "-q")
    assert code == 0 and "(2 ok, 0 failed)" in err, err
    source.write_text(jsonl(ROWS), encoding="utf-8")
    code, err = run(capsys, "batch", source, "--out", tmp_path / "o2", "--format", "jsonl",
                    "--encoding", "utf-16", "-q")
    assert code == 1 and "is not utf-16 text" in one_line_error(err)
    assert not (tmp_path / "o2").exists()


# -- 8: store loads that must not pretend or leave debris ------------------------------------

@pytest.fixture(scope="module")
def batch_out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("batch")
    source = folder / "in.jsonl"
    source.write_text(jsonl(ROWS), encoding="utf-8")
    assert main(["batch", str(source), "--out", str(folder / "out"), "--format", "jsonl",
                 "-q"]) == 0
    return folder / "out"


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_is_refused(capsys, batch_out, url):
    code, err = run(capsys, "store", "load", batch_out, "--db", url)
    assert code == 2 and "in-memory" in one_line_error(err)


@pytest.fixture
def full_disk(monkeypatch):
    """SQLite that runs out of room after a few pages, as on a full disk (SQLITE_FULL)."""
    from unspin.corpus import store

    pragmas = store._sqlite_pragmas

    def tiny(dbapi_conn, record):
        pragmas(dbapi_conn, record)
        dbapi_conn.execute("PRAGMA max_page_count = 12")

    monkeypatch.setattr(store, "_sqlite_pragmas", tiny)


def test_a_failed_load_into_a_new_file_leaves_nothing(capsys, tmp_path, batch_out, full_disk):
    db = tmp_path / "new.db"
    code, err = run(capsys, "store", "load", batch_out, "--db", f"sqlite:///{db}")
    assert code == 1 and "load failed" in one_line_error(err), err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_failed_load_leaves_the_database_as_it_was(capsys, tmp_path, batch_out, monkeypatch):
    db = tmp_path / "kept.db"
    sqlite3.connect(db).execute("CREATE TABLE notes (x TEXT)").connection.commit()
    before = db.read_bytes()
    from unspin.corpus import store

    pragmas = store._sqlite_pragmas
    monkeypatch.setattr(store, "_sqlite_pragmas", lambda c, r: (
        pragmas(c, r), c.execute(f"PRAGMA max_page_count = {len(before) // 4096 + 3}")))
    code, err = run(capsys, "store", "load", batch_out, "--db", f"sqlite:///{db}")
    assert code == 1 and "load failed" in one_line_error(err), err
    tables = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master")}
    assert tables == {"notes"}  # no schema-only database left behind


# -- 9: NUL characters ------------------------------------------------------------------------

def test_nul_in_an_articles_text_is_one_line_in_the_cli(capsys, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("They are traitors.\x00 " + "The council met on Tuesday. " * 3000)
    code, err = run(capsys, "analyze", source, "-o", tmp_path / "o.json")
    assert code == 1 and ("NUL" in err or "binary" in err)
    one_line_error(err)


def test_nul_in_a_batch_row_fails_that_row_and_becomes_ufffd_in_ids(capsys, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(jsonl([{"id": "n\x00ul", "text": ARTICLE, "outlet": "O\x00X"},
                             {"id": "t2", "text": "They are\x00 traitors."}]))
    code, err = run(capsys, "batch", source, "--out", tmp_path / "o", "--format", "jsonl", "-q")
    assert code == 1
    failed = [json.loads(ln) for ln in (tmp_path / "o" / "errors.jsonl").read_text().splitlines()]
    assert [(f["id"], f["row"]) for f in failed] == [("t2", 2)]
    assert "NUL character" in failed[0]["error"]
    ok = json.loads((tmp_path / "o" / "analyses.jsonl").read_text().splitlines()[0])
    assert ok["document"]["id"] == "n\ufffdul" and ok["document"]["outlet"] == "O\ufffdX"


@pytest.mark.skipif(not os.environ.get("UNSPIN_TEST_PG_URL"),
                    reason="UNSPIN_TEST_PG_URL is not set (bash tests/corpus/start_pg.sh)")
def test_a_postgresql_load_names_the_rows_with_nul(capsys, tmp_path, batch_out):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(batch_out, out)
    lines = (out / "analyses.jsonl").read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[0])
    row["document"]["outlet"] = "Bad\x00Outlet"  # written by an older unspin
    lines[0] = json.dumps(row)
    (out / "analyses.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    from unspin.corpus.store import connect, tables

    engine = connect(os.environ["UNSPIN_TEST_PG_URL"])
    with engine.begin() as conn:
        tables()[0].drop_all(conn)
    engine.dispose()
    code, err = run(capsys, "store", "load", out, "--db", os.environ["UNSPIN_TEST_PG_URL"])
    assert code == 0, err
    assert "NUL characters stored as U+FFFD" in err and "'a1'" in err
