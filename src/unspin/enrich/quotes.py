"""Quotes: inline quotation marks, markdown block quotes, and colon-introduced paragraphs.

The web pattern "Here's what Kerry said:" followed by a paragraph without quotation marks is a
block quote; so is a markdown ``>`` paragraph. Inline quotes of fewer than four words with no
attribution are scare quotes ("moderate" rebels) and are left out.

Linear in the text: sentence ends and speech verbs are found once (``_Marks``) and looked up
by bisection, and attribution reads at most ``LOOK_BACK`` characters before a quote and
``LOOK_AHEAD`` after it (100 kB of ``a "b." `` took 26 s when each quote rescanned its
paragraph).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from . import _lexicon as lex
from ._text import Piece, is_title_case
from .entities import EntityIndex
from .types import Quote

__all__ = ["find_quotes"]

OPEN_DOUBLE = "“«„"
CLOSE_DOUBLE = "”»"
MIN_WORDS = 4
_FIRST_PERSON = re.compile(r"\b(?:I|we|We|our|Our|us|my|My|me)\b")
# how a writer takes the word back after a quote: 'In other words, ...', 'So ...'
_WRITER_TURN = re.compile(
    r"(?:in other words|in short|put simply|translation|so|well|now|clearly|obviously|"
    r"of course|needless to say|apparently|sounds|that's|this is)\b", re.IGNORECASE)
_COLON_INTRO = re.compile(r"[:,]\s*$")
# a clause ends at , ; : ! ? or a full stop that does not close 'Dr.', 'Mrs.' or an initial
_CLAUSE_END = re.compile(
    r"[,;:!?]|(?<![A-Z][a-z])(?<![A-Z])(?<!Mrs)(?<!Gov)(?<!Sen)(?<!Rep)(?<!Gen)(?<!Col)"
    r"(?<!Capt)(?<!Prof)\.(?:\s|$)")
_POSSESSIVE_AFTER = re.compile(r"['’]s?\b")
_QUOTE_MARKS = re.compile(r"[“”\"]")
_TERM_BEFORE = re.compile(
    r"\b(?:so[- ]called|known as|dubbed|termed|nicknamed|called)(?:\s+(?:the|a|an))?\W*$",
    re.IGNORECASE)
_SENT_END = re.compile(r"[.!?][\"'”’)]*\s")
#: how far attribution looks for the sentence (and speaker) before a quote, and after it
LOOK_BACK = 1_000
LOOK_AHEAD = 1_000


class _Marks:
    """Sentence ends and speech verbs of one text, found once, looked up by bisection."""

    def __init__(self, text: str):
        ends = list(_SENT_END.finditer(text))
        self.end_starts = [m.start() for m in ends]
        self.end_ends = [m.end() for m in ends]
        verbs = list(lex.SPEECH_RE.finditer(text))
        self.verb_starts = [m.start() for m in verbs]
        self.verb_ends = [m.end() for m in verbs]
        self.verbs = [m.group() for m in verbs]

    def sentence_start(self, lo: int, hi: int) -> int:
        """Where the sentence holding ``hi`` starts: after the last sentence end lying in
        [lo, hi), or ``lo``."""
        k = bisect.bisect_right(self.end_ends, hi) - 1
        return self.end_ends[k] if k >= 0 and self.end_starts[k] >= lo else lo

    def last_verb(self, lo: int, hi: int) -> tuple[int, int, str] | None:
        """The last speech verb lying in [lo, hi): (start, end, words)."""
        k = bisect.bisect_right(self.verb_ends, hi) - 1
        if k >= 0 and self.verb_starts[k] >= lo:
            return self.verb_starts[k], self.verb_ends[k], self.verbs[k]
        return None


@dataclass
class _Raw:
    start: int
    end: int
    kind: str


def _is_open_straight(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([{—–-:/") and not after.isspace()


def _is_close_straight(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and (after.isspace() or after in ".,;:!?)]}—–-'’”")


def _inline(text: str, paras: list[Piece]) -> list[_Raw]:
    """Pair double quotation marks; a quote may run on into a paragraph that opens with one."""
    out: list[_Raw] = []
    para_end = {p.end: k for k, p in enumerate(paras)}
    para_ends = sorted(para_end)
    opened: int | None = None
    open_para_end = -1
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if opened is not None and i >= open_para_end:
            # the paragraph ended without a closing mark: continue only into a paragraph that
            # opens with a quotation mark (the newspaper convention for multi-paragraph quotes)
            k = para_end.get(open_para_end)
            nxt = paras[k + 1] if k is not None and k + 1 < len(paras) else None
            if nxt is not None and text[nxt.start] in OPEN_DOUBLE + '"':
                open_para_end = nxt.end
                i = nxt.start + 1
                continue
            closer = _closing_paragraph(text, paras, k + 1) if k is not None else None
            if closer is not None:
                open_para_end = closer.end
                i = nxt.start
                continue
            if _unclosed_ok(text, opened, open_para_end):
                out.append(_Raw(opened, open_para_end, "inline"))
            opened = None
        if c in OPEN_DOUBLE or (c == '"' and opened is None and _is_open_straight(text, i)):
            opened = i + 1
            open_para_end = _next_end(para_ends, i, n)
        elif opened is not None and (c in CLOSE_DOUBLE
                                     or (c == '"' and _is_close_straight(text, i))):
            s, e = opened, i
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                out.append(_Raw(s, e, "inline"))
            opened = None
        i += 1
    out.extend(_single(text, paras, out))
    return out


def _closes_first(text: str, p: Piece) -> bool:
    """Whether the first double quotation mark in a paragraph closes a quote."""
    for i in range(p.start, p.end):
        c = text[i]
        if c in CLOSE_DOUBLE or (c == '"' and _is_close_straight(text, i)
                                  and not _is_open_straight(text, i)):
            return True
        if c in OPEN_DOUBLE or c == '"':
            return False
    return False


def _closing_paragraph(text: str, paras: list[Piece], k: int, look: int = 3) -> Piece | None:
    """The paragraph, among the next few without quotation marks, whose first mark closes."""
    for p in paras[k:k + look]:
        if _closes_first(text, p):
            return p
        if _QUOTE_MARKS.search(text, p.start, p.end):
            return None
    return None


def _unclosed_ok(text: str, s: int, e: int) -> bool:
    """An unclosed quote runs to its paragraph's end when a colon or comma introduced it."""
    lead = text[max(0, s - 3):s - 1].rstrip()
    starts_para = s - 1 == 0 or text[s - 2] == "\n"
    return len(text[s:e].split()) >= MIN_WORDS and (starts_para or lead.endswith((":", ",")))


