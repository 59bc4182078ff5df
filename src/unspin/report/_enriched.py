"""What the reports say about the enrich stage's findings: who is quoted, who is targeted, which
claims to check. Shared by the text, terminal and HTML reports so they summarise alike.

The enrich stage refers to spans by their index in ``analysis.spans``; the reports number spans
in reading order (``ordered_spans``), so ``span_positions`` maps one to the other.
"""

from __future__ import annotations

from ..analysis import Span
from ..enrich.types import Claim, Enrichment, Quote, TallyRow

__all__ = ["UNATTRIBUTED", "cue_phrase", "quoted_line", "ranked_claims", "span_positions",
           "speakers", "tally_detail"]

UNATTRIBUTED = "unattributed"


def span_positions(spans: tuple[Span, ...] | list[Span]) -> list[int]:
    """``positions[i]`` is where ``spans[i]`` comes in ``ordered_spans(spans)``.

    >>> a, b = Span(9, 12, "Doubt", "Doubt", .9, ""), Span(0, 4, "Doubt", "Doubt", .9, "")
    >>> span_positions([a, b])
    [1, 0]
    """
    order = sorted(range(len(spans)), key=lambda i: (spans[i].start, -spans[i].end,
                                                     spans[i].technique, -spans[i].score))
    positions = [0] * len(spans)
    for place, i in enumerate(order):
        positions[i] = place
    return positions


def speakers(enrichment: Enrichment) -> list[tuple[str | None, int]]:
    """Speakers with their number of quotes, most quoted first (then in order of first
    quote); quotes without a named speaker are counted together under None, last."""
    counts: dict[str | None, int] = {}
    for q in enrichment.quotes:
        counts[q.speaker] = counts.get(q.speaker, 0) + 1
    order = list(counts)
    return sorted(counts.items(), key=lambda kv: (kv[0] is None, -kv[1], order.index(kv[0])))


def quoted_line(enrichment: Enrichment) -> str:
    """'Vladimir Putin (2), John Kerry (1), unattributed (2)', or 'none found'."""
    parts = [f"{name or UNATTRIBUTED} ({n})" for name, n in speakers(enrichment)]
    return ", ".join(parts) if parts else "none found"


def ranked_claims(enrichment: Enrichment) -> list[Claim]:
    """Claims by rank, the most check-worthy first (document order breaks ties)."""
    return sorted(enrichment.claims, key=lambda c: (c.rank, c.start))


def tally_detail(row: TallyRow) -> str:
    """The tally row's summary without the entity: '9 spans, mostly Loaded language and Doubt'."""
    return row.summary().removeprefix(f"{row.entity} — ")


def cue_phrase(quote: Quote) -> str:
    """How the article attributes the quote, in words: 'said', 'introduced with a colon', ''."""
    if quote.cue is None:
        return ""
    if quote.cue.strip() == ":":
        return "introduced with a colon"
    return quote.cue
