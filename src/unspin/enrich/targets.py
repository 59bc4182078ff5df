"""Targets: who a Name calling, Loaded language, Doubt, Appeal to fear or Flag-waving span is
aimed at, and a per-article tally of them.

Looked for in this order: a name inside the span ("Senator Botox"), a possessive just before it
("Kerry's slobbering tone", "their crackpots"), a group noun inside it ("terrorist vermin"), the
nearest name or pronoun in the same sentence.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from . import _lexicon as lex
from ._text import Piece
from .entities import EntityIndex
from .types import SpanLike, TallyRow, Target

__all__ = ["TARGET_TECHNIQUES", "find_targets", "tally"]

TARGET_TECHNIQUES = frozenset({
    "Name_Calling,Labeling", "Loaded_Language", "Doubt", "Appeal_to_fear-prejudice",
    "Flag-Waving",
})
NEARBY_CHARS = 60
_POSSESSIVE_BEFORE = re.compile(r"(?:(['’]s?|\b(?:his|her|their|its))\s+(?:[\w\-]+\s+){0,2})$",
                                re.IGNORECASE)
_POSSESSIVE_AFTER = re.compile(r"['’]s?\b")
_PRONOUN = re.compile(r"\b(he|she|him|his|her|they|them|their)\b", re.IGNORECASE)


def _resolve_pronoun(ents: EntityIndex, word: str, pos: int):
    if word.lower() in lex.PRONOUNS_PERSON:
        return ents.before(pos, {"person"})
    return ents.plural_before(pos)


def _plural(noun: str) -> str:
    """'terrorist' and 'terrorists' are one group in the tally."""
    noun = noun.lower()
    return noun + "s" if noun + "s" in lex.GROUP_NOUNS else noun


def _sentence_of(sents: list[Piece], starts: list[int], s: int, e: int) -> tuple[int, int]:
    """The start and end of the sentences the span [s, e) touches."""
    lo, hi = s, e
    k = max(0, bisect.bisect_right(starts, s) - 1)
    while k < len(sents) and sents[k].start < e:
        p = sents[k]
        if p.end > s:
            lo, hi = min(lo, p.start), max(hi, p.end)
        k += 1
    return lo, hi


def _one(text: str, k: int, span: SpanLike, sents: list[Piece], starts: list[int],
         ents: EntityIndex) -> Target | None:
    s, e = span.start, span.end

    def make(entity, kind, ms, me, how):
        return Target(k, span.technique, s, e, entity, kind, ms, me, text[ms:me], how)

    # a possessor inside the span is not its target: "one of Trump's favourite pinatas"
    inside = [m for m in ents.within(s, e)
              if m.kind != "other" and not _POSSESSIVE_AFTER.match(text, m.end)]
    g = lex.GROUP_NOUNS_RE.search(text, s, e)
    if inside and not (g and g.start() < inside[0].start):
        m = inside[0]
        return make(m.entity, m.kind, m.start, m.end, "inside")
    ss, se = _sentence_of(sents, starts, s, e)
    pm = _POSSESSIVE_BEFORE.search(text, max(ss, s - 40), s)
    if pm:
        if pm.group(1).startswith(("'", "’")):
            owner = ents.before(pm.start() + 1)
            if owner and owner.end >= pm.start() - 1 and owner.start >= ss:
                return make(owner.entity, owner.kind, owner.start, owner.end, "possessive")
        else:
            ref = _resolve_pronoun(ents, pm.group(1), pm.start())
            if ref:
                return make(ref.entity, ref.kind, pm.start(1), pm.end(1), "possessive")
    if g:
        return make(_plural(g.group()), "group", g.start(), g.end(), "group-noun")
    best = None
    for m in ents.within(ss, se):
        if m.kind == "other":
            continue
        gap = s - m.end if m.end <= s else m.start - e
        gap = gap if m.end <= s else gap * 1.5  # the subject before a span more often
        if best is None or gap < best[0]:
            best = (gap, m.entity, m.kind, m.start, m.end, "nearby")
    for p in _PRONOUN.finditer(text, ss, se):
        if s <= p.start() < e:
            continue
        ref = _resolve_pronoun(ents, p.group(1), p.start())
        if ref is None:
            continue
        gap = s - p.end() if p.end() <= s else (p.start() - e) * 1.5
        if best is None or gap < best[0]:
            best = (gap, ref.entity, ref.kind, p.start(), p.end(), "pronoun")
    if best is not None and best[0] <= NEARBY_CHARS:
        return make(*best[1:])
    return None


def find_targets(text: str, spans: Sequence[SpanLike], sents: list[Piece],
                 ents: EntityIndex) -> list[Target]:
    """A Target for each span of a targeting technique whose target can be found."""
    out = []
    starts = [p.start for p in sents]
    for k, span in enumerate(spans):
        if span.technique not in TARGET_TECHNIQUES:
            continue
        if not (0 <= span.start < span.end <= len(text)):
            continue
        t = _one(text, k, span, sents, starts, ents)
        if t is not None:
            out.append(t)
    return out


def tally(targets: Sequence[Target]) -> list[TallyRow]:
    """Entities by the number of spans aimed at them, most attacked first."""
    spans: dict[str, list[Target]] = defaultdict(list)
    for t in targets:
        spans[t.entity].append(t)
    rows = []
    for entity, ts in spans.items():
        techniques = Counter(t.technique for t in ts).most_common()
        rows.append(TallyRow(entity, ts[0].kind, len(ts), tuple(techniques),
                             tuple(t.span for t in ts)))
    rows.sort(key=lambda r: (-r.count, r.entity))
    return rows
