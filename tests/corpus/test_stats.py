"""Statistics over the store: timelines, minimum group sizes and top phrases (issue 12, items 5
and 6), from small batch outputs written here (no model)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("sqlalchemy", reason="unspin[corpus] is not installed")
pytest.importorskip("pyarrow", reason="unspin[corpus] is not installed")

from unspin.corpus.stats import compute, render_table, to_csv  # noqa: E402
from unspin.corpus.store import load_dir, phrase  # noqa: E402


def make_output(out, articles):
    """A finished batch output: ``articles`` = [(id, outlet, published, [(technique, text)])],
    each article 100 words long."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from unspin.corpus.tables import ARTICLE_FIELDS, article_schema, counts_cell, span_schema
    from unspin.techniques import BY_ID

    out.mkdir()
    model = {"model_name": "m", "model_version": "1"}
    arts, spans = [], []
    for row, (aid, outlet, published, found) in enumerate(articles):
        a = dict.fromkeys(ARTICLE_FIELDS)
        techniques = [t for t, _ in found]
        a.update(id=aid, row=row, source=f"x:{row}", status="ok", outlet=outlet, authors=[],
                 published=published, month=published[:7] if published else None, chars=600,
                 words=100, sentences=5, spans=len(found), per_1000_words=10.0 * len(found),
                 sentences_with_technique=1, intensity=20, top=techniques[:1],
                 counts=counts_cell({t: techniques.count(t) for t in techniques}),
                 model_fingerprint="a" * 64, **model)
        arts.append(a)
        spans += [{"article_id": aid, "start": 7 * i, "end": 7 * i + len(text), "technique": t,
                   "name": BY_ID[t].name, "score": 0.9, "text": text, **model}
                  for i, (t, text) in enumerate(found)]
    pq.write_table(pa.Table.from_pylist(arts, schema=article_schema()), out / "articles.parquet")
    pq.write_table(pa.Table.from_pylist(spans, schema=span_schema()), out / "spans.parquet")
    (out / "run.json").write_text(json.dumps({
        "schema": "unspin.batch/1", "run_id": "run-1", "complete": True, "engine": "local",
        "format": "parquet", "model": {"name": "m", "version": "1", "fingerprint": "a" * 64},
        "result": {"articles": len(arts), "ok": len(arts), "failed": 0, "spans": len(spans)}}))
    return out


DOUBT, LOADED = "Doubt", "Loaded_Language"
TIMELINE = [("t1", "Planet", "2019-01-15", [(LOADED, "corrupt")]),
            ("t2", "Planet", "2019-03-10", [(LOADED, "corrupt"), (DOUBT, "so-called experts")]),
            ("t3", "Gazette", "2019-03-20T08:00:00Z", []),
            ("t4", "Gazette", "2019-07-01", [(LOADED, "evil")]),
            ("t5", "Gazette", None, [(LOADED, "evil")])]


@pytest.fixture
def timeline_db(tmp_path):
    db = f"sqlite:///{tmp_path / 'u.db'}"
    load_dir(make_output(tmp_path / "out", TIMELINE), db)
    return db


def test_timeline_shows_empty_periods(timeline_db):
    month = compute(timeline_db, "month", min_articles=1)
    assert [(g.key, g.articles) for g in month.groups] == [
        ("2019-01", 1), ("2019-02", 0), ("2019-03", 2), ("2019-04", 0), ("2019-05", 0),
        ("2019-06", 0), ("2019-07", 1), ("(undated)", 1)]
    march = month.groups[2]
    assert (march.words, march.spans, march.techniques[LOADED]) == (200, 2, (1, 1))

    quarter = compute(timeline_db, "quarter", min_articles=1)
    assert [(g.key, g.articles, g.spans) for g in quarter.groups] == [
        ("2019-Q1", 3, 3), ("2019-Q2", 0, 0), ("2019-Q3", 1, 1), ("(undated)", 1, 1)]
    assert [g.key for g in compute(timeline_db, "year").groups] == ["2019", "(undated)"]

    week = compute(timeline_db, "week", min_articles=1)
    keys = [g.key for g in week.groups]
    assert keys[0] == "2019-W03" and keys[-2] == "2019-W27" and keys[-1] == "(undated)"
    assert len(keys) == 25 + 1 and sum(g.articles for g in week.groups) == 5
    assert "2019-W04  " in render_table(week, top=100)  # an empty week is a row of its own


def test_timeline_has_a_series_per_outlet(timeline_db):
    month = compute(timeline_db, "month", min_articles=1)
    planet = month.series["Planet"]
    assert [p.key for p in planet] == [g.key for g in month.groups if g.key != "(undated)"]
    assert [(p.articles, p.spans) for p in planet][:3] == [(1, 1), (0, 0), (1, 2)]
    assert planet[2].per_1000_words == pytest.approx(20.0)


def test_groups_under_the_minimum_are_marked(timeline_db):
    outlet = compute(timeline_db, "outlet", min_articles=3)
    gazette, planet = outlet.groups
    assert (gazette.key, gazette.articles, planet.articles) == ("Gazette", 3, 2)
    assert not outlet.few(gazette) and outlet.few(planet)
    table = render_table(outlet)
    assert "Loaded language 67%" in table  # Gazette: 2 of 3 articles
    planet_line = next(line for line in table.splitlines() if line.startswith("Planet"))
    assert "%" not in planet_line and "fewer than 3 articles" in planet_line
    assert "(shares hidden where fewer than 3 articles" in table
    assert compute(timeline_db, "outlet").min_articles == 5  # the default


