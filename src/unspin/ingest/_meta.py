"""Metadata helpers shared by the Markdown and HTML readers: dates, names, tags, language.

Every helper returns None (or nothing) when it is not sure: a Document's metadata is either
read from the input or left unknown, never guessed into existence.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["DateMatch", "find_date", "split_names", "looks_like_name", "split_tags", "dedupe",
           "guess_language", "clean_label"]

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_WEEKDAY = r"(?:(?:Mon|Tue|Tues|Wed|Wednes|Thu|Thur|Thurs|Fri|Sat|Satur|Sun)(?:day)?\.?,?\s+)?"
_DATE_RES = (
    # 2015-12-19, 2015-12-19T08:00:00Z
    ("ymd", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
                       r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b")),
    # Saturday, December 19, 2015 / Dec. 19th 2015
    ("mdy", re.compile(_WEEKDAY + r"\b(?P<mon>" + _MONTH + r")\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?"
                       r",?\s+(?P<y>\d{4})\b", re.IGNORECASE)),
    # 19 December 2015 / 19th of Dec, 2015
    ("dmy", re.compile(_WEEKDAY + r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>" + _MONTH
                       + r")\.?,?\s+(?P<y>\d{4})\b", re.IGNORECASE)),
    # 19/12/2015 or 12/19/2015: only used when the day is unambiguous
    ("num", re.compile(r"\b(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{4})\b")),
)


@dataclass(frozen=True)
class DateMatch:
    """An ISO date found in a string, and where (``text[start:end]``) it was written."""

    iso: str
    start: int
    end: int


def _iso(y: int, m: int, d: int) -> str | None:
    if not 1800 <= y <= 2200:
        return None
    try:
        return _dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def find_date(text: str) -> DateMatch | None:
    """The first calendar date written in ``text``, as ISO; None when absent or ambiguous.

    Numeric dates such as ``03/04/2015`` are skipped because day and month cannot be told
    apart; ``19/12/2015`` is accepted because 19 cannot be a month.

    >>> find_date("Global Research, December 19, 2015").iso
    '2015-12-19'
    >>> find_date("posted 03/04/2015") is None
    True
    """
    best: DateMatch | None = None
    for kind, rx in _DATE_RES:
        for m in rx.finditer(text):
            y = int(m["y"])
            if kind == "num":
                a, b = int(m["a"]), int(m["b"])
                if a > 12 >= b:
                    iso = _iso(y, b, a)
                elif b > 12 >= a or a == b:
                    iso = _iso(y, a, b)
                else:
                    iso = None
            elif kind == "ymd":
                iso = _iso(y, int(m["m"]), int(m["d"]))
            else:
                iso = _iso(y, _MONTHS[m["mon"][:3].lower()], int(m["d"]))
            if iso:  # the first valid match is this pattern's earliest
                if best is None or m.start() < best.start:
                    best = DateMatch(iso, m.start(), m.end())
                break
    return best


_PARTICLES = {"de", "da", "del", "della", "der", "den", "di", "du", "la", "le", "van", "von", "bin",
              "ibn", "al", "el", "y", "dos", "das", "ter", "zu", "st."}
_NOT_NAMES = {"the", "a", "an", "this", "that", "our", "staff", "editor", "editors", "admin",
              "contributor", "contributors", "guest", "team", "unknown", "anonymous"}
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\+)\s*", re.IGNORECASE)


def looks_like_name(text: str, *, single_word: bool = False) -> bool:
    """Whether ``text`` reads like a person's (or agency's) name: 1-5 capitalised words.

    >>> looks_like_name("Mike Whitney"), looks_like_name("the way, he said")
    (True, False)
    """
    words = text.split()
    if not words or len(words) > 5 or len(text) > 60:
        return False
    if len(words) == 1 and not single_word:
        return False
    if any(ch.isdigit() or ch in "@/()[]{}<>|:;!?\"" for ch in text):
        return False
    capitalised = 0
    for word in words:
        bare = word.strip(".,'’-")
        if not bare:
            return False
        if bare.lower() in _NOT_NAMES:
            return False
        if bare[0].isupper():
            capitalised += 1
        elif bare.lower() not in _PARTICLES:
            return False
    return capitalised >= 1


def split_names(text: str) -> list[str]:
    """Split a byline into names; parts that do not read as names are left out.

    >>> split_names("Jane Doe, John Roe and Ann Poe")
    ['Jane Doe', 'John Roe', 'Ann Poe']
    """
    parts = [p.strip(" .,-–—|") for p in _NAME_SPLIT.split(text)]
    parts = [p for p in parts if p]
    single_ok = len(parts) == 1
    return [p for p in parts if looks_like_name(p, single_word=single_ok)]


_TAG_SPLIT = re.compile(r"\s*(?:,|;|\||·|•|/(?=\s))\s*")


def split_tags(parts: Iterable[str]) -> list[str]:
    """Split label values ("Region: A, B | C") into tags, trimmed and without duplicates.

    >>> split_tags(["Middle East & North Africa, Russia and FSU, USA"])
    ['Middle East & North Africa', 'Russia and FSU', 'USA']
    """
    out: list[str] = []
    for part in parts:
        for tag in _TAG_SPLIT.split(part):
            tag = tag.strip(" .#\t")
            if tag and len(tag) <= 80:
                out.append(tag)
    return list(dedupe(out))


def dedupe(items: Iterable[str]) -> tuple[str, ...]:
    """Keep the first of each item, comparing case-insensitively."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        key = item.casefold()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)


def clean_label(text: str) -> str:
    """A label normalised for lookup: lower case, single spaces, no trailing colon."""
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split()).rstrip(":")


# Function words are a third or more of running text in these languages, and rare across them.
_FUNCTION_WORDS = {
    "en": "the and of to in is that it for was on with as are by this be at have not from but he "
          "they his which has were their".split(),
    "de": "der die und das ist nicht den von zu mit sich des auf für ein eine dem im auch es wird "
          "sie wir aber oder".split(),
    "fr": "le la les et des est une un du que dans pour pas sur au qui ne se plus par avec ce il "
          "elle sont aux".split(),
    "es": "el la los las y de que en es por un una con para se del al no su como más lo pero "
          "sus fue".split(),
    "it": "il la di che e è per un una del della non sono con si le da gli al nel anche dei "
          "alla più".split(),
    "pt": "o a os as de que e do da em um uma para com não por se dos das no na mais ao é".split(),
    "nl": "de het een en van is dat op te in voor niet met zijn die er aan ook als maar bij "
          "om wordt".split(),
}
_WORD = re.compile(r"[^\W\d_]+")


def guess_language(text: str, *, min_words: int = 50) -> str | None:
    """ISO 639-1 code of ``text`` from function-word frequency, or None when unsure.

    Sure means: at least ``min_words`` words, the best language's function words make up at
    least a fifth of them, and at least twice as many as the runner-up's. Only en, de, fr, es,
    it, pt and nl are known; anything else comes back None rather than a wrong code.

    >>> guess_language("the cat sat on the mat " * 20)
    'en'
    """
    words = [w.lower() for w in _WORD.findall(text[:20_000])]
    if len(words) < min_words:
        return None
    scores = sorted(((sum(w in vocab for w in words), lang)
                     for lang, vocab in _VOCAB_SETS.items()), reverse=True)
    (best, lang), (second, _) = scores[0], scores[1]
    if best >= len(words) / 5 and best >= 2 * second:
        return lang
    return None


_VOCAB_SETS = {lang: frozenset(words) for lang, words in _FUNCTION_WORDS.items()}
