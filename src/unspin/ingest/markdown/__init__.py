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

The reader is split by concern: ``sniff`` (is it Markdown at all), ``frontmatter`` (YAML or
reader-service header), ``blocks`` (markdown-it tokens -> blocks whose text knows its offsets),
``metadata`` (authors, dates, outlet, tags from the lines around the article), ``furniture``
(text that is never the article, and where the footer starts) and ``reader`` (title, body and
the clean text with its pieces).
"""

from .reader import from_markdown
from .sniff import looks_like_capture

__all__ = ["from_markdown", "looks_like_capture"]
