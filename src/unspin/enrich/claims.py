"""Claims: the sentences a fact-checker would check, ranked.

A sentence is check-worthy when it states something that happened or can be counted: numbers,
dates, named actors, reporting and event verbs, an attributed quote. Questions, exclamations,
hedges, first-person views, modal advice ("should", "must") and conditionals ("If ..., then")
count against it; headlines, bylines and link lines are never claims.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from . import _lexicon as lex
from ._text import Piece
from .entities import EntityIndex
from .types import Claim, Quote, SpanLike

__all__ = ["THRESHOLD", "find_claims"]

THRESHOLD = 0.7
_BOILERPLATE = re.compile(
    r"https?:|www\.|@\w|©|\b(?:click here|subscribe|follow us|read more|share this|"
    r"all rights reserved|disclaimer|cookies?|newsletter)\b|^(?:by|region|theme|tags?|"
    r"source|image|photo|featured image|in-depth report)\b", re.IGNORECASE)
_SECOND_PERSON = re.compile(r"\b(?:you|your|yourself)\b", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:I|me|my)\b")
# A sentence that opens on a condition states a hypothetical, not something that happened
# ("If he doesn't win an Oscar for this, then ...", "Had they listened, ...").
_CONDITIONAL = re.compile(r"(?:if|unless|had|were|should|imagine|suppose)\b", re.IGNORECASE)


class _Cues:
    """Where each cue matches in the whole text, so a sentence's cues are counted by bisect
    (one regex pass over the text instead of one per sentence)."""

    def __init__(self, text: str):
        def starts(pattern: re.Pattern) -> list[int]:
            return [m.start() for m in pattern.finditer(text)]

        self.number = starts(lex.NUMBER_RE)
        self.date = starts(lex.DATE_RE)
        self.event = starts(lex.FACT_REPORTING_RE)
        self.opinion = starts(lex.OPINION_RE)
        self.second = starts(_SECOND_PERSON)
        self.first = starts(_FIRST_PERSON)

    @staticmethod
    def count(where: list[int], sent: Piece) -> int:
        return bisect.bisect_left(where, sent.end) - bisect.bisect_left(where, sent.start)


def _score(text: str, sent: Piece, ents: EntityIndex, quotes: Sequence[Quote],
           n_spans: int, cues: _Cues) -> tuple[float, list[str]]:
    chunk = text[sent.start:sent.end]
    words = chunk.split()
    stripped = chunk.rstrip("\"'”’)] ")
    if len(words) < 6 or stripped.endswith(("?", ":")) or _BOILERPLATE.search(chunk):
        return 0.0, []  # a question, or the introduction of a quote or a list
    if not stripped.endswith((".", "!", ";")) and len(words) < 15:
        return 0.0, []  # a headline or a caption
    score, why = 0.0, []
    if cues.count(cues.number, sent):
        score += 0.8
        why.append("number")
    if cues.count(cues.date, sent):
        score += 0.6
        why.append("date")
    named = {m.entity for m in ents.within(sent.start, sent.end)}
    if named:
        score += 0.4 * min(len(named), 3)
        why.append("named")
    if cues.count(cues.event, sent):
        score += 0.7
        why.append("event")
    if any(q.speaker and q.start < sent.end and sent.start < q.end for q in quotes):
        score += 0.4
        why.append("attributed quote")
    opinion = cues.count(cues.opinion, sent)
    if opinion:
        score -= 0.9 * min(opinion, 2)
    if stripped.endswith("!"):
        score -= 0.8
    if _CONDITIONAL.match(chunk.lstrip("\"'“‘(— ")):
        score -= 1.2
    if cues.count(cues.second, sent):
        score -= 0.5
    if cues.count(cues.first, sent):
        score -= 0.4
    score -= 0.2 * min(n_spans, 3)
    return round(score, 2), why


def find_claims(text: str, sents: Sequence[Piece], ents: EntityIndex, quotes: Sequence[Quote],
                spans: Sequence[SpanLike]) -> list[Claim]:
    """Check-worthy sentences, most check-worthy first (rank 1)."""
    scored = []
    cues = _Cues(text)
    for sent in sents:
        inside = tuple(k for k, s in enumerate(spans) if s.start < sent.end and sent.start < s.end)
        score, why = _score(text, sent, ents, quotes, len(inside), cues)
        if score < THRESHOLD:
            continue
        qs = tuple(k for k, q in enumerate(quotes) if q.start < sent.end and sent.start < q.end)
        scored.append((score, sent, tuple(why), qs, inside))
    scored.sort(key=lambda x: (-x[0], x[1].start))
    return [Claim(sent.start, sent.end, text[sent.start:sent.end], score, rank, why, qs, inside)
            for rank, (score, sent, why, qs, inside) in enumerate(scored, 1)]
