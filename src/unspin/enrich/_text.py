"""Plain-text helpers for the rule-based enrich method: paragraphs, sentences, name mentions.

Everything returns (start, end) offsets into the text it was given; nothing copies or
normalises the text, so offsets always slice the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import _lexicon as lex

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n?")

# A sentence ends at . ! ? (and any closing quotes or brackets after them) followed by space and
# something that can start a sentence; paragraph breaks always end one.
_END = re.compile(r"""[.!?]+(?:["'”’)\]]+)?(?=\s+["'“‘(\[]*[A-Z0-9])|[.!?]+["'”’)\]]*\s*$""")
_ABBREV_BEFORE = re.compile(r"(?:\b(?:" + "|".join(lex.ABBREVIATIONS) + r")|\b[A-Z])\.$")


@dataclass(frozen=True)
class Piece:
    start: int
    end: int


def paragraphs(text: str) -> list[Piece]:
    """Non-blank lines (a line break ends a paragraph, as in PTC and markdown-cleaned text)."""
    out = []
    for m in re.finditer(r"[^\n]+", text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(Piece(s, e))
    return out


def sentences(text: str) -> list[Piece]:
    """Sentences with offsets, split inside each paragraph; abbreviations do not end one.

    >>> [(p.start, p.end) for p in sentences("Mr. Smith left. He came back!\\nNext line")]
    [(0, 15), (16, 29), (30, 39)]
    """
    out: list[Piece] = []
    for para in paragraphs(text):
        start = para.start
        chunk = text[para.start:para.end]
        for m in _END.finditer(chunk):
            end = para.start + m.end()
            head = text[start:para.start + m.start() + 1]
            if m.group().startswith(".") and _ABBREV_BEFORE.search(head):
                continue
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                out.append(Piece(start, end))
            start = end
            while start < para.end and text[start].isspace():
                start += 1
        if start < para.end:
            out.append(Piece(start, para.end))
    return out


# --- names -----------------------------------------------------------------------------------

_WORD = r"(?:[A-Z]\.(?:[A-Z]\.)*|[A-Z][A-Za-z'’\-]*(?:\.[A-Z]\.?)*)"
_PARTICLE = r"(?:of the|al|el|bin|ibn|de|da|di|du|del|van|von|der|den|la|le|dos|of)"
# a name never runs over a line break ("Zero Hedge\nBeing" is a byline and a heading)
_NAME = re.compile(
    rf"(?<![\w'’\-])(?:{_WORD})(?:(?:[^\S\n]|-)(?:{_PARTICLE}[^\S\n])?(?:{_WORD}))*(?![\w])"
)
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_CONTRACTION = re.compile(r"['’](?:s|t|re|ll|d|ve|m)$", re.IGNORECASE)
_RUN_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class RawMention:
    start: int
    end: int
    text: str
    titled: bool  # a person title (Mr., Senator, President ...) stood before it


def _trim(text: str, s: int, e: int) -> tuple[int, int, bool]:
    """Drop leading function words and titles, trailing possessives; report a title."""
    titled = False
    words = list(re.finditer(r"\S+", text[s:e]))
    while words:
        w = _CONTRACTION.sub("", words[0].group()).rstrip(".").lower()
        if w in lex.TITLES and any(x.group().strip(".,").lower() in lex.ORG_WORDS
                                   for x in words[1:]):
            break  # 'Justice Department', 'State Department': the title word names the body
        if w in lex.TITLES and len(words) == 1 and w in lex.COUNTRY_OF:
            break  # "the U.S." alone names the country
        if w in lex.TITLES:
            titled = True
        elif w not in lex.LEADING_STOP and not (re.search(r"-[a-z]", w) and len(words) > 1):
            break  # 'Sixteen-year-old Hunter Richard' loses its first word
        words.pop(0)
    while words and words[-1].group().rstrip(".").lower() in lex.TRAILING_STOP:
        words.pop()
    if not words:
        return s, s, titled
    ns, ne = s + words[0].start(), s + words[-1].end()
    m = _POSSESSIVE.search(text[ns:ne])
    if m and ne - ns > len(m.group()) + 1:
        ne -= len(m.group())
    while ne > ns and text[ne - 1] in ".-":
        ne -= 1
    return ns, ne, titled


_TITLE_CASE_BREAK = {"Of", "On", "The", "And", "In", "For", "To", "At", "By", "With", "From",
                     "Over", "Is", "Are", "A", "An"}


def _runs(text: str):
    """Capitalised runs, split after a possessive ("Kerry's Moscow" -> "Kerry's", "Moscow") and
    at a capitalised function word ("Evil Doings Of Israel" -> "Evil Doings", "Israel")."""
    for m in _NAME.finditer(text):
        s = m.start()
        for w in _RUN_WORD.finditer(text, m.start(), m.end()):
            if w.start() > m.start() and w.group() in _TITLE_CASE_BREAK:
                if w.start() - 1 > s:
                    yield s, w.start() - 1
                s = w.end() + 1
            elif w.end() < m.end() and _POSSESSIVE.search(w.group()):
                yield s, w.end()
                s = w.end() + 1
        if s < m.end():
            yield s, m.end()


def name_mentions(text: str, sents: list[Piece]) -> list[RawMention]:
    """Capitalised word runs that look like names (not a sentence's ordinary first word)."""
    lower_words = {w.lower() for w in re.findall(r"\b[a-z][a-z'’\-]+\b", text)}
    starts = {p.start for p in sents}
    candidates = []
    for rs, re_ in _runs(text):
        s, e, titled = _trim(text, rs, re_)
        if e > s:
            candidates.append((s, e, titled, s in starts or _after_opening(text, s, starts)))
    candidates = [_drop_opening_word(text, c, lower_words) for c in candidates]
    mid = {text[s:e] for s, e, _, at_start in candidates if not at_start}
    # the surnames of full names said mid-sentence: "Hale" opening a sentence is Victor Hale,
    # and "the Hammonds" his family
    surnames = {text[s:e].split()[-1] for s, e, _, at_start in candidates
                if not at_start and len(text[s:e].split()) >= 2}
    headlines = [p for p in paragraphs(text) if _is_headline(text[p.start:p.end])]
    body = {text[s:e] for s, e, _, _ in candidates
            if not any(h.start <= s < h.end for h in headlines)}
    body_names = None
    out = []
    for s, e, titled, at_start in candidates:
        if text[s:e] not in body and any(h.start <= s < h.end for h in headlines):
            # a headline capitalises every word: keep only names the body repeats, also
            # inside a longer run ("... Candidate Ilhan Omar Defends Tweet")
            if body_names is None:
                body_names = _names_regex(_body_names(body, mid, lower_words))
            if body_names is not None:
                out.extend(RawMention(s + n.start(), s + n.end(), n.group(), titled)
                           for n in body_names.finditer(text[s:e]))
            continue
        raw = text[s:e]
        words = raw.split()
        first = words[0].lower()
        if _quoted_whole(text, s, e) and raw.lower() not in lex.COUNTRY_OF \
                and raw.lower() not in lex.GROUP_OF:
            continue  # a title in quotation marks: “Hating Hillary”, “Black Death”
        if len(words) == 1:
            key = first.rstrip(".")
            if key in lex.NOT_NAMES or key in lex.MONTHS_DAYS or (
                    key in lex.TITLES and key not in lex.COUNTRY_OF):
                continue
            if _CONTRACTION.search(raw) or key in lex.LEADING_STOP:
                continue
            known = (key in lex.COUNTRY_OF or key in lex.GROUP_WORDS or key in lex.ORG_WORDS
                     or raw.isupper())
            known = known or raw in surnames or (raw.endswith("s") and raw[:-1] in surnames)
            if at_start and not known and (key in lower_words or raw not in mid):
                continue
            if len(raw) < 2 or (raw.isupper() and len(raw) > 6):
                continue
        out.append(RawMention(s, e, raw, titled))
    return out


def _body_names(body: set[str], mid: set[str], lower_words: set[str]) -> set[str]:
    """Names a headline may repeat: the body's full names, and single words it capitalises
    mid-sentence and never writes in lower case ("Hillary")."""
    singles = {b for b in mid if " " not in b and len(b) > 2 and b.lower() not in lower_words
               and b.lower() not in lex.NOT_NAMES and b.lower() not in lex.MONTHS_DAYS
               and b.lower() not in lex.TITLES}
    return {b for b in body if " " in b} | singles


def _names_regex(names: set[str]) -> re.Pattern | None:
    if not names:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in sorted(names, key=len,
                                                                         reverse=True))
                      + r")(?!\w)")


