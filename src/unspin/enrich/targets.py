"""Targets: who a Name calling, Loaded language, Doubt, Appeal to fear or Flag-waving span is
aimed at, and a per-article tally of them.

Looked for in this order, each a rule of English rather than of one article:

1. the subject of a copula just before the span: in "Okafor is a fearmonger who wants a police
   state" the predicate characterises Okafor, whatever it names;
2. a name inside the span ("Senator Botox"), unless it only owns something there ("one of
   Trump's pinatas") or said the quote the span lies in; for Flag-waving a country first;
3. a possessive just before it ("Kerry's slobbering tone", "their crackpots");
4. the head the span modifies, just after it ("the country's cash-strapped government", "how
   evil and awful conservative opponents", "the openly racist Farrakhan");
5. a group noun inside it ("terrorist vermin");
6. the nearest name, pronoun or group noun in the same sentence, the subject before the span
   weighed over what follows it. An appeal to fear looks no further than the span: the
   people next to a warning are those who give it, not what is feared.

"Government", "regime" and "administration" stand for the country or leader they belong to
("the Syrian regime", "Maduro's government", "the country's government"), or for no one.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from . import _lexicon as lex
from ._text import Piece
from .entities import EntityIndex, Located
from .types import SpanLike, TallyRow, Target

__all__ = ["TARGET_TECHNIQUES", "find_targets", "tally"]

TARGET_TECHNIQUES = frozenset({
    "Name_Calling,Labeling", "Loaded_Language", "Doubt", "Appeal_to_fear-prejudice",
    "Flag-Waving",
    # the same techniques in the 2023 taxonomy (Loaded_Language and Doubt keep their ids)
    "Name_Calling-Labeling", "Appeal_to_Fear-Prejudice", "Flag_Waving",
})
NEARBY_CHARS = 60
# the words between a possessive and the span are lower-case: in "the Mirror's Kyle Olsen
# concludes" the Mirror owns Olsen, not what he does
_POSSESSIVE_BEFORE = re.compile(
    r"(?:(['’]s?|\b(?i:his|her|their|its))\s+(?:[a-z][\w\-]*\s+){0,2})$")
_POSSESSIVE_AFTER = re.compile(r"['’]s?\b")
_PRONOUN = re.compile(r"\b(he|she|him|his|her|they|them|their)\b", re.IGNORECASE)
# "X is", "X long has been", "X are clearly": the span after it is said of X
_COPULA_BEFORE = re.compile(
    r"(?:\b(?:is|are|was|were|remains|remain|(?:has|have|had)\s+(?:always\s+|long\s+)?been)"
    r"(?:\s+(?:not|still|just|really|clearly|simply|truly|always|also|now|indeed|nothing"
    r"\s+but|a|an|the|such\s+an?|so))*\s*[\"“‘']?)$", re.IGNORECASE)
# between a subject and its verb: "Sessions long has been", "Farrakhan, of course, is"
_SUBJECT_GAP = re.compile(r"^(?:\s+(?:\w+\s+)?|,[^,.;:!?]{0,30},\s*)$")
_DETERMINER_BEFORE = re.compile(
    r"(?:\b(?:the|a|an|this|that|these|those|his|her|their|its|our|your|my|such)|['’]s?)"
    r"\s*[\"“‘']?$", re.IGNORECASE)
_SPEECH_NEAR = re.compile(r"[\s,…—\-]*(?:" + lex.SPEECH_RE.pattern[5:-3] + r")\b", re.IGNORECASE)
_SPEECH_BEFORE = re.compile(r"\b(?:" + lex.SPEECH_RE.pattern[5:-3] + r")[\s,…—\-]*$",
                            re.IGNORECASE)
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|from|into|across|within|throughout|inside|outside|around|near)\s+(?:the\s+)?$",
    re.IGNORECASE)
# "the risk of Ebola spreading within Congo is ...": Congo is not what "is" is said of
_PREPOSITION_BEFORE = re.compile(
    r"\b(?:of|in|from|into|within|for|at|on|with|by|about|to|against|over|under|than)"
    r"\s+(?:the\s+)?$", re.IGNORECASE)
_RELATIVE = re.compile(r"(?:who|whom|whose|which|that)\b", re.IGNORECASE)
_ROLE_BEFORE = re.compile(r"\b(" + "|".join(sorted(lex.ROLE_NOUNS)) + r")\s*,?\s*$",
                          re.IGNORECASE)
_PLURAL_WORD = re.compile(r"\b[a-z]{3,}[^su\W]s\b")  # "officers", not "this", "was", "status"
_NOT_MODIFIER = {  # words that end a noun phrase: what follows them is not the span's head
    "is", "are", "was", "were", "be", "been", "has", "have", "had", "that", "who", "which",
    "and", "or", "but", "to", "of", "in", "on", "at", "for", "with", "by", "from", "as", "than",
    "the", "a", "an", "this", "these", "those", "his", "her", "their", "its", "it", "he", "she",
    "they", "we", "you", "i", "not", "will", "would", "can", "could", "should", "about",
}


def _resolve_pronoun(ents: EntityIndex, word: str, pos: int) -> Located | None:
    w = word.lower()
    if w in lex.PRONOUNS_PERSON:
        return ents.person_before(pos, lex.PRONOUNS_PERSON[w])
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


def _in_quote(text: str, ss: int, s: int) -> bool:
    """The span starts inside quotation marks opened earlier in its paragraph."""
    para = text.rfind("\n", 0, s) + 1
    chunk = text[min(para, ss):s]
    curly = chunk.count("“") - chunk.count("”")
    return curly > 0 or (curly == 0 and chunk.count('"') % 2 == 1)


class _Article:
    """What the rules consult for one text: sentences, entities and group nouns."""

    def __init__(self, text: str, sents: list[Piece], ents: EntityIndex):
        self.text, self.sents, self.ents = text, sents, ents
        self.starts = [p.start for p in sents]
        self.countries = [m for m in ents.located if m.kind == "country"]
        self._country_starts = [m.start for m in self.countries]

    # --- groups and institutions -------------------------------------------------------------

    def group(self, g: re.Match) -> tuple[str, str, int, int] | None:
        """(entity, kind, start, end) a group noun stands for; None for an institution noun
        ("the regime") whose country or leader cannot be found."""
        word = g.group().lower()
        if word not in lex.INSTITUTION_NOUNS:
            return _plural(word), "group", g.start(), g.end()
        owner = self.institution_owner(g.start())
        if owner is None:
            return None
        return owner.entity, owner.kind, owner.start, owner.end

    def institution_owner(self, pos: int) -> Located | None:
        """Whose "government" starts at pos: a name just before it ("the Syrian regime",
        "Maduro's government"), else the last country named before it in the article."""
        text = self.text
        before = self.ents.before(pos)
        if before is not None and before.kind != "other" and \
                re.fullmatch(r"(?:['’]s?)?\s+(?:[a-z][\w\-]*\s+)?", text[before.end:pos]):
            return before
        i = bisect.bisect_right(self._country_starts, pos) - 1
        while i >= 0 and self.countries[i].end > pos:
            i -= 1
        return self.countries[i] if i >= 0 else None

    def groups_in(self, s: int, e: int):
        for g in lex.GROUP_NOUNS_RE.finditer(self.text, s, e):
            found = self.group(g)
            if found is not None:
                yield found

    # --- the rules ---------------------------------------------------------------------------

    def copula_subject(self, s: int, ss: int):
        """The subject of "X is/are/has been" right before the span."""
        c = _COPULA_BEFORE.search(self.text, max(ss, s - 60), s)
        if not c or c.start() == s:
            return None
        return self.mention_ending_near(c.start(), ss)

    def mention_ending_near(self, pos: int, ss: int):
        """The name, group noun or pronoun that ends just before pos (a subject)."""
        text = self.text
        best = None
        m = self.ents.before(pos)
        if m is not None and m.start >= ss and m.kind != "other" \
                and _SUBJECT_GAP.match(text[m.end:pos]) \
                and not _PREPOSITION_BEFORE.search(text, max(0, m.start - 16), m.start):
            best = (m.end, m.entity, m.kind, m.start, m.end, "nearby")
        for g in lex.GROUP_NOUNS_RE.finditer(text, max(ss, pos - 60), pos):
            if _SUBJECT_GAP.match(text[g.end():pos]) and (best is None or g.end() > best[0]):
                found = self.group(g)
                if found:
                    best = (g.end(), *found, "group-noun")
        for p in _PRONOUN.finditer(text, max(ss, pos - 20), pos):
            if p.group(1).lower() in ("he", "she", "they") and \
                    _SUBJECT_GAP.match(text[p.end():pos]) and (best is None or p.end() > best[0]):
                ref = _resolve_pronoun(self.ents, p.group(1), p.start())
                if ref:
                    best = (p.end(), ref.entity, ref.kind, p.start(), p.end(), "pronoun")
        return best[1:] if best else None

    def relative_antecedent(self, s: int, e: int, ss: int):
        """A span opening on who/which/that ("a Democrat mayor who betrayed ...") is said of
        the noun just before it."""
        if not _RELATIVE.match(self.text, s, e):
            return None
        r = _ROLE_BEFORE.search(self.text, max(ss, s - 30), s)
        if r:
            p = self.ents.with_role(r.group(1).lower(), r.start(1))
            return (p.entity, p.kind, r.start(1), r.end(1), "nearby") if p else None
        return self.mention_ending_near(s, ss)

    def head_after(self, s: int, e: int, se: int):
        """The noun the span modifies: a group noun or a name within two words after it."""
        text = self.text
        m = re.match(r"[\"”’']?\s+((?:[a-z][\w\-]*\s+){0,2})", text[e:min(se, e + 60)])
        if not m:
            return None
        pos = e + m.start(1)
        for w in [*re.finditer(r"\S+\s+", m.group(1)), None]:
            g = lex.GROUP_NOUNS_RE.match(text, pos)
            if g:
                found = self.group(g)
                return (*found, "group-noun") if found else None
            if w is None or w.group().strip() in _NOT_MODIFIER:
                break
            pos += len(w.group())
        pos = e + m.end()
        if any(w in _NOT_MODIFIER for w in m.group(1).split()) or \
                not _DETERMINER_BEFORE.search(text, max(0, s - 12), s):
            return None  # "blasted Sessions": a verb and its object, not an adjective
        nxt = self.ents.within(pos, min(se, pos + 60))
        if nxt and nxt[0].start == pos and nxt[0].kind != "other":
            n = nxt[0]
            return n.entity, n.kind, n.start, n.end, "nearby"
        return None

    def is_place(self, m: Located) -> bool:
        """A country named as where something happens ("in Madagascar", "from Congo") is a
        place, not an actor."""
        return m.kind == "country" and bool(_LOCATIVE_BEFORE.search(
            self.text, max(0, m.start - 16), m.start))

    def is_speaker(self, m: Located) -> bool:
        """The mention attributes a quote: "X said", "said X", "according to X"."""
        text = self.text
        return bool(_SPEECH_NEAR.match(text, m.end, min(len(text), m.end + 40))
                    or _SPEECH_BEFORE.search(text, max(0, m.start - 30), m.start))


def _one(art: _Article, k: int, span: SpanLike) -> Target | None:
    text, ents = art.text, art.ents
    s, e = span.start, span.end
    tech = span.technique

    def make(entity, kind, ms, me, how):
        return Target(k, tech, s, e, entity, kind, ms, me, text[ms:me], how)

    ss, se = _sentence_of(art.sents, art.starts, s, e)
    quoted = _in_quote(text, ss, s)

    subject = art.copula_subject(s, ss) or art.relative_antecedent(s, e, ss)
    if subject:
        return make(*subject)

    # a possessor inside the span is not its target: "one of Trump's favourite pinatas"; nor
    # is the speaker of the quote it lies in
    inside = [m for m in ents.within(s, e)
              if m.kind != "other" and not _POSSESSIVE_AFTER.match(text, m.end)
              and not ((quoted or m.end < e) and art.is_speaker(m)) and not art.is_place(m)]
    if tech == "Flag-Waving":
        countries = [m for m in inside if m.kind == "country"]
        if countries:
            m = countries[0]
            return make(m.entity, m.kind, m.start, m.end, "inside")
    g = lex.GROUP_NOUNS_RE.search(text, s, e)
    if inside and not (g and g.start() < inside[0].start and art.group(g)):
        m = inside[0]
        return make(m.entity, m.kind, m.start, m.end, "inside")
    pm = _POSSESSIVE_BEFORE.search(text, max(ss, s - 40), s)
    if pm:
        if pm.group(1).startswith(("'", "’")):
            owner = ents.before(pm.start() + 1)
            if owner and owner.end >= pm.start() - 1 and owner.start >= ss \
                    and owner.kind != "other":
                return make(owner.entity, owner.kind, owner.start, owner.end, "possessive")
        else:
            ref = _resolve_pronoun(ents, pm.group(1), pm.start())
            if ref:
                return make(ref.entity, ref.kind, pm.start(1), pm.end(1), "possessive")
    head = art.head_after(s, e, se)
    if head:
        return make(*head)
    for entity, kind, gs, ge in art.groups_in(s, e):
        return make(entity, kind, gs, ge, "group-noun" if kind == "group" else "inside")
    if tech == "Appeal_to_fear-prejudice":
        return _pronoun_inside(art, s, e, make)
    return _nearby(art, s, e, ss, se, quoted, make)


def _pronoun_inside(art: _Article, s: int, e: int, make) -> Target | None:
    for p in _PRONOUN.finditer(art.text, s, e):
        ref = _resolve_pronoun(art.ents, p.group(1), p.start())
        if ref is not None:
            return make(ref.entity, ref.kind, p.start(), p.end(), "pronoun")
    return None


def _nearby(art: _Article, s: int, e: int, ss: int, se: int, quoted: bool, make):
    """The nearest name, pronoun or group noun of the sentence; a pronoun inside the span
    ("How can he contradict himself") counts as nearest of all."""
    text, ents = art.text, art.ents

    def gap_of(ms: int, me: int) -> float:
        if me <= s:
            return s - me
        if ms >= e:
            return (ms - e) * 1.5  # the subject before a span more often
        return 0.0

    best = None
    for m in ents.within(ss, se):
        if m.kind == "other" or art.is_place(m):
            continue
        if quoted and art.is_speaker(m):
            continue  # people do not insult themselves in their own quotes
        if s <= m.start and m.end <= e:
            # the span's own names were weighed already; one that only owns something in it
            # ("living up to Senator Flake's name") is the last resort
            gap = float(NEARBY_CHARS) if _POSSESSIVE_AFTER.match(text, m.end) else None
            if gap is None:
                continue
        else:
            gap = gap_of(m.start, m.end)
        if best is None or gap < best[0]:
            best = (gap, m.entity, m.kind, m.start, m.end, "nearby")
    for p in _PRONOUN.finditer(text, ss, se):
        if s <= p.start() < e and p.group(1).lower() in lex.PRONOUNS_GROUP \
                and _PLURAL_WORD.search(text, s, p.start()):
            continue  # "our officers ... their duty": it points back inside the span
        ref = _resolve_pronoun(ents, p.group(1), p.start())
        if ref is None or (quoted and art.is_speaker(ref)):
            continue
        gap = gap_of(p.start(), p.end())
        if best is None or gap < best[0]:
            best = (gap, ref.entity, ref.kind, p.start(), p.end(), "pronoun")
    for g in lex.GROUP_NOUNS_RE.finditer(text, ss, s):
        gap = gap_of(g.start(), g.end())
        if best is None or gap < best[0]:
            found = art.group(g)
            if found:
                best = (gap, *found, "group-noun" if found[1] == "group" else "nearby")
    if best is not None and best[0] <= NEARBY_CHARS:
        return make(*best[1:])
    return None


def find_targets(text: str, spans: Sequence[SpanLike], sents: list[Piece],
                 ents: EntityIndex) -> list[Target]:
    """A Target for each span of a targeting technique whose target can be found."""
    out = []
    art = _Article(text, sents, ents)
    for k, span in enumerate(spans):
        if span.technique not in TARGET_TECHNIQUES:
            continue
        if not (0 <= span.start < span.end <= len(text)):
            continue
        t = _one(art, k, span)
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
