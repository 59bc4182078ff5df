"""Result types of the enrich stage: quotes, targets, claims. Offsets index the analysed text.

Every record is a frozen dataclass with ``to_dict``; ``text[start:end] == record.text`` always.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Protocol

__all__ = [
    "Claim",
    "Enrichment",
    "Entity",
    "Mention",
    "Quote",
    "SpanLike",
    "TallyRow",
    "Target",
]


class SpanLike(Protocol):
    """Anything with character offsets and a technique id (unspin.Span, a gold label, ...)."""

    start: int
    end: int
    technique: str


@dataclass(frozen=True)
class Mention:
    """One place an entity is named: ``text[start:end]``."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Entity:
    """A person, group, country or organisation, with every mention merged under its fullest name.

    ``kind`` is one of ``person``, ``group``, ``country``, ``org``.
    """

    name: str
    kind: str
    mentions: tuple[Mention, ...]

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind,
                "mentions": [m.to_dict() for m in self.mentions]}


@dataclass(frozen=True)
class Quote:
    """A direct quote: ``text[start:end]`` is what was said, without the quotation marks.

    ``kind`` is ``inline`` (inside quotation marks) or ``block`` (a paragraph introduced by a
    colon, "Here's what Kerry said:", or a markdown ``>`` block). ``speaker`` is the fullest
    name the article gives the speaker (None when no one is named); ``speaker_start`` and
    ``speaker_end`` locate the mention that attributed it (a pronoun resolves to a name but keeps
    the pronoun's offsets). ``cue`` is the attributing word ("said", "told", ":", "according to").
    ``confidence`` is a rough probability that quote and speaker are both right.
    """

    start: int
    end: int
    text: str
    kind: str
    speaker: str | None
    speaker_start: int | None
    speaker_end: int | None
    cue: str | None
    confidence: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Target:
    """Who a technique span is aimed at.

    ``span`` is the index of the span in the input sequence; ``start``/``end``/``text`` locate
    the mention chosen as the target; ``how`` says why: ``inside`` (the span names it),
    ``possessive``/``nearby`` (a mention next to the span in its sentence), ``pronoun`` (he,
    they ... resolved to the last fitting mention) or ``group-noun`` (the span's own plural
    noun, "terrorists").
    """

    span: int
    technique: str
    span_start: int
    span_end: int
    entity: str
    kind: str
    start: int
    end: int
    text: str
    how: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TallyRow:
    """One line of the per-article tally: an entity and the spans aimed at it, by technique."""

    entity: str
    kind: str
    count: int
    techniques: tuple[tuple[str, int], ...]
    spans: tuple[int, ...]

    def summary(self) -> str:
        """'Jane Smith — 9 spans, mostly Loaded language (7)': only techniques that stand out
        are named (ahead of the next one, and of more than one span), with their counts.

        >>> row = lambda *ts: TallyRow("K", "PERSON", sum(n for _, n in ts), ts, ())
        >>> row(("Loaded_Language", 12), ("Doubt", 1), ("Name_Calling,Labeling", 1),
        ...     ("Appeal_to_fear-prejudice", 1)).summary()
        'K — 15 spans, mostly Loaded language (12)'
        >>> row(("Loaded_Language", 3), ("Doubt", 1)).summary()
        'K — 4 spans, Loaded language (3) and Doubt (1)'
        >>> row(("Doubt", 1), ("Slogans", 1), ("Repetition", 1)).summary()
        'K — 3 spans, 3 techniques'
        >>> row(("Doubt", 2),).summary()
        'K — 2 spans, all Doubt'
        """
        from ..techniques import BY_ID, TAXONOMY_2023

        def name(tid: str) -> str:  # either taxonomy's (an id the two share is one technique)
            known = BY_ID.get(tid) or TAXONOMY_2023.by_id.get(tid)
            return known.name if known else tid

        ts = self.techniques
        noun = "span" if self.count == 1 else "spans"
        if len(ts) == 1:
            what = name(ts[0][0]) if self.count == 1 else f"all {name(ts[0][0])}"
        elif len(ts) == 2:
            what = " and ".join(f"{name(t)} ({n})" for t, n in ts)
        else:
            counts = [n for _, n in ts] + [0]
            named = [0] if counts[0] > max(counts[1], 1) else []
            if named and counts[1] > max(counts[2], 1):
                named.append(1)
            if not named:
                what = f"{len(ts)} techniques"
            else:
                lead = "mostly " if 2 * sum(counts[k] for k in named) >= self.count else "led by "
                what = lead + " and ".join(f"{name(ts[k][0])} ({ts[k][1]})" for k in named)
        return f"{self.entity} — {self.count} {noun}, {what}"

    def to_dict(self) -> dict:
        return {"entity": self.entity, "kind": self.kind, "count": self.count,
                "techniques": [{"technique": t, "count": n} for t, n in self.techniques],
                "spans": list(self.spans), "summary": self.summary()}


@dataclass(frozen=True)
class Claim:
    """A check-worthy factual sentence. ``rank`` 1 is the most check-worthy.

    ``quotes`` and ``spans`` are indices into ``Enrichment.quotes`` and the input spans that
    overlap the sentence; ``reasons`` names the cues that made it check-worthy.
    """

    start: int
    end: int
    text: str
    score: float
    rank: int
    reasons: tuple[str, ...]
    quotes: tuple[int, ...]
    spans: tuple[int, ...]

    def to_dict(self) -> dict:
        return {**asdict(self), "reasons": list(self.reasons), "quotes": list(self.quotes),
                "spans": list(self.spans)}


@dataclass(frozen=True)
class Enrichment:
    """What the enrich stage adds to an analysis."""

    method: str
    quotes: tuple[Quote, ...] = ()
    targets: tuple[Target, ...] = ()
    tally: tuple[TallyRow, ...] = ()
    claims: tuple[Claim, ...] = ()
    entities: tuple[Entity, ...] = field(default=())

    @classmethod
    def from_dict(cls, d: dict) -> Enrichment:
        """The inverse of ``to_dict`` (derived keys such as a tally row's summary dropped)."""
        return cls(
            method=d["method"],
            quotes=tuple(Quote(**q) for q in d.get("quotes", ())),
            targets=tuple(Target(**t) for t in d.get("targets", ())),
            tally=tuple(TallyRow(r["entity"], r["kind"], r["count"],
                                 tuple((t["technique"], t["count"]) for t in r["techniques"]),
                                 tuple(r["spans"])) for r in d.get("tally", ())),
            claims=tuple(Claim(**{**c, "reasons": tuple(c["reasons"]),
                                  "quotes": tuple(c["quotes"]), "spans": tuple(c["spans"])})
                         for c in d.get("claims", ())),
            entities=tuple(Entity(e["name"], e["kind"],
                                  tuple(Mention(**m) for m in e["mentions"]))
                           for e in d.get("entities", ())))

    def to_dict(self) -> dict:
        return {
            "method": self.method,
            "quotes": [q.to_dict() for q in self.quotes],
            "targets": [t.to_dict() for t in self.targets],
            "tally": [r.to_dict() for r in self.tally],
            "claims": [c.to_dict() for c in self.claims],
            "entities": [e.to_dict() for e in self.entities],
        }
