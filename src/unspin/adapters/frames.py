"""pandas: ``analyze_frame(df)`` analyses a column of article texts and gives two frames.

``spans`` holds one row per technique span, ``articles`` one row per input row; both are
indexed by the input frame's index (columns in ``adapters/tables.py``). Offsets index the
text cell exactly: a title column is metadata and is not put in front of the text.

Every text cell is checked before the first is analysed, so a bad cell costs no time: a
missing value (None, NaN), a non-string or an empty string raises ``InputError`` naming the
row and how many more there are; drop or fill them first (``df.dropna(subset=["text"])``).
An article the pipeline refuses (text that is not prose, or larger than ``max_bytes``) raises
its own error with the row's label in front. The index must not repeat a label, since it is
what the rows of ``spans`` point back with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ..errors import InputError, TooLargeError, UnspinError
from ..options import Options, of
from ..pipeline import analyze_document, load_detector

if TYPE_CHECKING:
    import pandas

__all__ = ["Frames", "analyze_frame"]


class Frames(NamedTuple):
    """The result of ``analyze_frame``: ``spans, articles = analyze_frame(df)``."""

    spans: pandas.DataFrame
    articles: pandas.DataFrame


def analyze_frame(df: pandas.DataFrame, text: str = "text", id: str | None = None,
                  title: str | None = None, options: Options | None = None,
                  **arguments) -> Frames:
    """Analyse the articles in column ``text`` of ``df``.

    ``id`` and ``title`` name optional columns for each article's id (default: its index
    label) and title. ``options`` (or keyword arguments naming its fields, ``min_score=0.5``)
    set how, as for ``analyze``; the model is loaded once for all rows.

    >>> import pandas as pd                                          # doctest: +SKIP
    >>> df = pd.DataFrame({"text": ["Only traitors would say that."]})  # doctest: +SKIP
    >>> spans, articles = analyze_frame(df, min_score=0.3)           # doctest: +SKIP
    >>> spans[["technique", "start", "end", "text", "score"]]         # doctest: +SKIP
    >>> df.join(articles[["spans", "intensity"]])                    # doctest: +SKIP
    """
    from .. import ingest
    from .tables import articles_frame, pandas_module, spans_frame

    pd = pandas_module()
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"analyze_frame needs a pandas DataFrame, not {type(df).__name__}")
    for role, column in (("text", text), ("id", id), ("title", title)):
        if column is not None and column not in df.columns:
            raise InputError(f"the frame has no {role} column {column!r}; its columns: "
                             f"{', '.join(map(str, df.columns)) or 'none'}")
    if not df.index.is_unique:
        repeated = df.index[df.index.duplicated()].tolist()[0]
        raise InputError(f"the frame's index repeats the label {repeated!r}; spans point back "
                         "to rows by label: give each row its own (df.reset_index(drop=True))")
    _check_texts(df[text], pd)
    opts = of(options, arguments)
    detector = load_detector(opts)
    ids = df[id] if id else [str(label) for label in df.index]
    titles = df[title] if title else [None] * len(df)
    done = []
    for label, body, aid, head in zip(df.index, df[text], ids, titles):
        try:
            _check_size(body, opts.max_bytes)
            # as a batch run reads a record: the prose check, then the row's metadata on top
            doc = ingest.from_string(body, kind="text", doc_id=_cell(aid, pd) or str(label),
                                     source=f"row {label!r}")
            heading = _cell(head, pd) if title else None
            meta = {"title": heading} if heading else {}  # else the text's own, if any
            done.append((label, analyze_document(doc.with_(kind="record", **meta), opts,
                                                 detector=detector)))
        except UnspinError as exc:
            raise type(exc)(f"row {label!r}: {exc}") from exc
    return Frames(spans_frame(done, df.index.name), articles_frame(done, df.index.name))


def _check_texts(column: pandas.Series, pd) -> None:
    """Raise InputError naming the first row whose text is missing, not a str, or blank."""
    bad = [(label, value) for label, value in column.items()
           if not isinstance(value, str) or not value.strip()]
    if not bad:
        return
    label, value = bad[0]
    what = ("missing" if _missing(value, pd) else "empty" if isinstance(value, str)
            else f"not a str but {type(value).__name__}")
    more = (f" (and {len(bad) - 1} more row{'' if len(bad) == 2 else 's'} like it)"
            if len(bad) > 1 else "")
    raise InputError(f"row {label!r}: the {column.name!r} cell is {what}{more}; drop or fill "
                     f"such rows first, e.g. df.dropna(subset=[{column.name!r}])")


def _check_size(text: str, max_bytes: int) -> None:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise TooLargeError(f"text is {size:,} bytes, over max_bytes ({max_bytes:,}); raise "
                            "max_bytes or split the article")


def _missing(value, pd) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _cell(value, pd) -> str | None:
    """A metadata cell as text; None for a missing value (None, NaN, NA) or a blank string."""
    if _missing(value, pd):
        return None
    text = " ".join(str(value).split())
    return text or None
