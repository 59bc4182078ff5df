"""Synthetic analyses for the report tests, written by hand (no model involved).

``sample`` reads like a real local-news story: a title with spans, unicode (accents, CJK,
an emoji, curly quotes), nested spans, crossing spans, two techniques on the same words, and a
reader comment holding markup that must show as text. ``hostile`` puts ``<script>`` and
``onerror=`` into the title, the body and every metadata field.

``enriched`` and ``hostile_enriched`` add what the enrich stage would find (quotes, targets, a
tally, claims), also written by hand so the report tests do not move when the enrich rules do;
``hostile_enriched`` puts markup into speakers, cues, entity names, kinds and reasons.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from unspin.analysis import Analysis, ModelRef, Span, make_span, summarize
from unspin.document import Document, Original
from unspin.enrich.types import Claim, Enrichment, Entity, Mention, Quote, TallyRow, Target

MODEL = ModelRef("minilm-spans.v1", "1.0.0",
                 "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")

SAMPLE_TEXT = """\
Reckless council rams through €40m harbour plan

The so-called experts at City Hall have once again ignored the people of Nørrebro. On \
Tuesday night, in a session that ran past midnight, the council approved the harbour plan by \
seven votes to six.

“Every serious economist agrees the harbour will pay for itself,” said deputy mayor Inès \
Dubois. Critics were not convinced. Can we really trust a council that was wrong about the \
tram budget last year?

Either we build the harbour now or the city falls behind for a generation, the mayor told \
reporters. Shop owner Kenji Watanabe (渡辺健二) disagreed: “This is the worst decision in the \
history of our town.”

Protesters outside carried banners reading “Our harbour, our future!” Organisers say thousands \
have already signed a petition; don't be the last one to add your name. A comment under the \
online version, <script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">, \
was removed by moderators.

It is what it is, one councillor shrugged as the meeting closed. 🚢
"""

# (phrase, technique, score, occurrence): phrases are found in the text, so offsets are exact.
SAMPLE_SPANS = [
    ("Reckless", "Loaded_Language", 0.93, 0),
    ("rams through", "Loaded_Language", 0.88, 0),
    ("so-called experts", "Name_Calling,Labeling", 0.91, 0),
    ("so-called", "Loaded_Language", 0.62, 0),
    ("Every serious economist agrees the harbour will pay for itself", "Appeal_to_Authority",
     0.84, 0),
    ("Can we really trust a council that was wrong about the tram budget last year?", "Doubt",
     0.79, 0),
    ("Either we build the harbour now or the city falls behind", "Black-and-White_Fallacy",
     0.81, 0),
    ("the city falls behind for a generation", "Appeal_to_fear-prejudice", 0.67, 0),
    ("the worst decision in the history of our town", "Exaggeration,Minimisation", 0.86, 0),
    ("worst", "Loaded_Language", 0.55, 0),
    ("Our harbour, our future!", "Slogans", 0.9, 0),
    ("Our harbour, our future!", "Flag-Waving", 0.58, 0),
    ("thousands have already signed a petition; don't be the last one to add your name",
     "Bandwagon,Reductio_ad_hitlerum", 0.74, 0),
    ("<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">",
     "Loaded_Language", 0.51, 0),
    ("It is what it is", "Thought-terminating_Cliches", 0.89, 0),
]

HOSTILE_TEXT = """\
Breaking <script>window.__pwned=1</script> news <img src=x onerror="window.__pwned=2">

The <b>evil</b> plan & its "defenders" <script>window.__pwned=3</script> are traitors.

