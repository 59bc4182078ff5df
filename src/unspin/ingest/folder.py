"""Folders of articles: which files are articles, and the one rule for an article's id.

Used by ``unspin analyze DIR``, ``label-spans``, batch runs and the training data reader alike.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError

__all__ = ["ARTICLE_SUFFIXES", "TABLE_SUFFIXES", "table_format", "article_id", "list_articles",
           "shown_name"]

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
#: files that hold many articles, one per row, by format: ``unspin batch`` reads them, while
#: ``load`` (one article) refuses them
TABLE_SUFFIXES = {"jsonl": (".jsonl", ".ndjson", ".json"), "csv": (".csv",),
                  "parquet": (".parquet", ".pq")}


def table_format(path: str | Path) -> str | None:
    """The format of a file of articles by its suffix ("jsonl", "csv", "parquet"), or None.

    >>> table_format("a.JSON"), table_format("b.pq"), table_format("c.txt")
    ('jsonl', 'parquet', None)
    """
    suffix = Path(path).suffix.lower()
    return next((fmt for fmt, suffixes in TABLE_SUFFIXES.items() if suffix in suffixes), None)


def shown_name(name: str | Path) -> str:
    """A file name as text that can be written anywhere: bytes of the name that are not UTF-8
    (which Python keeps as lone surrogates) become U+FFFD, the one printable form used in
    ids, sources, reports and tables.

    >>> shown_name(b"article\\xff.txt".decode("utf-8", "surrogateescape"))
    'article�.txt'
    """
    name = str(name)
    if name.isascii():
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def article_id(rel: str | Path) -> str:
    """An article's id from its path relative to the folder: the path without its suffix,
    and ``article<DIGITS>`` (the PTC/SemEval naming) shortened to the digits; bytes that are
    not UTF-8 become U+FFFD (``shown_name``).

    >>> article_id("article111111111.txt"), article_id("2024/article7.txt"), article_id("a b.md")
    ('111111111', '2024/7', 'a b')
    """
    rel = Path(rel)
    name = rel.stem
    if name.startswith("article") and name[7:].isdigit():
        name = name[7:]
    return shown_name((rel.parent / name).as_posix() if rel.parent != Path(".") else name)


def list_articles(folder: str | Path, suffixes: tuple[str, ...] = ARTICLE_SUFFIXES
                  ) -> dict[str, Path]:
    """``{id: path}`` for every article file under ``folder`` (recursively, hidden files and
    folders skipped, sorted by path). A PTC-layout folder is read from its ``train-articles``."""
    folder = Path(folder)
    if (folder / "train-articles").is_dir():
        folder = folder / "train-articles"
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder")
    found: dict[str, Path] = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if (p.suffix.lower() in suffixes and not any(s.startswith(".") for s in rel.parts)
                and p.is_file()):
            found.setdefault(article_id(rel), p)
    return found
