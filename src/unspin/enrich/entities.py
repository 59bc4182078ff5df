"""Entities: name mentions found in the text, classified and merged under their fullest name.

"Kerry" and "Kerry's" join "John Kerry"; "Donald J. Trump", "Donald Trump", "Mr. Trump" and
"Trump" are one person ("Donald Trump Jr." another); "the Hammonds" are the family of the
article's Hammonds. The words that name a country or its people ("Russian", "Russians") join
the country ("Russia"), a capital city does not; a group is named in the plural ("Jew" ->
"Jews"). Not names: titles in quotation marks (“Hating Hillary”), runs with "of" that name
no one ("Terms of Use"), US states. ``merge_names`` merges names across a corpus.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from . import _lexicon as lex
from ._text import Piece, RawMention, name_mentions
from .types import Entity, Mention

__all__ = ["EntityIndex", "canonical_name", "find_entities", "merge_names"]


@dataclass(frozen=True)
class Located:
    """A mention with the entity it belongs to."""

    start: int
    end: int
    entity: str
    kind: str


class EntityIndex:
    """Entities of one text, with their mentions in text order for nearest-mention look-ups."""

    def __init__(self, text: str, located: list[Located], genders: dict[str, str] | None = None,
                 roles: dict[str, set[str]] | None = None):
        self.text = text
        self.genders = genders or {}
        self.roles = roles or {}
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

    def person_before(self, pos: int, gender: str | None = None) -> Located | None:
        """The last person named before pos whose gender (when known) is ``gender``: "she"
        after "Mayor Libby Schaaf ... Thomas Homan" is Schaaf."""
        starts, ms = self._of_kind.get("person", ([], []))
        i = bisect.bisect_right(starts, pos) - 1
        first = None
        for _ in range(12):  # a few names back at most
            if i < 0:
                break
            m = ms[i]
            i -= 1
            if m.end > pos:
                continue
            first = first or m
            if gender is None or self.genders.get(m.entity, gender) == gender:
                return m
        return first

    def with_role(self, role: str, pos: int) -> Located | None:
        """The last person before pos the article gave this title ("the mayor" -> Schaaf)."""
        starts, ms = self._of_kind.get("person", ([], []))
        i = bisect.bisect_right(starts, pos) - 1
        while i >= 0:
            if ms[i].end <= pos and role in self.roles.get(ms[i].entity, ()):
                return ms[i]
            i -= 1
        return None

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
    if low in lex.GROUP_OF or (len(toks) >= 2 and toks[-1] in lex.GROUP_OF and not m.titled):
        return "group", lex.GROUP_OF[toks[-1]].capitalize()  # "Satanic Jew" -> the Jews
    if any(t in lex.ORG_WORDS for t in toks) or (m.text.isupper() and len(m.text) >= 2):
        return "org", m.text
    if low in lex.REGIONS or low in lex.US_STATES:
        return "other", m.text
    if len(toks) >= 2 and toks[-1] in lex.US_STATES and toks[-1] != "washington":
        return "other", m.text  # 'President Trump Oregon cattle ranchers': a word went missing
    if "of" in toks:
        return "other", m.text  # 'Terms of Use', 'Grants of Executive Clemency': no one's name
    if m.titled or (len(toks) >= 2 and not any(t in lex.PLACE_WORDS for t in toks)):
        return "person", m.text
    return "other", m.text


_INITIAL = re.compile(r"^[A-Z]\.?$")
_SUFFIX = {"jr", "sr", "ii", "iii", "iv"}


def canonical_name(name: str) -> str:
    """The form of a person's name that stays the same however an article writes it: titles
    and middle initials dropped, a Jr. or Sr. kept ("Mr. Donald J. Trump" -> "Donald Trump",
    "Donald Trump Jr." is his son).

    Other names come back with their spacing normalised. To merge names across articles (a
    corpus in which some articles say only "Trump"), see ``merge_names``.

    >>> canonical_name("President Donald J. Trump"), canonical_name("Trump's")
    ('Donald Trump', 'Trump')
    """
    words = name.replace("’", "'").split()
    while len(words) > 1 and words[0].rstrip(".").lower() in lex.TITLES:
        words.pop(0)
    if words:
        words[-1] = re.sub(r"'s?$", "", words[-1])
    words = [w.rstrip(",") for w in words]
    suffix = ""
    if len(words) > 2 and words[-1].rstrip(".").lower() in _SUFFIX:
        w = words.pop().rstrip(".")
        suffix = " " + (w + "." if w.lower() in ("jr", "sr") else w)
    if len(words) > 2:
        words = [words[0]] + [w for w in words[1:-1] if not _INITIAL.match(w)] + [words[-1]]
    return " ".join(words) + suffix


def merge_names(names: Iterable[str]) -> dict[str, str]:
    """Map each name to the one it is merged under across a corpus: its ``canonical_name``, and
    a lone surname or given name to the full name that most often carries it ("Trump" ->
    "Donald Trump" when that is the commonest full name ending in "Trump").

    >>> merge_names(["Donald J. Trump", "Trump", "Donald Trump", "Mr. Trump", "Ivanka Trump"])
    ... # doctest: +NORMALIZE_WHITESPACE
    {'Donald J. Trump': 'Donald Trump', 'Trump': 'Donald Trump', 'Donald Trump': 'Donald Trump',
     'Mr. Trump': 'Donald Trump', 'Ivanka Trump': 'Ivanka Trump'}
    """
    names = list(names)
    canon = {n: canonical_name(n) for n in names}
    full = Counter(c for c in canon.values() if len(c.split()) >= 2)
    by_surname: dict[str, Counter] = defaultdict(Counter)
    by_given: dict[str, Counter] = defaultdict(Counter)
    for c, k in full.items():
        by_surname[c.split()[-1].lower()][c] += k
        by_given[c.split()[0].lower()][c] += k
    out = {}
    for n, c in canon.items():
        if len(c.split()) == 1:
            # a surname goes to its commonest full name; a given name only when it is unique
            cands = by_surname.get(c.lower())
            if not cands and len(by_given.get(c.lower(), ())) == 1:
                cands = by_given[c.lower()]
            if cands:
                c = max(cands, key=lambda x: (cands[x], -len(x)))
        out[n] = c
    return out


def find_entities(text: str, sents: list[Piece]) -> EntityIndex:
    """Find, classify and merge the named entities of a text."""
    raw: list[RawMention] = []
    for m in name_mentions(text, sents):
        m2 = _split_title(text, _cut_hyphen(text, m))
        if m2 is not None and m2.end > m2.start:
            raw.append(m2)
    classified = [(m, *_classify(m)) for m in raw]
    classified = _merge_full_names(classified)

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
        low = key.lower()
        if low in lex.US_STATES or low in lex.REGIONS:
            pass  # a place is no one's surname
        elif kind in ("person", "other") and len(key.split()) == 1 and low.endswith("s") \
                and low not in by_surname and low[:-1] in by_surname:
            kind = "group"  # "the Hammonds": the family of Dwight and Steven Hammond
        elif kind in ("person", "other") and len(key.split()) == 1:
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
    return EntityIndex(text, located, _genders(text, located), _roles(text, located))


def _merge_full_names(classified: list) -> list:
    """Full names with the same first and last word are one person, under the form written
    most often ("Donald J. Trump" and "Donald Trump"); middle initials never make a new name."""
    def first_last(name: str) -> tuple[str, str]:
        toks = canonical_name(name).lower().split()
        return toks[0], " ".join(toks[-2:]) if toks[-1] in ("jr.", "sr.") else toks[-1]

    forms: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for _m, kind, key in classified:
        if kind == "person" and len(key.split()) >= 2:
            forms[first_last(key)][canonical_name(key)] += 1
    out = []
    for m, kind, key in classified:
        if kind == "person" and len(key.split()) >= 2:
            names = forms[first_last(key)]
            key = max(names, key=lambda n: (names[n], -len(n)))
        out.append((m, kind, key))
    return out


_TITLE_BEFORE = re.compile(r"\b(\w+)\.?\s+$")
_APPOSITIVE_ROLE = re.compile(r",\s+(?:the|a|an)\s+(?:[\w\-]+\s+){0,3}?("
                              + "|".join(sorted(lex.ROLE_NOUNS)) + r")\b", re.IGNORECASE)


def _roles(text: str, located: list[Located]) -> dict[str, set[str]]:
    """The titles each person is given: "Mayor Schaaf", "Libby Schaaf, the Democratic mayor"."""
    roles: dict[str, set[str]] = defaultdict(set)
    for m in located:
        if m.kind != "person":
            continue
        t = _TITLE_BEFORE.search(text, max(0, m.start - 16), m.start)
        if t and t.group(1).lower() in lex.ROLE_NOUNS:
            roles[m.entity].add(t.group(1).lower())
        a = _APPOSITIVE_ROLE.match(text, m.end, min(len(text), m.end + 60))
        if a and a.group(1).lower() in lex.ROLE_NOUNS:
            roles[m.entity].add(a.group(1).lower())
    return dict(roles)


def _genders(text: str, located: list[Located]) -> dict[str, str]:
    """'m' or 'f' for the persons whose given name or title says so."""
    votes: dict[str, Counter] = defaultdict(Counter)
    for m in located:
        if m.kind != "person":
            continue
        first = m.entity.split()[0].lower()
        if first in lex.MALE_NAMES:
            votes[m.entity]["m"] += 1
        elif first in lex.FEMALE_NAMES:
            votes[m.entity]["f"] += 1
        t = _TITLE_BEFORE.search(text, max(0, m.start - 16), m.start)
        if t:
            word = t.group(1).lower()
            if word in lex.MALE_TITLES:
                votes[m.entity]["m"] += 1
            elif word in lex.FEMALE_TITLES:
                votes[m.entity]["f"] += 1
    return {e: v.most_common(1)[0][0] for e, v in votes.items()
            if len(v) == 1 or v.most_common(2)[0][1] > v.most_common(2)[1][1]}
