"""What goes out for review: analyses read from unspin's JSON, or made from articles.

A source is a JSON file of analyses (``unspin analyze --format json``: one Analysis, or JSON
Lines of several, as ``analyze`` and ``batch --format jsonl`` write them), an article file, a
folder of articles, or an http(s) URL; articles are analysed with the options' model.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from ..analysis import Analysis
from ..errors import InputError, shorten
from ..options import Options
from ..techniques import DEFAULT_TAXONOMY
from .format import article_id, text_sha256

__all__ = ["ANALYSIS_SUFFIXES", "analyses", "read_analyses", "pending_lines"]

#: Files with these suffixes are read as unspin's JSON, never analysed as articles.
ANALYSIS_SUFFIXES = (".json", ".jsonl")


def read_analyses(path: Path) -> list[Analysis]:
    """The analyses in a JSON file: one Analysis object (pretty-printed or not) or one per
    line. A line that is no Analysis is refused, naming it."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})"
                         ) from None
    try:  # the whole file as one object: analyze's output for one article
        objs = [(0, json.loads(raw))]
    except json.JSONDecodeError:
        objs = []
        for lineno, line in enumerate(raw.splitlines(), 1):
            if line.strip():
                try:
                    objs.append((lineno, json.loads(line)))
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}:{lineno}: not JSON ({exc.msg})") from None
    out = []
    for lineno, obj in objs:
        where = f"{path}:{lineno}" if lineno else str(path)
        if not (isinstance(obj, dict) and str(obj.get("schema", "")).startswith(
                "unspin.analysis/")):
            raise InputError(f"{where}: not an unspin analysis (write one with 'unspin analyze "
                             "--format json')")
        try:
            out.append(Analysis.from_dict(obj))
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{where}: not a readable analysis ({shorten(exc, 60)})") from None
    if not out:
        raise InputError(f"{path}: no analyses in this file")
    return out


def _articles(source: str) -> list[tuple[str, str | None]]:
    """(source, kind) for one command-line source, a folder expanded into its articles (PTC
    ``article<ID>.txt`` files read as plain text so that offsets match the files)."""
    from ..ingest.folder import list_articles

    path = Path(source)
    if "://" not in source and path.is_dir():
        files = list(list_articles(path).values())
        if not files:
            raise InputError(f"{source}: no articles (.txt, .md or .html files) in this folder")
        ptc = all(f.name.startswith("article") and f.suffix == ".txt" for f in files)
        return [(str(f), "text" if ptc else None) for f in files]
    return [(source, None)]


def analyses(sources: list[str], options: Options) -> Iterator[Analysis]:
    """The analyses of ``sources``, in order: JSON files read, articles analysed (the model
    loaded once, when the first article needs it)."""
    from ..pipeline import analyze, load_detector

    detector = None
    for source in sources:
        if "://" not in source and Path(source).suffix.lower() in ANALYSIS_SUFFIXES:
            yield from read_analyses(Path(source))
            continue
        for src, kind in _articles(source):
            if detector is None:
                detector = load_detector(options)
            yield analyze(src, options, detector=detector, kind=kind)


def pending_lines(items: list[Analysis]) -> str:
    """The analyses as review templates in JSON Lines, the shape of training data with the
    model's spans and who made them, and its taxonomy when not 2020, as a corrections line
    says it (no review yet: ``review import`` refuses them)."""
    out = []
    for a in items:
        text = a.document.text
        out.append(json.dumps({
            "id": article_id(a.document.id, text), "text": text,
            "text_sha256": text_sha256(text),
            **({"taxonomy": a.taxonomy} if a.taxonomy != DEFAULT_TAXONOMY else {}),
            "model": {"name": a.model.name, "version": a.model.version,
                      "fingerprint": a.model.fingerprint},
            "spans": [{"start": s.start, "end": s.end, "technique": s.technique,
                       "score": s.score} for s in a.spans]}, ensure_ascii=False) + "\n")
    return "".join(out)
