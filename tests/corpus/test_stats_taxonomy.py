"""The store records each article's taxonomy and the statistics never mix taxonomies: they are
always of one model, so of its one taxonomy (named when it is not 2020); rows of one model in
two taxonomies are refused in one line; a store made before the column reads as 2020."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("sqlalchemy", reason="unspin[corpus] is not installed")
pytest.importorskip("pyarrow", reason="unspin[corpus] is not installed")

from unspin.analysis import ModelRef  # noqa: E402
from unspin.corpus.stats import compute, render_table  # noqa: E402
from unspin.corpus.store import load_dir  # noqa: E402
from unspin.errors import InputError  # noqa: E402
from unspin.techniques import TAXONOMY_2023, taxonomy  # noqa: E402


def make_output(out, name: str, tax: str | None, found: list[list[str]], fp: str = "a"):
    """A finished batch output of model ``name`` speaking ``tax`` (None: written before the
    column), one article per list of techniques."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from unspin.corpus.tables import ARTICLE_FIELDS, article_schema, counts_cell, span_schema

    out.mkdir()
    model = {"model_name": name, "model_version": "1"}
    by_id = taxonomy(tax).by_id
    arts, spans = [], []
    for row, techniques in enumerate(found):
        aid = f"{name}-{row}"
        a = dict.fromkeys(ARTICLE_FIELDS)
        a.update(id=aid, row=row, source=f"x:{row}", status="ok", outlet="Planet", authors=[],
                 published="2019-01-15", month="2019-01", chars=600, words=100, sentences=5,
                 spans=len(techniques), per_1000_words=10.0 * len(techniques),
                 sentences_with_technique=1, intensity=20, top=techniques[:1],
                 counts=counts_cell({t: techniques.count(t) for t in techniques}),
                 model_fingerprint=fp * 64, taxonomy=tax, **model)
        arts.append(a)
        spans += [{"article_id": aid, "start": 7 * i, "end": 7 * i + 5, "technique": t,
                   "name": by_id[t].name, "score": 0.9, "text": "words", **model}
                  for i, t in enumerate(techniques)]
    pq.write_table(pa.Table.from_pylist(arts, schema=article_schema()), out / "articles.parquet")
    pq.write_table(pa.Table.from_pylist(spans, schema=span_schema()), out / "spans.parquet")
    (out / "run.json").write_text(json.dumps({
        "schema": "unspin.batch/1", "run_id": f"run-{name}-{tax}", "complete": True,
        "engine": "local", "format": "parquet",
        "model": {"name": name, "version": "1", "fingerprint": fp * 64},
        "result": {"articles": len(arts), "ok": len(arts), "failed": 0, "spans": len(spans)}}))
    return out


ARTICLES_2020 = [["Loaded_Language", "Whataboutism,Straw_Men,Red_Herring"], ["Loaded_Language"]]
ARTICLES_2023 = [["Straw_Man", "Red_Herring", "Loaded_Language"], ["Straw_Man"]]


@pytest.fixture
def both_db(tmp_path):
    db = f"sqlite:///{tmp_path / 'u.db'}"
    load_dir(make_output(tmp_path / "old", "m20", "2020", ARTICLES_2020, "a"), db)
    load_dir(make_output(tmp_path / "new", "m23", "2023", ARTICLES_2023, "b"), db)
    return db


def test_the_stats_of_a_2023_model_speak_2023(both_db):
    s = compute(both_db, "technique", model="m23", min_articles=1)
    assert s.taxonomy == "2023"
    rows = {r.technique: (r.spans, r.articles) for r in s.techniques}
    assert rows["Straw_Man"] == (2, 2) and rows["Red_Herring"] == (1, 1)
    assert set(rows) <= set(TAXONOMY_2023.ids)  # no 2020-only id among them
    assert "Whataboutism,Straw_Men,Red_Herring" not in rows
    table = render_table(s)
    assert "(2023 taxonomy)" in table and "Straw man" in table


