"""Shared layout for the reports: span order, segments, paragraphs, line/column, colours.

Every report shows the same article the same way: the heading is the title's own characters
when the text starts with the title (so spans in it stay highlighted at the right offsets), the
body is split into paragraphs at blank lines, and each paragraph is cut at every span boundary
into segments that know which spans cover them. Keeping this in one module means the terminal
and HTML views cannot disagree about which words a span covers.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from ..analysis import Analysis, Span
from ..document import Document
from ..errors import InputError
from ..techniques import BY_ID, TAXONOMY_2023, Technique, taxonomy

__all__ = [
    "Segment", "Layout", "layout", "ordered_spans", "segments", "paragraphs", "LineIndex",
    "technique_of", "technique_counts", "check_spans", "hex_to_rgb", "shade", "tint",
    "printable",
]

_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
# C0 and C1 control characters other than newline and tab: an ESC or CSI in an article must not
# reach a terminal, where it could recolour, move the cursor or retitle the window.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

#: Shown for a span whose technique id this version of unspin does not know (an analysis file
#: written by a newer version): the report still renders, in neutral grey.
_UNKNOWN_COLOUR = "#C8C8C8"


@dataclass(frozen=True)
class Segment:
    """``text[start:end]``, covered by the spans at ``cover`` (indices, outermost first)."""

    start: int
    end: int
    cover: tuple[int, ...]


@dataclass(frozen=True)
class Layout:
    """Where the heading and the paragraphs of the body lie in ``document.text``.

    ``heading`` is a text range when the text starts with the title, else None (the title, if
    any, then comes from metadata and has no highlights).
    """

    heading: tuple[int, int] | None
    title: str | None
    paragraphs: tuple[tuple[int, int], ...]


def ordered_spans(spans: tuple[Span, ...] | list[Span]) -> list[Span]:
    """Spans in reading order: by start, the longer (outer) first, then by technique.

    Every report lists spans in this order so that numbering agrees between formats.
    """
    return sorted(spans, key=lambda s: (s.start, -s.end, s.technique, -s.score))


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: carriage returns dropped, tabs made spaces, other
    control characters shown as U+FFFD.

    >>> printable("a\\x1b[31mb\\r\\tc")
    'a\ufffd[31mb c'
    """
    text = text.replace("\r", "").replace("\t", " ")
    return _CONTROL.sub("\ufffd", text)


def check_spans(analysis: Analysis) -> None:
    """Refuse spans (and quotes, claims and targets) that do not index the article's text,
    rather than draw them in the wrong place: an analysis file edited by hand or made for
    another text is the usual cause."""
    size = len(analysis.document.text)
    for s in analysis.spans:
        if not 0 <= s.start <= s.end <= size:
            raise InputError(
                f"span {s.start}-{s.end} ({s.technique}) lies outside the article's "
                f"{size} characters; the analysis does not belong to this text")
    found = analysis.enrichment
    if found is None:
        return
    ranges = ([("quote", q.start, q.end) for q in found.quotes]
              + [("claim", c.start, c.end) for c in found.claims]
              + [("target", t.start, t.end) for t in found.targets])
    for what, start, end in ranges:
        if not 0 <= start <= end <= size:
            raise InputError(
                f"{what} {start}-{end} lies outside the article's {size} characters; "
                "the analysis does not belong to this text")
    count = len(analysis.spans)
    indices = ([i for row in found.tally for i in row.spans] + [t.span for t in found.targets]
               + [i for c in found.claims for i in c.spans])
    if any(not 0 <= i < count for i in indices):
        raise InputError(f"the enrichment refers to a span the analysis does not have (it has "
                         f"{count}); the analysis file is damaged or was edited by hand")
    if any(not 0 <= i < len(found.quotes) for c in found.claims for i in c.quotes):
        raise InputError("a claim refers to a quote the analysis does not have; the analysis "
                         "file is damaged or was edited by hand")


def segments(spans: list[Span], start: int, end: int,
             cuts: Iterable[int] = ()) -> list[Segment]:
    """Cut ``[start, end)`` at every span boundary inside it, and at the extra ``cuts`` (the
    HTML report also cuts where quotes and claims begin and end).

    ``spans`` must be in ``ordered_spans`` order; a segment's ``cover`` lists the indices of the
    spans overlapping it, outermost (earliest start, then latest end) first.

    >>> from unspin.analysis import Span
    >>> a, b = Span(0, 9, "Doubt", "Doubt", .9, ""), Span(4, 9, "Slogans", "Slogans", .8, "")
    >>> [(g.start, g.end, g.cover) for g in segments([a, b], 0, 12)]
    [(0, 4, (0,)), (4, 9, (0, 1)), (9, 12, ())]
    """
    cuts = {start, end} | {c for c in cuts if start < c < end}
    for s in spans:
        if start < s.start < end:
            cuts.add(s.start)
        if start < s.end < end:
            cuts.add(s.end)
    bounds = sorted(cuts)
    out = []
    for a, b in pairwise(bounds):
        cover = tuple(i for i, s in enumerate(spans) if s.start < b and s.end > a)
        out.append(Segment(a, b, cover))
    return out