def _single(text: str, paras: list[Piece], doubles: list[_Raw]) -> list[_Raw]:
    """Single-quoted quotes inside one paragraph, not inside a double-quoted one."""
    out = []
    pat = re.compile(r"(?<![\w’'])['‘](?=[A-Za-z])(.{3,300}?)(?<=[\w.,!?])['’](?![\w])")
    starts = [d.start for d in doubles]  # in text order, not overlapping
    for p in paras:
        for m in pat.finditer(text, p.start, p.end):
            s, e = m.start(1), m.end(1)
            k = bisect.bisect_right(starts, s) - 1
            if k >= 0 and e <= doubles[k].end:
                continue
            if len(text[s:e].split()) >= 2:
                out.append(_Raw(s, e, "inline"))
    return out


def _next_end(ends: list[int], i: int, n: int) -> int:
    """The end of the paragraph holding position i (n past the last one)."""
    k = bisect.bisect_right(ends, i)
    return ends[k] if k < len(ends) else n


def _blocks(text: str, paras: list[Piece]) -> list[tuple[_Raw, Piece | None]]:
    """Markdown '>' paragraphs and paragraphs after a colon intro that names a speech act."""
    out: list[tuple[_Raw, Piece | None]] = []
    k = 0
    while k < len(paras):
        p = paras[k]
        chunk = text[p.start:p.end]
        if chunk.startswith(">"):
            s = p.start + 1
            while s < p.end and text[s] in " >":
                s += 1
            if s < p.end:
                out.append((_Raw(s, p.end, "block"), paras[k - 1] if k else None))
            k += 1
            continue
        last = chunk[max((m.end() for m in _SENT_END.finditer(chunk)), default=0):]
        if _COLON_INTRO.search(last) and lex.SPEECH_RE.search(last) and k + 1 < len(paras) \
                and not _QUOTE_MARKS.search(last) and not _opens_with_mark(text, paras[k + 1]):
            j = k + 1
            block = [paras[j]]
            while j + 1 < len(paras) and len(block) < 4 and _continues(text, paras[j + 1]):
                j += 1
                block.append(paras[j])
            s, e = block[0].start, block[-1].end
            s, e = _strip_marks(text, s, e)
            if e > s:
                out.append((_Raw(s, e, "block"), p))
            k = j + 1
            continue
        k += 1
    return out


