"""pandas: analyses as DataFrames with the batch tables' columns (``corpus/tables.py``).

``spans_frame`` gives one row per technique span with the columns of ``spans.parquet``
(``SPAN_COLUMNS``: article_id, start, end, technique, name, score, text, model_name,
model_version) and their types (offsets int32, score float32); ``articles_frame`` one row per
article with the columns of ``articles.parquet`` that describe the analysis
(``ARTICLE_COLUMNS``). Each is indexed by the key it is given for the article (the input
frame's index in ``analyze_frame``), so ``df.join(articles)`` puts them beside the input.

pandas is imported on first use; without it the error says what to install.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING

from ..corpus.tables import ARTICLE_FIELDS, SPAN_FIELDS, rows_from_dict
from ..errors import require

if TYPE_CHECKING:
    import pandas

    from ..analysis import Analysis

__all__ = ["SPAN_COLUMNS", "ARTICLE_COLUMNS", "spans_frame", "articles_frame", "pandas_module"]

SPAN_COLUMNS = SPAN_FIELDS
#: The articles table's columns less those of a batch run's bookkeeping (row, source, status,
#: error) and the metadata a frame already holds in its own columns (url, outlet, authors,
#: published, month): join the frame to have them side by side.
ARTICLE_COLUMNS = tuple(f for f in ARTICLE_FIELDS if f not in (
    "row", "source", "status", "error", "url", "outlet", "authors", "published", "month"))
_SPAN_TYPES = {"start": "int32", "end": "int32", "score": "float32"}
_ARTICLE_TYPES = {"chars": "int64", "words": "int32", "sentences": "int32", "spans": "int32",
                  "per_1000_words": "float64", "sentences_with_technique": "int32",
                  "intensity": "int32"}


def pandas_module():
    """pandas, or a DependencyError that names the extra to install."""
    return require("pandas", "pandas")


def _index(keys: list, name: Hashable | None) -> pandas.Index:
    pd = pandas_module()
    return pd.Index(keys, name=name, dtype=object if not keys else None)


def spans_frame(analyses: Iterable[tuple[Hashable, Analysis]],
                index_name: Hashable | None = None) -> pandas.DataFrame:
    """One row per technique span of every ``(key, analysis)`` pair, indexed by the key.

    >>> from unspin import Analysis, Document, ModelRef
    >>> from unspin.analysis import make_span, summarize
    >>> text = "They are traitors."
    >>> spans = (make_span(text, 9, 17, "Name_Calling,Labeling", 0.9),)
    >>> a = Analysis(Document(text, id="7"), spans, summarize(text, spans), ModelRef("m", "1", ""))
    >>> spans_frame([("row1", a)])[["start", "end", "technique", "text"]]
          start  end              technique      text
    row1      9   17  Name_Calling,Labeling  traitors
    """
    pd = pandas_module()
    keys, rows = [], []
    for key, analysis in analyses:
        for row in _rows(analysis).spans:
            keys.append(key)
            rows.append(row)
    frame = pd.DataFrame(rows, columns=list(SPAN_COLUMNS), index=_index(keys, index_name))
    return frame.astype(_SPAN_TYPES)


def articles_frame(analyses: Iterable[tuple[Hashable, Analysis]],
                   index_name: Hashable | None = None) -> pandas.DataFrame:
    """One row per ``(key, analysis)`` pair with its summary (``ARTICLE_COLUMNS``), indexed by
    the key. ``counts`` holds a dict of spans per technique id, as ``articles.parquet`` reads in
    pandas."""
    pd = pandas_module()
    keys, rows = [], []
    for key, analysis in analyses:
        article = _rows(analysis).article
        keys.append(key)
        rows.append({c: article[c] for c in ARTICLE_COLUMNS})
    frame = pd.DataFrame(rows, columns=list(ARTICLE_COLUMNS), index=_index(keys, index_name))
    return frame.astype(_ARTICLE_TYPES)


def _rows(analysis: Analysis):
    # the same conversion as batch runs, so the frames and the Parquet tables agree
    return rows_from_dict(analysis.to_dict(), row=1, source="")
