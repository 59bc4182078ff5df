"""Folders of articles: which files are articles, and the one rule for an article's id.

Used by ``unspin analyze DIR``, ``label-spans``, batch runs and the training data reader alike.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError

__all__ = ["ARTICLE_SUFFIXES", "NOT_ARTICLES", "TABLE_SUFFIXES", "table_format", "article_id",
           "list_articles", "is_article", "skipped_files", "shown_name"]

#: An article in a folder is a file with one of these suffixes (any case) that is not hidden
#: (no part of its path starts with ".") and not named as one of ``NOT_ARTICLES``.
ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
#: Names of files that describe a folder rather than hold an article, compared without case
#: and suffix and up to a "-", "_" or ".": ``README.md``, ``readme.txt``, ``README-PTC.txt``.
NOT_ARTICLES = ("readme", "license", "licence", "changelog", "contributing")
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


def is_article(rel: str | Path, suffixes: tuple[str, ...] = ARTICLE_SUFFIXES) -> bool:
    """Whether the file at ``rel`` (its path inside a folder) is read as an article.

    >>> [is_article(n) for n in ("a.txt", "b.HTML", "README.md", "README-PTC.txt", ".x.txt")]
    [True, True, False, False, False]
    >>> is_article("notes.json"), is_article("readers.txt")
    (False, True)
    """
    rel = Path(rel)
    stem = rel.name.lower().split(".")[0].replace("_", "-").split("-")[0]
    return (rel.suffix.lower() in suffixes and stem not in NOT_ARTICLES
            and not any(part.startswith(".") for part in rel.parts))


def _folder(folder: str | Path) -> Path:
    folder = Path(folder)
    if (folder / "train-articles").is_dir():
        folder = folder / "train-articles"
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder")
    return folder


def list_articles(folder: str | Path, suffixes: tuple[str, ...] = ARTICLE_SUFFIXES
                  ) -> dict[str, Path]:
    """``{id: path}`` for every article file under ``folder`` (recursively, by ``is_article``,
    sorted by path). A PTC-layout folder is read from its ``train-articles``."""
    folder = _folder(folder)
    found: dict[str, Path] = {}
    for p in sorted(folder.rglob("*")):
        if is_article(p.relative_to(folder), suffixes) and p.is_file():
            found.setdefault(article_id(p.relative_to(folder)), p)
    return found


def skipped_files(folder: str | Path, suffixes: tuple[str, ...] = ARTICLE_SUFFIXES
                  ) -> list[Path]:
    """The files under ``folder`` that ``list_articles`` leaves out (sorted; inside hidden
    folders such as ``.git`` nothing is counted), to tell the user what was not read."""
    folder = _folder(folder)
    skipped = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if (not any(part.startswith(".") for part in rel.parts[:-1]) and p.is_file()
                and not is_article(rel, suffixes)):
            skipped.append(p)
    return skipped
