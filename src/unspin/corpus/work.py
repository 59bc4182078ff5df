"""What a batch worker does: load the model once, then turn one Record into table rows.

Shared by the local engine (``pool`` worker processes) and the Ray engine (an actor per worker).
"""

from __future__ import annotations

import logging
import os

from ..errors import UnspinError
from .records import Record, to_document
from .tables import rows_from_dict

log = logging.getLogger(__name__)

__all__ = ["init_worker", "analyze_record"]

_options: dict = {}


def init_worker(options: dict) -> tuple[str, str, str]:
    """Load the model in this process; returns its (name, version, sha256).

    ``options``: model, min_score, encoding, max_bytes, threads (onnxruntime threads per
    worker) and format (``parquet`` or ``jsonl``).
    """
    from .. import detect

    threads = options.get("threads")
    if threads and "UNSPIN_THREADS" not in os.environ:
        os.environ["UNSPIN_THREADS"] = str(threads)  # analyze() loads the model with env threads
    _options.clear()
    _options.update(options)
    info = detect.load_model(options.get("model")).info
    return info.name, info.version, info.sha256


def analyze_record(record: Record) -> dict:
    """``{"article": row, "spans": [rows], "json": str | None}``; a record that cannot be
    analysed gives ``{"error": reason}``."""
    from ..pipeline import analyze

    try:
        doc = to_document(record, encoding=_options.get("encoding"),
                          max_bytes=_options.get("max_bytes"))
        analysis = analyze(doc, model=_options.get("model"), min_score=_options.get("min_score"))
    except UnspinError as exc:
        return {"error": str(exc)}
    d = analysis.to_dict()
    article, spans = rows_from_dict(d, record.row, record.source)
    text = None
    if _options.get("format") == "jsonl":
        import json

        text = json.dumps(d, ensure_ascii=False)
    return {"article": article, "spans": spans, "json": text}
