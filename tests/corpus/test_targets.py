"""Quotes and targets in the store, and ``unspin stats --by target``, from small batch outputs
written here (no model): loads, what a second load changes, a database from before the enrich
stage, and the entities ranked per outlet with the minimum number of articles."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

pytest.importorskip("sqlalchemy", reason="unspin[corpus] is not installed")
pytest.importorskip("pyarrow", reason="unspin[corpus] is not installed")

from unspin.corpus.stats import compute, render_table, to_csv  # noqa: E402
from unspin.corpus.store import connect, load_dir  # noqa: E402
from unspin.errors import ConfigError, InputError  # noqa: E402

LOADED, NAME, DOUBT, FEAR = ("Loaded_Language", "Name_Calling,Labeling", "Doubt",
                             "Appeal_to_fear-prejudice")
SMITH, EXPERTS, USA = ("Jane Smith", "person"), ("experts", "group"), ("United States", "country")

#: (id, outlet, [(technique, target or None)], [(quote, speaker)]); enriched unless quotes is None
ARTICLES = [
    ("p1", "Planet", [(LOADED, SMITH), (NAME, SMITH), (DOUBT, EXPERTS)],
     [("We win.", "Jane Smith")]),
    ("p2", "Planet", [(LOADED, SMITH), (FEAR, USA), (LOADED, None)], []),
    ("p3", "Planet", [(NAME, SMITH)], [("No.", None)]),
    ("g1", "Gazette", [(DOUBT, EXPERTS), (DOUBT, EXPERTS), (LOADED, SMITH)], []),
    ("g2", "Gazette", [(FEAR, USA)], [("Fight on.", "Bob Jones"), ("Now.", "Bob Jones")]),
    ("g3", "Gazette", [(LOADED, None)], None),  # analysed with --no-enrich
]


def make_output(out, articles=ARTICLES, run_id="run-1"):
    """A finished batch output with quotes.parquet and targets.parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from unspin.corpus.tables import ARTICLE_FIELDS, schema_of
    from unspin.techniques import BY_ID

    out.mkdir()
    model = {"model_name": "m", "model_version": "1"}
    arts, spans, quotes, targets = [], [], [], []
    for row, (aid, outlet, found, said) in enumerate(articles, 1):
        techniques = [t for t, _ in found]
        enriched = said is not None
        mine = [x for x in found if x[1]] if enriched else []
        a = dict.fromkeys(ARTICLE_FIELDS)
        a.update(id=aid, row=row, source=f"x:{row}", status="ok", outlet=outlet, authors=[],
                 published="2020-01-02", month="2020-01", chars=600, words=100, sentences=5,
                 spans=len(found), per_1000_words=10.0 * len(found), sentences_with_technique=1,
                 intensity=20, top=techniques[:1],
                 counts={t: techniques.count(t) for t in techniques},
                 model_fingerprint="a" * 64, enrichment="rules.v1" if enriched else None,
                 quotes=len(said) if enriched else None, targets=len(mine) if enriched else None,
                 **model)
        arts.append(a)
        for i, (t, target) in enumerate(found):
            spans.append({"article_id": aid, "start": 10 * i, "end": 10 * i + 5, "technique": t,
                          "name": BY_ID[t].name, "score": 0.9, "text": "words", **model})
            if enriched and target:
                targets.append({"article_id": aid, "span": i, "technique": t,
                                "span_start": 10 * i, "span_end": 10 * i + 5,
                                "entity": target[0], "kind": target[1], "start": 200,
                                "end": 200 + len(target[0]), "text": target[0],
                                "how": "nearby", **model})
        for k, (text, speaker) in enumerate(said or ()):
            quotes.append({"article_id": aid, "start": 300 + 20 * k, "end": 300 + 20 * k
                           + len(text), "text": text, "kind": "inline", "speaker": speaker,
                           "speaker_start": 0 if speaker else None,
                           "speaker_end": len(speaker) if speaker else None,
                           "cue": "said" if speaker else None, "confidence": 0.8, **model})
    for name, rows in (("articles", arts), ("spans", spans), ("quotes", quotes),
                       ("targets", targets)):
        pq.write_table(pa.Table.from_pylist(rows, schema=schema_of(name)), out / f"{name}.parquet")
    (out / "run.json").write_text(json.dumps({
        "schema": "unspin.batch/3", "run_id": run_id, "complete": True, "engine": "local",
        "format": "parquet", "model": {"name": "m", "version": "1", "fingerprint": "a" * 64},
        "result": {"articles": len(arts), "ok": len(arts), "failed": 0, "spans": len(spans),
                   "quotes": len(quotes), "targets": len(targets)}}))
    return out


def count(url: str, table: str) -> int:
    import sqlalchemy as sa

    engine = connect(url)
    with engine.connect() as conn:
        n = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return n


@pytest.fixture
def enriched_out(tmp_path):
    return make_output(tmp_path / "out")


