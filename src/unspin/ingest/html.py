"""HTML pages -> Document, with trafilatura finding the article and its metadata.

trafilatura drops navigation, footers, comments and scripts and returns the main text as an
XML tree; we turn its blocks (paragraphs, headings, list items, quotes, table rows) into the
PTC layout: title line, blank line, paragraphs separated by blank lines.

Pieces map clean text back into the HTML string as given (for a URL, the decoded page). Only
runs of characters that appear literally in the markup are mapped: text split by tags,
rewritten by entities (``&#8217;`` -> ``’``) or with whitespace collapsed maps piecewise, and
characters that never appear literally get no piece. The search runs forward through the page
from ``<body``, so a paragraph is found where it is shown, not in a ``<meta>`` description.

Dates come only from the page's markup (meta tags, ``<time>``, JSON-LD): htmldate's
"extensive search" through the visible text is switched off because it guesses.

Before any parsing, one linear pass (``check_shape``) refuses markup no article page has and
that would make the parser slow (it is quadratic in the attributes of one element: 40,000 took
46 s): more than ``MAX_ATTRIBUTES`` attributes on one element, ``MAX_ELEMENTS`` elements or
``MAX_DEPTH`` levels of nesting.
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
from html import unescape
from typing import TYPE_CHECKING

from ..document import Document, Piece
from ..errors import DependencyError, InputError, shorten
from ._meta import dedupe, guess_language

if TYPE_CHECKING:
    from lxml.etree import _Element

__all__ = ["from_html", "check_shape", "MAX_ATTRIBUTES", "MAX_ELEMENTS", "MAX_DEPTH"]

logger = logging.getLogger(__name__)

_CONTAINERS = {"list", "quote", "table", "div", "section", "article", "main", "body", "row"}
_BLOCKS = _CONTAINERS | {"p", "head", "item", "code", "cell", "graphic"}
_LANG_ATTR = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?(?P<lang>[A-Za-z]{2,3})(?:[-_][\w-]+)?",
                        re.IGNORECASE)
_LANG_META = re.compile(r"<meta\b[^>]*?http-equiv\s*=\s*[\"']?content-language[\"']?[^>]*?"
                        r"content\s*=\s*[\"']?(?P<lang>[A-Za-z]{2,3})\b", re.IGNORECASE)
_BODY_TAG = re.compile(r"<body\b", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def from_html(html: str, *, url: str | None = None, source: str | None = None,
              doc_id: str | None = None, kind: str = "html") -> Document:
    """The article in an HTML page: title, paragraphs and the page's metadata.

    >>> page = ("<html><head><title>Rain</title></head><body><article><h1>Rain</h1>"
    ...         "<p>" + "It rained all day in the valley and the river rose. " * 6 + "</p>"
    ...         "</article></body></html>")
    >>> from_html(page).text.split("\\n\\n")[0]
    'Rain'
    """
    name = source or url or "input"
    if not html.strip():
        raise InputError(f"{name}: no text (empty or only whitespace)")
    check_shape(html, name)
    try:
        from trafilatura import bare_extraction
    except ImportError:
        raise DependencyError("trafilatura is not installed; install it with: "
                              "pip install trafilatura lxml_html_clean") from None
    try:
        result = bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True,
            include_images=False, include_links=False, include_formatting=False,
            date_extraction_params={
                "extensive_search": False, "original_date": True,
                "max_date": _dt.date.today().isoformat()})
        paragraphs = _paragraphs(result.body) if result is not None and result.body is not None \
            else []
    except Exception as exc:  # noqa: BLE001 - trafilatura and lxml raise anything; see below
        # Any parser failure means "this input is not a page we can read": one line, no traceback.
        detail = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise InputError(f"{name}: cannot parse the HTML ({detail}); check that it is a web "
                         "page, or pass --kind text") from None
    title = _clean(result.title or "") if result is not None else ""
    if paragraphs and title and _same(paragraphs[0], title):
        paragraphs = paragraphs[1:]  # the page's <h1> repeats the title
    if result is None or not paragraphs:
        raise InputError(f"{name}: no article text found in the HTML page; save the article's "
                         "text to a .txt file and analyse that")
    text_parts = ([title] if title else []) + paragraphs
    text = "\n\n".join(text_parts)
    pieces = _map_pieces(text_parts, html, body_from=1 if title else 0)
    authors = dedupe(a for a in map(_clean, (result.author or "").split(";")) if a)
    tags = dedupe(_clean(t) for t in [*(result.categories or []), *(result.tags or [])]
                  if _clean(t))
    return Document(
        text=text, id=doc_id, title=title or None, authors=authors, published=result.date or None,
        outlet=_clean(result.sitename or "") or None, tags=tags, url=result.url or url,
        language=_page_language(html) or guess_language("\n".join(paragraphs)),
        source=source, kind=kind, pieces=pieces)


#: Limits on markup, far beyond real pages (a long article has a few thousand elements, a
#: few dozen levels deep, and rarely more than 20 attributes on one element).
MAX_ATTRIBUTES = 500
MAX_ELEMENTS = 200_000
MAX_DEPTH = 1000

# one tag, comment or declaration; possessive quantifiers keep the scan linear whatever the
# input (an unclosed quote or comment ends the match instead of making it backtrack)
_TAG = re.compile(r"<(?:!--(?:[^-]++|-(?!->))*+(?:-->)?|(?P<close>/)?(?P<name>[A-Za-z][^\s/>]*+)"
                  r"(?P<attrs>(?:[^>\"']++|\"[^\"]*+\"?|'[^']*+'?)*+)>?|[!?][^>]*+>?)")
_ATTRIBUTE = re.compile(r"[^\s\"'=/>]++(?:\s*+=\s*+(?:\"[^\"]*+\"?|'[^']*+'?|[^\s>]++))?")
# elements that hold no others, or whose end tag pages leave out: they add no nesting level
_FLAT = frozenset("area base br col embed hr img input link meta param source track wbr p li dt "
                  "dd tr td th option optgroup rb rt rp thead tbody tfoot colgroup caption "
                  "html head body".split())
_RAW = frozenset(("script", "style", "textarea", "title", "xmp", "noscript", "template"))


def check_shape(html: str, name: str = "input") -> None:
    """Refuse, in one linear pass, markup far outside what pages hold: an element with more
    than ``MAX_ATTRIBUTES`` attributes, more than ``MAX_ELEMENTS`` elements, or nesting deeper
    than ``MAX_DEPTH`` (the parser is slow on the first and fragile on the others).

    >>> check_shape("<p class=a>Hi</p>")
    >>> check_shape("<p " + " ".join(f"a{i}=1" for i in range(501)) + ">")
    Traceback (most recent call last):
    ...
    unspin.errors.InputError: input: an element of this HTML page has more than 500 ...
    """
    def refuse(what: str):
        raise InputError(f"{shorten(name)}: {what}; save the article's text to a .txt file and "
                         "analyse that")

    elements = depth = 0
    pos, lower = 0, None
    while (m := _TAG.search(html, pos)) is not None:
        pos = max(m.end(), m.start() + 1)
        tag = m["name"]
        if tag is None:
            continue  # a comment or declaration
        tag = tag.lower()
        if m["close"]:
            if tag not in _FLAT and depth:
                depth -= 1
            continue
        elements += 1
        if elements > MAX_ELEMENTS:
            refuse(f"this HTML page has more than {MAX_ELEMENTS:,} elements")
        attrs = m["attrs"]
        if len(attrs) > 2 * MAX_ATTRIBUTES and sum(1 for _ in _ATTRIBUTE.finditer(attrs)) \
                > MAX_ATTRIBUTES:
            refuse(f"an element of this HTML page has more than {MAX_ATTRIBUTES} attributes")
        if tag in _RAW:  # raw text up to the end tag: what looks like markup inside is not
            lower = lower if lower is not None else html.lower()
            end = lower.find(f"</{tag}", pos)
            pos = len(html) if end < 0 else end
            continue
        if tag not in _FLAT and not attrs.rstrip().endswith("/"):
            depth += 1
            if depth > MAX_DEPTH:
                refuse(f"this HTML page nests elements more than {MAX_DEPTH} levels deep")


def _clean(text: str) -> str:
    return " ".join(text.split())


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def _paragraphs(body: _Element) -> list[str]:
    """Paragraph texts of trafilatura's output tree, in order, one per block."""
    out: list[str] = []

    def walk(el: _Element) -> None:
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "row":
                cells = [_block_text(c) for c in child]
                line = " | ".join(c for c in cells if c)
                if line:
                    out.append(line)
                continue
            own = _block_text(child)
            if own:
                out.append(own)
            if tag in _BLOCKS and any(isinstance(g.tag, str) and g.tag in _BLOCKS for g in child):
                walk(child)

    walk(body)
    return out