def _opens_with_mark(text: str, p: Piece) -> bool:
    """A paragraph that opens with a quotation mark is left to the inline quote finder."""
    return text[p.start] in OPEN_DOUBLE + '"'


def _continues(text: str, p: Piece) -> bool:
    """Whether a paragraph after a block quote still sounds like the quoted speaker."""
    chunk = text[p.start:p.end]
    if len(chunk.split()) < 12 or chunk.rstrip("\"”’' ").endswith("?"):
        return False
    if _COLON_INTRO.search(chunk) or _WRITER_TURN.match(chunk):
        return False
    return bool(_FIRST_PERSON.search(chunk))


def _strip_marks(text: str, s: int, e: int) -> tuple[int, int]:
    if s < e and text[s] in OPEN_DOUBLE + '"‘\'':
        s += 1
    if e > s and text[e - 1] in CLOSE_DOUBLE + '"’\'':
        e -= 1
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


# --- attribution -----------------------------------------------------------------------------

@dataclass
class _Who:
    name: str | None
    start: int | None
    end: int | None
    cue: str | None
    confidence: float


def _refer(ents: EntityIndex, pronoun: str, pos: int):
    """The mention a subject pronoun (he, she, they) most likely refers to."""
    if pronoun.lower() == "they":
        return ents.plural_before(pos)
    return ents.before(pos, {"person"})


def _speaker_at(ents: EntityIndex, text: str, s: int, e: int, pronoun_ok: bool = True):
    """The first person-like mention or pronoun inside [s, e): (name, start, end)."""
    best = None
    clause = _CLAUSE_END.search(text[s:e])
    found = ents.within(s, s + clause.start() if clause else e)
    persons = [m for m in found if m.kind == "person"]
    for m in persons or found:
        best = (m.entity, m.start, m.end)  # 'said Las Vegas attorney Maggie McLetchie'
        break
    if pronoun_ok:
        pm = re.search(r"\b(he|she|they)\b", text[s:e], re.IGNORECASE)
        if pm and (best is None or s + pm.start() < best[1]):
            ps, pe = s + pm.start(), s + pm.end()
            ref = _refer(ents, pm.group(), ps)
            return (ref.entity if ref else None, ps, pe)
    return best


def _attribute_inline(text: str, q: _Raw, para: Piece, end_para: Piece,
                      ents: EntityIndex, marks: _Marks) -> _Who:
    after_s = min(q.end + 1, end_para.end)
    after = text[after_s:min(end_para.end, after_s + LOOK_AHEAD)]
    stop = _SENT_END.search(after)
    after = after[:stop.start() + 1] if stop else after
    lead = re.match(r"[\s,.;—–-]*", after).end()
    tail_s = after_s + lead
    tail = text[tail_s:after_s + len(after)]
    # '..., said Kerry' / '..., Kerry said' / '..., he told reporters'
    if text[q.end - 1] == ".":
        tail = ""  # the quote ended its sentence: what follows is a new one
    v = lex.SPEECH_RE.match(tail)
    if v and v.group().lower() == "according to":
        before = _attribute_before(text, q, para, ents, marks)
        if before is not None and before.name:
            return before  # 'She told a town hall that "...", according to WFAA': she spoke
    if v:
        who = _speaker_at(ents, text, tail_s + v.end(), min(tail_s + v.end() + 60, end_para.end))
        if who:
            return _Who(*who, v.group().lower(), 0.9)
        return _Who(None, None, None, v.group().lower(), 0.5)
    v = lex.SPEECH_RE.search(tail[:60])
    if v and tail_s + v.start() > tail_s:
        who = _speaker_at(ents, text, tail_s, tail_s + v.start())
        if who:
            return _Who(*who, v.group().lower(), 0.9)
        if re.match(r"(?:the|a|an)\s", tail, re.IGNORECASE):
            return _Who(None, None, None, v.group().lower(), 0.5)
    return _attribute_before(text, q, para, ents, marks) or _Who(None, None, None, None, 0.3)