def test_load_holds_quotes_and_targets_keyed_like_spans(db_url, enriched_out):
    import sqlalchemy as sa

    loaded = load_dir(enriched_out, db_url)
    assert (loaded.articles, loaded.spans, loaded.quotes, loaded.targets) == (6, 12, 4, 10)
    assert (loaded.quotes_new, loaded.targets_new) == (4, 10)
    engine = connect(db_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT article_id, model_name, model_version, model_fingerprint, entity, kind, "
            "technique, outlet FROM targets ORDER BY article_id, span")).all()
        quotes = conn.execute(sa.text("SELECT speaker, cue FROM quotes WHERE article_id = 'g2'"
                                      )).all()
        enrichment = dict(conn.execute(sa.text("SELECT article_id, enrichment FROM articles")
                                       ).all())
    engine.dispose()
    assert rows[0] == ("g1", "m", "1", "a" * 64, "experts", "group", DOUBT, "Gazette")
    assert quotes == [("Bob Jones", "said")] * 2
    assert enrichment["p1"] == "rules.v1" and enrichment["g3"] is None

    again = load_dir(enriched_out, db_url)  # the same output: nothing changes
    assert (again.unchanged, again.quotes_unchanged, again.targets_unchanged) == (6, 4, 10)
    assert (again.quotes_new, again.targets_new) == (0, 0)
    assert (count(db_url, "quotes"), count(db_url, "targets")) == (4, 10)


