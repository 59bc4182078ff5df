"""JSON: the Analysis contract itself (``Analysis.to_dict``), one object or JSON Lines.

Nothing is added or renamed here, so a report file and an HTTP response always agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..analysis import Analysis

__all__ = ["render_json", "render_json_lines"]


def render_json(analysis: Analysis) -> str:
    """``analysis.to_json()`` indented by 2, with a final newline."""
    return analysis.to_json(indent=2) + "\n"


def render_json_lines(analyses: Iterable[Analysis]) -> str:
    """One compact JSON object per line (JSON Lines): batch output that can be streamed,
    appended to, and read back a line at a time.

    >>> render_json_lines([])
    ''
    """
    return "".join(json.dumps(a.to_dict(), ensure_ascii=False) + "\n" for a in analyses)
