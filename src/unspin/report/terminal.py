"""Terminal: the article with highlighted spans, a legend with counts, and a summary.

With colour, each span gets its technique's colour as background under dark text, preceded by
a small label with the technique code (so colour is never the only cue); where spans overlap
the innermost colour shows and the text is underlined. Without colour (``color=False``,
``NO_COLOR`` set, output not a terminal) spans are marked in the text::

    [NAM›the so-called [LOA›experts‹]‹] said   nested: the inner span closes first
    [DOU›one [FEA›two‹DOU] three‹]              crossing: the code names the span it closes

Colours are 24-bit when ``COLORTERM`` says the terminal supports it, else the nearest of the
256 xterm colours. Plain ANSI, no dependency: the output is a string the CLI prints.
"""

from __future__ import annotations

import os
import shutil
import sys
import unicodedata
from dataclasses import dataclass, replace

from ..analysis import Analysis, Span
from ..enrich.types import Enrichment
from ._enriched import quoted_line, ranked_claims
from ._layout import (
    hex_to_rgb,
    layout,
    ordered_spans,
    printable,
    segments,
    shade,
    technique_counts,
    technique_of,
)
from .text import metadata_lines

__all__ = ["render_terminal", "color_mode", "terminal_width", "MAX_WIDTH"]

#: Lines longer than this are hard to read, so a wide terminal still wraps here.
MAX_WIDTH = 100
_MIN_WIDTH = 40
_DARK = "#111111"
_WHITE = "#ffffff"
_BAR_WIDTH = 20
_BREAKABLE = " \t"
#: The view names the most targeted entities and the top claims; the listing (text) has more.
_TOP_TARGETS = 3
_TOP_CLAIMS = 3


@dataclass(frozen=True)
class _Style:
    bg: str | None = None
    fg: str | None = None
    bold: bool = False
    dim: bool = False
    underline: bool = False


_PLAIN = _Style()
_Cell = tuple[str, _Style]


def color_mode(color: bool | None = None) -> str:
    """``"none"``, ``"256"`` or ``"truecolor"``.

    ``color=True`` forces colour and ``False`` turns it off; ``None`` means colour only when
    standard output is a terminal, ``NO_COLOR`` is unset or empty, and ``TERM`` is not dumb
    (``FORCE_COLOR`` turns it on for pipes). An explicit argument beats the environment.
    """
    env = os.environ
    if color is False:
        return "none"
    if color is None:
        if env.get("NO_COLOR"):
            return "none"
        forced = env.get("FORCE_COLOR", "") not in ("", "0")
        isatty = getattr(sys.stdout, "isatty", None)
        if not forced and (env.get("TERM") == "dumb" or not (isatty and isatty())):
            return "none"
    depth = env.get("COLORTERM", "").lower()
    return "truecolor" if depth in ("truecolor", "24bit") or env.get("WT_SESSION") else "256"


def terminal_width(width: int | None = None) -> int:
    """``width`` if given (at least 40), else the terminal's width capped at ``MAX_WIDTH``."""
    if width is not None:
        return max(_MIN_WIDTH, width)
    columns = shutil.get_terminal_size(fallback=(80, 24)).columns
    return max(_MIN_WIDTH, min(MAX_WIDTH, columns))


