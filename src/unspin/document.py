"""Document: an article's clean text, its metadata, and a map from text offsets to the source.

``Document.text`` is what the detector reads and what every span offset indexes (``str``
indices, end exclusive). ``pieces`` record where each stretch of the clean text came from in the
source (file characters for text and Markdown, the page's text for HTML), so a span can be shown
in its original context.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

__all__ = ["Document", "Piece", "Original"]


@dataclass(frozen=True)
class Piece:
    """``text[start:end]`` came from ``source[source_start:source_end]``."""

    start: int
    end: int
    source_start: int
    source_end: int


@dataclass(frozen=True)
class Original:
    """Where the article says it was first published."""

    outlet: str | None = None
    published: str | None = None  # ISO date


@dataclass(frozen=True)
class Document:
    """An article ready for detection. Unknown metadata stays None (or empty), never invented.

    >>> Document("Hello world.").text
    'Hello world.'
    """

    text: str
    id: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    outlet: str | None = None
    original: Original | None = None
    tags: tuple[str, ...] = ()
    url: str | None = None
    language: str | None = None
    source: str | None = None  # path, URL or "-" the document was read from
    kind: str = "text"  # text | markdown | html | url | record
    pieces: tuple[Piece, ...] = field(default=(), repr=False, compare=False)

    #: Fields kept in memory only; they are not part of the JSON contract.
    INTERNAL = ("source", "kind", "pieces")

    def with_(self, **changes) -> Document:
        return replace(self, **changes)

    def source_offsets(self, start: int, end: int) -> tuple[int, int] | None:
        """Map a text range to the source range it came from, or None if it spans no piece."""
        if not self.pieces:
            return (start, end) if self.kind == "text" else None
        first = last = None
        for p in self.pieces:
            if p.end > start and p.start < end:
                if first is None:
                    first = p.source_start + max(0, start - p.start)
                last = p.source_start + min(p.end, end) - p.start
        if first is None or last is None:
            return None
        return first, last
