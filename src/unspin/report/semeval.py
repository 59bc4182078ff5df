"""SemEval-2020 Task 11 lines: ``ID<TAB>technique<TAB>start<TAB>end``, one span per line.

This is the format of the task's gold labels and of ``unspin evaluate``'s predictions, so a
report can be scored directly. Spans are listed in reading order.
"""

from __future__ import annotations

import re

from ..analysis import Analysis
from ._layout import ordered_spans

__all__ = ["render_semeval", "NO_ID"]

#: Written in the ID column when the document has no id (a Document built in code).
NO_ID = "-"

_UNSAFE = re.compile(r"\s+")


def render_semeval(analysis: Analysis) -> str:
    """The span lines of one article; an article without spans gives an empty string.

    Whitespace inside the id would break the columns, so it becomes ``_``.
    """
    doc_id = _UNSAFE.sub("_", analysis.document.id.strip()) if analysis.document.id else ""
    doc_id = doc_id or NO_ID
    return "".join(f"{doc_id}\t{s.technique}\t{s.start}\t{s.end}\n"
                   for s in ordered_spans(analysis.spans))