def paragraphs(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Paragraph ranges in ``text[start:end]``: split at blank lines, outer whitespace trimmed.

    >>> paragraphs("One.\\n\\n  Two\\nlines.\\n")
    [(0, 4), (8, 18)]
    """
    end = len(text) if end is None else end
    out = []
    pos = start
    for m in _PARAGRAPH_BREAK.finditer(text, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    trimmed = []
    for a, b in out:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            trimmed.append((a, b))
    return trimmed


def layout(document: Document) -> Layout:
    """Heading and paragraphs of ``document``: the first line is the heading when it equals
    the title, so the title is shown once and spans inside it keep their offsets."""
    text = document.text
    title = document.title.strip() if document.title and document.title.strip() else None
    first_end = text.find("\n")
    first_end = len(text) if first_end < 0 else first_end
    lead = len(text[:first_end]) - len(text[:first_end].lstrip())
    first = text[lead:first_end].rstrip()
    if title is not None and first == title:
        heading = (lead, lead + len(first))
        return Layout(heading, title, tuple(paragraphs(text, heading[1])))
    return Layout(None, title, tuple(paragraphs(text)))


class LineIndex:
    """1-based line and column of offsets in one text, built once so a report with many spans
    does not rescan the text for each.

    >>> LineIndex("ab\\ncd")(4)
    (2, 2)
    """

    def __init__(self, text: str) -> None:
        self._newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def __call__(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_left(self._newlines, offset)
        line_start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, offset - line_start + 1


def technique_of(span: Span) -> Technique:
    """The taxonomy entry for ``span`` (2020 or 2023: an id the two share is one Technique);
    an unknown id gets a grey stand-in instead of failing."""
    known = BY_ID.get(span.technique) or TAXONOMY_2023.by_id.get(span.technique)
    if known is not None:
        return known
    code = "".join(ch for ch in span.technique.upper() if ch.isalpha())[:3] or "???"
    return Technique(span.technique, span.name or span.technique, code,
                     "A technique this version of unspin does not describe.", "", _UNKNOWN_COLOUR)


def technique_counts(spans: list[Span], taxonomy_name: str | None = None
                     ) -> list[tuple[Technique, int]]:
    """Techniques present in ``spans`` with their counts, most frequent first (the order of
    the taxonomy ``taxonomy_name``, default 2020, breaks ties, so the order is stable)."""
    counts: dict[str, int] = {}
    for s in spans:
        counts[s.technique] = counts.get(s.technique, 0) + 1
    rank = {tid: i for i, tid in enumerate(taxonomy(taxonomy_name).ids)}
    first = {s.technique: s for s in reversed(spans)}
    order = sorted(counts, key=lambda tid: (-counts[tid], rank.get(tid, len(rank)), tid))
    return [(technique_of(first[tid]), counts[tid]) for tid in order]


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """``"#F4A6A6"`` -> ``(244, 166, 166)``."""
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def shade(colour: str, min_contrast: float = 4.5) -> str:
    """A darker version of ``colour`` on which white text reaches ``min_contrast`` (WCAG), used
    for borders and code labels so they stay legible whatever the technique colour.

    >>> shade("#F4A6A6")
    '#976767'
    """
    rgb = hex_to_rgb(colour)
    factor = 1.0
    while factor > 0:
        dark = tuple(c * factor for c in rgb)
        if 1.05 / (_luminance(dark) + 0.05) >= min_contrast:
            return _hex(dark)
        factor -= 0.02
    return "#000000"


def tint(colour: str, amount: float) -> str:
    """``colour`` mixed with white by ``amount`` (0 = unchanged, 1 = white).

    >>> tint("#000000", 0.5)
    '#808080'
    """
    return _hex(tuple(c + (255 - c) * amount for c in hex_to_rgb(colour)))


def model_label(model) -> str:
    """The model's name, with its version only when the name does not already carry it
    ("minilm-spans.v1", not "minilm-spans.v1 1")."""
    if not model.version or model.name.endswith(f".v{model.version}"):
        return model.name
    return f"{model.name} {model.version}"