</p></article><script>window.__pwned=4</script><!-- comment --> Shameful!
"""

HOSTILE_SPANS = [
    ("<script>window.__pwned=1</script>", "Loaded_Language", 0.7, 0),
    ("onerror=\"window.__pwned=2\"", "Doubt", 0.6, 0),
    ("<b>evil</b>", "Loaded_Language", 0.9, 0),
    ("traitors", "Name_Calling,Labeling", 0.95, 0),
    ("</p></article><script>window.__pwned=4</script><!-- comment -->", "Slogans", 0.5, 0),
    ("Shameful!", "Loaded_Language", 0.8, 0),
]

HOSTILE_META = '<script>window.__pwned=9</script><img src=x onerror="window.__pwned=10">'


def find_spans(text: str, wanted: list[tuple[str, str, float, int]]) -> tuple[Span, ...]:
    """Spans for phrases of ``text`` (the ``occurrence``-th match of each)."""
    out = []
    for phrase, technique, score, occurrence in wanted:
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(phrase, start + 1)
        out.append(make_span(text, start, start + len(phrase), technique, score))
    return tuple(out)


def build_sample() -> Analysis:
    spans = find_spans(SAMPLE_TEXT, SAMPLE_SPANS)
    doc = Document(
        SAMPLE_TEXT, id="demo-001", title="Reckless council rams through €40m harbour plan",
        authors=("Ana Ferreira", "Jonas Østergaard"), published="2024-03-12",
        outlet="The Harbour Gazette", original=Original("Nordic Wire", "2024-03-11"),
        tags=("local politics", "harbour", "infrastructure"),
        url="https://example.com/news/harbour-plan?utm=1&ref=feed", language="en",
        source="article-demo.txt")
    return Analysis(doc, spans, summarize(SAMPLE_TEXT, spans), MODEL)


def build_hostile() -> Analysis:
    spans = find_spans(HOSTILE_TEXT, HOSTILE_SPANS)
    doc = Document(
        HOSTILE_TEXT, id="x<script>1</script>",
        title=('Breaking <script>window.__pwned=1</script> news '
               '<img src=x onerror="window.__pwned=2">'),
        authors=(HOSTILE_META, "Eve"), published=HOSTILE_META, outlet=HOSTILE_META,
        original=Original(HOSTILE_META, HOSTILE_META), tags=(HOSTILE_META, "ok"),
        url="javascript:window.__pwned=11", language='en" onload="window.__pwned=12')
    model = ModelRef(HOSTILE_META, HOSTILE_META, HOSTILE_META)
    return Analysis(doc, spans, summarize(HOSTILE_TEXT, spans), model)


def at(text: str, phrase: str, occurrence: int = 0) -> tuple[int, int]:
    """Offsets of the ``occurrence``-th ``phrase`` in ``text``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(phrase, start + 1)
    return start, start + len(phrase)


def quote(text: str, phrase: str, kind: str, speaker: str | None, said_by: str | None,
          cue: str | None, confidence: float) -> Quote:
    start, end = at(text, phrase)
    who = at(text, said_by) if said_by else (None, None)
    return Quote(start, end, phrase, kind, speaker, who[0], who[1], cue, confidence)


def target(text: str, spans: tuple[Span, ...], index: int, entity: str, kind: str,
           mention: str, how: str, occurrence: int = 0) -> Target:
    span = spans[index]
    start, end = at(text, mention, occurrence)
    return Target(index, span.technique, span.start, span.end, entity, kind, start, end,
                  mention, how)


def tally_of(targets: list[Target]) -> tuple[TallyRow, ...]:
    """Rows per entity, most spans first, techniques most frequent first (as the stage does)."""
    rows: dict[str, list[Target]] = {}
    for t in targets:
        rows.setdefault(t.entity, []).append(t)
    out = []
    for entity, ts in rows.items():
        counts: dict[str, int] = {}
        for t in ts:
            counts[t.technique] = counts.get(t.technique, 0) + 1
        techniques = tuple(sorted(counts.items(), key=lambda kv: -kv[1]))
        out.append(TallyRow(entity, ts[0].kind, len(ts), techniques,
                            tuple(sorted(t.span for t in ts))))
    return tuple(sorted(out, key=lambda r: -r.count))


def claim(text: str, phrase: str, rank: int, reasons: tuple[str, ...],
          quotes: tuple[int, ...] = (), spans: tuple[int, ...] = ()) -> Claim:
    start, end = at(text, phrase)
    return Claim(start, end, phrase, round(3.0 - rank / 2, 2), rank, reasons, quotes, spans)


