"""The report stage: an Analysis -> text in one of ``FORMATS``.

===========  ==============================================================================
``json``     ``Analysis.to_json()``, the one JSON contract (indent 2)
``semeval``  ``ID<TAB>technique<TAB>start<TAB>end`` lines, the SemEval-2020 Task 11 format
``text``     a plain listing: metadata, summary, every span with line and column
``terminal`` the article with coloured highlights, a legend and a summary table
``html``     one self-contained page (inline CSS and JS only) with interactive highlights
``claimreview`` the claims to check as schema.org ClaimReview drafts (JSON-LD), no verdict
===========  ==============================================================================

Every rendering ends with a newline (except an empty semeval file). ``render_many`` joins
several articles for the formats that can hold more than one: ``json`` becomes **JSON Lines**
(one compact ``to_dict()`` object per line, so batch output can be streamed, appended and read
back line by line), ``claimreview`` one JSON-LD document per line, ``semeval`` and ``text`` are
concatenated.

>>> from unspin import Analysis, Document, ModelRef
>>> from unspin.analysis import make_span, summarize
>>> text = "They are traitors."
>>> spans = (make_span(text, 9, 17, "Name_Calling,Labeling", 0.9),)
>>> a = Analysis(Document(text, id="7"), spans, summarize(text, spans), ModelRef("m", "1", ""))
>>> render(a, "semeval")
'7\\tName_Calling,Labeling\\t9\\t17\\n'
"""

from __future__ import annotations

from collections.abc import Iterable

from ..analysis import Analysis
from ..errors import ConfigError
from ._layout import check_spans

__all__ = ["FORMATS", "MANY_FORMATS", "render", "render_many", "render_html", "html_parts"]

FORMATS = ("terminal", "html", "json", "semeval", "text", "claimreview")

#: Formats that hold several articles in one output.
MANY_FORMATS = ("json", "semeval", "text", "claimreview")


def _check_format(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        if fmt in FORMATS:
            raise ConfigError(f"format {fmt!r} shows one article; use one of "
                              f"{', '.join(MANY_FORMATS)} for several")
        raise ConfigError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


def render(analysis: Analysis, fmt: str, *, color: bool | None = None,
           width: int | None = None) -> str:
    """Render one analysis as ``fmt`` (one of ``FORMATS``).

    ``color`` and ``width`` apply to ``terminal`` (``color=None``: on for a terminal, off when
    ``NO_COLOR`` is set; ``width=None``: the terminal's width, at most 100 columns) and
    ``width`` to ``text`` (default 80, so saved listings do not depend on the terminal).
    Raises ConfigError for an unknown format and InputError for spans outside the text.
    """
    _check_format(fmt, FORMATS)
    check_spans(analysis)
    if fmt == "json":
        from .json import render_json

        return render_json(analysis)
    if fmt == "semeval":
        from .semeval import render_semeval

        return render_semeval(analysis)
    if fmt == "text":
        from .text import render_text

        return render_text(analysis, width=width)
    if fmt == "terminal":
        from .terminal import render_terminal

        return render_terminal(analysis, color=color, width=width)
    if fmt == "claimreview":
        from .claimreview import render_claimreview

        return render_claimreview(analysis)
    from .html import render_html as _render_html

    return _render_html(analysis)


def render_many(analyses: Iterable[Analysis], fmt: str, *, width: int | None = None) -> str:
    """Render several analyses as one output: JSON Lines for ``json``, concatenated lines for
    ``semeval``, listings separated by a rule for ``text``.

    >>> render_many([], "json")
    ''
    """
    _check_format(fmt, MANY_FORMATS)
    items = list(analyses)
    for a in items:
        check_spans(a)
    if fmt == "json":
        from .json import render_json_lines

        return render_json_lines(items)
    if fmt == "semeval":
        from .semeval import render_semeval

        return "".join(render_semeval(a) for a in items)
    if fmt == "claimreview":
        from .claimreview import claimreview_lines

        return claimreview_lines(items)
    from .text import render_text, separator

    rule = separator(width)
    return rule.join(render_text(a, width=width) for a in items)


def render_html(analysis: Analysis) -> str:
    """The standalone HTML page for ``analysis`` (see ``unspin.report.html``)."""
    check_spans(analysis)
    from .html import render_html as _render_html

    return _render_html(analysis)


def html_parts(analysis: Analysis) -> dict[str, str]:
    """The HTML report's pieces (``title``, ``css``, ``js``, ``body``) for pages that embed it."""
    check_spans(analysis)
    from .html import html_parts as _html_parts

    return _html_parts(analysis)
