"""A capture parsed into blocks (headings, paragraphs, code, rules, HTML) with markdown-it-py.

Each block keeps its rendered text as segments; a segment copied literally from the capture
knows its offset there, found by walking the token stream and its line maps with a cursor.
Rewritten characters (escapes, entities, line breaks) get no offset. Each block also keeps its
lines with their links, and counts of word and link characters, for telling article text from
page furniture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = ["Block", "Line", "Seg", "parse_blocks"]


@dataclass
class Seg:
    """Rendered text; ``src`` is its offset in the capture when it is a literal copy."""

    text: str
    src: int | None = None
    brk: bool = False  # a line break inside a paragraph


@dataclass
class Line:
    text: str
    links: list[tuple[str, str]]  # (link text, href)


@dataclass
class Block:
    kind: str  # heading | paragraph | code | hr | html
    level: int = 0
    segs: list[Seg] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
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


def parse_blocks(src: str, base: int) -> list[Block]:
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
    blocks: list[Block] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type in ("paragraph_open", "heading_open") and i + 1 < len(tokens) \
                and tokens[i + 1].type == "inline":
            inline = tokens[i + 1]
            lo, hi = char_range(inline.map or tok.map)
            block = Block("heading" if tok.type == "heading_open" else "paragraph",
                           level=int(tok.tag[1:]) if tok.tag[1:].isdigit() else 0)
            _render_inline(block, inline.children or [], src, lo, hi, base)
            blocks.append(block)
            i += 3
            continue
        if tok.type == "hr":
            blocks.append(Block("hr"))
        elif tok.type == "html_block":
            blocks.append(Block("html"))
        elif tok.type in ("fence", "code_block"):
            lo, hi = char_range(tok.map)
            blocks.append(_code_block(tok.content, src, lo, hi, base))
        i += 1
    if nul:
        for block in blocks:
            block.segs = [Seg(g.text, None, g.brk) if "\ufffd" in g.text else g for g in block.segs]
    return blocks


def _code_block(content: str, src: str, lo: int, hi: int, base: int) -> Block:
    block = Block("code")
    cursor = lo
    for n, line in enumerate(content.rstrip("\n").split("\n")):
        if n:
            block.segs.append(Seg("\n", brk=True))
        pos = src.find(line, cursor, hi) if line else -1
        if pos >= 0:
            cursor = pos + len(line)
        block.segs.append(Seg(line, base + pos if pos >= 0 else None))
        block.lines.append(Line(line, []))
        block.word_chars += sum(ch.isalnum() for ch in line)
    return block


def _render_inline(block: Block, children: list[Token], src: str, lo: int, hi: int,
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
        block.segs.append(Seg(text, base + pos if pos is not None and pos >= 0 else None, brk))
        if brk:
            block.lines.append(Line("".join(line_text).strip(), list(line_links)))
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
        block.lines.append(Line("".join(line_text).strip(), list(line_links)))
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
