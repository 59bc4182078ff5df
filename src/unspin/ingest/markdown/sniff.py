"""Is a text a Markdown capture or plain prose? A cheap look at its first 20 KB."""

from __future__ import annotations

import re

from .frontmatter import front_matter

__all__ = ["looks_like_capture"]

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
    if front_matter(head)[1]:
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
