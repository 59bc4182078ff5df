"""A Markdown capture -> Document: choose the title, skip the header's metadata lines, cut the
footer, and assemble the clean text in the PTC layout with pieces pointing into the capture."""

from __future__ import annotations

import logging

from ...document import Document, Original, Piece
from ...errors import InputError
from .._meta import dedupe, guess_language
from .blocks import Block, Seg, parse_blocks
from .frontmatter import front_matter
from .furniture import FOOTER_HEADING, footer_start, is_furniture
from .metadata import Meta, footer_authors, read_front_matter, read_line

__all__ = ["from_markdown"]

logger = logging.getLogger(__name__)


def _strip_segs(segs: list[Seg]) -> list[Seg]:
    """Drop leading and trailing whitespace, shifting the source offsets with it."""
    out = [s for s in segs]
    while out:
        s = out[0]
        t = s.text.lstrip()
        cut = len(s.text) - len(t)
        if t:
            out[0] = Seg(t, s.src + cut if s.src is not None else None)
            break
        out.pop(0)
    while out:
        s = out[-1]
        t = s.text.rstrip()
        if t:
            out[-1] = Seg(t, s.src)
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
                self.pieces.append(Piece(self.length, self.length + len(text),
                                         src, src + len(text)))
        self.parts.append(text)
        self.length += len(text)

    def text(self) -> str:
        return "".join(self.parts)


def _choose_title(blocks: list[Block], fm_title: str | None) -> int | None:
    """Index of the block holding the article title, or None.

    With a front-matter title, the heading that repeats it (perhaps without a " | Site"
    suffix). Otherwise the first level-1 heading, else the first heading, that comes before
    any long paragraph (a heading after the body is a section or footer heading); else a short
    first line in the PTC manner.
    """
    def usable(b: Block) -> bool:
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
        if b.kind == "paragraph" and not is_furniture(b) and len(b.plain.split()) >= 25:
            break
        if usable(b) and not FOOTER_HEADING.match(b.plain):
            candidates.append(i)
    if candidates:
        return next((i for i in candidates if blocks[i].level == 1), candidates[0])
    first = next((i for i, b in enumerate(blocks) if not is_furniture(b)), None)
    if first is not None:
        b = blocks[first]
        if b.kind == "paragraph" and len(b.lines) == 1 and len(b.plain) <= 200 \
                and not b.plain.endswith((".", ":", ",")) and first + 1 < len(blocks) \
                and not read_line(b.lines[0], Meta(), "header"):
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
    meta = Meta()
    fm, body_at = front_matter(text)
    read_front_matter(fm, meta)
    blocks = parse_blocks(text[body_at:], body_at)

    fm_title = fm.get("title", [(None, -1)])[0]
    title_idx = _choose_title(blocks, fm_title[0])
    title_segs: list[Seg] = []
    if title_idx is not None:
        title_segs = [Seg(" ", None) if s.brk else s for s in blocks[title_idx].segs]
    elif fm_title[0]:
        title_segs = [Seg(fm_title[0], fm_title[1] if fm_title[1] >= 0 else None)]
    title_segs = _strip_segs(title_segs)
    title = "".join(s.text for s in title_segs) or None

    start = 0 if title_idx is None else title_idx + 1
    for b in blocks[:title_idx or 0]:  # before the title: navigation, dates, bylines
        if not is_furniture(b):
            for line in b.lines:
                read_line(line, meta, "header")
    body_start = len(blocks)
    for i in range(start, len(blocks)):
        b = blocks[i]
        if is_furniture(b):
            continue
        probe = meta.copy()  # a block is metadata only if every line of it is
        if all(read_line(line, probe, "header") for line in b.lines):
            meta = probe
            continue
        body_start = i
        break
    if not meta.authors:  # authors named only in the footer ("Articles by: ...") still mark a bio
        meta.set("authors", footer_authors(blocks[body_start:]))

    cut = footer_start(blocks, body_start, meta.authors)
    body: list[list[Seg]] = []
    for b in blocks[body_start:cut]:
        if is_furniture(b):
            continue
        if len(b.lines) == 1 and read_line(b.lines[0], meta, "body"):
            continue
        if title and b.kind == "heading" and b.plain == title:
            continue
        segs = _strip_segs([s for s in b.segs])
        if segs:
            body.append(segs)
    for b in blocks[cut:]:
        for line in b.lines:
            read_line(line, meta, "footer")
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
