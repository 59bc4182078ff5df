"""Front matter at the top of a capture: YAML between ``---`` lines, or the "Title: / URL
Source: / Markdown Content:" header that reader services put before the page."""

from __future__ import annotations

import re

from .._meta import clean_label

__all__ = ["front_matter"]

_YAML_FM = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?P<body>.*?)"
                      r"(?:\r?\n|\A)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)",
                      re.DOTALL)
_READER_FM = re.compile(r"\A\ufeff?\s*(?P<body>(?:[A-Z][A-Za-z ]{1,30}:[^\n]*\r?\n\s*){1,15})"
                        r"Markdown Content:[ \t]*(?:\r?\n|\Z)")
_FM_LINE = re.compile(r"^(?P<key>[A-Za-z][\w -]{0,30}?)[ \t]*:[ \t]*(?P<value>.*?)[ \t]*\r?$",
                      re.MULTILINE)
_FM_ITEM = re.compile(r"^[ \t]*-[ \t]+(?P<value>.*?)[ \t]*\r?$", re.MULTILINE)


def front_matter(text: str) -> tuple[dict[str, list[tuple[str, int]]], int]:
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
