"""Markdown captures of web pages -> Document: the article's title and body, not the page.

A capture (a browser "save as Markdown", a reader-mode export, a crawler's ``.md``) holds the
article between page furniture: navigation, byline and date lines, tag lines, then the body,
then an author bio, a ``---`` rule, share and membership links, disclaimers and copyright
notices. We parse the capture with markdown-it-py into blocks (its token stream and line maps),
classify each block, read metadata from the header and footer lines, and keep title and body.

The clean text follows the PTC layout: line 1 the title, line 2 empty, then the body paragraphs
separated by blank lines, with Markdown syntax removed. Every stretch of clean text copied
literally from the capture gets a ``Piece`` pointing at its characters in the capture, so a
span found in the clean text can be shown in the original file. Characters that were rewritten
(escapes, entities, line breaks joined with a space) have no piece.

Paragraphs are kept as the capture has them: a paragraph broken mid-sentence stays broken,
because joining it would mean guessing that the break was an accident.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from ..document import Document, Original, Piece
from ..errors import InputError
from ._meta import (
    clean_label,
    dedupe,
    find_date,
    guess_language,
    looks_like_name,
    split_names,
    split_tags,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = ["looks_like_capture", "from_markdown"]

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------- detection

_HEADING_LINE = re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.MULTILINE)
_LINK = re.compile(r"!?\[[^\]\n]{1,300}\]\([^)\s]*(?:\s+\"[^\"\n]*\")?\)")
_STRONG = re.compile(r"(\*\*|__)[^\s*_](?:[^\n]*?[^\s*_])?\1")
_RULE_LINE = re.compile(r"^ {0,3}(?:-[ \t]*){3,}$|^ {0,3}(?:\*[ \t]*){3,}$|^ {0,3}(?:_[ \t]*){3,}$",
                        re.MULTILINE)


def looks_like_capture(text: str) -> bool:
    """Whether ``text`` is Markdown rather than plain prose (cheap; looks at the first 20 KB).

    One strong sign is enough (front matter, a ``#`` heading on the first line, three links);
    otherwise two different weak ones are needed, so plain articles that happen to contain a
    ``[1]`` or a ``***`` stay plain text.

    >>> looks_like_capture("# Title\\n\\nBody with a [link](https://example.org).")
    True
    >>> looks_like_capture("Title\\n\\nA plain article. It has **no** links.")
    False
    """
    head = text[:20_000]
    if _front_matter(head)[1]:
        return True
    first = head.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    if _HEADING_LINE.match(first):
        return True
    links = len(_LINK.findall(head))
    if links >= 3:
        return True
    signs = (links > 0) + bool(_HEADING_LINE.search(head)) + bool(_STRONG.search(head)) \
        + bool(_RULE_LINE.search(head))
    return signs >= 2


# --------------------------------------------------------------------------- front matter

_YAML_FM = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?P<body>.*?)(?:\r?\n|\A)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)",
                      re.DOTALL)
_READER_FM = re.compile(r"\A\ufeff?\s*(?P<body>(?:[A-Z][A-Za-z ]{1,30}:[^\n]*\r?\n\s*){1,15})"
                        r"Markdown Content:[ \t]*(?:\r?\n|\Z)")
_FM_LINE = re.compile(r"^(?P<key>[A-Za-z][\w -]{0,30}?)[ \t]*:[ \t]*(?P<value>.*?)[ \t]*\r?$",
                      re.MULTILINE)
_FM_ITEM = re.compile(r"^[ \t]*-[ \t]+(?P<value>.*?)[ \t]*\r?$", re.MULTILINE)


def _front_matter(text: str) -> tuple[dict[str, list[tuple[str, int]]], int]:
    """``{key: [(value, offset)]}`` and where the body starts, for YAML front matter or the
    "Title: / URL Source: / Markdown Content:" header of reader services; ``({}, 0)`` if none."""
    m = _YAML_FM.match(text) or _READER_FM.match(text)
    if not m:
        return {}, 0
    body_start = m.start("body")
    body = m["body"]
    fields: dict[str, list[tuple[str, int]]] = {}
    key = None
    for line in re.finditer(r"[^\r\n]+", body):
        kv = _FM_LINE.match(line.group())
        item = _FM_ITEM.match(line.group())
        if item and key is not None:
            value, off = item["value"], body_start + line.start() + item.start("value")
        elif kv:
            key = clean_label(kv["key"])
            value, off = kv["value"], body_start + line.start() + kv.start("value")
            if not value:
                continue
        elif line.group().strip():
            return {}, 0  # not front matter after all (e.g. a rule and a setext heading)
        else:
            continue
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value, off = value[1:-1], off + 1
        if value.startswith("[") and value.endswith("]"):
            for part in value[1:-1].split(","):
                if part.strip():
                    fields.setdefault(key, []).append((part.strip().strip("\"'"), -1))
            continue
        fields.setdefault(key, []).append((value, off))
    return fields, m.end()


# --------------------------------------------------------------------------- blocks


@dataclass
class _Seg:
    """Rendered text; ``src`` is its offset in the capture when it is a literal copy."""

    text: str
    src: int | None = None
    brk: bool = False  # a line break inside a paragraph


@dataclass
class _Line:
    text: str
    links: list[tuple[str, str]]  # (link text, href)


@dataclass
class _Block:
    kind: str  # heading | paragraph | code | hr | html
    level: int = 0
    segs: list[_Seg] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)
    word_chars: int = 0
    link_chars: int = 0
    lead: str = ""  # emphasised text the block starts with
    after_lead: str = ""

    @property
    def plain(self) -> str:
        return " ".join(line.text for line in self.lines).strip()

    @property
    def links(self) -> list[tuple[str, str]]:
        return [link for line in self.lines for link in line.links]

    @property
    def empty(self) -> bool:
        return self.word_chars == 0

    @property
    def link_only(self) -> bool:
        return self.word_chars > 0 and self.link_chars >= self.word_chars


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    md.disable("text_join")  # keep escapes and entities apart so literal text maps exactly
    return md


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _parse_blocks(src: str, base: int) -> list[_Block]:
    """Blocks of ``src`` in order; segment offsets are ``base`` + offsets into ``src``."""
    starts = [0] + [m.end() for m in _LINE_BREAK.finditer(src)]

    def char_range(line_map: list[int] | None) -> tuple[int, int]:
        if not line_map:
            return 0, len(src)
        return tuple(starts[n] if n < len(starts) else len(src) for n in line_map[:2])

    tokens = _parser().parse(src)
    # markdown-it turns NUL into U+FFFD; search a copy that does the same (same positions), so
    # text after a NUL is still found, and give no piece to text that holds one.
    nul = "\x00" in src
    if nul:
        src = src.replace("\x00", "\ufffd")
    blocks: list[_Block] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type in ("paragraph_open", "heading_open") and i + 1 < len(tokens) \
                and tokens[i + 1].type == "inline":
            inline = tokens[i + 1]
            lo, hi = char_range(inline.map or tok.map)
            block = _Block("heading" if tok.type == "heading_open" else "paragraph",
                           level=int(tok.tag[1:]) if tok.tag[1:].isdigit() else 0)
            _render_inline(block, inline.children or [], src, lo, hi, base)
            blocks.append(block)
            i += 3
            continue
        if tok.type == "hr":
            blocks.append(_Block("hr"))
        elif tok.type == "html_block":
            blocks.append(_Block("html"))
        elif tok.type in ("fence", "code_block"):
            lo, hi = char_range(tok.map)
            blocks.append(_code_block(tok.content, src, lo, hi, base))
        i += 1
    if nul:
        for block in blocks:
            block.segs = [_Seg(g.text, None, g.brk) if "\ufffd" in g.text else g for g in block.segs]
    return blocks


def _code_block(content: str, src: str, lo: int, hi: int, base: int) -> _Block:
    block = _Block("code")
    cursor = lo
    for n, line in enumerate(content.rstrip("\n").split("\n")):
        if n:
            block.segs.append(_Seg("\n", brk=True))
        pos = src.find(line, cursor, hi) if line else -1
        if pos >= 0:
            cursor = pos + len(line)
        block.segs.append(_Seg(line, base + pos if pos >= 0 else None))
        block.lines.append(_Line(line, []))
        block.word_chars += sum(ch.isalnum() for ch in line)
    return block


def _render_inline(block: _Block, children: list[Token], src: str, lo: int, hi: int,
                   base: int) -> None:
    """Fill ``block`` with the inline tokens' text, tracking where each literal run sits in
    ``src[lo:hi]`` by searching forward from a cursor that also skips link destinations."""
    cursor = lo
    line_text: list[str] = []
    line_links: list[tuple[str, str]] = []
    link_stack: list[tuple[str, list[str], bool]] = []  # (href, text parts, autolink)
    lead_depth = 0
    lead_state = "maybe"  # maybe -> inside -> done
    lead_parts: list[str] = []
    after_parts: list[str] = []

    def add(text: str, pos: int | None, brk: bool = False) -> None:
        block.segs.append(_Seg(text, base + pos if pos is not None and pos >= 0 else None, brk))
        if brk:
            block.lines.append(_Line("".join(line_text).strip(), list(line_links)))
            line_text.clear()
            line_links.clear()
        else:
            line_text.append(text)
            for _href, parts, _auto in link_stack:
                parts.append(text)
            letters = sum(ch.isalnum() for ch in text)
            block.word_chars += letters
            if link_stack:
                block.link_chars += letters
        (lead_parts if lead_state == "inside" else after_parts).append(" " if brk else text)

    def find(needle: str) -> int:
        nonlocal cursor
        pos = src.find(needle, cursor, hi) if needle else -1
        if pos >= 0:
            cursor = pos + len(needle)
        return pos

    for tok in children:
        kind = tok.type
        if lead_state == "maybe" and kind not in ("em_open", "strong_open") \
                and not (kind == "text" and not tok.content.strip()):
            lead_state = "done"  # the block does not start with emphasis
        if kind == "text":
            add(tok.content, find(tok.content))
        elif kind == "text_special":  # backslash escape or entity: rewritten, so no piece
            find(tok.markup)
            add(tok.content, None)
        elif kind == "code_inline":  # `code`: the content is exact unless it spans lines
            opened = find(tok.markup)
            inner = cursor
            closed = find(tok.markup) if opened >= 0 else -1
            add(tok.content, src.find(tok.content, inner, closed) if closed >= 0 else None)
        elif kind == "softbreak":
            add(" ", None, brk=True)
        elif kind == "hardbreak":
            add("\n", None, brk=True)
        elif kind in ("em_open", "strong_open"):
            if lead_state == "maybe":
                lead_state = "inside"
            if lead_state == "inside":
                lead_depth += 1
            find(tok.markup)
        elif kind in ("em_close", "strong_close"):
            find(tok.markup)
            if lead_state == "inside":
                lead_depth -= 1
                if lead_depth == 0:
                    lead_state = "done"
        elif kind == "link_open":
            auto = tok.markup == "autolink"
            find("<" if auto else "[")
            link_stack.append((str(tok.attrs.get("href", "")), [], auto))
        elif kind == "link_close":
            if link_stack:
                href, parts, auto = link_stack.pop()
                line_links.append(("".join(parts).strip(), href))
            else:
                auto = False
            if auto:
                find(">")
            else:
                close = src.find("]", cursor, hi)
                if close >= 0:
                    cursor = _skip_destination(src, close + 1, hi)
        elif kind == "image":  # images are not article text; step over ![alt](src)
            start = src.find("![", cursor, hi)
            if start >= 0:
                cursor = _skip_destination(src, _skip_bracket(src, start + 1, hi), hi)
        elif kind == "html_inline":
            find(tok.content)
    if line_text or not block.lines:
        block.lines.append(_Line("".join(line_text).strip(), list(line_links)))
    block.lead = "".join(lead_parts).strip()
    block.after_lead = "".join(after_parts).strip() if block.lead else ""


def _skip_bracket(src: str, pos: int, hi: int) -> int:
    """Index after the ``]`` matching the ``[`` at ``pos`` (or ``pos`` if unbalanced)."""
    depth = 0
    k = pos
    while k < hi:
        ch = src[k]
        if ch == "\\":
            k += 2
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return k + 1
        k += 1
    return pos


def _skip_destination(src: str, pos: int, hi: int) -> int:
    """Index after a link's ``(destination "title")`` or ``[ref]`` starting at ``pos``."""
    if pos >= hi:
        return pos
    if src[pos] == "[":
        end = src.find("]", pos, hi)
        return end + 1 if end >= 0 else pos
    if src[pos] != "(":
        return pos
    depth, quote, k = 0, "", pos + 1
    while k < hi:
        ch = src[k]
        if ch == "\\":
            k += 2
            continue
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'" and src[k - 1].isspace():
            quote = ch
        elif ch == "<":
            end = src.find(">", k, hi)
            k = end if end >= 0 else k
        elif ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return k + 1
            depth -= 1
        k += 1
    return pos


# --------------------------------------------------------------------------- metadata lines

_TAG_LABELS = {"region", "regions", "theme", "themes", "tag", "tags", "topic", "topics",
               "category", "categories", "section", "sections", "filed under", "in depth report",
               "keywords", "subject", "subjects", "country", "countries", "tagged", "tagged with",
               "posted in", "filed in"}
_AUTHOR_LABELS = {"author", "authors", "by", "written by", "articles by", "writer", "words by",
                  "byline", "creator", "reporter", "reporters", "more articles by"}
_DATE_LABELS = {"published", "date", "posted", "published on", "posted on", "publication date",
                "date published", "published time", "pubdate", "publish date", "published date"}
_UPDATED_LABELS = {"updated", "last updated", "modified", "last modified", "updated on",
                   "modified time", "date modified"}
_ORIGINAL_LABELS = {"originally published", "first published", "originally published at",
                    "originally published in", "originally published on", "original source",
                    "first appeared", "originally appeared", "originally appeared in"}
_URL_LABELS = {"url", "source url", "url source", "canonical", "canonical url", "original url",
               "link", "permalink"}
_OUTLET_LABELS = {"site", "site name", "sitename", "publication", "publisher", "outlet",
                  "og site name"}
_LANG_LABELS = {"lang", "language"}

_LABEL_LINE = re.compile(r"^(?P<label>[^\W\d_][\w &'’-]{0,40}?)\s*:\s*(?P<value>\S.*)$")
_BYLINE = re.compile(r"^(?:by|written by|words by|posted by|reported by|story by)\s+(?P<rest>\S.*)$",
                     re.IGNORECASE)
_ORIGINALLY = re.compile(r"\b(?:originally|first)\s+(?:published|appeared|posted|ran)\s+"
                         r"(?:at|in|on|by|with)\s+(?P<rest>\S.*)$", re.IGNORECASE)
_DATE_FILLER = re.compile(r"\b(?:published|posted|on|at|date|first|last|\d{1,2}:\d{2}(?::\d{2})?"
                          r"|[ap]\.?m\.?|gmt|utc|[ecmp][sd]t|bst|cet)\b|[|,·•—–\-:()]",
                          re.IGNORECASE)
_HTTP = re.compile(r"^https?://\S+$")
_LANG_CODE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


@dataclass
class _Meta:
    """Metadata found so far; the first value found for a field wins."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    outlet: str | None = None
    original_outlet: str | None = None
    original_date: str | None = None
    tags: list[str] = field(default_factory=list)
    url: str | None = None
    language: str | None = None

    def copy(self) -> _Meta:
        return replace(self, authors=list(self.authors), tags=list(self.tags))

    def set(self, name: str, value) -> None:
        if value and not getattr(self, name):
            setattr(self, name, value)


def _outlet_name(text: str) -> str | None:
    """``text`` if it can be a publication's name (short, capitalised, not a sentence)."""
    text = text.strip(" \t.,;:|-–—·•\"'")
    if not text or len(text) > 60 or len(text.split()) > 6:
        return None
    if not (text[0].isupper() or text[0].isdigit() or text.lower().startswith("www.")):
        return None
    if re.search(r"[.!?]\s", text):
        return None
    return text


def _read_line(line: _Line, meta: _Meta, zone: str) -> bool:
    """Read metadata from one line into ``meta``; True if the line is metadata (to be dropped).

    ``zone`` is ``header`` (between title and body: everything is tried), ``body`` (only
    unmistakable labelled lines) or ``footer`` (labels and "originally published" notes).
    """
    text = line.text.strip()
    if not text or len(text) > 300:
        return False
    link_texts = [t for t, _h in line.links if t]
    m = _LABEL_LINE.match(text)
    if m:
        label, value = clean_label(m["label"]), m["value"].strip()
        value_links = [t for t in link_texts if t in value]
        if label in _TAG_LABELS:
            meta.tags.extend(split_tags(value_links if len(value_links) > 1 else [value]))
            return True
        if label in _AUTHOR_LABELS:
            names = split_names(value) or [n for t in value_links for n in split_names(t)]
            meta.set("authors", names)
            return True
        if label in _ORIGINAL_LABELS:
            _read_original(value, value_links, meta)
            return True
        if zone != "body":
            if label in _DATE_LABELS:
                found = find_date(value)
                meta.set("published", found.iso if found else None)
                return True
            if label in _UPDATED_LABELS:
                return True
            if label in _URL_LABELS:
                hrefs = [h for _t, h in line.links if _HTTP.match(h)]
                meta.set("url", value if _HTTP.match(value) else (hrefs[0] if hrefs else None))
                return True
            if label in _OUTLET_LABELS:
                meta.set("outlet", _outlet_name(value))
                return True
    m = _ORIGINALLY.search(text)
    if m and len(text) <= 250:
        _read_original(m["rest"], link_texts, meta)
        return True
    if zone != "header":
        return False
    m = _BYLINE.match(text)
    if m:
        rest = m["rest"]
        found = find_date(rest)
        if found:
            meta.set("published", found.iso)
            rest = rest[:found.start]
        rest = re.split(r"\s+[|–—-]\s+|\s+\|", rest)[0]
        names = split_names(rest) or [n for t in link_texts if t in rest for n in split_names(t)]
        if names:
            meta.set("authors", names)
            return True
        return False
    found = find_date(text)
    if found and len(text) <= 120:
        rest = text[:found.start] + " " + text[found.end:]
        if re.search(r"\b(?:updated|modified)\b", rest, re.IGNORECASE):
            return True
        by = re.search(r"\bby\s+(?P<names>\S.*)$", rest, re.IGNORECASE)
        if by:  # "Posted on 2020-07-14 by Sam Lee"
            names = split_names(" ".join(_DATE_FILLER.sub(" ", by["names"]).split()))
            if not names:
                return False
            meta.set("authors", names)
            rest = rest[:by.start()]
        bare = " ".join(_DATE_FILLER.sub(" ", rest).split())
        if not bare:
            meta.set("published", found.iso)
            return True
        name = _outlet_name(bare)
        if not name:
            return False
        # "<name>, <date>": a publication once the byline has named the author (a blog's
        # "Sam Lee, 14 July 2020" names a person); a second, different one is the original.
        if meta.outlet is None:
            if meta.authors and not any(_same_person(name, a) for a in meta.authors):
                meta.outlet = name
            meta.set("published", found.iso)
        elif not _same_person(name, meta.outlet) and meta.original_outlet is None \
                and not any(_same_person(name, a) for a in meta.authors):
            meta.original_outlet, meta.original_date = name, found.iso
        return True
    return False


def _read_original(rest: str, link_texts: list[str], meta: _Meta) -> None:
    found = find_date(rest)
    name_part = rest[:found.start] if found else rest
    name_part = re.split(r"\s+on\s+|\.\s|\s+\(|,\s", name_part + " ")[0]
    candidates = [t for t in link_texts if t in rest and not find_date(t)
                  and t.lower() not in ("here", "this link", "link")]
    name = _outlet_name(candidates[0] if candidates else name_part)
    if meta.original_outlet is None and name:
        meta.original_outlet = name
        meta.original_date = found.iso if found else None


# --------------------------------------------------------------------------- furniture

_FURNITURE = re.compile(
    r"^(?:advertisement|sponsored(?: content)?|share (?:this|on|via)\b|share:|tweet this\b|"
    r"email this\b|print this\b|related(?: articles| stories| posts| coverage| content| reading)?\s*:"
    r"|read (?:more|also|next)\s*:|see also\s*:|click here\b|sign up (?:for|to|now)\b"
    r"|subscribe (?:to|for|now|today)\b|follow us\b|become an? (?:member|patron|subscriber|supporter)\b"
    r"|support (?:us|our work|independent)\b|donate (?:now|today|here|to us)\b|comment (?:on|below)\b"
    r"|leave a (?:comment|reply)\b|you (?:may|might) (?:also )?like\b|recommended(?: for you)?\s*:?$"
    r"|(?:photo|image|picture)(?: credit)?\s*:|featured image\b|listen to (?:this|the) (?:article|story)\b"
    r"|join (?:our|the) (?:mailing list|newsletter)\b|(?:skip|jump) to (?:main )?content\b"
    r"|this (?:article|story) (?:was|is) (?:produced|distributed|republished) by\b)", re.IGNORECASE)
_FURNITURE_WORDS = {"share", "share this", "share this article", "share this story", "tweet", "print",
                    "email", "comments", "comment", "related", "donate", "subscribe", "menu", "home",
                    "search", "advertisement", "like this", "loading", "loading...", "next",
                    "previous", "back to top", "top", "more", "read more"}
# Lines that only ever follow the article: everything from the first of them on is footer.
_MARKER_START = re.compile(
    r"^(?:articles by\b|more articles by\b|disclaimer\s*(?:[:.–—-]|$)|copyright\s*(?:©|\(c\)|\d{4})"
    r"|©|\(c\)\s*\d{4}|all rights reserved|about the (?:authors?|writers?)\b"
    r"|the (?:views|opinions) expressed (?:in this|here(?:in)?|by the author|are (?:solely )?(?:those|the author))"
    r"|this (?:article|work) is (?:licensed|published) under\b|republish(?:ing)? this (?:article|story)\b"
    r"|you (?:can|may) republish\b|share this:|like this:|related posts?\s*:?$"
    r"|\d+\s+comments?\s*$|leave a (?:comment|reply)\b)",
    re.IGNORECASE)
_FOOTER_HEADING = re.compile(
    r"^(?:about the (?:authors?|writers?)|comments?|\d+ comments?|leave a (?:comment|reply)"
    r"|join the (?:discussion|conversation)|related(?: articles| stories| posts| content| coverage"
    r"| reading| links| news)?|share(?: this)?(?: article| story| post)?|read (?:more|next|also)"
    r"|more (?:from|on|in|by)(?: \S+){1,5}|recommended(?: for you| reading| articles| stories)?"
    r"|you (?:may|might) (?:also )?(?:like|enjoy)|popular(?: posts| articles| stories| now)?"
    r"|most (?:read|popular|viewed|shared)(?: \S+){0,3}|subscribe(?: to(?: \S+){1,5})?|newsletters?"
    r"|sign up(?: for(?: \S+){1,5})?|follow us(?: on(?: \S+){1,3})?|support (?:us|our work|independent(?: \S+){1,3})"
    r"|donate(?: now| today)?|become an? (?:member|patron|subscriber|supporter)(?: \S+){0,5}"
    r"|tags?|topics?|trending(?: now)?|latest(?: news| stories| articles)?|footnotes?|notes|sources"
    r"|references|endnotes|comment on(?: \S+){1,10})$",
    re.IGNORECASE)
_LEGAL = re.compile(r"\bfair use\b.*\bcopyright|\bcopyright\w*\b.*\bfair use\b",
                    re.IGNORECASE | re.DOTALL)
_RESERVED = re.compile(r"\ball rights reserved\b", re.IGNORECASE)
_BIO_VERB = re.compile(r"^\s*(?:(?:is|was|lives|lived|writes|wrote|has|had|teaches|taught|covers"
                       r"|reports|works|worked|serves|served|holds|edits|blogs|tweets|can be reached)"
                       r"\b|[’']s\b|,\s*(?:a|an|the|who|author|editor|professor)\b|\()",
                       re.IGNORECASE)


def _is_furniture(block: _Block) -> bool:
    """Blocks that are never article text, wherever they appear."""
    if block.kind in ("hr", "html") or block.empty or block.link_only:
        return True
    text = block.plain
    bare = text.strip(" \t*_#>|:-–—•·»«").lower()
    if bare in _FURNITURE_WORDS:
        return True
    if len(text) <= 200 and _FURNITURE.match(bare):
        return True
    return (bool(_LEGAL.search(text)) and len(text) <= 3000) \
        or (bool(_RESERVED.search(text)) and len(text) <= 400)


def _same_person(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _bio_kind(block: _Block, authors: list[str]) -> str:
    """``sure`` for a bio that starts with a known author's emphasised name ("**Jane Doe**
    lives in ..."), ``tail`` for one that only reads like a bio (an emphasised unknown name, or
    the author's plain name, then "is", "writes", ...), ``""`` for anything else.

    A ``tail`` bio only ends the article when nothing but furniture follows it, because bodies
    quote people that way too ("**Maria Gomez**, a tenant organiser, said ...").
    """
    if block.kind != "paragraph":
        return ""
    lead = block.lead.strip(" :,")
    if lead and not block.after_lead.startswith(":") and not block.lead.rstrip().endswith(":"):
        if any(_same_person(lead, a) for a in authors):
            return "sure"
        if not block.after_lead:  # the whole paragraph is emphasised: "*Jane Doe is a ...*"
            for name in authors:
                if lead.casefold().startswith(name.casefold()) and _BIO_VERB.match(lead[len(name):]):
                    return "sure"
        if looks_like_name(lead) and _BIO_VERB.match(block.after_lead):
            return "tail"
    text = block.plain
    for name in authors:
        if text.casefold().startswith(name.casefold()) and _BIO_VERB.match(text[len(name):]):
            return "tail"
    return ""


def _is_marker(block: _Block, authors: list[str]) -> str:
    """Why ``block`` starts the page footer (empty if it does not)."""
    text = block.plain
    bare = text.strip(" \t*_#>|-–—•·»«[]").strip()
    if block.kind == "heading" and _FOOTER_HEADING.match(bare.rstrip(":").strip()):
        return "footer heading"
    if block.kind == "heading" and block.link_only and _FURNITURE.match(bare):
        return "footer link"
    if _MARKER_START.match(bare):
        return "footer line"
    if block.kind == "paragraph" and _LEGAL.search(text):
        return "legal notice"
    if _bio_kind(block, authors) == "sure":
        return "author bio"
    return ""


# --------------------------------------------------------------------------- assembly


def _strip_segs(segs: list[_Seg]) -> list[_Seg]:
    """Drop leading and trailing whitespace, shifting the source offsets with it."""
    out = [s for s in segs]
    while out:
        s = out[0]
        t = s.text.lstrip()
        cut = len(s.text) - len(t)
        if t:
            out[0] = _Seg(t, s.src + cut if s.src is not None else None)
            break
        out.pop(0)
    while out:
        s = out[-1]
        t = s.text.rstrip()
        if t:
            out[-1] = _Seg(t, s.src)
            break
        out.pop()
    return out


class _Builder:
    """Accumulates clean text and merges pieces that continue each other."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.pieces: list[Piece] = []

    def add(self, text: str, src: int | None = None) -> None:
        if not text:
            return
        if src is not None and src >= 0:
            last = self.pieces[-1] if self.pieces else None
            if last and last.end == self.length and last.source_end == src:
                self.pieces[-1] = Piece(last.start, self.length + len(text), last.source_start,
                                        src + len(text))
            else:
                self.pieces.append(Piece(self.length, self.length + len(text), src, src + len(text)))
        self.parts.append(text)
        self.length += len(text)

    def text(self) -> str:
        return "".join(self.parts)


def _choose_title(blocks: list[_Block], fm_title: str | None) -> int | None:
    """Index of the block holding the article title, or None.

    With a front-matter title, the heading that repeats it (perhaps without a " | Site"
    suffix). Otherwise the first level-1 heading, else the first heading, that comes before
    any long paragraph (a heading after the body is a section or footer heading); else a short
    first line in the PTC manner.
    """
    def usable(b: _Block) -> bool:
        return b.kind == "heading" and not b.empty and not b.link_only and len(b.plain) <= 300

    if fm_title:
        want = " ".join(fm_title.casefold().split())
        for i, b in enumerate(blocks):
            have = b.plain.casefold()
            if usable(b) and (have == want or want.startswith(have) or want.endswith(have)) \
                    and len(have) >= len(want) / 2:
                return i
        return None
    candidates: list[int] = []
    for i, b in enumerate(blocks):
        if b.kind == "paragraph" and not _is_furniture(b) and len(b.plain.split()) >= 25:
            break
        if usable(b) and not _FOOTER_HEADING.match(b.plain):
            candidates.append(i)
    if candidates:
        return next((i for i in candidates if blocks[i].level == 1), candidates[0])
    first = next((i for i, b in enumerate(blocks) if not _is_furniture(b)), None)
    if first is not None:
        b = blocks[first]
        if b.kind == "paragraph" and len(b.lines) == 1 and len(b.plain) <= 200 \
                and not b.plain.endswith((".", ":", ",")) and first + 1 < len(blocks) \
                and not _read_line(b.lines[0], _Meta(), "header"):
            return first
    return None


def from_markdown(text: str, *, source: str | None = None, doc_id: str | None = None) -> Document:
    """The article in a Markdown capture: title, body and what the page says about it.

    >>> doc = from_markdown("# A Title\\n\\nBy [Jane Doe](/jd)\\n\\nIt *rained*.\\n\\n"
    ...                     "**Jane Doe** writes about weather.\\n")
    >>> doc.text, doc.authors
    ('A Title\\n\\nIt rained.', ('Jane Doe',))
    """
    name = source or "input"
    if not text.strip():
        raise InputError(f"{name}: no text (empty or only whitespace)")
    meta = _Meta()
    fm, body_at = _front_matter(text)
    _read_front_matter(fm, meta)
    blocks = _parse_blocks(text[body_at:], body_at)

    fm_title = fm.get("title", [(None, -1)])[0]
    title_idx = _choose_title(blocks, fm_title[0])
    title_segs: list[_Seg] = []
    if title_idx is not None:
        title_segs = [_Seg(" ", None) if s.brk else s for s in blocks[title_idx].segs]
    elif fm_title[0]:
        title_segs = [_Seg(fm_title[0], fm_title[1] if fm_title[1] >= 0 else None)]
    title_segs = _strip_segs(title_segs)
    title = "".join(s.text for s in title_segs) or None

    start = 0 if title_idx is None else title_idx + 1
    for b in blocks[:title_idx or 0]:  # before the title: navigation, dates, bylines
        if not _is_furniture(b):
            for line in b.lines:
                _read_line(line, meta, "header")
    body_start = len(blocks)
    for i in range(start, len(blocks)):
        b = blocks[i]
        if _is_furniture(b):
            continue
        probe = meta.copy()  # a block is metadata only if every line of it is
        if all(_read_line(line, probe, "header") for line in b.lines):
            meta = probe
            continue
        body_start = i
        break
    if not meta.authors:  # authors named only in the footer ("Articles by: ...") still mark a bio
        probe = _Meta()
        for b in blocks[body_start:]:
            if len(b.lines) == 1 and _LABEL_LINE.match(b.plain) \
                    and clean_label(_LABEL_LINE.match(b.plain)["label"]) in _AUTHOR_LABELS:
                _read_line(b.lines[0], probe, "footer")
        meta.set("authors", probe.authors)

    cut = _footer_start(blocks, body_start, meta.authors)
    body: list[list[_Seg]] = []
    for b in blocks[body_start:cut]:
        if _is_furniture(b):
            continue
        if len(b.lines) == 1 and _read_line(b.lines[0], meta, "body"):
            continue
        if title and b.kind == "heading" and b.plain == title:
            continue
        segs = _strip_segs([s for s in b.segs])
        if segs:
            body.append(segs)
    for b in blocks[cut:]:
        for line in b.lines:
            _read_line(line, meta, "footer")
    if not body:
        raise InputError(f"{name}: no article text found in the Markdown (only a title, links or "
                         "page furniture); pass --kind text to read it as plain text")

    out = _Builder()
    if title:
        for s in title_segs:
            out.add(s.text, s.src)
        out.add("\n\n")
    for n, segs in enumerate(body):
        if n:
            out.add("\n\n")
        for s in segs:
            out.add(s.text, s.src)
    clean = out.text()
    body_text = clean[len(title) + 2:] if title else clean
    logger.debug("%s: title %r, %d body paragraphs, footer at block %d of %d", name, title,
                 len(body), cut, len(blocks))
    original = None
    if meta.original_outlet or meta.original_date:
        original = Original(meta.original_outlet, meta.original_date)
    return Document(
        text=clean, id=doc_id, title=title, authors=dedupe(meta.authors),
        published=meta.published, outlet=meta.outlet, original=original,
        tags=dedupe(meta.tags), url=meta.url,
        language=meta.language or guess_language(body_text),
        source=source, kind="markdown", pieces=tuple(out.pieces))


def _footer_start(blocks: list[_Block], body_start: int, authors: list[str]) -> int:
    """Index of the first block of the page footer (``len(blocks)`` when there is none).

    The footer starts at the first marker after some body text: an author bio, a disclaimer or
    copyright notice, a "Comments"/"Related" heading, or a ``---`` rule followed by anything
    that is not article prose. A bio that only reads like one (see ``_bio_kind``) counts when
    nothing but furniture follows it.
    """
    n = len(blocks)
    prose = [not _is_furniture(b) and not _is_marker(b, authors) for b in blocks]
    prose_after = [False] * (n + 1)  # prose_after[i]: some block from i on is prose
    for i in range(n - 1, -1, -1):
        prose_after[i] = prose[i] or prose_after[i + 1]
    next_non_rule = [n] * (n + 1)
    for i in range(n - 1, -1, -1):
        next_non_rule[i] = next_non_rule[i + 1] if blocks[i].kind == "hr" else i
    for i in range(body_start + 1, n):
        b = blocks[i]
        why = _is_marker(b, authors)
        if not why and b.kind == "hr":
            nxt = next_non_rule[i]
            if nxt == n or not prose[nxt] or _bio_kind(blocks[nxt], authors) == "sure":
                why = "rule before footer"
        if not why and not prose_after[i + 1] and _bio_kind(b, authors) == "tail":
            why = "author bio"
        if why:
            logger.debug("footer starts at block %d: %s", i, why)
            return i
    return n


def _read_front_matter(fm: dict[str, list[tuple[str, int]]], meta: _Meta) -> None:
    for key, values in fm.items():
        texts = [v for v, _off in values if v]
        if not texts:
            continue
        if key in _AUTHOR_LABELS:
            meta.set("authors", [n for t in texts for n in split_names(t)])
        elif key in _DATE_LABELS or key == "published":
            found = find_date(texts[0])
            meta.set("published", found.iso if found else None)
        elif key in _URL_LABELS and _HTTP.match(texts[0]):
            meta.set("url", texts[0])
        elif key in _OUTLET_LABELS:
            meta.set("outlet", _outlet_name(texts[0]))
        elif key in _TAG_LABELS:
            meta.tags.extend(split_tags(texts))
        elif key in _LANG_LABELS and _LANG_CODE.match(texts[0]):
            meta.set("language", texts[0].replace("_", "-").split("-")[0].lower())
        elif key in _ORIGINAL_LABELS:
            _read_original(texts[0], [], meta)