def _attribute_before(text: str, q: _Raw, para: Piece, ents: EntityIndex,
                      marks: _Marks) -> _Who | None:
    """'Kerry said: "..."' / 'according to Kerry, "..."' / 'Kerry said the US was "..."'."""
    lo = max(para.start, q.start - 1 - LOOK_BACK)
    stop = max(lo, q.start - 1)
    sent_s = marks.sentence_start(lo, stop)
    v = marks.last_verb(sent_s, stop)
    if v is not None:
        vs, ve, verb = v
        near = stop - ve <= 25
        conf = 0.85 if near else 0.7
        if verb.lower() in ("according to", "in the words of", "quoting"):
            who = _speaker_at(ents, text, ve, q.start, pronoun_ok=False)
        else:
            who = _last_before(ents, text, sent_s, vs) or _speaker_at(ents, text, ve, q.start)
        if who:
            return _Who(*who, verb.lower(), conf)
        return _Who(None, None, None, verb.lower(), 0.4)
    return None


def _last_before(ents: EntityIndex, text: str, s: int, e: int):
    """The mention or subject pronoun closest before position e inside [s, e)."""
    cands = [(m.entity, m.start, m.end) for m in ents.within(s, e)
             if not _POSSESSIVE_AFTER.match(text, m.end)]  # "Farrakhan's speech" is no speaker
    for pm in re.finditer(r"\b(he|she|they)\b", text[s:e], re.IGNORECASE):
        ps, pe = s + pm.start(), s + pm.end()
        ref = _refer(ents, pm.group(), ps)
        cands.append((ref.entity if ref else None, ps, pe))
    if not cands:
        return None
    cands.sort(key=lambda c: c[1])
    first, last = cands[0], cands[-1]
    if text[first[2]:first[2] + 1] == ",":
        return first  # 'Jane Smith, professor at the London School, told'
    if e - last[2] <= 20:
        persons = [c for c in cands if c[1] is not None and ents.kind_at(c[1]) == "person"]
        if ents.kind_at(last[1]) not in ("person", None) and persons:
            return persons[-1]  # 'Professor Jane Smith from the University of X told'
        return last  # 'Kerry said', 'Kerry told reporters'
    return first  # the subject: 'The Guardian, which ..., said'



def _attribute_block(text: str, intro: Piece | None, ents: EntityIndex) -> _Who:
    if intro is None:
        return _Who(None, None, None, None, 0.4)
    chunk = text[intro.start:intro.end]
    verbs = [v for v in lex.SPEECH_RE.finditer(chunk)
             if v.start() >= max((m.end() for m in _SENT_END.finditer(chunk)), default=0)]
    if not verbs:
        return _Who(None, None, None, ":", 0.4)
    v = verbs[-1]
    vs, ve = intro.start + v.start(), intro.start + v.end()
    sent_s = intro.start
    for m in _SENT_END.finditer(text, intro.start, vs):
        sent_s = m.end()
    who = _last_before(ents, text, sent_s, vs) or _speaker_at(ents, text, ve, intro.end)
    cue = v.group().lower()
    if who:
        return _Who(*who, cue, 0.8 if who[0] else 0.5)
    return _Who(None, None, None, cue, 0.4)