def _block_text(el: _Element) -> str:
    """Text of ``el`` and its inline children; nested blocks are left to the caller.
    ``<lb/>`` (a line break) becomes a newline, other whitespace runs become one space."""
    parts: list[str] = []

    def inline(e: _Element) -> None:
        if e.text:
            parts.append(e.text)
        for sub in e:
            tag = sub.tag if isinstance(sub.tag, str) else ""
            if tag == "lb":
                parts.append("\n")
            elif tag not in _BLOCKS:
                inline(sub)
            if sub.tail:
                parts.append(sub.tail)

    inline(el)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _page_language(html: str) -> str | None:
    """The language the page declares (``<html lang>`` or Content-Language meta), if any."""
    head = html[:20_000]
    m = _LANG_ATTR.search(head) or _LANG_META.search(head)
    return m["lang"].lower() if m else None


_SEED = 32  # characters searched for to (re)find the text in the page
_SHORT_SEED = 12  # a shorter seed, tried near the last match when the long one fails
_WINDOW = 2_000  # how far past the last match a long seed is looked for first
_NEAR = 300  # how far a short seed may be: about the markup between two runs of text
_MAX_MISSES = 12  # words in a row not found before a paragraph is given up
_HIDDEN = re.compile(r"<!--.*?(?:-->|\Z)|<(script|style|template|noscript|svg)\b.*?(?:</\1\s*>|\Z)"
                     r"|<[A-Za-z/!?][^>]*>?", re.DOTALL | re.IGNORECASE)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
