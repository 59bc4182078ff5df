"""From characters to tokens and back: gold labels for training, span decoding, span features.

Everything here is numpy and shared by training and the runtime, so the model is validated
through exactly the code that serves it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

__all__ = ["TRIM_CHARS", "trim", "token_range", "io_labels", "decode_segments", "RawSpan",
           "span_features", "HANDCRAFTED", "mlp_forward", "softmax", "sigmoid", "normalise",
           "word_runs", "word_count", "multiword_techniques", "cut_at_breaks", "break_points",
           "recurrences", "trim_dangling", "DANGLING", "mock_titles", "OFFICES"]

#: PTC v2 annotations never start or end with these characters; predictions are trimmed alike.
TRIM_CHARS = " \n\t\r.,:;"

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’-]+")
_STOP = frozenset(
    "the a an and or but of to in on at for with by from as is are was were be been it its this "
    "that these those he she they we you i his her their our your not no so if than then there "
    "which who whom what when where why how all any can will would should could has have had do "
    "does did just also into about over more most such only very".split()
)
#: Words that never carry a technique on their own (a span made only of these is dropped).
_FUNCTION = _STOP | frozenset(
    "me my mine us ours him hers them theirs yours itself am being here s t don't isn't it's "
    "that's there's up out off one".split()
)


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so it neither starts nor ends with a ``TRIM_CHARS`` character."""
    while start < end and text[start] in TRIM_CHARS:
        start += 1
    while end > start and text[end - 1] in TRIM_CHARS:
        end -= 1
    return start, end


def token_range(offsets: np.ndarray, start: int, end: int) -> tuple[int, int]:
    """Indices [a, b) of the tokens whose characters overlap [start, end); a == b if none."""
    a = int(np.searchsorted(offsets[:, 1], start, side="right"))
    b = int(np.searchsorted(offsets[:, 0], end, side="left"))
    return a, max(a, b)


def io_labels(offsets: np.ndarray, spans) -> np.ndarray:
    """BIO labels (0=O, 1=B, 2=I) for the union of ``spans`` (start, end) over the tokens."""
    n = len(offsets)
    inside = np.zeros(n, dtype=bool)
    for start, end in spans:
        a, b = token_range(offsets, start, end)
        inside[a:b] = True
    labels = np.where(inside, 2, 0).astype(np.int64)
    begins = inside & ~np.concatenate([[False], inside[:-1]])
    labels[begins] = 1
    return labels


@dataclass
class RawSpan:
    start: int
    end: int
    tok_start: int
    tok_end: int
    score: float


_WORD_SPAN_RE = re.compile(r"\w+(?:['’-]\w+)*")


def word_count(span_text: str) -> int:
    """Words in a span, a hyphen or apostrophe compound counting as one."""
    return sum(1 for _ in _WORD_SPAN_RE.finditer(span_text))


def multiword_techniques(articles, max_share: float = 0.05) -> list[str]:
    """Techniques whose gold spans are one word long at most ``max_share`` of the time."""
    total: dict[str, int] = {}
    single: dict[str, int] = {}
    for art in articles:
        for s in art.spans:
            total[s.technique] = total.get(s.technique, 0) + 1
            single[s.technique] = single.get(s.technique, 0) + (
                word_count(art.text[s.start:s.end]) <= 1)
    return sorted(t for t, n in total.items() if n >= 20 and single.get(t, 0) / n <= max_share)


def word_starts(text: str, offsets: np.ndarray) -> np.ndarray:
    """True where a token begins a word, False where it continues the word of the token before
    (word pieces, and hyphen or apostrophe compounds such as "finger-wagging" or "Kerry's")."""
    n = len(offsets)
    word_of = np.full(len(text) + 1, -1, dtype=np.int64)
    for k, m in enumerate(_WORD_SPAN_RE.finditer(text)):
        word_of[m.start():m.end()] = k
    ids = word_of[np.minimum(offsets[:, 0], len(text))] if n else np.zeros(0, np.int64)
    starts = np.ones(n, dtype=bool)
    if n > 1:
        starts[1:] = (ids[1:] < 0) | (ids[1:] != ids[:-1])
    return starts