def test_top_phrases_are_whole_recurring_and_as_written(tmp_path):
    long = "the radical left wants to destroy everything this great nation stands for"
    articles = [
        ("p1", "A", "2020-01-01", [(LOADED, "Radical Left"), (LOADED, long), (DOUBT, "once")]),
        ("p2", "A", "2020-01-02", [(LOADED, "radical  left!"), (LOADED, long.capitalize())]),
        ("p3", "A", "2020-01-03", [(LOADED, "Radical Left"), (LOADED, "disaster"),
                                   (LOADED, "Disaster"), (LOADED, "Radical Left,"),
                                   (LOADED, long)]),
        ("p4", "A", "2020-01-04", [(LOADED, "aardvark")])]
    db = f"sqlite:///{tmp_path / 'u.db'}"
    load_dir(make_output(tmp_path / "out", articles), db)
    tech = {r.technique: r for r in compute(db, "technique").techniques}
    # "disaster" and "Disaster" tie: the form that is not a sentence start wins
    assert tech[LOADED].phrases == [("Radical Left", 4), (long, 3), ("disaster", 2)]
    assert tech[DOUBT].phrases == []  # said once: not a pattern
    table = render_table(compute(db, "technique"))
    assert f"“{long}” ×3" in table and "aardvark" not in table
    assert "Radical Left (4)" in to_csv(compute(db, "technique"))


def test_phrase_key_folds_case_space_and_punctuation():
    assert phrase("  Radical\n LEFT! ") == phrase("radical left") == "radical left"
    assert phrase("so-called “experts”") == "so called experts"
    assert phrase("!!") is None


def test_cli_periods_and_min_articles(corpus, timeline_db, tmp_path):
    png = tmp_path / "weeks.png"
    code, out, err = corpus.run_cli("stats", "--db", timeline_db, "--by", "week",
                                    "--min-articles", "1", "--plot", png, "--top", "100")
    assert code == 0, err
    assert out.startswith("week: 5 articles") and "2019-W05" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _o, err = corpus.run_cli("stats", "--db", timeline_db, "--by", "outlet",
                                   "--min-articles", "0")
    assert code == 2 and corpus.one_line_error(err) and "--min-articles" in err


def test_cli_checks_output_paths_before_the_table(corpus, timeline_db, tmp_path):
    code, out, err = corpus.run_cli("stats", "--db", timeline_db, "--by", "outlet",
                                    "--plot", tmp_path / "missing" / "x.png")
    assert code == 1 and corpus.one_line_error(err) and "its folder does not exist" in err
    assert out == ""  # nothing printed before the refusal
    code, out, err = corpus.run_cli("stats", "--db", timeline_db, "--by", "outlet",
                                    "--csv", tmp_path, "--plot", tmp_path / "ok.png")
    assert code == 1 and corpus.one_line_error(err) and "is a folder" in err
    assert out == "" and not (tmp_path / "ok.png").exists()


# issue 22, rough edges: an undated store, the plural, per-outlet lines, the chart's format

def test_timeline_of_an_undated_store_says_there_are_no_dates(tmp_path, corpus):
    from unspin.errors import InputError

    db = f"sqlite:///{tmp_path / 'u.db'}"
    load_dir(make_output(tmp_path / "out", [(f"u{i}", "Planet", None, [(LOADED, "evil")])
                                            for i in range(3)]), db)
    with pytest.raises(InputError, match="no dates: none of its 3 articles has a 'published'"):
        compute(db, "month")
    assert compute(db, "outlet").articles == 3  # other groupings are unaffected
    png = tmp_path / "m.png"
    code, out, err = corpus.run_cli("stats", "--db", db, "--by", "month", "--plot", png)
    assert code == 1 and corpus.one_line_error(err) and "no dates" in err
    assert out == "" and not png.exists()  # no empty chart


def _timeline_figure(stats):
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from unspin.corpus import plots

    return plots._timeline(plt, stats, 25), plt


def test_timeline_chart_says_one_undated_article_and_draws_no_dotted_lines(timeline_db):
    pytest.importorskip("matplotlib")
    fig, plt = _timeline_figure(compute(timeline_db, "month", min_articles=1))
    try:
        texts = " ".join(t.get_text() for t in fig.texts)
        assert "1 undated article not shown" in texts and "undated articles" not in texts
        lines = fig.axes[0].get_lines()
        # each outlet's line and the total, solid; a period with too few articles breaks it
        assert lines and {line.get_linestyle() for line in lines} == {"-"}
        assert len(lines) == 3  # Planet, Gazette, all outlets: no faint line across gaps
    finally:
        plt.close(fig)


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml"),
                                           (".PDF", b"%PDF")])
def test_plot_writes_the_format_its_suffix_names(timeline_db, tmp_path, suffix, magic):
    pytest.importorskip("matplotlib")
    from unspin.corpus.plots import plot

    path = plot(compute(timeline_db, "outlet"), tmp_path / f"chart{suffix}")
    assert path.read_bytes().startswith(magic)


def test_plot_refuses_a_format_it_cannot_write(timeline_db, tmp_path, corpus):
    from unspin.corpus.plots import plot
    from unspin.errors import ConfigError

    for name in ("p.jpg", "chart"):
        with pytest.raises(ConfigError, match=r"name a \.png, \.svg or \.pdf file"):
            plot(compute(timeline_db, "outlet"), tmp_path / name)
    code, out, err = corpus.run_cli("stats", "--db", timeline_db, "--by", "outlet",
                                    "--plot", tmp_path / "p.jpg")
    assert code == 2 and corpus.one_line_error(err) and "p.jpg" in err and ".svg" in err
    assert out == "" and not (tmp_path / "p.jpg").exists()
