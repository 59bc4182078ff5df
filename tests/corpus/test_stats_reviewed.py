"""Reviewed articles in the statistics: a store holding batch results and reviews (``unspin review
import --db``) counts each reviewed article a second time with its spans as its latest review
leaves them, beside the model's counts, and says how many articles were reviewed."""

from __future__ import annotations

import csv

import pytest

pytest.importorskip("sqlalchemy", reason="unspin[corpus] is not installed")
pytest.importorskip("pyarrow", reason="unspin[corpus] is not installed")

from unspin.analysis import ModelRef  # noqa: E402
from unspin.corpus.stats import compute, render_table, to_csv  # noqa: E402
from unspin.corpus.store import load_dir  # noqa: E402
from unspin.review.format import Correction, Review  # noqa: E402
from unspin.review.store import save_reviews  # noqa: E402

from .test_stats import DOUBT, LOADED, TIMELINE, make_output  # noqa: E402

MODEL = ModelRef("m", "1", "a" * 64)
TEXT = "word " * 120  # the store keeps no text; a review's offsets are what count
SLOGANS = "Slogans"


def review(aid, corrections, when="2025-03-01T12:00:00Z", reviewer="ana"):
    return Review(aid, TEXT, tuple(corrections), MODEL, reviewer, when).check()


@pytest.fixture
def reviewed_db(tmp_path):
    db = f"sqlite:///{tmp_path / 'u.db'}"
    load_dir(make_output(tmp_path / "out", TIMELINE), db)
    # t2 (Planet, 2019-03): "corrupt" Loaded_Language at 0-7, "so-called experts" Doubt at 7-24
    # t4 (Gazette, 2019-07): "evil" Loaded_Language at 0-4
    save_reviews(db, [
        review("t2", [Correction("reject", 0, 7, LOADED), Correction("reject", 7, 24, DOUBT)],
               when="2025-02-01T00:00:00Z", reviewer="ben"),  # earlier: the later one counts
        review("t2", [Correction("reject", 0, 7, LOADED), Correction("accept", 7, 24, DOUBT),
                      Correction("add", 30, 40, SLOGANS)]),
        review("t4", [Correction("move", 0, 10, DOUBT, LOADED, 0, 4)]),
        review("elsewhere", [Correction("add", 0, 4, DOUBT)]),  # not in the store's results
    ])
    return db


def test_groups_count_reviewed_articles_with_their_reviewed_spans(reviewed_db):
    s = compute(reviewed_db, "outlet")
    assert (s.articles, s.spans) == (5, 5)  # the model's counts are as they were
    assert (s.reviewed, s.reviewed_model_spans, s.reviewed_kept, s.reviewed_spans) == (2, 3, 3, 5)
    planet, gazette = (next(g for g in s.groups if g.key == k) for k in ("Planet", "Gazette"))
    assert planet.techniques == {LOADED: (2, 2), DOUBT: (1, 1)}
    assert (planet.reviewed, planet.reviewed_spans) == (1, 3)
    assert planet.reviewed_techniques == {LOADED: (1, 1), DOUBT: (1, 1), SLOGANS: (1, 1)}
    assert (gazette.reviewed, gazette.reviewed_spans) == (1, 2)
    assert gazette.reviewed_techniques == {LOADED: (1, 1), DOUBT: (1, 1)}
    table = render_table(s)
    assert "reviewed: 2 articles with a review" in table
    assert "3 spans by the model in them, 3 after review" in table
    rows = list(csv.DictReader(to_csv(s).splitlines()))
    slogans = next(r for r in rows if r["outlet"] == "Planet" and r["technique"] == SLOGANS)
    assert (slogans["technique_spans"], slogans["reviewed_technique_spans"]) == ("0", "1")
    assert slogans["reviewed_articles"] == "1" and slogans["reviewed_share_of_articles"] == \
        "0.5000"


def test_techniques_and_periods_count_reviews_too(reviewed_db):
    by_t = {r.technique: r for r in compute(reviewed_db, "technique").techniques}
    assert (by_t[LOADED].spans, by_t[LOADED].reviewed_spans) == (4, 2)
    assert (by_t[DOUBT].articles, by_t[DOUBT].reviewed_articles) == (1, 2)
    assert (by_t[SLOGANS].spans, by_t[SLOGANS].reviewed_spans) == (0, 1)
    months = {g.key: g for g in compute(reviewed_db, "month").groups}
    assert (months["2019-03"].reviewed, months["2019-07"].reviewed) == (1, 1)
    assert months["2019-07"].reviewed_techniques == {DOUBT: (1, 1)}
    assert months["2019-01"].reviewed == 0 and months["2019-01"].reviewed_spans == 1
    authors = compute(reviewed_db, "author")
    assert authors.reviewed == 2 and sum(g.reviewed for g in authors.groups) == 2


