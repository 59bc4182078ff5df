"""Page furniture around an article: blocks that are never article text (share links,
advertisements, notices), and where the page footer starts (an author bio, a disclaimer, a
"Comments" heading, a rule before anything that is not prose)."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from .._meta import looks_like_name
from .metadata import same_person

if TYPE_CHECKING:
    from .blocks import Block

__all__ = ["FOOTER_HEADING", "footer_start", "is_furniture"]

logger = logging.getLogger(__name__)

_FURNITURE = re.compile(
    r"^(?:advertisement|sponsored(?: content)?|share (?:this|on|via)\b|share:|tweet this\b|"
    r"email this\b|print this\b"
    r"|related(?: articles| stories| posts| coverage| content| reading)?\s*:"
    r"|read (?:more|also|next)\s*:|see also\s*:|click here\b|sign up (?:for|to|now)\b"
    r"|subscribe (?:to|for|now|today)\b|follow us\b"
    r"|become an? (?:member|patron|subscriber|supporter)\b"
    r"|support (?:us|our work|independent)\b|donate (?:now|today|here|to us)\b"
    r"|comment (?:on|below)\b"
    r"|leave a (?:comment|reply)\b|you (?:may|might) (?:also )?like\b"
    r"|recommended(?: for you)?\s*:?$"
    r"|(?:photo|image|picture)(?: credit)?\s*:|featured image\b"
    r"|listen to (?:this|the) (?:article|story)\b"
    r"|join (?:our|the) (?:mailing list|newsletter)\b|(?:skip|jump) to (?:main )?content\b"
    r"|this (?:article|story) (?:was|is) (?:produced|distributed|republished) by\b)",
    re.IGNORECASE)
_FURNITURE_WORDS = {"share", "share this", "share this article", "share this story", "tweet",
                    "print", "email", "comments", "comment", "related", "donate", "subscribe",
                    "menu", "home",
                    "search", "advertisement", "like this", "loading", "loading...", "next",
                    "previous", "back to top", "top", "more", "read more"}
# Lines that only ever follow the article: everything from the first of them on is footer.
_MARKER_START = re.compile(
    r"^(?:articles by\b|more articles by\b|disclaimer\s*(?:[:.–—-]|$)|copyright\s*(?:©|\(c\)|\d{4})"
    r"|©|\(c\)\s*\d{4}|all rights reserved|about the (?:authors?|writers?)\b"
    r"|the (?:views|opinions) expressed "
    r"(?:in this|here(?:in)?|by the author|are (?:solely )?(?:those|the author))"
    r"|this (?:article|work) is (?:licensed|published) under\b"
    r"|republish(?:ing)? this (?:article|story)\b"
    r"|you (?:can|may) republish\b|share this:|like this:|related posts?\s*:?$"
    r"|\d+\s+comments?\s*$|leave a (?:comment|reply)\b)",
    re.IGNORECASE)
FOOTER_HEADING = re.compile(
    r"^(?:about the (?:authors?|writers?)|comments?|\d+ comments?|leave a (?:comment|reply)"
    r"|join the (?:discussion|conversation)|related(?: articles| stories| posts| content| coverage"
    r"| reading| links| news)?|share(?: this)?(?: article| story| post)?|read (?:more|next|also)"
    r"|more (?:from|on|in|by)(?: \S+){1,5}|recommended(?: for you| reading| articles| stories)?"
    r"|you (?:may|might) (?:also )?(?:like|enjoy)|popular(?: posts| articles| stories| now)?"
    r"|most (?:read|popular|viewed|shared)(?: \S+){0,3}|subscribe(?: to(?: \S+){1,5})?|newsletters?"
    r"|sign up(?: for(?: \S+){1,5})?|follow us(?: on(?: \S+){1,3})?"
    r"|support (?:us|our work|independent(?: \S+){1,3})"
    r"|donate(?: now| today)?|become an? (?:member|patron|subscriber|supporter)(?: \S+){0,5}"
    r"|tags?|topics?|trending(?: now)?|latest(?: news| stories| articles)?|footnotes?|notes|sources"
    r"|references|endnotes|comment on(?: \S+){1,10})$",
    re.IGNORECASE)
_LEGAL = re.compile(r"\bfair use\b.*\bcopyright|\bcopyright\w*\b.*\bfair use\b",
                    re.IGNORECASE | re.DOTALL)
_RESERVED = re.compile(r"\ball rights reserved\b", re.IGNORECASE)
_BIO_VERB = re.compile(
    r"^\s*(?:(?:is|was|lives|lived|writes|wrote|has|had|teaches|taught|covers"
    r"|reports|works|worked|serves|served|holds|edits|blogs|tweets|can be reached)"
    r"\b|[’']s\b|,\s*(?:a|an|the|who|author|editor|professor)\b|\()",
    re.IGNORECASE)


def is_furniture(block: Block) -> bool:
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


def _bio_kind(block: Block, authors: list[str]) -> str:
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
        if any(same_person(lead, a) for a in authors):
            return "sure"
        if not block.after_lead:  # the whole paragraph is emphasised: "*Jane Doe is a ...*"
            for name in authors:
                if (lead.casefold().startswith(name.casefold())
                        and _BIO_VERB.match(lead[len(name):])):
                    return "sure"
        if looks_like_name(lead) and _BIO_VERB.match(block.after_lead):
            return "tail"
    text = block.plain
    for name in authors:
        if text.casefold().startswith(name.casefold()) and _BIO_VERB.match(text[len(name):]):
            return "tail"
    return ""


def _is_marker(block: Block, authors: list[str]) -> str:
    """Why ``block`` starts the page footer (empty if it does not)."""
    text = block.plain
    bare = text.strip(" \t*_#>|-–—•·»«[]").strip()
    if block.kind == "heading" and FOOTER_HEADING.match(bare.rstrip(":").strip()):
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


def footer_start(blocks: list[Block], body_start: int, authors: list[str]) -> int:
    """Index of the first block of the page footer (``len(blocks)`` when there is none).

    The footer starts at the first marker after some body text: an author bio, a disclaimer or
    copyright notice, a "Comments"/"Related" heading, or a ``---`` rule followed by anything
    that is not article prose. A bio that only reads like one (see ``_bio_kind``) counts when
    nothing but furniture follows it.
    """
    n = len(blocks)
    prose = [not is_furniture(b) and not _is_marker(b, authors) for b in blocks]
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