def test_each_model_s_stats_stay_in_its_own_taxonomy(both_db):
    s20 = compute(both_db, "outlet", model="m20", min_articles=1)
    assert s20.taxonomy == "2020" and "taxonomy" not in render_table(s20)
    (g,) = s20.groups
    assert set(g.techniques) == {"Loaded_Language", "Whataboutism,Straw_Men,Red_Herring"}
    assert set(s20.technique_order()) <= set(taxonomy("2020").ids)
    s23 = compute(both_db, "outlet", model="m23", min_articles=1)
    assert set(s23.groups[0].techniques) == {"Straw_Man", "Red_Herring", "Loaded_Language"}
    assert set(s23.technique_order()) == set(TAXONOMY_2023.ids)


def test_one_model_s_rows_in_two_taxonomies_are_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    db = f"sqlite:///{tmp_path / 'u.db'}"
    load_dir(make_output(tmp_path / "a", "m", "2020", ARTICLES_2020), db)
    arts = [["Straw_Man"]]
    out = make_output(tmp_path / "b", "m", "2023", arts)  # same model key, other ids
    for f in out.glob("*.parquet"):  # other article ids: both sets stay in the store
        t = pq.read_table(f).to_pylist()
        key = "id" if f.stem == "articles" else "article_id"
        for r in t:
            r[key] = "other-" + r[key]
        pq.write_table(pa.Table.from_pylist(t, schema=pq.read_schema(f)), f)
    load_dir(out, db)
    with pytest.raises(InputError, match=r"in the 2020 and 2023 taxonomies") as e:
        compute(db, "technique", model="m", min_articles=1)
    assert "\n" not in str(e.value)


def test_a_store_made_before_the_column_reads_as_2020_and_is_upgraded(tmp_path):
    import sqlalchemy as sa

    path = tmp_path / "u.db"
    db = f"sqlite:///{path}"
    load_dir(make_output(tmp_path / "old", "m20", None, ARTICLES_2020), db)
    engine = sa.create_engine(db)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE articles DROP COLUMN taxonomy"))
    engine.dispose()
    assert compute(db, "technique", min_articles=1).taxonomy == "2020"
    load_dir(make_output(tmp_path / "new", "m23", "2023", ARTICLES_2023, "b"), db)
    engine = sa.create_engine(db)
    with engine.connect() as conn:
        got = dict(conn.execute(sa.text("SELECT model_name, taxonomy FROM articles")).all())
    engine.dispose()
    assert got == {"m20": None, "m23": "2023"}
    assert compute(db, "technique", model="m20", min_articles=1).taxonomy == "2020"


def test_reviewed_counts_take_only_reviews_in_the_model_s_taxonomy(both_db):
    """A review names techniques of its own taxonomy: one of a 2023 model's article counts
    for that model, one in 2020 of the same kind of article is left out, and said so."""
    from unspin.review.format import Correction, Review
    from unspin.review.store import save_reviews

    text = "x" * 600  # the spans of make_output: technique i at 7i..7i+5
    save_reviews(both_db, [
        Review("m23-0", text, (Correction("reject", 0, 5, "Straw_Man"),
                               Correction("add", 21, 26, "Appeal_to_Values")),
               ModelRef("m23", "1", "b" * 64), "ana", "2025-03-01T12:00:00Z", taxonomy="2023"),
        Review("m23-1", text, (Correction("add", 21, 26, "Loaded_Language"),
                               Correction("add", 30, 35, "Bandwagon,Reductio_ad_hitlerum")),
               None, "ben", "2025-03-01T12:00:00Z")])
    s = compute(both_db, "outlet", model="m23", min_articles=1)
    assert s.reviewed == 1 and s.reviewed_model_spans == 3 and s.reviewed_kept == 3
    (g,) = s.groups
    assert g.reviewed_techniques["Appeal_to_Values"] == (1, 1)
    assert g.reviewed_techniques["Straw_Man"] == (1, 1)  # one of two struck
    assert "Bandwagon,Reductio_ad_hitlerum" not in g.reviewed_techniques
    assert s.note == ("1 article reviewed only in another taxonomy than the model's 2023: not "
                      "counted as reviewed")
    s20 = compute(both_db, "outlet", model="m20", min_articles=1)
    assert s20.reviewed == 0 and s20.note is None  # the reviews are of other articles
