"""Fixtures for the corpus tests: a few short synthetic articles in every input format, a
synthetic batch output (no model needed), and a PostgreSQL URL when a server can be had."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

ARTICLES = [
    {"id": "dp-1", "outlet": "Daily Planet", "authors": ["Lois Lane", "Clark Kent"],
     "published": "2019-03-04", "title": "Traitors in Washington",
     "text": "Traitors in Washington\n\nThe corrupt, treasonous elite will destroy this great "
             "nation unless every true patriot stands up now. Wake up, America!"},
    {"id": "dp-2", "outlet": "Daily Planet", "authors": ["Lois Lane"], "published": "2019-04-11",
     "title": "A budget for the library",
     "text": "The council met on Tuesday and approved the budget for the new library after a "
             "short debate. Work starts in May."},
    {"id": "gz-1", "outlet": "Gazette", "authors": ["Jimmy Olsen"], "published": "2019-04-20",
     "title": "Invasion at the border",
     "text": "Millions of illegals are flooding across the border, and only a fool would "
             "believe the so-called experts who say there is nothing to fear."},
    {"id": "gz-2", "outlet": "Gazette", "authors": [], "published": None, "title": None,
     "text": "Either we build the wall now or we lose the country forever. There is no third "
             "way. Everyone already knows it."},
]


def run_cli(*args, env=None, timeout=300):
    """``unspin ARGS`` in a subprocess: (exit code, stdout, stderr)."""
    p = subprocess.run([sys.executable, "-m", "unspin.cli", *map(str, args)],
                       capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, **(env or {})})
    return p.returncode, p.stdout, p.stderr


def one_line_error(err: str) -> bool:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    return bool(lines) and "Traceback" not in err and lines[-1].startswith("unspin: error:")


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def write_csv(path: Path, rows) -> Path:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "text", "outlet", "authors", "published",
                                           "title", "url"])
        w.writeheader()
        for r in rows:
            w.writerow({**{k: r.get(k) for k in w.fieldnames},
                        "authors": "; ".join(r.get("authors") or [])})
    return path


def write_parquet(path: Path, rows) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist([{k: r.get(k) for k in ("id", "text", "outlet", "authors",
                                                                  "published", "title")}
                                         for r in rows]), path)
    return path


def write_folder(path: Path, rows) -> Path:
    path.mkdir()
    for r in rows:
        (path / f"{r['id']}.txt").write_text(r["text"], encoding="utf-8")
    return path


@pytest.fixture
def jsonl_input(tmp_path) -> Path:
    return write_jsonl(tmp_path / "articles.jsonl", ARTICLES)


@pytest.fixture(scope="session")
def synthetic_out(tmp_path_factory) -> Path:
    """A finished batch output folder made without a model: 3 outlets, 2 months, 5 articles
    (one failed, one duplicate), 9 spans."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from unspin.corpus.tables import ARTICLE_FIELDS, article_schema, span_schema
    from unspin.techniques import BY_ID

    out = tmp_path_factory.mktemp("synthetic") / "out"
    out.mkdir()
    model = {"model_name": "test-model", "model_version": "1", "model_fingerprint": "0" * 64}
    spans_by = {"a1": [("Loaded_Language", "corrupt"), ("Loaded_Language", "treasonous"),
                       ("Name_Calling,Labeling", "traitors"), ("Flag-Waving", "true patriot")],
                "a2": [("Doubt", "so-called experts"), ("Loaded_Language", "Corrupt ")],
                "a3": [("Black-and-White_Fallacy", "either we build the wall"),
                       ("Bandwagon,Reductio_ad_hitlerum", "everyone already knows")],
                "a4": [("Loaded_Language", "corrupt")]}
    meta = {"a1": ("Daily Planet", ["Lois Lane", "Clark Kent"], "2019-03-04"),
            "a2": ("Gazette", ["Jimmy Olsen"], "2019-04-20"),
            "a3": ("Gazette", [], None),
            "a4": ("Daily Planet", ["Lois Lane"], "2019-04-02")}
    articles, spans = [], []
    for row, (aid, found) in enumerate(spans_by.items()):
        outlet, authors, published = meta[aid]
        a = dict.fromkeys(ARTICLE_FIELDS)
        a.update(id=aid, row=row, source=f"x:{row}", status="ok", outlet=outlet, authors=authors,
                 published=published, month=published[:7] if published else None, chars=500,
                 words=100, sentences=5, spans=len(found), per_1000_words=10.0 * len(found),
                 sentences_with_technique=1, intensity=20, top=[found[0][0]],
                 counts={t: [x for x, _ in found].count(t) for t, _ in found},
                 **model)
        articles.append(a)
        for i, (t, text) in enumerate(found):
            spans.append({"article_id": aid, "start": 10 * i, "end": 10 * i + len(text),
                          "technique": t, "name": BY_ID[t].name, "score": 0.9, "text": text,
                          "model_name": "test-model", "model_version": "1"})
    for row, (aid, error) in enumerate([("a5", "no text"),
                                        ("a1", "duplicate id 'a1': row 5 repeats row 0")], 4):
        a = dict.fromkeys(ARTICLE_FIELDS)
        a.update(id=aid, row=row, source=f"x:{row}", status="failed", error=error, authors=[],
                 **model)
        articles.append(a)
    pq.write_table(pa.Table.from_pylist(articles, schema=article_schema()),
                   out / "articles.parquet")
    pq.write_table(pa.Table.from_pylist(spans, schema=span_schema()), out / "spans.parquet")
    (out / "run.json").write_text(json.dumps({
        "schema": "unspin.batch/1", "run_id": "synthetic-run", "complete": True,
        "engine": "local", "format": "parquet",
        "model": {"name": "test-model", "version": "1", "fingerprint": "0" * 64},
        "result": {"articles": 6, "ok": 4, "failed": 2, "spans": 9}}))
    return out