def is_title_case(chunk: str) -> bool:
    words = re.findall(r"[A-Za-z][\w'’\-]*", chunk)
    caps = sum(1 for w in words if w[0].isupper())
    return len(words) >= 2 and caps >= 0.7 * len(words)


_FUNCTION_WORDS = {"a", "an", "the", "and", "or", "but", "nor", "for", "of", "on", "in", "at",
                   "to", "by", "with", "from", "as", "into", "over", "up", "vs", "via", "is",
                   "are", "be"}


def _is_headline(chunk: str) -> bool:
    """Title case, and the lower-case words are function words: a sentence crowded with names
    ("President Donald J. Trump signed ... for Dwight Lincoln Hammond") is not a headline."""
    if not is_title_case(chunk):
        return False
    lower = [w for w in re.findall(r"[A-Za-z][\w'’\-]*", chunk)
             if w[0].islower() and w not in _FUNCTION_WORDS]
    return len(lower) <= 1


def _after_opening(text: str, s: int, starts: set[int]) -> bool:
    j = s
    while j > 0 and text[j - 1] in "\"'“‘([*#> ":
        j -= 1
    return j in starts


_QUOTES_OPEN = "\"“‘'"
_QUOTES_CLOSE = "\"”’'"


def _quoted_whole(text: str, s: int, e: int) -> bool:
    """The mention fills a pair of quotation marks on its own."""
    return (s > 0 and e < len(text) and text[s - 1] in _QUOTES_OPEN
            and text[e] in _QUOTES_CLOSE and (s < 2 or not text[s - 2].isalnum()))


def _drop_opening_word(text: str, cand: tuple, lower_words: set[str]) -> tuple:
    """'Will Brett Kavanaugh ...' opening a sentence: the first word is an ordinary word (it is
    written lower-case elsewhere) when a given name or a title follows it."""
    s, e, titled, at_start = cand
    words = list(re.finditer(r"\S+", text[s:e]))
    if not at_start or len(words) < 3 or words[0].group().lower() not in lower_words:
        return cand
    nxt = words[1].group().rstrip(".").lower()
    if nxt in lex.MALE_NAMES or nxt in lex.FEMALE_NAMES or nxt in lex.TITLES:
        s2, e2, t2 = _trim(text, s + words[1].start(), e)
        return (s2, e2, titled or t2, False) if e2 > s2 else cand
    return cand

