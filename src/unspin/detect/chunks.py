"""Long text, split explicitly: character chunks cut at line breaks, detected one by one, with
offsets shifted back. Memory stays bounded whatever the input size, for any backend.

Work in chunks can be given a deadline (``deadline``): past it, the next chunk raises
``TimeoutError`` instead of starting, so a caller that gave up (the server, at its request
timeout) gets its thread back within one chunk's time rather than at the end of the text.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

from .predictor import Prediction

__all__ = ["chunk_bounds", "deadline", "find_in_chunks", "label_in_chunks"]

_DEADLINE: ContextVar[float | None] = ContextVar("unspin_detect_deadline", default=None)


@contextmanager
def deadline(at: float | None) -> Iterator[None]:
    """Stop chunked work once ``time.monotonic()`` passes ``at`` (None: no deadline).

    >>> with deadline(time.monotonic() - 1):
    ...     find_in_chunks(lambda t: [], "text", 1000)
    Traceback (most recent call last):
    ...
    TimeoutError: detection stopped at its deadline
    """
    token = _DEADLINE.set(at)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _check_deadline() -> None:
    at = _DEADLINE.get()
    if at is not None and time.monotonic() > at:
        raise TimeoutError("detection stopped at its deadline")


def chunk_bounds(text: str, size: int) -> list[tuple[int, int]]:
    """Split [0, len(text)) into consecutive chunks of about ``size`` chars, cut after a newline
    (or a space, if a line is longer than ``size``).

    >>> chunk_bounds("ab\\ncd\\nef", 4)
    [(0, 3), (3, 6), (6, 8)]
    """
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


def find_in_chunks(find: Callable[[str], list[Prediction]], text: str,
                   size: int) -> list[Prediction]:
    """``find`` over each chunk of ``text``, offsets shifted back to ``text``."""
    _check_deadline()
    if len(text) <= size:
        return find(text)
    found = []
    for a, b in chunk_bounds(text, size):
        _check_deadline()
        found += [Prediction(p.start + a, p.end + a, p.technique, p.score)
                  for p in find(text[a:b])]
    return found


def label_in_chunks(label: Callable[[str, list], np.ndarray], text: str, spans, size: int,
                    n_labels: int) -> np.ndarray:
    """``label`` for (start, end) spans of ``text``, each span read inside the chunk it starts
    in (extended to the span's end)."""
    spans = [(int(s), int(e)) for s, e in spans]
    if len(text) <= size or not spans:
        return label(text, spans)
    out = np.zeros((len(spans), n_labels), dtype=np.float32)
    for a, b in chunk_bounds(text, size):
        _check_deadline()
        idx = [i for i, (s, _e) in enumerate(spans) if a <= s < b]
        if idx:
            end = max(b, max(spans[i][1] for i in idx))
            out[idx] = label(text[a:end], [(spans[i][0] - a, spans[i][1] - a) for i in idx])
    return out