# ---------------------------------------------------------------------------------------------
# PostgreSQL

def _pg_binaries() -> bool:
    if shutil.which("pg_config") or shutil.which("initdb"):
        return True
    return any(Path("/usr/lib/postgresql").glob("*/bin/initdb"))


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL URL: $UNSPIN_TEST_PG_URL, or a throwaway cluster started by start_pg.sh."""
    url = os.environ.get("UNSPIN_TEST_PG_URL")
    if url:
        yield url
        return
    if not _pg_binaries():
        pytest.skip("PostgreSQL is not installed (apt-get install -y postgresql), and "
                    "UNSPIN_TEST_PG_URL is not set: PostgreSQL store tests skipped")
    env = {**os.environ, "UNSPIN_TEST_PG_PORT": os.environ.get("UNSPIN_TEST_PG_PORT", "54331")}
    env["UNSPIN_TEST_PG_DIR"] = f"/tmp/unspin-pg-pytest-{env['UNSPIN_TEST_PG_PORT']}"
    p = subprocess.run(["bash", str(HERE / "start_pg.sh")], capture_output=True, text=True,
                       env=env, timeout=120)
    if p.returncode != 0:
        pytest.skip(f"could not start PostgreSQL with tests/corpus/start_pg.sh: "
                    f"{p.stderr.strip()[-300:]}")
    try:
        yield p.stdout.strip()
    finally:
        subprocess.run(["bash", str(HERE / "start_pg.sh"), "--stop"], env=env,
                       capture_output=True, timeout=120)


@pytest.fixture
def pg_url(pg_server):
    """The PostgreSQL URL with the unspin tables dropped, so each test starts empty."""
    from unspin.corpus.store import connect, tables

    engine = connect(pg_server)
    with engine.begin() as conn:
        tables()[0].drop_all(conn)
    engine.dispose()
    return pg_server


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Each store test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'unspin.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def corpus():
    """The helpers above, for test modules (with --import-mode=importlib a test cannot import
    conftest by name)."""
    from types import SimpleNamespace

    return SimpleNamespace(ARTICLES=ARTICLES, run_cli=run_cli, one_line_error=one_line_error,
                           write_jsonl=write_jsonl, write_csv=write_csv,
                           write_parquet=write_parquet, write_folder=write_folder)