def test_a_store_without_reviews_reads_as_before(tmp_path):
    db = f"sqlite:///{tmp_path / 'u.db'}"
    load_dir(make_output(tmp_path / "out", TIMELINE), db)
    s = compute(db, "outlet")
    assert s.reviewed == 0 and s.reviewed_spans == s.spans
    assert "reviewed" not in render_table(s)
    rows = list(csv.DictReader(to_csv(s).splitlines()))
    assert all(r["technique_spans"] == r["reviewed_technique_spans"] for r in rows)


def test_stats_cli_after_review_import(corpus, tmp_path):
    db = f"sqlite:///{tmp_path / 'u.db'}"
    load_dir(make_output(tmp_path / "out", TIMELINE), db)
    corrections = tmp_path / "corrections.jsonl"
    corrections.write_text(review("t4", [Correction("reject", 0, 4, LOADED)]).to_json() + "\n",
                           encoding="utf-8")
    code, _out, err = corpus.run_cli("review", "import", corrections, "--db", db)
    assert code == 0, err
    code, out, err = corpus.run_cli("stats", "--by", "technique", "--db", db)
    assert code == 0, err
    assert "reviewed: 1 article with a review (the latest counts), 1 span by the model in " \
           "them, 0 after review; 4 spans in all" in out
    header = next(line for line in out.splitlines() if line.startswith("technique "))
    assert header.split()[-2:] == ["reviewed", "articles"]
    loaded = next(line for line in out.splitlines() if line.startswith("Loaded language"))
    assert loaded.split()[-2:] == ["3", "3"]  # 4 spans in 4 articles by the model


def test_a_review_of_another_model_s_spans_is_left_out_and_said(reviewed_db):
    """A review corrects the spans of the model it names: applied to another model's spans it
    would strike spans that are not there and keep this model's unreviewed ones, so it is left
    out, and the note says how many articles; the latest review of this model still counts."""
    other = ModelRef("m", "2", "b" * 64)
    save_reviews(reviewed_db, [
        Review("t4", TEXT, (Correction("reject", 0, 4, LOADED),), other, "cy",
               "2025-04-01T00:00:00Z").check(),  # later, but of another model's output
        Review("t1", TEXT, (Correction("reject", 0, 4, LOADED),), other, "cy",
               "2025-04-01T00:00:00Z").check(),  # t1's only review
        # the same model by a shortened fingerprint (as Label Studio keeps it)
        Review("t2", TEXT, (Correction("accept", 7, 24, DOUBT),),
               ModelRef("m", "1", "a" * 16), "dee", "2025-05-01T00:00:00Z").check(),
    ])
    s = compute(reviewed_db, "outlet")
    assert s.reviewed == 2  # t2 (dee's) and t4 (ana's): cy's reviews are of m 2's output
    gazette = next(g for g in s.groups if g.key == "Gazette")
    assert gazette.reviewed_techniques == {LOADED: (1, 1), DOUBT: (1, 1)}  # ana's move
    assert s.note == ("1 article reviewed only as another model's output than "
                      f"m@1#{'a' * 12}: not counted as reviewed")


def test_an_article_left_out_for_two_reasons_is_said_once(reviewed_db):
    """t1 reviewed in 2023's techniques and as another model's output: one article left out,
    not one in each note (nor "only in another taxonomy", which it is not)."""
    save_reviews(reviewed_db, [
        Review("t1", TEXT, (Correction("add", 0, 4, "Straw_Man"),), MODEL, "cy",
               "2025-04-01T00:00:00Z", taxonomy="2023").check(),
        Review("t1", TEXT, (Correction("reject", 0, 4, LOADED),), ModelRef("m", "2", "b" * 64),
               "cy", "2025-04-02T00:00:00Z").check(),
    ])
    s = compute(reviewed_db, "outlet")
    assert s.reviewed == 2  # t2 and t4, as before
    assert s.note == ("1 article reviewed only as another model's output than "
                      f"m@1#{'a' * 12}: not counted as reviewed")