def test_a_changed_target_updates_only_its_article(corpus, enriched_out, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    db = f"sqlite:///{tmp_path / 'u.db'}"
    code, _o, err = corpus.run_cli("store", "load", enriched_out, "--db", db)
    assert code == 0, err
    assert "6 articles and 12 spans, with 4 quotes and 10 targets" in err
    assert "quotes: 4 new, 0 removed, 0 unchanged; targets: 10 new, 0 removed, 0 unchanged" \
        in err
    rerun = tmp_path / "rerun"
    shutil.copytree(enriched_out, rerun)
    targets = pq.read_table(rerun / "targets.parquet").to_pylist()
    for t in targets:
        if t["article_id"] == "p2" and t["entity"] == "United States":
            t["entity"] = "America"  # same span, now aimed elsewhere
    pq.write_table(pa.Table.from_pylist(targets, schema=pq.read_schema(rerun / "targets.parquet")),
                   rerun / "targets.parquet")
    code, _o, err = corpus.run_cli("store", "load", rerun, "--db", db)
    assert code == 0, err
    assert "articles: 0 new, 1 updated, 5 unchanged" in err
    assert "targets: 2 new, 2 removed, 8 unchanged" in err  # p2's two targets rewritten
    assert "quotes: 0 new, 0 removed, 4 unchanged" in err
    assert {r.entity for r in compute(db, "target").targets} >= {"America", "United States"}


def test_an_output_from_before_the_enrich_stage_loads_and_says_so(synthetic_out, tmp_path):
    db = f"sqlite:///{tmp_path / 'u.db'}"
    loaded = load_dir(synthetic_out, db)  # no quotes.parquet, no targets.parquet
    assert (loaded.quotes, loaded.targets) == (0, 0) and loaded.new == 5
    assert load_dir(synthetic_out, db).unchanged == 5
    with pytest.raises(InputError, match="none of these 4 articles was analysed with "
                                         "enrichment.*--no-enrich"):
        compute(db, "target")


def test_a_database_from_before_the_enrich_stage_is_brought_up_to_date(synthetic_out, tmp_path,
                                                                      enriched_out):
    import sqlalchemy as sa

    db = f"sqlite:///{tmp_path / 'old.db'}"
    load_dir(synthetic_out, db)
    engine = connect(db)
    with engine.begin() as conn:  # the database as the store made it before the enrich stage
        for sql in ("DROP TABLE quotes", "DROP TABLE targets",
                    *(f"ALTER TABLE articles DROP COLUMN {c}"
                      for c in ("enrichment", "quotes", "targets"))):
            conn.execute(sa.text(sql))
    engine.dispose()
    with pytest.raises(InputError, match="loaded before the enrich stage"):
        compute(db, "target")
    assert compute(db, "outlet").articles == 4  # the other statistics read it as before
    assert load_dir(synthetic_out, db).unchanged == 5  # its rows are as they were
    loaded = load_dir(enriched_out, db)
    assert (loaded.new, loaded.targets_new) == (6, 10)
    assert compute(db, "target").targeted == 10
    assert compute(db, "outlet", model="test-model").articles == 4


def test_stats_by_target_ranks_entities_with_techniques_and_outlets(db_url, enriched_out):
    load_dir(enriched_out, db_url)
    s = compute(db_url, "target", min_articles=2)
    assert (s.articles, s.enriched, s.spans, s.targeted) == (6, 5, 12, 10)
    rows = {r.entity: r for r in s.targets}
    smith = rows["Jane Smith"]
    assert (smith.kind, smith.spans, smith.articles) == ("person", 5, 4)
    assert smith.share == pytest.approx(4 / 5)  # of the five articles with enrichment
    assert smith.top_techniques(2) == [(LOADED, 3), (NAME, 2)]
    assert smith.outlets == {"Planet": (4, 3), "Gazette": (1, 1)}
    assert [r.entity for r in s.targets] == ["Jane Smith", "experts", "United States"]
    assert rows["experts"].techniques == {DOUBT: 3}

    s = compute(db_url, "target", min_articles=3)  # experts: 2 articles, USA: 2, Smith: 4
    assert [(r.entity, s.few(r)) for r in s.targets] == [
        ("Jane Smith", False), ("experts", True), ("United States", True)]
    table = render_table(s)
    assert "Jane Smith" in table and "Loaded language 3 · Name calling / labelling 2" in table
    assert "by outlet: Planet 4 · Gazette 1" in table and "fewer than 3 articles" in table
    assert "experts *" in table

    gazette = compute(db_url, "target", outlet="Gazette", min_articles=1)
    assert (gazette.articles, gazette.enriched, gazette.targeted) == (3, 2, 4)
    assert [(r.entity, r.spans) for r in gazette.targets] == [
        ("experts", 2), ("Jane Smith", 1), ("United States", 1)]
    assert render_table(gazette).startswith("target: outlet Gazette: 3 articles (2 with")

    rows = list(csv.DictReader(to_csv(s).splitlines()))
    assert sum(int(r["spans"]) for r in rows) == 10
    first = rows[0]
    assert (first["entity"], first["outlet"], first["technique"], first["spans"],
            first["entity_spans"], first["outlet_articles"]) == \
        ("Jane Smith", "Gazette", LOADED, "1", "5", "2")


def test_stats_by_target_refuses_what_it_cannot_answer(tmp_path, enriched_out):
    db = f"sqlite:///{tmp_path / 'u.db'}"
    load_dir(enriched_out, db)
    with pytest.raises(InputError, match="no articles from outlet 'Nowhere'; outlets with the "
                                         "most articles: "):
        compute(db, "target", outlet="Nowhere")
    with pytest.raises(ConfigError, match="--outlet works with --by target"):
        compute(db, "outlet", outlet="Planet")


def test_stats_by_target_cli_table_csv_and_plot(corpus, enriched_out, tmp_path):
    db = f"sqlite:///{tmp_path / 'u.db'}"
    assert corpus.run_cli("store", "load", enriched_out, "--db", db)[0] == 0
    png, table = tmp_path / "target.png", tmp_path / "target.csv"
    code, out, err = corpus.run_cli("stats", "--db", db, "--by", "target", "--plot", png,
                                    "--csv", table, "--min-articles", "3")
    assert code == 0, err
    assert out.startswith("target: 6 articles (5 with enrichment), 12 spans, 10 aimed at 3 "
                          "entities")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert table.read_text().startswith("entity,kind,outlet,technique,spans,articles")
    code, out, err = corpus.run_cli("stats", "--db", db, "--by", "target", "--outlet", "Planet",
                                    "--plot", tmp_path / "planet.png", "--top", "2")
    assert code == 0, err
    assert "outlet Planet" in out and "the 2 most aimed at of 3 entities" in out
    code, _o, err = corpus.run_cli("stats", "--db", db, "--by", "outlet", "--outlet", "Planet")
    assert code == 2 and corpus.one_line_error(err)


def test_stats_by_target_merges_one_persons_names_across_articles(db_url, tmp_path):
    """'Jane A. Smith', 'Ms. Smith' and a lone 'Smith' in other articles are Jane Smith; 'John
    Smith' would not be merged into her, and groups are never renamed."""
    jane_a, ms, smith, john = (("Jane A. Smith", "person"), ("Ms. Smith", "person"),
                               ("Smith", "person"), ("John Doe", "person"))
    articles = [
        ("a1", "Planet", [(LOADED, SMITH), (NAME, jane_a)], []),
        ("a2", "Planet", [(LOADED, ms), (DOUBT, EXPERTS)], []),
        ("a3", "Gazette", [(NAME, smith), (LOADED, john)], []),
        ("a4", "Gazette", [(LOADED, SMITH)], []),
    ]
    load_dir(make_output(tmp_path / "merged", articles), db_url)
    s = compute(db_url, "target", min_articles=1)
    rows = {r.entity: r for r in s.targets}
    assert set(rows) == {"Jane Smith", "John Doe", "experts"}
    jane = rows["Jane Smith"]
    assert (jane.spans, jane.articles) == (5, 4)
    assert jane.techniques == {LOADED: 3, NAME: 2}
    assert jane.outlets == {"Planet": (3, 2), "Gazette": (2, 2)}
    fine = {(e, o, t): (n, a) for e, _k, o, t, n, a in s.fine}
    assert fine[("Jane Smith", "Planet", LOADED)] == (2, 2)
    assert fine[("Jane Smith", "Planet", NAME)] == (1, 1)
    fine = {k: n for k, (n, _a) in fine.items()}
    assert sum(n for (e, _o, _t), n in fine.items() if e == "Jane Smith") == 5
