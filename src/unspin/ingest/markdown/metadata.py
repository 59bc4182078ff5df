"""What the lines around an article say about it: authors, dates, outlet, original publication,
tags, URL and language, from labelled lines ("Tags: ..."), bylines, dated lines and front matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from .._meta import clean_label, find_date, split_names, split_tags

if TYPE_CHECKING:
    from .blocks import Block, Line

__all__ = ["Meta", "footer_authors", "read_front_matter", "read_line", "same_person"]

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
_BYLINE = re.compile(
    r"^(?:by|written by|words by|posted by|reported by|story by)\s+(?P<rest>\S.*)$",
    re.IGNORECASE)
_ORIGINALLY = re.compile(r"\b(?:originally|first)\s+(?:published|appeared|posted|ran)\s+"
                         r"(?:at|in|on|by|with)\s+(?P<rest>\S.*)$", re.IGNORECASE)
_DATE_FILLER = re.compile(r"\b(?:published|posted|on|at|date|first|last|\d{1,2}:\d{2}(?::\d{2})?"
                          r"|[ap]\.?m\.?|gmt|utc|[ecmp][sd]t|bst|cet)\b|[|,·•—–\-:()]",
                          re.IGNORECASE)
_HTTP = re.compile(r"^https?://\S+$")
_LANG_CODE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


@dataclass
class Meta:
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

    def copy(self) -> Meta:
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


def read_line(line: Line, meta: Meta, zone: str) -> bool:
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
            if meta.authors and not any(same_person(name, a) for a in meta.authors):
                meta.outlet = name
            meta.set("published", found.iso)
        elif not same_person(name, meta.outlet) and meta.original_outlet is None \
                and not any(same_person(name, a) for a in meta.authors):
            meta.original_outlet, meta.original_date = name, found.iso
        return True
    return False


def _read_original(rest: str, link_texts: list[str], meta: Meta) -> None:
    found = find_date(rest)
    name_part = rest[:found.start] if found else rest
    name_part = re.split(r"\s+on\s+|\.\s|\s+\(|,\s", name_part + " ")[0]
    candidates = [t for t in link_texts if t in rest and not find_date(t)
                  and t.lower() not in ("here", "this link", "link")]
    name = _outlet_name(candidates[0] if candidates else name_part)
    if meta.original_outlet is None and name:
        meta.original_outlet = name
        meta.original_date = found.iso if found else None


def read_front_matter(fm: dict[str, list[tuple[str, int]]], meta: Meta) -> None:
    """Read the fields of ``front_matter()`` into ``meta``; unknown keys are ignored."""
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


def footer_authors(blocks: list[Block]) -> list[str]:
    """Authors named on a labelled line of its own ("Articles by: Jane Doe") in ``blocks``."""
    probe = Meta()
    for b in blocks:
        if len(b.lines) == 1 and _LABEL_LINE.match(b.plain) \
                and clean_label(_LABEL_LINE.match(b.plain)["label"]) in _AUTHOR_LABELS:
            read_line(b.lines[0], probe, "footer")
    return probe.authors


def same_person(a: str, b: str) -> bool:
    """Whether two names are the same, ignoring case and spacing."""
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())
