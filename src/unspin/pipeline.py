"""The pipeline, one function top to bottom: ingest -> detect -> Analysis."""

from __future__ import annotations

import logging

from . import settings
from .analysis import Analysis, ModelRef, make_span, summarize
from .techniques import get as get_technique

log = logging.getLogger(__name__)

__all__ = ["analyze"]


def analyze(source, *, model=None, min_score: float | None = None, techniques=None,
            kind: str | None = None, encoding: str | None = None, max_bytes: int | None = None,
            allow_private: bool | None = None, timeout: float | None = None) -> Analysis:
    """Find the persuasion techniques in an article.

    ``source`` is a file path, an http(s) URL, ``-`` (stdin) or a ``Document``.

    >>> a = analyze(Document("They are traitors, all of them!"))   # doctest: +SKIP
    >>> [(s.text, s.technique) for s in a.spans]                    # doctest: +SKIP
    [('traitors', 'Name_Calling,Labeling')]
    """
    from . import detect, ingest

    doc = ingest.load(source, kind=kind, encoding=encoding, max_bytes=max_bytes,
                      allow_private=allow_private, timeout=timeout)
    detector = detect.load_model(model)
    found = detect.find_spans(doc.text, model)
    floor = settings.get("min_score", min_score)
    wanted = {get_technique(t).id for t in techniques} if techniques else None
    spans = tuple(
        make_span(doc.text, p.start, p.end, p.technique, p.score) for p in found
        if p.score >= floor and (wanted is None or p.technique in wanted))
    info = detector.info
    log.debug("%s: %d spans", doc.id, len(spans))
    return Analysis(doc, spans, summarize(doc.text, spans),
                    ModelRef(info.name, info.version, info.sha256))
