"""The tables a batch run writes, their columns, and how an Analysis becomes rows.

``articles.parquet``: one row per input record, in input order.

============================  =============  ==================================================
column                        type           meaning
============================  =============  ==================================================
id                            string         article id (input ``id``; for a folder, the file's
                                             path below it without suffix)
row                           int64          position in the input, from 1 (unique), as every
                                             batch message counts rows
source                        string         file path, or ``input.jsonl:LINE`` / ``input.csv:LINE``
                                             / ``input.parquet:row N``
status                        string         ``ok`` or ``failed``
error                         string         why it failed, one line (null when ok); a repeated
                                             id fails with ``duplicate id ...``
title, url, outlet, language  string         metadata (null when unknown)
authors                       list<string>   author names
published                     string         publication date as given (ISO when known;
                                             not a date per ``records.read_date``: no month)
month                         string         ``YYYY-MM`` of ``published`` (null if not ISO)
chars                         int64          characters in the analysed text
words, sentences              int32          counts over the text
spans                         int32          technique spans found
per_1000_words                float64        spans per 1000 words
sentences_with_technique      int32          sentences holding at least one span
intensity                     int32          percent of sentences with a technique (0-100)
top                           list<string>   up to 3 most frequent technique ids
counts                        struct<int32>  spans per technique: one field per technique id
                                             of either taxonomy (the 14 of 2020, then the
                                             2023 ids 2020 lacks), 0 when none
model_name, model_version     string         the model that produced the spans
model_fingerprint             string         sha256 over every file of the model folder
enrichment                    string         the enrich method that found quotes and targets
                                             (``rules.v1``); null when enrichment was skipped
                                             (``--no-enrich``) or the row failed
quotes, targets               int32          rows of the article in quotes / targets (null when
                                             not enriched)
taxonomy                      string         the taxonomy of the model's techniques, ``2020``
                                             or ``2023`` (null on failed rows and in outputs
                                             written before there was a choice: 2020)
============================  =============  ==================================================

Summary columns are null on failed rows. ``counts`` reads as a dict in pandas
(``df.counts[0]["Loaded_Language"]``) and as a struct in SQL engines that read Parquet
(DuckDB: ``counts."Loaded_Language"``). ``spans.parquet``: one row per technique span.

============================  =============  ==================================================
article_id                    string         ``articles.id``
start, end                    int32          offsets into the article's text (end exclusive)
technique                     string         technique id (``unspin techniques``)
name                          string         technique name
score                         float32        model confidence, 0-1
text                          string         the span's text
model_name, model_version     string         as in articles
============================  =============  ==================================================

``quotes.parquet``: one row per direct quote (``Analysis.enrichment.quotes``).

============================  =============  ==================================================
article_id                    string         ``articles.id``
start, end                    int32          offsets of what was said, without the quotation
                                             marks (end exclusive)
text                          string         the quote
kind                          string         ``inline`` (in quotation marks) or ``block`` (a
                                             paragraph introduced by a colon, or ``>``)
speaker                       string         the fullest name the article gives the speaker
                                             (null when no one is named)
speaker_start, speaker_end    int32          the mention that attributed it (null with speaker)
cue                           string         the attributing word: ``said``, ``told``, ``:`` ...
confidence                    float32        that quote and speaker are both right, 0-1
model_name, model_version     string         as in articles
============================  =============  ==================================================

``targets.parquet``: one row per technique span aimed at someone
(``Analysis.enrichment.targets``; spans with no target found have no row).

============================  =============  ==================================================
article_id                    string         ``articles.id``
span                          int32          the span's index among the article's spans (its
                                             rows in ``spans``, in order, from 0)
technique                     string         the span's technique id
span_start, span_end          int32          the span's offsets
entity                        string         who it is aimed at: the entity's fullest name
kind                          string         ``person``, ``group``, ``country`` or ``org``
start, end                    int32          offsets of the mention chosen as the target
text                          string         that mention as written
how                           string         why: ``inside``, ``possessive``, ``nearby``,
                                             ``pronoun`` or ``group-noun``
model_name, model_version     string         as in articles
============================  =============  ==================================================

All of them match ``Analysis.to_dict()`` field for field; ``--format jsonl`` writes that JSON
instead. A run with enrichment skipped writes ``quotes.parquet`` and ``targets.parquet`` with
these columns and no rows.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..techniques import TAXONOMY_2023, TECHNIQUE_IDS
from .records import Record, month_of

__all__ = ["ARTICLE_FIELDS", "SPAN_FIELDS", "QUOTE_FIELDS", "TARGET_FIELDS", "KINDS",
           "failed_row", "article_schema", "span_schema",
           "quote_schema", "target_schema", "schema_of", "Rows", "rows_from_dict", "scrub",
           "counts_cell", "COUNT_IDS"]

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

ARTICLE_FIELDS = ("id", "row", "source", "status", "error", "title", "url", "outlet", "language",
                  "authors", "published", "month", "chars", "words", "sentences", "spans",
                  "per_1000_words", "sentences_with_technique", "intensity", "top", "counts",
                  "model_name", "model_version", "model_fingerprint", "enrichment", "quotes",
                  "targets", "taxonomy")
#: The fields of the ``counts`` struct: every technique id of the 2020 taxonomy, then the ids
#: of 2023 that 2020 lacks (one batch schema for the models of either).
COUNT_IDS = TECHNIQUE_IDS + tuple(t for t in TAXONOMY_2023.ids if t not in TECHNIQUE_IDS)
SPAN_FIELDS = ("article_id", "start", "end", "technique", "name", "score", "text", "model_name",
               "model_version")
QUOTE_FIELDS = ("article_id", "start", "end", "text", "kind", "speaker", "speaker_start",
                "speaker_end", "cue", "confidence", "model_name", "model_version")
TARGET_FIELDS = ("article_id", "span", "technique", "span_start", "span_end", "entity", "kind",
                 "start", "end", "text", "how", "model_name", "model_version")
#: The Parquet tables of a batch output, in the order they are written and merged.
KINDS = ("articles", "spans", "quotes", "targets")


def article_schema():
    import pyarrow as pa

    s, i32 = pa.string(), pa.int32()
    return pa.schema([
        ("id", s), ("row", pa.int64()), ("source", s), ("status", s), ("error", s),
        ("title", s), ("url", s), ("outlet", s), ("language", s), ("authors", pa.list_(s)),
        ("published", s), ("month", s), ("chars", pa.int64()), ("words", i32),
        ("sentences", i32), ("spans", i32), ("per_1000_words", pa.float64()),
        ("sentences_with_technique", i32), ("intensity", i32), ("top", pa.list_(s)),
        ("counts", pa.struct([(t, i32) for t in COUNT_IDS])), ("model_name", s),
        ("model_version", s), ("model_fingerprint", s), ("enrichment", s), ("quotes", i32),
        ("targets", i32), ("taxonomy", s)])


def span_schema():
    import pyarrow as pa

    s, i32 = pa.string(), pa.int32()
    return pa.schema([("article_id", s), ("start", i32), ("end", i32), ("technique", s),
                      ("name", s), ("score", pa.float32()), ("text", s), ("model_name", s),
                      ("model_version", s)])


def quote_schema():
    import pyarrow as pa

    s, i32 = pa.string(), pa.int32()
    return pa.schema([("article_id", s), ("start", i32), ("end", i32), ("text", s), ("kind", s),
                      ("speaker", s), ("speaker_start", i32), ("speaker_end", i32), ("cue", s),
                      ("confidence", pa.float32()), ("model_name", s), ("model_version", s)])


def target_schema():
    import pyarrow as pa

    s, i32 = pa.string(), pa.int32()
    return pa.schema([("article_id", s), ("span", i32), ("technique", s), ("span_start", i32),
                      ("span_end", i32), ("entity", s), ("kind", s), ("start", i32),
                      ("end", i32), ("text", s), ("how", s), ("model_name", s),
                      ("model_version", s)])


def schema_of(kind: str):
    """The Arrow schema of the table ``kind`` (one of ``KINDS``)."""
    return {"articles": article_schema, "spans": span_schema, "quotes": quote_schema,
            "targets": target_schema}[kind]()


class Rows(NamedTuple):
    """One analysed article as table rows: its articles row and its rows in the other tables."""

    article: dict
    spans: list[dict]
    quotes: list[dict]
    targets: list[dict]


def _model(model) -> dict:
    if model is None:
        return {"model_name": None, "model_version": None, "model_fingerprint": None}
    return {"model_name": model.name, "model_version": model.version,
            "model_fingerprint": model.fingerprint}


def counts_cell(counts: dict) -> dict:
    """Spans per technique as the ``counts`` struct column holds them: every technique id
    (``COUNT_IDS``), zero where the technique is absent."""
    return {t: int(counts.get(t, 0)) for t in COUNT_IDS}


def rows_from_dict(d: dict, row: int, source: str) -> Rows:
    """The rows of every table from ``Analysis.to_dict()`` (or a line of analyses.jsonl); an
    analysis without enrichment (skipped, or written before the enrich stage) has no quote or
    target rows and null ``enrichment``, ``quotes`` and ``targets`` columns."""
    doc, summary, model = d["document"], d["summary"], d["model"]
    enrichment = d.get("enrichment")
    quotes = (enrichment or {}).get("quotes") or ()
    targets = (enrichment or {}).get("targets") or ()
    which = {"model_name": model["name"], "model_version": model["version"]}
    article = {
        "id": doc["id"], "row": row, "source": source, "status": "ok", "error": None,
        "title": doc.get("title"), "url": doc.get("url"), "outlet": doc.get("outlet"),
        "language": doc.get("language"), "authors": list(doc.get("authors") or ()),
        "published": doc.get("published"), "month": month_of(doc.get("published")),
        "chars": len(doc["text"]), "words": summary["words"], "sentences": summary["sentences"],
        "spans": len(d["spans"]), "per_1000_words": summary["per_1000_words"],
        "sentences_with_technique": summary["sentences_with_technique"],
        "intensity": summary["intensity"], "top": list(summary["top"]),
        "counts": counts_cell(summary["counts"]),
        "model_name": model["name"], "model_version": model["version"],
        "model_fingerprint": model["fingerprint"],
        "enrichment": enrichment["method"] if enrichment else None,
        "quotes": len(quotes) if enrichment else None,
        "targets": len(targets) if enrichment else None,
        "taxonomy": d.get("taxonomy") or "2020"}
    spans = [{"article_id": doc["id"], "start": s["start"], "end": s["end"],
              "technique": s["technique"], "name": s["name"], "score": s["score"],
              "text": s["text"], **which} for s in d["spans"]]
    quote_rows = [{"article_id": doc["id"], **{k: q[k] for k in QUOTE_FIELDS[1:-2]}, **which}
                  for q in quotes]
    target_rows = [{"article_id": doc["id"], **{k: t[k] for k in TARGET_FIELDS[1:-2]}, **which}
                   for t in targets]
    return Rows(article, spans, quote_rows, target_rows)


def failed_row(record: Record, error: str, model=None) -> dict:
    """The articles row for a record that could not be analysed."""
    meta = record.meta
    row = dict.fromkeys(ARTICLE_FIELDS)
    row.update(id=record.id, row=record.row, source=record.source, status="failed", error=error,
               title=meta.get("title"), url=meta.get("url"), outlet=meta.get("outlet"),
               authors=list(meta.get("authors") or ()), published=meta.get("published"),
               month=month_of(meta.get("published")), **_model(model))
    return row


def scrub(value):
    """``value`` (str, or lists/tuples/dicts of them) with every lone surrogate replaced by
    U+FFFD: Parquet and UTF-8 files cannot hold them, and one must never stop a run.

    >>> scrub({"id": "a\\ud83d", "authors": ["b"]}) == {"id": "a\\ufffd", "authors": ["b"]}
    True
    """
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value) if _LONE_SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(scrub(v) for v in value)
    return value