_HIDE = "\x00"
_MASK_RUN = re.compile(r"\x00*")
_SPACE_RUN = re.compile(r"(?:[\x00\s]|&nbsp;|&#160;|&#[xX][aA]0;)*")
_UNSAFE = re.compile(r"[<>&\"'\u00a0\u2018\u2019\u201c\u201d\u2013\u2014\u2026]|\s\s|[^\S ]")


def _map_pieces(parts: list[str], html: str, body_from: int) -> tuple[Piece, ...]:
    """Pieces for ``"\\n\\n".join(parts)`` found, in order, as literal runs of ``html``;
    ``parts[body_from:]`` are searched for after ``<body`` (the title may be in ``<head>``)."""
    mapper = _Mapper(html)
    body = _BODY_TAG.search(html)
    offset = 0
    for n, part in enumerate(parts):
        if n == body_from and body and mapper.cursor < body.end():
            mapper.cursor = body.end()
        mapper.map(part, offset)
        offset += len(part) + 2
    return tuple(mapper.pieces)


class _Mapper:
    """Aligns clean text with the page, front to back.

    Runs are matched against a copy of the page whose markup (tags, comments, scripts, styles)
    is blanked out with NULs: positions stay the same, and text can never map onto markup.
    Once a run is found, the text continues after the markup that follows it; entities and
    whitespace that differ are stepped over on both sides. When that fails, the next words are
    searched for near the last match, and a paragraph's start also further on, within a
    document-wide budget of long searches so a page whose text cannot be found stays fast.
    """

    def __init__(self, html: str) -> None:
        self.html = html
        self.masked = _HIDDEN.sub(lambda m: _HIDE * len(m.group()), html)
        self.cursor = 0
        self.pieces: list[Piece] = []
        self.far_searches = 64

    def map(self, part: str, offset: int) -> None:
        html, masked = self.html, self.masked
        i, n = 0, len(part)
        synced = anchored = False
        misses = 0
        has_nul = _HIDE in part  # a NUL in the text could only match the mask: never mapped
        while i < n:
            end = n
            if has_nul:
                stop = part.find(_HIDE, i)
                end = n if stop < 0 else stop
                if i == end:
                    i, synced = i + 1, False
                    continue
            if synced:
                q = _MASK_RUN.match(masked, self.cursor).end()
                run = _common_prefix(part, i, masked, q, end)
                if run:
                    self.pieces.append(Piece(offset + i, offset + i + run, q, q + run))
                    i, self.cursor = i + run, q + run
                    anchored = True
                    continue
                entity = _ENTITY.match(html, q)
                if entity and part.startswith(decoded := unescape(entity.group()), i):
                    i, self.cursor = i + len(decoded), entity.end()
                    continue
                k = _SPACE_RUN.match(masked, q).end()
                j = i
                while j < n and part[j].isspace():
                    j += 1
                if j > i or k > q:
                    i, self.cursor = j, k
                    continue
                synced = False
            unsafe = _UNSAFE.search(part, i, min(end, i + _SEED))
            seed_end = unsafe.start() if unsafe else min(end, i + _SEED)
            pos = self._find(part, i, seed_end, near_only=anchored)
            if pos < 0:
                misses += 1
                if misses > _MAX_MISSES:  # this text is not in the page as such; move on
                    return
                i = _next_word(part, i) if seed_end - i >= 4 else seed_end + 1
                continue
            self.cursor, synced, misses = pos, True, 0

    def _find(self, part: str, i: int, seed_end: int, near_only: bool) -> int:
        """Where ``part[i:seed_end]`` (or its first words) shows next in the page, or -1."""
        masked, cursor = self.masked, self.cursor
        for size, reach in ((_SEED, _WINDOW), (_SHORT_SEED, _NEAR)):
            seed = part[i:min(i + size, seed_end)]
            if len(seed) < 4:  # too short to find by search without matching by chance
                return -1
            pos = masked.find(seed, cursor, cursor + reach + len(seed))
            if pos >= 0 or len(seed) < size:
                break
        if pos < 0 and not near_only and self.far_searches > 0:
            seed = part[i:min(i + _SEED, seed_end)]
            if len(seed) >= 16:  # long enough not to be found by chance
                self.far_searches -= 1
                pos = masked.find(seed, cursor)
        return pos


def _next_word(text: str, i: int) -> int:
    """Index of the next word start after ``i`` (past the character that broke the match)."""
    j = i + 1
    while j < len(text) and text[j - 1].isalnum():
        j += 1
    return j


def _common_prefix(a: str, i: int, b: str, j: int, a_end: int) -> int:
    """Length of the common prefix of ``a[i:a_end]`` and ``b[j:]``, by galloping compares."""
    limit = min(a_end - i, len(b) - j)
    length, step = 0, 16
    while length < limit:
        size = min(step, limit - length)
        if a[i + length:i + length + size] == b[j + length:j + length + size]:
            length += size
            step *= 2
            continue
        lo, hi = 0, size - 1  # the mismatch is inside this block
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if a[i + length:i + length + mid] == b[j + length:j + length + mid]:
                lo = mid
            else:
                hi = mid - 1
        return length + lo
    return length
