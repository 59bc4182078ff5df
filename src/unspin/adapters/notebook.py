"""Jupyter: an Analysis in a notebook cell shows as the standalone HTML report.

The report is the page ``report.html.render_html`` writes, put in an ``<iframe srcdoc>``
(the whole page escaped as one attribute value) with ``sandbox="allow-scripts allow-popups"``:
its script runs in an opaque origin, so it can reach nothing of the notebook's page, its styles
cannot leak into the notebook, and the page's own Content-Security-Policy still holds. Links
(http and https only) open in a new tab.

``Analysis._repr_html_`` reaches ``notebook_html`` through ``analysis.HTML_DISPLAY``, which
``unspin/__init__.py`` sets: the report stage imports ``analysis``, so ``analysis`` cannot
import the report stage.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from ..report.html import render_html

if TYPE_CHECKING:
    from ..analysis import Analysis

__all__ = ["notebook_html", "HEIGHT"]

#: The frame's height in CSS pixels; the report scrolls inside it, and the reader can drag the
#: frame taller where the notebook allows it.
HEIGHT = 640


def notebook_html(analysis: Analysis, height: int = HEIGHT) -> str:
    """The HTML report as one sandboxed ``<iframe>`` element for a notebook cell.

    >>> from unspin import Analysis, Document, ModelRef
    >>> from unspin.analysis import summarize
    >>> doc = Document('"><script>alert(1)</script>')
    >>> cell = notebook_html(Analysis(doc, (), summarize(doc.text, ()), ModelRef("m", "1", "")))
    >>> cell.startswith("<iframe "), "<script>" in cell, 'sandbox="allow-scripts ' in cell
    (True, False, True)
    """
    doc = analysis.document
    title = " ".join((doc.title or doc.id or "article").split())
    return (
        f'<iframe title="unspin report: {escape(title, quote=True)}" '
        'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox" '
        'referrerpolicy="no-referrer" '
        f'style="width:100%;height:{int(height)}px;border:1px solid #ddd;resize:vertical" '
        f'srcdoc="{escape(render_html(analysis), quote=True)}"></iframe>'
    )