def find_quotes(text: str, paras: list[Piece], ents: EntityIndex) -> list[Quote]:
    """All quotes of a text, in order, with speakers where the article names one."""
    blocks = _blocks(text, paras)
    block_starts = [r.start for r, _ in blocks]  # in text order, not overlapping
    raws: list[tuple[_Raw, Piece | None]] = list(blocks)
    for raw in _inline(text, paras):
        k = bisect.bisect_right(block_starts, raw.start + 1) - 1
        if not (k >= 0 and raw.end <= blocks[k][0].end + 1):
            raws.append((raw, None))
    raws.sort(key=lambda x: x[0].start)
    para_of = _para_lookup(paras)
    index_of = {id(p): k for k, p in enumerate(paras)}
    marks = _Marks(text)
    quotes: list[Quote] = []
    prev: Quote | None = None
    for raw, intro in raws:
        para = para_of(raw.start)
        if raw.kind == "block":
            who = _attribute_block(text, intro, ents)
        else:
            who = _attribute_inline(text, raw, para, para_of(raw.end), ents, marks)
        who = _follow_pronoun(text, who, prev, ents, raw.start)
        words = len(text[raw.start:raw.end].split())
        whole_para = raw.start - 1 <= para.start
        if raw.kind == "inline":
            k = index_of.get(id(para), 0) if whole_para else 0
            if who.cue is None and k > 0 and _COLON_INTRO.search(text[paras[k - 1].start:
                                                                        paras[k - 1].end]):
                who = _follow_pronoun(text, _attribute_block(text, paras[k - 1], ents), prev,
                                      ents, raw.start)  # 'as Swisher asked:' + a quote
            if who.cue is None and prev is not None and prev.speaker and whole_para \
                    and raw.start - prev.end < 400 and words >= MIN_WORDS:
                # a paragraph that is all quote, right after a quote: the same speaker goes on
                who = _Who(prev.speaker, None, None, None, 0.5)
            if words < MIN_WORDS and (who.name is None or who.confidence < 0.85):
                continue  # a scare quote or a quoted phrase
            if re.search(r"so[- ]called\W*$", text[max(0, raw.start - 12):raw.start],
                         re.IGNORECASE):
                continue
            if who.cue is None and who.name is None and words < 8 and not whole_para:
                continue  # a quoted phrase in the writer's own sentence, no one named
            if who.cue is None and is_title_case(text[raw.start:raw.end]):
                continue  # the title of an article, a book, a report
        q = _make(text, raw, who)
        quotes.append(q)
        if q.speaker:
            prev = q
    return _drop_nested(quotes)


def _follow_pronoun(text: str, who: _Who, prev: Quote | None, ents: EntityIndex,
                    quote_start: int) -> _Who:
    """'Then he added:' right after a Putin quote means Putin when no one else was named
    between the two quotes (names inside the new quote do not count)."""
    if who.start is None or prev is None or prev.speaker is None:
        return who
    word = text[who.start:who.end].lower()
    between = ents.within(prev.end, min(who.start, quote_start))
    if word in ("he", "she") and who.start - prev.end < 600 \
            and not any(m.kind == "person" for m in between):
        return _Who(prev.speaker, who.start, who.end, who.cue, min(who.confidence, 0.7))
    return who


def _make(text: str, raw: _Raw, who: _Who) -> Quote:
    return Quote(raw.start, raw.end, text[raw.start:raw.end], raw.kind, who.name, who.start,
                 who.end, who.cue, round(who.confidence, 2))


def _drop_nested(quotes: list[Quote]) -> list[Quote]:
    out: list[Quote] = []
    for q in quotes:
        if out and q.start < out[-1].end:
            if q.end - q.start > out[-1].end - out[-1].start:
                out[-1] = q
            continue
        out.append(q)
    return out


def _para_lookup(paras: list[Piece]):
    starts = [p.start for p in paras]

    def find(pos: int) -> Piece:
        k = max(0, bisect.bisect_right(starts, pos) - 1)
        return paras[k] if paras else Piece(0, pos)

    return find
