"""The detection stage: technique spans for a text, with a model loaded once per process.

Backends are registered by versioned name in ``runtime.MODELS`` (``"minilm-spans.v1"``); a model
folder trained with ``unspin train`` works too. Long text is split at line breaks into chunks of
about ``chunk_chars`` characters, each detected on its own, offsets shifted back: memory stays
bounded whatever the input size.
"""

from __future__ import annotations

from .. import settings

__all__ = ["find_spans", "label_spans", "load_model", "chunk_bounds"]


def load_model(model=None, threads=None):
    """The Detector for a model name or folder (loaded once per process)."""
    from . import runtime

    return runtime.load(settings.get("model", model), settings.get("threads", threads) or None)


def chunk_bounds(text: str, size: int) -> list[tuple[int, int]]:
    """Split [0, len(text)) into consecutive chunks of about ``size`` chars, cut after a newline
    (or a space, if a line is longer than ``size``)."""
    bounds, start, n = [], 0, len(text)
    while start < n:
        end = min(n, start + size)
        if end < n:
            cut = text.rfind("\n", start + size // 2, end)
            if cut == -1:
                cut = text.rfind(" ", start + size // 2, end)
            if cut != -1:
                end = cut + 1
        bounds.append((start, end))
        start = end
    return bounds


def find_spans(text: str, model=None, chunk_chars: int | None = None):
    """Every technique span in ``text`` as runtime ``Prediction`` objects, sorted by offset."""
    from .predictor import Prediction

    detector = load_model(model)
    size = settings.get("chunk_chars", chunk_chars)
    if len(text) <= size:
        return detector.detect(text)
    found = []
    for a, b in chunk_bounds(text, size):
        for p in detector.detect(text[a:b]):
            found.append(Prediction(p.start + a, p.end + a, p.technique, p.score))
    return found


def label_spans(text: str, spans, model=None, chunk_chars: int | None = None):
    """Technique probabilities (len(spans), 14) for given (start, end) spans of ``text``."""
    import numpy as np

    detector = load_model(model)
    size = settings.get("chunk_chars", chunk_chars)
    spans = [(int(s), int(e)) for s, e in spans]
    if len(text) <= size or not spans:
        return detector.label(text, spans)
    out = np.zeros((len(spans), len(detector.config["techniques"])), dtype=np.float32)
    for a, b in chunk_bounds(text, size):
        idx = [i for i, (s, _e) in enumerate(spans) if a <= s < b]
        if idx:
            end = max(b, max(spans[i][1] for i in idx))
            local = [(spans[i][0] - a, spans[i][1] - a) for i in idx]
            out[idx] = detector.label(text[a:end], local)
    return out
