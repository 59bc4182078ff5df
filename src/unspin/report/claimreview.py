"""Claims to check as schema.org ``ClaimReview`` drafts, in JSON-LD, for a fact-checking desk.

One ``ClaimReview`` per check-worthy claim the enrich stage found, most check-worthy first:
``claimReviewed`` is the claim's sentence, ``itemReviewed`` a ``Claim`` whose ``appearance`` is
the article (URL, headline, date, authors, outlet) and whose ``author`` is the quoted speaker
when the claim sits in a quote with a named speaker, else the article's authors. What only a
fact-checker can give — the verdict (``reviewRating``), the review's own URL, author and date —
is left out, so the draft is never mistaken for a published review; fill them in and publish.
unspin's own reading (rank, score, why the sentence is check-worthy, where it is in the text) is
under ``additionalProperty``, as schema.org ``PropertyValue`` items.

An analysis made without enrichment (``--no-enrich``) has no claims: the graph is empty.
"""

from __future__ import annotations

import json

from ..analysis import Analysis

__all__ = ["render_claimreview", "claim_reviews", "claimreview_lines"]

CONTEXT = "https://schema.org"


def _people(names) -> list[dict]:
    return [{"@type": "Person", "name": n} for n in names if n]


def _appearance(analysis: Analysis) -> dict:
    doc = analysis.document
    work: dict = {"@type": "NewsArticle"}
    for key, value in (("url", doc.url), ("headline", doc.title),
                       ("datePublished", doc.published), ("inLanguage", doc.language)):
        if value:
            work[key] = value
    if doc.authors:
        work["author"] = _people(doc.authors)
    if doc.outlet:
        work["publisher"] = {"@type": "Organization", "name": doc.outlet}
    if doc.id:
        work["identifier"] = doc.id
    return work


def _speaker(analysis: Analysis, claim) -> str | None:
    """The named speaker of a quote the claim lies in, if any."""
    quotes = analysis.enrichment.quotes if analysis.enrichment else ()
    for k in claim.quotes:
        if 0 <= k < len(quotes) and quotes[k].speaker:
            return quotes[k].speaker
    return None


def claim_reviews(analysis: Analysis) -> list[dict]:
    """The ``ClaimReview`` drafts of one analysis, most check-worthy claim first."""
    found = analysis.enrichment
    if found is None:
        return []
    appearance = _appearance(analysis)
    out = []
    for claim in sorted(found.claims, key=lambda c: c.rank):
        item: dict = {"@type": "Claim", "appearance": appearance}
        speaker = _speaker(analysis, claim)
        if speaker:
            item["author"] = {"@type": "Person", "name": speaker}
        elif analysis.document.authors:
            item["author"] = _people(analysis.document.authors)
        if analysis.document.published:
            item["datePublished"] = analysis.document.published
        out.append({
            "@type": "ClaimReview",
            "claimReviewed": claim.text,
            "itemReviewed": item,
            "additionalProperty": [
                {"@type": "PropertyValue", "name": "unspin:rank", "value": claim.rank},
                {"@type": "PropertyValue", "name": "unspin:checkWorthiness",
                 "value": round(claim.score, 4)},
                {"@type": "PropertyValue", "name": "unspin:reasons",
                 "value": ", ".join(claim.reasons)},
                {"@type": "PropertyValue", "name": "unspin:offsets",
                 "value": f"{claim.start}-{claim.end}"},
            ],
        })
    return out


def render_claimreview(analysis: Analysis) -> str:
    """One analysis as a JSON-LD document: ``{"@context", "@graph": [ClaimReview...]}``.

    >>> from unspin import Analysis, Document, ModelRef
    >>> from unspin.analysis import summarize
    >>> a = Analysis(Document("No claims.", id="1"), (), summarize("No claims.", ()),
    ...              ModelRef("m", "1", ""))
    >>> render_claimreview(a)
    '{\\n  "@context": "https://schema.org",\\n  "@graph": []\\n}\\n'
    """
    return json.dumps({"@context": CONTEXT, "@graph": claim_reviews(analysis)}, indent=2,
                      ensure_ascii=False) + "\n"


def claimreview_lines(analyses) -> str:
    """Several analyses as JSON Lines, one compact JSON-LD document per article."""
    return "".join(json.dumps({"@context": CONTEXT, "@graph": claim_reviews(a)},
                              ensure_ascii=False) + "\n" for a in analyses)
