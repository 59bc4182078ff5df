"""pandas: analyze_frame and Analysis.to_pandas give frames with the batch tables' columns."""

from __future__ import annotations

import pytest

pd = pytest.importorskip("pandas", reason="pandas is not installed: pip install 'unspin[pandas]'")

import unspin  # noqa: E402
from unspin.adapters.tables import ARTICLE_COLUMNS, SPAN_COLUMNS  # noqa: E402
from unspin.corpus.tables import ARTICLE_FIELDS, SPAN_FIELDS  # noqa: E402
from unspin.errors import InputError  # noqa: E402


@pytest.fixture(scope="module")
def frame(excerpts) -> pd.DataFrame:
    stems = list(excerpts)
    return pd.DataFrame({"body": list(excerpts.values()),
                         "headline": ["First", None, "Third"],
                         "key": [f"k{i}" for i in range(len(stems))]},
                        index=pd.Index(stems, name="file"))


@pytest.fixture(scope="module")
def frames(frame):
    return unspin.analyze_frame(frame, text="body", id="key", title="headline")


def test_spans_are_keyed_by_the_frames_index(frame, frames):
    spans, articles = frames
    assert len(spans) > 0 and spans.index.name == "file"
    assert set(spans.index) <= set(frame.index)
    assert tuple(spans.columns) == SPAN_COLUMNS == SPAN_FIELDS
    for label, row in spans.iterrows():  # offsets index the text cell itself
        assert frame.at[label, "body"][row.start:row.end] == row.text
        assert row.article_id == frame.at[label, "key"]
    assert str(spans.start.dtype) == "int32" and str(spans.score.dtype) == "float32"
    assert spans.score.between(0, 1).all()


def test_articles_summarise_each_row(frame, frames):
    spans, articles = frames
    assert list(articles.index) == list(frame.index) and articles.index.name == "file"
    assert tuple(articles.columns) == ARTICLE_COLUMNS
    assert set(ARTICLE_COLUMNS) <= set(ARTICLE_FIELDS)
    assert list(articles.title.iloc[[0, 2]]) == ["First", "Third"]
    for label, row in articles.iterrows():
        assert row.spans == (spans.index == label).sum() == sum(row.counts.values())
        assert row.chars == len(frame.at[label, "body"])
    joined = frame.join(articles[["spans", "intensity"]])
    assert list(joined.columns[-2:]) == ["spans", "intensity"]


def test_frames_fit_the_batch_tables(frames):
    pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed: unspin[corpus]")
    from unspin.corpus.tables import span_schema

    table = pa.Table.from_pandas(frames.spans, schema=span_schema(), preserve_index=False)
    assert table.num_rows == len(frames.spans)


def test_options_apply_to_every_row(frame, frames):
    strict, _ = unspin.analyze_frame(frame, text="body", min_score=0.5, enrich=False)
    assert (strict.score >= 0.5).all() and len(strict) <= len(frames.spans)


@pytest.mark.parametrize("cell, said", [(None, "missing"), (float("nan"), "missing"),
                                        (pd.NA, "missing"), ("  ", "empty"),
                                        (42, "not a str but int")])
def test_a_bad_text_cell_is_named_before_any_analysis(cell, said):
    df = pd.DataFrame({"text": ["Fine text.", cell, cell]}, index=["a", "b", "c"],
                      dtype=object)
    # an unknown model would fail at load: the cells are checked first
    with pytest.raises(InputError) as err:
        unspin.analyze_frame(df, model="no-such-model.v1")
    assert str(err.value).startswith(f"row 'b': the 'text' cell is {said} (and 1 more row like it)")
    assert "dropna" in str(err.value)


def test_a_refused_article_names_its_row():
    junk = " ".join(["x" * 120] * 30)  # "words" over 80 characters: not prose
    df = pd.DataFrame({"text": [junk]}, index=[7])
    with pytest.raises(InputError, match=r"^row 7: "):
        unspin.analyze_frame(df)


def test_bad_frames_are_refused():
    with pytest.raises(InputError, match="needs a pandas DataFrame, not list"):
        unspin.analyze_frame(["a text"])
    with pytest.raises(InputError, match="no text column 'text'; its columns: body"):
        unspin.analyze_frame(pd.DataFrame({"body": ["x"]}))
    with pytest.raises(InputError, match="no title column 'head'"):
        unspin.analyze_frame(pd.DataFrame({"text": ["x"]}), title="head")
    with pytest.raises(InputError, match="repeats the label 1"):
        unspin.analyze_frame(pd.DataFrame({"text": ["x", "y"]}, index=[1, 1]))


def test_to_pandas_is_one_analysis_spans(synthetic):
    analysis = synthetic("Bad. They are traitors.", title=None,
                         spans=((14, 22, "Name_Calling,Labeling", 0.9), (0, 3, "Doubt", 0.4)))
    df = analysis.to_pandas()
    assert list(df.index) == [0, 1] and tuple(df.columns) == SPAN_FIELDS
    assert list(df.text) == [s.text for s in analysis.spans]
    assert list(df.technique) == ["Name_Calling,Labeling", "Doubt"]
    empty = synthetic(spans=()).to_pandas()
    assert empty.empty and tuple(empty.columns) == SPAN_FIELDS
    assert str(empty.start.dtype) == "int32"
