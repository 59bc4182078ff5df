"""Enrich: who is quoted, who is targeted, which claims to check.

Runs on the text an analysis was made of and on any detector's spans (or none); every record
carries character offsets into that text.

>>> from unspin.enrich import enrich
>>> text = 'Jane Smith attacked the plan. "It is a reckless scheme," Smith said on Monday.'
>>> result = enrich(text, [])
>>> [(q.text, q.speaker, q.cue) for q in result.quotes]
[('It is a reckless scheme,', 'Jane Smith', 'said')]

The method is versioned by name (``METHOD``): a change in behaviour is a new name. It is
rule-based and needs no third-party package; it runs in a few milliseconds per article.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from .types import Claim, Enrichment, Entity, Mention, Quote, SpanLike, TallyRow, Target

__all__ = [
    "METHOD",
    "TARGET_TECHNIQUES",
    "Claim",
    "Enrichment",
    "Entity",
    "Mention",
    "Quote",
    "SpanLike",
    "TallyRow",
    "Target",
    "enrich",
]

METHOD = "rules.v2"
log = logging.getLogger(__name__)


def __getattr__(name: str):
    if name == "TARGET_TECHNIQUES":
        from .targets import TARGET_TECHNIQUES

        return TARGET_TECHNIQUES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def enrich(text: str, spans: Sequence[SpanLike] = ()) -> Enrichment:
    """Find quotes, targets of the spans, and check-worthy claims in ``text``.

    ``spans`` are any objects with ``start``, ``end`` and ``technique`` (a technique id such as
    ``"Loaded_Language"``); spans outside the text are ignored. Text with nothing to find gives
    empty tuples, never an error.

    >>> enrich("").quotes
    ()
    """
    if not text or not text.strip():
        return Enrichment(METHOD)
    # the rules (compiled word lists and patterns) load on first use: `import unspin` stays cheap
    from ._text import paragraphs, sentences
    from .claims import find_claims
    from .entities import find_entities
    from .quotes import find_quotes
    from .targets import find_targets, tally

    sents = sentences(text)
    paras = paragraphs(text)
    ents = find_entities(text, sents)
    quotes = tuple(find_quotes(text, paras, ents))
    targets = tuple(find_targets(text, spans, sents, ents))
    claims = tuple(find_claims(text, sents, ents, quotes, spans))
    log.debug("enrich: %d quotes, %d targets, %d claims", len(quotes), len(targets), len(claims))
    return Enrichment(METHOD, quotes, targets, tuple(tally(targets)), claims, ents.entities())