def word_mean(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Average ``values`` (n, ...) over the pieces of each word, broadcast back to the pieces."""
    ids = np.cumsum(starts) - 1
    sums = np.zeros((int(ids[-1]) + 1, *values.shape[1:]), dtype=np.float64)
    np.add.at(sums, ids, values)
    counts = np.bincount(ids).reshape(-1, *([1] * (values.ndim - 1)))
    return (sums / counts)[ids].astype(np.float32)


def is_trivial(span_text: str) -> bool:
    """A span of function words and punctuation only ("we", "The", "no") names no technique."""
    words = _WORD_RE.findall(span_text)
    return not words or all(w.lower() in _FUNCTION for w in words)


def decode_segments(text: str, offsets: np.ndarray, p_in: np.ndarray, p_begin: np.ndarray,
                    threshold: float, seed: float | None = None, min_chars: int = 2
                    ) -> list[RawSpan]:
    """Turn per-token 'inside a span' probabilities into trimmed character spans.

    A token is inside when ``p_in > threshold``; a run of inside tokens is one span, split where a
    token is more likely the beginning of a new span than a continuation (``p_begin > 0.5``).
    With ``seed`` above ``threshold`` the decoding has two thresholds (hysteresis): a run is kept
    only if one of its tokens reaches ``seed``, so confident words grow into the full phrase
    around them while weak runs on their own are dropped. A span's score is its peak probability.
    """
    seed = threshold if seed is None else max(seed, threshold)
    n = len(p_in)
    if n == 0:
        return []
    inside = p_in > threshold
    # a segment starts at an inside token after an outside one, or at an inside token more
    # likely to begin a new span than to continue one; it ends before the next start or the
    # next outside token (numpy: the token loop ran in Python for every technique's column)
    begins = inside & ~(p_begin <= 0.5)  # NaN-safe as "p_begin > 0.5"
    first = inside.copy()
    first[1:] &= ~inside[:-1] | begins[1:]
    seg_starts = np.flatnonzero(first)
    if not len(seg_starts):
        return []
    stops = np.flatnonzero(~inside | first)  # a segment ends at the first of these after it
    seg_ends = np.append(stops, n)[np.searchsorted(stops, seg_starts, side="right")]
    padded = np.append(p_in, -np.inf)
    peaks = np.maximum.reduceat(padded, np.ravel(np.column_stack([seg_starts, seg_ends])))[::2]
    spans: list[RawSpan] = []
    for i, j, peak in zip(seg_starts.tolist(), seg_ends.tolist(), peaks.tolist()):
        if not peak > seed:
            continue
        start, end = trim(text, int(offsets[i, 0]), int(offsets[j - 1, 1]))
        if end - start >= min_chars and not is_trivial(text[start:end]):
            spans.append(RawSpan(start, end, i, j, float(peak)))
    return spans


_BREAK_RE = re.compile(r"\n[ \t\r]*\n")


def break_points(text: str) -> list[int]:
    """Offsets no annotated span crosses: each blank line, and the end of the title line."""
    points = [m.start() for m in _BREAK_RE.finditer(text)]
    title_end = text.find("\n")
    if title_end != -1:
        points.append(title_end)
    return sorted(set(points))


def cut_at_breaks(text: str, spans: list[RawSpan], min_chars: int = 2) -> list[RawSpan]:
    """Split spans at paragraph breaks and the title line's end; keep the pieces that still
    hold a word that is not a function word. A piece keeps its span's score."""
    points = break_points(text)
    if not points:
        return spans
    out = []
    for s in spans:
        cuts = [p for p in points if s.start < p < s.end]
        if not cuts:
            out.append(s)
            continue
        bounds = [s.start, *cuts, s.end]
        for lo, hi in pairwise(bounds):
            a, b = trim(text, lo, hi)
            if b - a >= min_chars and not is_trivial(text[a:b]):
                out.append(RawSpan(a, b, s.tok_start, s.tok_end, s.score))
    return out


#: Words a span can start with but (almost) never ends on: 1% of the multi-word PTC training
#: spans end with one, 24% start with one ("the real stunner"), so only the end is trimmed.
DANGLING = frozenset("and or but of the a an in to for with on at by from as that than into"
                     .split())
_LAST_WORD_RE = re.compile(r"([A-Za-z][A-Za-z'’-]*)[^A-Za-z]*$")


def trim_dangling(text: str, spans: list[RawSpan]) -> list[RawSpan]:
    """Drop trailing ``DANGLING`` words ("belligerence and", "to shreds in") from spans of
    more than one word; a span is never trimmed to nothing."""
    out = []
    for sp_ in spans:
        start, end = sp_.start, sp_.end
        while word_count(text[start:end]) > 1:
            m = _LAST_WORD_RE.search(text, start, end)
            if not m or m.group(1).lower() not in DANGLING:
                break
            start, end = trim(text, start, m.start(1))
        out.append(sp_ if end == sp_.end else RawSpan(start, end, sp_.tok_start, sp_.tok_end,
                                                      sp_.score))
    return out


#: Real offices titled "... in chief"; any other "X-in-chief" / "X in Chief" is a mocking title.
OFFICES = frozenset("commander editor general engineer surgeon physician chaplain counsel "
                    "conductor justice judge clerk examination evidence".split())
# "conspiracy-theorist-in-chief", "Decider in Chief", "Con Man in Chief" (a preceding "the"
# joins the span); with spaces both the title's words and "Chief" must be capitalised.
_MOCK_TITLE_RE = re.compile(
    r"(?<![\w'’-])(?:[Tt]he )?(?:(?P<hy>(?:[A-Za-z][\w'’]*-){1,3})[Ii]n-[Cc]hief"
    r"|(?P<cap>(?:[A-Z][\w'’-]* ){1,3})in Chief)(?![\w-])")


def mock_titles(text: str) -> list[tuple[int, int]]:
    """Mocking "in chief" titles ("the Decider in Chief", "conspiracy-theorist-in-chief"):
    Name calling by a title no office bears. Real offices (``OFFICES``) are left alone.

    >>> t = "Ask the Decider in Chief, or the commander-in-chief, or our Liar-In-Chief."
    >>> [t[s:e] for s, e in mock_titles(t)]
    ['the Decider in Chief', 'Liar-In-Chief']
    """
    found = []
    for m in _MOCK_TITLE_RE.finditer(text):
        title = (m.group("hy") or m.group("cap")).replace("-", " ").split()
        if title[-1].lower().rstrip("s") in OFFICES:
            continue
        start = m.start()
        while (w := re.match(r"([A-Za-z']+) ", text[start:m.end()])) and (
                w.group(1).lower() in _FUNCTION and w.group(1).lower() != "the"):
            start += w.end()  # "Our Con Man in Chief": the title starts after "Our"
        found.append((start, m.end()))
    return found


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _count_phrase(key: str, norm_text: str) -> int:
    """Non-overlapping whole-word occurrences of ``key`` in ``norm_text`` (as the regex
    ``(?<!\\w)key(?!\\w)`` finds them, without compiling a pattern per span)."""
    found, i, n = 0, norm_text.find(key), len(key)
    while i != -1:
        before = norm_text[i - 1] if i else " "
        after = norm_text[i + n] if i + n < len(norm_text) else " "
        if not _is_word_char(before) and not _is_word_char(after):
            found += 1
            i = norm_text.find(key, i + n)
        else:
            i = norm_text.find(key, i + 1)
    return found


def recurrences(span_text: str, norm_text: str, runs: Counter | None = None) -> int:
    """How often a span's phrase, or its most frequent content word, occurs in the text
    (normalised, whole words): what Repetition needs. Annotators mark one instance of a
    repeated phrase, often with a few words around it, so a recurring content word counts;
    a span whose words all occur once is not repeated."""
    key = normalise(span_text)
    if not key:
        return 0
    found = _count_phrase(key, norm_text)
    words = {w.lower() for w in _WORD_RE.findall(span_text)} - _FUNCTION
    if words:
        runs = word_runs(norm_text) if runs is None else runs
        found = max(found, max(runs.get(w, 0) if w.isalpha() else _count_phrase(w, norm_text)
                               for w in words))
    return found


HANDCRAFTED = ("log_tokens", "log_exact_repeats", "log_word_repeats", "in_title", "quoted",
               "exclaim_or_question", "rel_position")


def normalise(s: str) -> str:
    """Lower case, runs of whitespace as one space: how repetition is compared."""
    return " ".join(s.lower().split())


_RUN_RE = re.compile(r"\w+")


def word_runs(norm_text: str) -> Counter:
    """Every ``\\w+`` run of an article's normalised text, counted once per article."""
    return Counter(_RUN_RE.findall(norm_text))


def _count_word(word: str, norm_text: str, runs: Counter) -> int:
    """How often ``word`` occurs in ``norm_text`` as a whole word (``\\bword\\b``). A word of
    letters only is bounded by non-word characters exactly when it is a whole ``\\w+`` run, so
    ``runs`` answers those; others (with ' or -) use the regex."""
    if word.isalpha():
        return runs.get(word, 0)
    return len(re.findall(r"\b" + re.escape(word) + r"\b", norm_text))


def handcrafted(text: str, start: int, end: int, n_tokens: int, norm_text: str | None = None,
                runs: Counter | None = None) -> np.ndarray:
    """Surface cues a technique often shows: length, repetition in the article, title, quotes.

    ``norm_text`` and ``runs`` (``word_runs(norm_text)``) may be passed in, once per article."""
    span = text[start:end]
    norm_text = normalise(text) if norm_text is None else norm_text
    key = normalise(span)
    exact = norm_text.count(key) if key else 0
    words = [w.lower() for w in _WORD_RE.findall(span) if w.lower() not in _STOP and len(w) > 3]
    word_rep = 0
    if words:
        runs = word_runs(norm_text) if runs is None else runs
        found = sorted(_count_word(w, norm_text, runs) for w in set(words))
        word_rep = found[len(found) // 2]
    title_end = text.find("\n")
    in_title = 1.0 if title_end == -1 or start < title_end else 0.0
    before = text[max(0, start - 2):start]
    after = text[end:end + 2]
    quoted = 1.0 if any(q in before for q in "\"“'‘") and any(q in after for q in "\"”'’") else 0.0
    punct = 1.0 if ("!" in span or "?" in span or "!" in after or "?" in after) else 0.0
    return np.array([
        math.log1p(n_tokens), math.log1p(max(0, exact - 1)), math.log1p(max(0, word_rep - 1)),
        in_title, quoted, punct, start / max(1, len(text)),
    ], dtype=np.float32)


def pooled(hidden: np.ndarray, a: int, b: int) -> np.ndarray:
    """Mean, max, first and last token states of tokens [a, b) concatenated."""
    h = hidden[a:b]
    return np.concatenate([h.mean(0), h.max(0), h[0], h[-1]]).astype(np.float32)


#: With ``signals``: what the token heads say about a span, and its shape, for the span
#: classifier's "no technique" decision.
#: the token heads' signals over a span, before its per-technique maxima (one per technique
#: the model has: 14 in the 2020 taxonomy, more in 2023)
SPAN_SIGNALS = ("p_in_mean", "p_in_min", "p_in_max", "p_begin_first", "p_in_before",
                "p_in_after", "one_word", "function_edge", "log_recurrences")
#: all of them for a 2020 model
SIGNALS = (*SPAN_SIGNALS, *(f"p_tech_{k}" for k in range(14)))


def signals(text: str, start: int, end: int, a: int, b: int, p_in: np.ndarray,
            p_begin: np.ndarray, p_tech: np.ndarray, norm_text: str, runs: Counter
            ) -> np.ndarray:
    span = text[start:end]
    words = _WORD_RE.findall(span)
    edge = 1.0 if words and (words[0].lower() in _FUNCTION or words[-1].lower() in _FUNCTION) \
        else 0.0
    p = p_in[a:b]
    return np.concatenate([
        [p.mean(), p.min(), p.max(), p_begin[a],
         p_in[a - 1] if a > 0 else 0.0, p_in[b] if b < len(p_in) else 0.0,
         1.0 if word_count(span) <= 1 else 0.0, edge,
         math.log1p(recurrences(span, norm_text, runs))],
        p_tech[a:b].max(0)]).astype(np.float32)


def span_features(text: str, hidden: np.ndarray, offsets: np.ndarray, spans,
                  norm_text: str | None = None, token_probs=None) -> np.ndarray:
    """Feature rows for (start, end) character spans: pooled token states + handcrafted cues,
    and with ``token_probs`` = (p_in, p_begin, p_tech) also the ``SIGNALS``."""
    norm_text = normalise(text) if norm_text is None else norm_text
    rows, runs = [], word_runs(norm_text)
    for start, end in spans:
        a, b = token_range(offsets, start, end)
        if a == b:  # span inside one token's gap (whitespace): use the nearest token
            a = min(a, len(offsets) - 1)
            b = a + 1
        row = [pooled(hidden, a, b), handcrafted(text, start, end, b - a, norm_text, runs)]
        if token_probs is not None:
            row.append(signals(text, start, end, a, b, *token_probs, norm_text, runs))
        rows.append(np.concatenate(row))
    if not rows:
        n_signals = (len(SPAN_SIGNALS) + token_probs[2].shape[1]) if token_probs else 0
        width = hidden.shape[1] * 4 + len(HANDCRAFTED) + n_signals
        return np.zeros((0, width), dtype=np.float32)
    return np.stack(rows)


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def mlp_forward(params: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """The span classifier head: standardise, Linear, GELU (tanh form), Linear -> logits."""
    x = (x - params["mean"]) / params["std"]
    h = x @ params["w1"].T + params["b1"]
    h = 0.5 * h * (1.0 + np.tanh(0.7978845608 * (h + 0.044715 * h ** 3)))
    return h @ params["w2"].T + params["b2"]
