"""Claims to check as schema.org ClaimReview drafts: one per claim, rank order, the article as
the claim's appearance, the quoted speaker as its author, and no verdict."""

import dataclasses
import json

from unspin.report import render, render_many


def graph(analysis) -> list[dict]:
    doc = json.loads(render(analysis, "claimreview"))
    assert doc["@context"] == "https://schema.org"
    return doc["@graph"]


def test_one_draft_per_claim_in_rank_order_without_a_verdict(enriched):
    reviews = graph(enriched)
    claims = sorted(enriched.enrichment.claims, key=lambda c: c.rank)
    assert [r["claimReviewed"] for r in reviews] == [c.text for c in claims]
    for review, claim in zip(reviews, claims):
        assert review["@type"] == "ClaimReview"
        assert "reviewRating" not in review and "datePublished" not in review
        props = {p["name"]: p["value"] for p in review["additionalProperty"]}
        assert props["unspin:rank"] == claim.rank
        assert props["unspin:offsets"] == f"{claim.start}-{claim.end}"
        work = review["itemReviewed"]["appearance"]
        assert work["headline"] == enriched.document.title
        assert work["datePublished"] == enriched.document.published
        assert [a["name"] for a in work["author"]] == list(enriched.document.authors)


def test_a_claim_in_a_named_quote_is_the_speakers(enriched):
    quotes = enriched.enrichment.quotes
    named = [k for k, q in enumerate(quotes) if q.speaker]
    assert named, "the sample needs a quote with a named speaker"
    claim = dataclasses.replace(enriched.enrichment.claims[0], quotes=(named[0],), rank=1)
    others = tuple(dataclasses.replace(c, rank=c.rank + 1)
                   for c in enriched.enrichment.claims[1:])
    found = dataclasses.replace(enriched.enrichment, claims=(claim, *others))
    first = graph(dataclasses.replace(enriched, enrichment=found))[0]
    assert first["itemReviewed"]["author"] == {"@type": "Person",
                                               "name": quotes[named[0]].speaker}


def test_no_enrichment_gives_an_empty_graph_and_several_articles_give_lines(sample, enriched):
    assert graph(sample) == []
    lines = render_many([enriched, sample], "claimreview").splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["@graph"] == []


def test_hostile_text_stays_data(hostile_enriched):
    text = render(hostile_enriched, "claimreview")
    for review in json.loads(text)["@graph"]:
        assert isinstance(review["claimReviewed"], str)
