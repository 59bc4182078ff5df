"""What a batch worker does: load the model once, then turn one Record into table rows.

Shared by the local engine (``pool`` worker processes) and the Ray engine (an actor per worker).
"""

from __future__ import annotations

import logging

from ..errors import UnspinError
from ..options import Options
from .records import Record, to_document
from .tables import rows_from_dict

log = logging.getLogger(__name__)

__all__ = ["init_worker", "analyze_record"]

_state: dict = {}


def init_worker(options: Options, fmt: str = "parquet") -> tuple[str, str, str]:
    """Load the model in this process (with ``options.threads`` threads); returns its
    (name, version, fingerprint). ``fmt``: ``parquet`` or ``jsonl``."""
    from ..pipeline import load_detector

    detector = load_detector(options)
    _state.update(options=options, fmt=fmt, detector=detector)
    info = detector.info
    return info.name, info.version, info.fingerprint


def analyze_record(record: Record) -> dict:
    """``{"article": row, "spans": [rows], "json": str | None}``; a record that cannot be
    analysed gives ``{"error": reason}``."""
    from ..pipeline import analyze_document

    options = _state["options"]
    try:
        doc = to_document(record, options)
        analysis = analyze_document(doc, options, detector=_state["detector"])
    except UnspinError as exc:
        return {"error": str(exc)}
    d = analysis.to_dict()
    article, spans = rows_from_dict(d, record.row, record.source)
    text = None
    if _state["fmt"] == "jsonl":
        import json

        text = json.dumps(d, ensure_ascii=False)
    return {"article": article, "spans": spans, "json": text}
