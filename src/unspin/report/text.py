"""Plain text: a listing without colour or markup, for reading, e-mail and diffs.

Title and metadata, the summary, a table of techniques, what the enrich stage found (who is
quoted, who is targeted, the top claims to check; left out when the stage was skipped), then
every span in reading order with its technique, score, line and column and the quoted phrase.
Long lines are wrapped at ``width`` (80 by default, not the terminal's width, so a saved listing
is the same everywhere).
"""

from __future__ import annotations

import textwrap

from ..analysis import Analysis
from ..enrich.types import Enrichment
from ._enriched import quoted_line, ranked_claims
from ._layout import (
    LineIndex,
    model_label,
    ordered_spans,
    printable,
    technique_counts,
    technique_of,
)

__all__ = ["render_text", "separator", "metadata_lines", "DEFAULT_WIDTH"]

DEFAULT_WIDTH = 80
_MIN_WIDTH = 40
#: The listing and the terminal view name this many targets and claims; the rest are counted.
TOP_TARGETS = 5
TOP_CLAIMS = 5


def separator(width: int | None = None) -> str:
    """The rule between articles in a multi-article listing."""
    return "=" * max(_MIN_WIDTH, width or DEFAULT_WIDTH) + "\n\n"


def metadata_lines(analysis: Analysis) -> list[tuple[str, str]]:
    """(label, value) pairs: the analysis's warnings first, then the metadata that is known;
    unknown fields are left out.

    Shared with the terminal report so both describe an article the same way.
    """
    doc, model = analysis.document, analysis.model
    original = doc.original
    fields = (
        ("ID", doc.id),
        ("Authors", ", ".join(doc.authors)),
        ("Outlet", doc.outlet),
        ("Published", doc.published),
        ("Original", ", ".join(p for p in (original.outlet, original.published) if p)
         if original else ""),
        ("Tags", ", ".join(doc.tags)),
        ("URL", doc.url),
        ("Language", doc.language),
    )
    rows: list[tuple[str, str]] = [("Warning", w) for w in analysis.warnings]
    rows += [(label, value) for label, value in fields if value]
    digest = f" (fingerprint {model.fingerprint[:12]})" if model.fingerprint else ""
    rows.append(("Model", f"{model_label(model)}{digest}"))
    return rows


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _enriched_lines(found: Enrichment, width: int) -> list[str]:
    """'Quoted', 'Targeted' and 'Claims to check': the enrich stage's findings in brief."""
    out = ["", "Quoted"]
    out += textwrap.wrap(quoted_line(found), width, initial_indent="  ",
                         subsequent_indent="  ")
    out += ["", "Targeted"]
    if not found.tally:
        out.append("  none found")
    for row in found.tally[:TOP_TARGETS]:
        out += textwrap.wrap(_one_line(row.summary()), width, initial_indent="  ",
                             subsequent_indent="    ")
    if len(found.tally) > TOP_TARGETS:
        out.append(f"  and {len(found.tally) - TOP_TARGETS} more")
    out += ["", "Claims to check"]
    claims = ranked_claims(found)
    if not claims:
        out.append("  none found")
    number_width = len(str(min(len(claims), TOP_CLAIMS)))
    for n, claim in enumerate(claims[:TOP_CLAIMS], 1):
        out += textwrap.wrap(f"{n:>{number_width}}. {_one_line(claim.text)}", width,
                             initial_indent="  ", subsequent_indent=" " * (number_width + 4))
    if len(claims) > TOP_CLAIMS:
        out.append(f"  and {len(claims) - TOP_CLAIMS} more")
    return out


def render_text(analysis: Analysis, *, width: int | None = None) -> str:
    """The listing for one article.

    Span phrases are shown on one line (runs of whitespace, newlines included, become one
    space); the line, column and character offsets point at the exact text.
    """
    width = max(_MIN_WIDTH, width or DEFAULT_WIDTH)
    doc, summary = analysis.document, analysis.summary
    spans = ordered_spans(analysis.spans)
    out: list[str] = []
    title = _one_line(doc.title) if doc.title else "(untitled article)"
    out += textwrap.wrap(f"Title: {title}", width, subsequent_indent="       ") or ["Title:"]
    label_width = max(len(label) for label, _ in metadata_lines(analysis)) + 1
    for label, value in metadata_lines(analysis):
        out += textwrap.wrap(f"{label + ':':<{label_width}} {value}", width,
                             subsequent_indent=" " * (label_width + 1), break_on_hyphens=False)

    out += ["", "Summary"]
    facts = [
        f"Words: {summary.words}",
        f"Sentences: {summary.sentences}",
        f"Spans: {len(spans)} ({summary.per_1000_words:g} per 1000 words)",
        (f"Intensity: {summary.intensity}% ({summary.sentences_with_technique} of "
         f"{summary.sentences} sentences contain at least one technique)"),
    ]
    for fact in facts:
        out += textwrap.wrap(fact, width, initial_indent="  ", subsequent_indent="    ")

    counts = technique_counts(spans, analysis.taxonomy)
    out += ["", "Techniques"]
    if not counts:
        out.append("  none found")
    name_width = max([len(t.name) for t, _ in counts] + [len("Technique")])
    if counts:
        out.append(f"  {'Code':<4} {'Technique':<{name_width}}  Count  Share")
    for tech, n in counts:
        share = round(100 * n / len(spans))
        out.append(f"  {tech.code:<4} {tech.name:<{name_width}}  {n:>5}  {share:>4}%")

    if analysis.enrichment is not None:
        out += _enriched_lines(analysis.enrichment, width)

    out += ["", "Spans"]
    if not spans:
        out.append("  none found")
    where = LineIndex(doc.text)
    number_width = len(str(len(spans)))
    for i, s in enumerate(spans, 1):
        tech = technique_of(s)
        line, col = where(s.start)
        head = (f"  {i:>{number_width}}. {tech.name} ({tech.code}), score {s.score:.2f}, "
                f"line {line}, col {col} (chars {s.start}-{s.end})")
        indent = " " * (number_width + 4)
        out += textwrap.wrap(head, width, subsequent_indent=indent)
        out += textwrap.wrap(f'"{_one_line(s.text)}"', width, initial_indent=indent,
                             subsequent_indent=indent + " ") or [indent + '""']
    # Article text and metadata may hold control characters (an ESC could restyle the reader's
    # terminal when the listing is printed); show them as U+FFFD instead.
    return printable("\n".join(out) + "\n")
