"""Entities: name mentions found in the text, classified and merged under their fullest name.

"Kerry" and "Kerry's" join "John Kerry"; the words that name a country or its people
("Russian", "Russians") join the country ("Russia"), a capital city does not.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from . import _lexicon as lex
from ._text import Piece, RawMention, name_mentions
from .types import Entity, Mention

__all__ = ["EntityIndex", "find_entities"]


@dataclass(frozen=True)
class Located:
    """A mention with the entity it belongs to."""

    start: int
    end: int
    entity: str
    kind: str


class EntityIndex:
    """Entities of one text, with their mentions in text order for nearest-mention look-ups."""

    def __init__(self, text: str, located: list[Located]):
        self.text = text
        self.located = sorted(located, key=lambda m: (m.start, m.end))
        self._starts = [m.start for m in self.located]
        self.kinds = {m.entity: m.kind for m in self.located}
        # per kind, so "the last person before" is one bisect, not a walk back past every
        # organisation and place in between (quadratic on a text full of them)
        self._of_kind: dict[str, tuple[list[int], list[Located]]] = {}
        for m in self.located:
            starts, ms = self._of_kind.setdefault(m.kind, ([], []))
            starts.append(m.start)
            ms.append(m)

    def within(self, start: int, end: int) -> list[Located]:
        """Mentions lying inside [start, end)."""
        i = bisect.bisect_left(self._starts, start)
        out = []
        while i < len(self.located) and self.located[i].start < end:
            if self.located[i].end <= end:
                out.append(self.located[i])
            i += 1
        return out

    def before(self, pos: int, kinds: set[str] | None = None) -> Located | None:
        """The last mention ending at or before pos (of the given kinds)."""
        if kinds is None:
            return self._last_ending(self._starts, self.located, pos)
        found = (self._last_ending(*self._of_kind[k], pos) for k in kinds if k in self._of_kind)
        return max((m for m in found if m is not None), key=lambda m: (m.start, m.end),
                   default=None)

    @staticmethod
    def _last_ending(starts: list[int], located: list[Located], pos: int) -> Located | None:
        i = bisect.bisect_right(starts, pos) - 1
        while i >= 0:  # a step or two: mentions that start before pos end before it too
            if located[i].end <= pos:
                return located[i]
            i -= 1
        return None

    def plural_before(self, pos: int, reach: int = 400) -> Located | None:
        """What 'they' most likely refers to: the last plural-looking mention ("the Saudis",
        "Democrats"), group or group noun ("researchers") within reach; None when there is none."""
        best = None
        i = bisect.bisect_right(self._starts, pos) - 1
        while i >= 0 and pos - self.located[i].end <= reach:
            m = self.located[i]
            if m.end <= pos and (m.kind == "group" or (
                    m.kind in ("country", "org") and self.text[m.end - 1] == "s")):
                best = m
                break
            i -= 1
        for g in lex.GROUP_NOUNS_RE.finditer(self.text, max(0, pos - reach), pos):
            if g.group()[-1:].lower() == "s" and (best is None or g.start() > best.start):
                best = Located(g.start(), g.end(), g.group().lower(), "group")
        return best

    def kind_at(self, start: int | None) -> str | None:
        """The kind of the mention starting at ``start`` (None for a pronoun or nothing)."""
        if start is None:
            return None
        i = bisect.bisect_left(self._starts, start)
        if i < len(self.located) and self.located[i].start == start:
            return self.located[i].kind
        return None

    def entities(self) -> tuple[Entity, ...]:
        grouped: dict[str, list[Located]] = defaultdict(list)
        for m in self.located:
            grouped[m.entity].append(m)
        out = [Entity(name, ms[0].kind,
                      tuple(Mention(m.start, m.end, self.text[m.start:m.end]) for m in ms))
               for name, ms in grouped.items()]
        out.sort(key=lambda e: (-len(e.mentions), e.mentions[0].start))
        return tuple(out)


def _tokens(raw: str) -> list[str]:
    return [t.strip(".,").lower() for t in raw.split()]


def _split_title(text: str, m: RawMention) -> RawMention | None:
    """'Syrian President Bashar al Assad' -> 'Bashar al Assad' (titled); all title -> None."""
    words = list(re.finditer(r"\S+", m.text))
    last_title = -1
    for i, w in enumerate(words[:-1]):
        if w.group().rstrip(".").lower() in lex.TITLES:
            last_title = i
    if last_title < 0 or any(w.group().strip(".,").lower() in lex.ORG_WORDS
                             for w in words[last_title + 1:]):
        return m  # 'Justice Department', 'American Foreign Service Association' stay whole
    rest = words[last_title + 1:]
    while rest and rest[0].group().lower() in ("of", "the"):
        rest = rest[1:]
    if not rest:
        return None
    s = m.start + rest[0].start()
    return RawMention(s, m.end, text[s:m.end], True)


def _cut_hyphen(text: str, m: RawMention) -> RawMention:
    """'US-backed' -> 'US'; 'Al-Nusra' stays."""
    hit = re.search(r"-[a-z]", m.text)
    if not hit or " " in m.text[hit.start():]:
        return m
    e = m.start + hit.start()
    return RawMention(m.start, e, text[m.start:e], m.titled)


def _classify(m: RawMention) -> tuple[str, str]:
    """(kind, key) of one mention before merging."""
    low = m.text.lower().rstrip(".")
    toks = _tokens(m.text)
    if low in lex.COUNTRY_OF:
        return "country", lex.COUNTRY_OF[low]
    if low in lex.GROUP_WORDS:
        return "group", m.text
    if any(t in lex.ORG_WORDS for t in toks) or (m.text.isupper() and len(m.text) >= 2):
        return "org", m.text
    if low in lex.REGIONS:
        return "other", m.text
    if m.titled or (len(toks) >= 2 and not any(t in lex.PLACE_WORDS for t in toks)):
        return "person", m.text
    return "other", m.text


def find_entities(text: str, sents: list[Piece]) -> EntityIndex:
    """Find, classify and merge the named entities of a text."""
    raw: list[RawMention] = []
    for m in name_mentions(text, sents):
        m2 = _split_title(text, _cut_hyphen(text, m))
        if m2 is not None and m2.end > m2.start:
            raw.append(m2)
    classified = [(m, *_classify(m)) for m in raw]

    # Full person names by surname, to merge "Kerry" into "John Kerry".
    by_surname: dict[str, Counter] = defaultdict(Counter)
    for _m, kind, key in classified:
        toks = key.split()
        if kind == "person" and len(toks) >= 2:
            by_surname[toks[-1].lower()][key] += 1
    speech_after = re.compile(r"\s*(?:,\s*)?(?:" + lex.SPEECH_RE.pattern[5:-3] + r")\b",
                              re.IGNORECASE)

    by_first: dict[str, set[str]] = defaultdict(set)
    for names in by_surname.values():
        for full in names:
            by_first[full.split()[0].lower()].add(full)

    located = []
    for m, kind, key in classified:
        if kind in ("person", "other") and len(key.split()) == 1:
            names = by_surname.get(key.lower())
            if not names and len(by_first.get(key.lower(), ())) == 1:
                names = Counter(by_first[key.lower()])  # "Hillary" -> "Hillary Clinton"
            if names:
                key = max(names, key=lambda n: (len(n.split()), names[n]))
                kind = "person"
            elif kind == "other" and speech_after.match(text, m.end):
                kind = "person"
        elif kind == "person":
            names = by_surname.get(key.split()[-1].lower())
            if names:
                longest = max(names, key=lambda n: (len(n.split()), names[n]))
                if longest.endswith(key):
                    key = longest
        located.append(Located(m.start, m.end, key, kind))
    # a name seen once as a person makes every mention of it a person
    person_keys = {loc.entity for loc in located if loc.kind == "person"}
    located = [Located(x.start, x.end, x.entity, "person") if x.entity in person_keys else x
               for x in located]
    return EntityIndex(text, located)