def _xterm256(colour: str) -> int:
    """Nearest xterm-256 index (6x6x6 cube or grey ramp) for a hex colour."""
    r, g, b = hex_to_rgb(colour)
    levels = (0, 95, 135, 175, 215, 255)

    def nearest(c: int) -> int:
        return min(range(6), key=lambda i: abs(levels[i] - c))

    ri, gi, bi = nearest(r), nearest(g), nearest(b)
    cube = (levels[ri], levels[gi], levels[bi])
    grey_i = max(0, min(23, round((r + g + b) / 3 - 8) // 10))
    grey = 8 + 10 * grey_i

    def dist(c: tuple[int, int, int]) -> int:
        return (c[0] - r) ** 2 + (c[1] - g) ** 2 + (c[2] - b) ** 2

    if dist((grey, grey, grey)) < dist(cube):
        return 232 + grey_i
    return 16 + 36 * ri + 6 * gi + bi


class _Painter:
    """Turns styled cells into text: SGR sequences for colour modes, plain text otherwise."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.color = mode != "none"

    def _colour(self, ground: int, colour: str) -> str:
        if self.mode == "truecolor":
            r, g, b = hex_to_rgb(colour)
            return f"{ground};2;{r};{g};{b}"
        return f"{ground};5;{_xterm256(colour)}"

    def sgr(self, style: _Style) -> str:
        if not self.color or style == _PLAIN:
            return ""
        codes = []
        if style.bold:
            codes.append("1")
        if style.dim:
            codes.append("2")
        if style.underline:
            codes.append("4")
        if style.fg:
            codes.append(self._colour(38, style.fg))
        if style.bg:
            codes.append(self._colour(48, style.bg))
        return f"\x1b[{';'.join(codes)}m"

    def line(self, cells: list[_Cell]) -> str:
        """One output line; styles are closed at its end so backgrounds never bleed."""
        out: list[str] = []
        current: _Style | None = None
        for ch, style in cells:
            if style != current:
                if current not in (None, _PLAIN) and self.color:
                    out.append("\x1b[0m")
                out.append(self.sgr(style))
                current = style
            out.append(ch)
        if current not in (None, _PLAIN) and self.color:
            out.append("\x1b[0m")
        return "".join(out).rstrip(" ") if not self.color else "".join(out)


def _cell_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _cells(text: str, style: _Style = _PLAIN) -> list[_Cell]:
    """Styled cells for ``text``; control characters from the article never reach the
    terminal (the only escape sequences in the output are the painter's)."""
    return [(ch, style) for ch in printable(text)]


def _wrap(cells: list[_Cell], width: int, indent: str = "") -> list[list[_Cell]]:
    """Word-wrap styled cells to ``width`` columns; ``\\n`` breaks the line, words longer than
    a line are cut. Spaces at a break are dropped, so a highlight resumes on the next line."""
    tokens: list[tuple[str, list[_Cell]]] = []
    for cell in cells:
        ch = cell[0]
        kind = "newline" if ch == "\n" else "space" if ch in _BREAKABLE else "word"
        if tokens and tokens[-1][0] == kind and kind != "newline":
            tokens[-1][1].append(cell)
        else:
            tokens.append((kind, [cell]))
    room = max(1, width - len(indent))
    lines: list[list[_Cell]] = []
    line: list[_Cell] = []
    used = 0
    pending: list[_Cell] = []
    for kind, toks in tokens:
        if kind == "newline":
            lines.append(line)
            line, used, pending = [], 0, []
            continue
        if kind == "space":
            pending = toks if line else []
            continue
        size = sum(_cell_width(c[0]) for c in toks)
        gap = sum(_cell_width(c[0]) for c in pending)
        if used + gap + size <= room:
            line += pending + toks
            used += gap + size
        else:
            if line:
                lines.append(line)
            line, used = [], 0
            for cell in toks:
                w = _cell_width(cell[0])
                if used + w > room and line:
                    lines.append(line)
                    line, used = [], 0
                line.append(cell)
                used += w
        pending = []
    lines.append(line)
    if indent:
        lines = [_cells(indent) + ln if ln else ln for ln in lines]
    return lines


def _highlight_cells(text: str, spans: list[Span], start: int, end: int, base: _Style,
                     color: bool) -> list[_Cell]:
    """``text[start:end]`` with spans shown: colours and code labels, or text markers."""
    out: list[_Cell] = []
    if color:
        for seg in segments(spans, start, end):
            for i in seg.cover:
                if spans[i].start == seg.start:
                    tech = technique_of(spans[i])
                    chip = replace(base, bg=shade(tech.colour), fg=_WHITE, bold=True,
                                   underline=False)
                    out += _cells(f"\u00a0{tech.code}\u00a0", chip)
            style = base
            if seg.cover:
                inner = technique_of(spans[seg.cover[-1]])
                style = replace(base, bg=inner.colour, fg=_DARK,
                                underline=len(seg.cover) > 1)
            out += _cells(text[seg.start:seg.end], style)
        return out
    open_stack: list[int] = []

    def close(ending: list[int]) -> None:
        # Innermost first; a span that is not on top of the stack (crossing spans, or one
        # opened in an earlier paragraph) names its code so the reader knows which one ends.
        for i in sorted(ending, key=lambda i: open_stack.index(i) if i in open_stack else -1,
                        reverse=True):
            if open_stack and open_stack[-1] == i:
                out.extend(_cells("‹]", base))
                open_stack.pop()
            else:
                out.extend(_cells(f"‹{technique_of(spans[i]).code}]", base))
                if i in open_stack:
                    open_stack.remove(i)

    for seg in segments(spans, start, end):
        if seg.start > start:
            close([i for i, s in enumerate(spans) if s.end == seg.start and s.start < seg.start])
        for i in seg.cover:
            if spans[i].start == seg.start:
                out += _cells(f"[{technique_of(spans[i]).code}›", base)
                open_stack.append(i)
        out += _cells(text[seg.start:seg.end], base)
    close([i for i, s in enumerate(spans) if s.end == end and s.start < end])
    return out


def _hanging(label: str, text: str, width: int,
             style: _Style = _Style(bold=True)) -> list[list[_Cell]]:
    """``label`` (bold by default), then ``text`` wrapped under itself: 'Quoted: A (2), B'."""
    text = " ".join(text.split())
    if not text:
        return [_cells(label.rstrip(), style)]
    lead = " " * len(label)
    lines = _wrap(_cells(text), width, indent=lead)
    lines[0] = _cells(label, style) + lines[0][len(lead):]
    return lines


def _enriched_lines(found: Enrichment, width: int) -> list[list[_Cell]]:
    """Who is quoted, the most targeted entities and the top claims to check, in brief."""
    lines: list[list[_Cell]] = [[]]
    lines += _hanging("Quoted: ", quoted_line(found), width)
    rows = [row.summary() for row in found.tally[:_TOP_TARGETS]] or ["none found"]
    if len(found.tally) > _TOP_TARGETS:
        rows.append(f"and {len(found.tally) - _TOP_TARGETS} more")
    label = "Targeted: "
    for k, row in enumerate(rows):
        lines += (_hanging(label, row, width) if k == 0
                  else _hanging(" " * len(label), row, width, _PLAIN))
    claims = ranked_claims(found)
    lines += _hanging("Claims to check: ", "" if claims else "none found", width)
    for n, claim in enumerate(claims[:_TOP_CLAIMS], 1):
        lines += _hanging(f"  {n}. ", claim.text, width, _PLAIN)
    if len(claims) > _TOP_CLAIMS:
        lines += _wrap(_cells(f"and {len(claims) - _TOP_CLAIMS} more"), width, indent="  ")
    return lines


def render_terminal(analysis: Analysis, *, color: bool | None = None,
                    width: int | None = None) -> str:
    """The article with highlights, a legend and a summary table, wrapped to ``width``."""
    painter = _Painter(color_mode(color))
    width = terminal_width(width)
    doc, summary = analysis.document, analysis.summary
    spans = [s for s in ordered_spans(analysis.spans) if s.end > s.start]
    shape = layout(doc)
    dim = _Style(dim=True)
    lines: list[list[_Cell]] = []

    heading = _Style(bold=True)
    if shape.heading is not None:
        a, b = shape.heading
        lines += _wrap(_highlight_cells(doc.text, spans, a, b, heading, painter.color), width)
    else:
        lines += _wrap(_cells(" ".join((shape.title or "Untitled article").split()), heading),
                       width)
    for label, value in metadata_lines(analysis):
        lines += _wrap(_cells(f"{label}: {value}", dim), width, indent="")
    rule = _cells("─" * width, dim)
    lines += [rule, []]

    for n, (a, b) in enumerate(shape.paragraphs):
        if n:
            lines.append([])
        lines += _wrap(_highlight_cells(doc.text, spans, a, b, _PLAIN, painter.color), width)
    lines += [[], rule]

    counts = technique_counts(spans, analysis.taxonomy)
    lines.append(_cells("Techniques", _Style(bold=True)))
    if not counts:
        lines.append(_cells("  none found"))
    # Fixed columns take 22 cells; long names are shortened rather than wrapped.
    name_width = max([len(t.name) for t, _ in counts] + [len("Technique")])
    name_width = min(name_width, width - 22)
    if counts:
        lines.append(_cells(f"  {'Code':<5} {'Technique':<{name_width}}  Count  Share", dim))
    top = max((n for _, n in counts), default=1)
    for tech, n in counts:
        share = round(100 * n / len(spans))
        name = tech.name if len(tech.name) <= name_width else tech.name[:name_width - 1] + "…"
        if painter.color:
            chip = _Style(bg=shade(tech.colour), fg=_WHITE, bold=True)
            row = _cells("  ") + _cells(f"\u00a0{tech.code:<3}\u00a0", chip)
        else:
            row = _cells(f"  {tech.code:<5}")
        row += _cells(f" {name:<{name_width}}  {n:>5}  {share:>4}%")
        bar_room = min(_BAR_WIDTH, width - len(row) - 2)
        if bar_room > 0:
            bar = max(1, round(bar_room * n / top))
            row += _cells("  ") + _cells("█" * bar, _Style(fg=tech.colour) if painter.color
                                         else _PLAIN)
        lines.append(row)

    lines.append([])
    per = f"{summary.per_1000_words:g}"
    facts = (f"{summary.words} words · {summary.sentences} sentences · {len(spans)} spans "
             f"({per} per 1000 words)")
    lines += _wrap(_cells(facts), width)
    lines += _wrap(_cells(f"Intensity {summary.intensity}%: {summary.sentences_with_technique} "
                          f"of {summary.sentences} sentences contain at least one technique."),
                   width)
    if analysis.enrichment is not None:
        lines += _enriched_lines(analysis.enrichment, width)
    if not painter.color and spans:
        if analysis.enrichment is not None:
            lines.append([])
        lines += _wrap(_cells("Markers: [CODE›…‹] encloses a span; ‹CODE] closes a span that "
                              "is not the innermost open one.", dim), width)
    return "\n".join(painter.line(ln) for ln in lines) + "\n"
