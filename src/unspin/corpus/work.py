"""What a batch worker does: load the model once, then turn one Record into table rows.

Shared by the local engine (``pool`` worker processes) and the Ray engine (an actor per worker).
"""

from __future__ import annotations

import logging

from ..errors import UnspinError
from ..options import Options
from .records import Record, to_document
from .tables import rows_from_dict, scrub

log = logging.getLogger(__name__)

__all__ = ["init_worker", "analyze_record", "analyze_source"]

_state: dict = {}


def init_worker(options: Options, fmt: str = "parquet") -> tuple[str, str, str]:
    """Load the model in this process (with ``options.threads`` threads); returns its
    (name, version, fingerprint). ``fmt``: ``parquet``, ``jsonl`` (rows for a batch) or
    ``analysis`` (``analyze_source``)."""
    from ..pipeline import load_detector

    detector = load_detector(options)
    _state.update(options=options, fmt=fmt, detector=detector)
    info = detector.info
    return info.name, info.version, info.fingerprint


def analyze_record(record: Record) -> dict:
    """``{"article": row, "spans": [rows], "quotes": [rows], "targets": [rows], "json": str |
    None}``; a record that cannot be analysed gives ``{"error": reason}``."""
    from ..pipeline import analyze_document

    options = _state["options"]
    try:
        doc = to_document(record, options)
        analysis = analyze_document(doc, options, detector=_state["detector"])
    except UnspinError as exc:
        return {"error": str(exc)}
    d = scrub(analysis.to_dict())  # no lone surrogate (a file name's bad byte) reaches a table
    rows = rows_from_dict(d, record.row, record.source)
    text = None
    if _state["fmt"] == "jsonl":
        import json

        text = json.dumps(d, ensure_ascii=False)
    return {**rows._asdict(), "json": text}


def analyze_source(item):
    """The ``Analysis`` of ``(source, kind)`` (a path or URL) or of a ``Document`` read by the
    parent; an unreadable source raises its ``UnspinError``."""
    from ..document import Document
    from ..pipeline import analyze, analyze_document

    options, detector = _state["options"], _state["detector"]
    if isinstance(item, Document):
        return analyze_document(item, options, detector=detector)
    source, kind = item
    return analyze(source, options, kind=kind, detector=detector)
