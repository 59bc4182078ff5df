"""The pipeline, one function top to bottom: ingest -> detect -> enrich -> Analysis.

Every entry point (the CLI, the HTTP API, batch workers, Python users) comes through here with
one resolved ``Options``; a ``Detector`` may be passed in, else the one the options name is
loaded (once per process).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from .analysis import Analysis, ModelRef, make_span, summarize
from .document import Document
from .options import Options, of
from .techniques import taxonomy as taxonomy_of

log = logging.getLogger(__name__)

__all__ = ["analyze", "analyze_text", "analyze_document", "load_detector"]


def load_detector(options: Options):
    """The detector ``options`` name (loaded once per process)."""
    from . import detect

    return detect.load(options.model, threads=options.threads, chunk_chars=options.chunk_chars)


def analyze(source, options: Options | Mapping[str, Any] | None = None, *, detector=None,
            kind: str | None = None, **arguments) -> Analysis:
    """Find the persuasion techniques in an article.

    ``source`` is a file path, an http(s) URL, ``-`` (stdin) or a ``Document``. ``options``
    (an ``Options`` or a mapping of its fields) or keyword arguments naming its fields
    (``min_score=0.5``, ``model=...``) set how; to analyse a string, use ``analyze_text``.

    >>> a = analyze("article.txt", min_score=0.5)          # doctest: +SKIP
    >>> [(s.text, s.technique) for s in a.spans]            # doctest: +SKIP
    [('traitors', 'Name_Calling,Labeling')]
    """
    from . import ingest

    opts = of(options, arguments)
    doc = ingest.load(source, kind=kind, options=opts)
    return analyze_document(doc, opts, detector=detector)


def analyze_text(text: str, options: Options | Mapping[str, Any] | None = None, *,
                 title: str | None = None, kind: str | None = "text", id: str | None = None,
                 detector=None, **arguments) -> Analysis:
    """Analyse a string: plain text (default), or ``kind="markdown"``/``"html"``/``None``
    (guess). A ``title`` becomes the first line of ``document.text``, followed by a blank
    line, as in the PTC articles; span offsets index ``document.text``. ``options`` is an
    ``Options``, a mapping of its fields (``{"min_score": 0.5}``) or None, with keyword
    arguments naming fields over it.

    >>> a = analyze_text("They are traitors, every one of them, and they will destroy us all!",
    ...                  title="Betrayal")
    >>> a.document.title, a.document.text.startswith("Betrayal\\n\\n")
    ('Betrayal', True)
    >>> all(a.document.text[s.start:s.end] == s.text for s in a.spans)
    True
    """
    from . import ingest

    if not isinstance(text, str):
        from .errors import InputError

        raise InputError(f"analyze_text needs a str, not {type(text).__name__}; "
                         "use analyze() for paths and URLs")
    opts = of(options, arguments)
    if title is not None and title.strip():
        text = f"{' '.join(title.split())}\n\n{text}"
    doc = ingest.from_string(text, kind=kind, source="string", doc_id=id)
    return analyze_document(doc, opts, detector=detector)


def analyze_document(doc: Document, options: Options, *, detector=None) -> Analysis:
    """language check -> detect -> filter -> enrich -> Analysis for a Document already
    ingested. Clearly non-English text is refused unless ``options.any_language``."""
    from .ingest.language import check_language

    doc, warnings = check_language(doc, any_language=options.any_language)
    detector = detector if detector is not None else load_detector(options)
    # the techniques the model speaks (a detector without the attribute speaks the 2020 ones);
    # --techniques named in the other taxonomy mean their counterparts in the model's
    taxonomy = getattr(detector.info, "taxonomy", "2020")
    wanted = {taxonomy_of(taxonomy).normalize(t) or t for t in options.techniques} or None
    floor = options.min_score_for(getattr(detector.info, "display_threshold", 0.0))
    spans = tuple(
        make_span(doc.text, p.start, p.end, p.technique, p.score, taxonomy)
        for p in detector.find_spans(doc.text)
        if p.score >= floor and (wanted is None or p.technique in wanted))
    enrichment = None
    if options.enrich:
        from .enrich import enrich

        enrichment = enrich(doc.text, spans)
    info = detector.info
    log.debug("%s: %d spans", doc.id, len(spans))
    return Analysis(doc, spans, summarize(doc.text, spans, taxonomy),
                    ModelRef(info.name, info.version, info.fingerprint), enrichment=enrichment,
                    warnings=warnings, taxonomy=taxonomy)