def sample_enrichment(spans: tuple[Span, ...]) -> Enrichment:
    t = SAMPLE_TEXT
    quotes = (
        quote(t, "Every serious economist agrees the harbour will pay for itself,", "inline",
              "Inès Dubois", "Inès Dubois", "said", 0.9),
        quote(t, "This is the worst decision in the history of our town.", "inline",
              "Kenji Watanabe", "Kenji Watanabe", ":", 0.8),
        quote(t, "Our harbour, our future!", "inline", None, None, None, 0.3),
    )
    targets = [
        target(t, spans, 0, "City council", "org", "council", "nearby"),
        target(t, spans, 1, "City council", "org", "council", "nearby"),
        target(t, spans, 2, "City Hall", "org", "City Hall", "nearby"),
        target(t, spans, 3, "City Hall", "org", "City Hall", "nearby"),
        target(t, spans, 5, "City council", "org", "council", "inside", 2),
        target(t, spans, 9, "City council", "org", "council", "nearby", 1),
    ]
    claims = (
        claim(t, "“Every serious economist agrees the harbour will pay for itself,” said deputy "
              "mayor Inès Dubois.", 3, ("named", "attributed quote"), (0,), (4,)),
        claim(t, "On Tuesday night, in a session that ran past midnight, the council approved "
              "the harbour plan by seven votes to six.", 1, ("date", "number", "event")),
        claim(t, "Organisers say thousands have already signed a petition; don't be the last "
              "one to add your name.", 2, ("number", "attributed"), (), (12,)),
    )
    entities = (
        Entity("City council", "org", tuple(Mention(*at(t, "council", k), "council")
                                            for k in range(3))),
        Entity("City Hall", "org", (Mention(*at(t, "City Hall"), "City Hall"),)),
        Entity("Inès Dubois", "person", (Mention(*at(t, "Inès Dubois"), "Inès Dubois"),)),
        Entity("Kenji Watanabe", "person",
               (Mention(*at(t, "Kenji Watanabe"), "Kenji Watanabe"),)),
    )
    return Enrichment("rules.v1", quotes, tuple(targets), tally_of(targets), claims, entities)


HOSTILE_NAME = '<img src=x onerror="window.__pwned=13">Eve</b>'


def hostile_enrichment(spans: tuple[Span, ...]) -> Enrichment:
    t = HOSTILE_TEXT
    para = 'The <b>evil</b> plan & its "defenders" <script>window.__pwned=3</script> are traitors.'
    quotes = (
        quote(t, para, "block", HOSTILE_META, None, '<script>window.__pwned=14</script>', 0.9),
        quote(t, "defenders", "inline", None, None, None, 0.2),
    )
    targets = [
        target(t, spans, 3, HOSTILE_NAME, "<b>person</b>", "defenders", "nearby"),
        target(t, spans, 2, HOSTILE_NAME, "<b>person</b>", "defenders", "nearby"),
        target(t, spans, 5, "</li></ul><script>window.__pwned=15</script>", "group",
               "Shameful!", "inside"),
    ]
    claims = (
        claim(t, "</p></article><script>window.__pwned=4</script><!-- comment --> Shameful!", 1,
              ("<script>window.__pwned=16</script>",), (), (4, 5)),
    )
    return Enrichment("rules.v1", quotes, tuple(targets), tally_of(targets), claims, ())


@pytest.fixture
def sample() -> Analysis:
    return build_sample()


@pytest.fixture
def hostile() -> Analysis:
    return build_hostile()


def build_enriched(hostile: bool = False) -> Analysis:
    a = build_hostile() if hostile else build_sample()
    found = hostile_enrichment(a.spans) if hostile else sample_enrichment(a.spans)
    return Analysis(a.document, a.spans, a.summary, a.model, enrichment=found)


@pytest.fixture
def enriched() -> Analysis:
    return build_enriched()


@pytest.fixture
def hostile_enriched() -> Analysis:
    return build_enriched(hostile=True)


GOLDEN_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "report"


@pytest.fixture
def golden():
    """Compare output with ``tests/fixtures/report/<name>.golden``; with UNSPIN_TEST_UPDATE_GOLDEN=1
    the file is (re)written instead, and the diff is then reviewed in version control."""

    def check(name: str, actual: str) -> None:
        path = GOLDEN_DIR / f"{name}.golden"
        if os.environ.get("UNSPIN_TEST_UPDATE_GOLDEN") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8", newline="")
            return
        if not path.exists():
            pytest.fail(f"{path} is missing; run with UNSPIN_TEST_UPDATE_GOLDEN=1 to create it")
        expected = path.read_bytes().decode("utf-8")
        assert actual == expected, (f"{name} differs from {path}; if the change is intended, "
                                    "rerun with UNSPIN_TEST_UPDATE_GOLDEN=1 and review the diff")

    return check
