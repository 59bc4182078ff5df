"""Labelled articles for training and evaluation: PTC-layout folders and JSONL files.

A PTC folder holds ``train-articles/article<ID>.txt`` (or the ``article<ID>.txt`` files directly)
and optionally ``*-labels-task2-technique-classification/article<ID>.task2-TC.labels`` lines
``ID<TAB>technique<TAB>start<TAB>end`` (read by ``report.semeval.read_span_lines``); the
development articles ``dev-articles/`` with ``dev-labels-task2-technique-classification/`` are
held out with the validation split (``read_heldout``). A SemEval-2023 folder has the same
``train-articles/`` and ``dev-articles/`` with the labels in ``train-labels/article<ID>.labels``
and ``dev-labels/`` (same lines, 2023 technique names). A JSONL file holds one
``{"id", "text", "spans": [{"start", "end", "technique"}]}`` object per line.

Labels are read in one taxonomy (``taxonomy``, default 2020), in any spelling it accepts; a
label it does not know is an InputError (a 2023 name read as 2020 says to use 2023).
Offsets are ``str`` indices into the text read as UTF-8 with newlines kept, end exclusive.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..ingest.folder import list_articles
from ..ingest.text import read_file
from ..report.semeval import read_span_lines
from ..techniques import TAXONOMIES, taxonomy

__all__ = ["LabeledArticle", "GoldSpan", "read_labeled", "read_heldout", "read_all_labelled",
           "split_ids",
           "split_articles", "is_validation", "VALIDATION_PERCENT", "fold_of", "parse_fold"]

#: Share of articles held out for validation by ``split_ids`` (see there).
VALIDATION_PERCENT = 15


@dataclass(frozen=True)
class GoldSpan:
    start: int
    end: int
    technique: str


@dataclass
class LabeledArticle:
    id: str
    text: str
    spans: list[GoldSpan] = field(default_factory=list)


def _label_id(tax_name: str | None):
    """``technique -> id`` in the taxonomy ``tax_name``, None for a label it does not know."""
    return taxonomy(tax_name).normalize


def _unknown(tech: str, tax_name: str | None) -> str:
    """Why ``tech`` is refused: unknown, or a name of another taxonomy (which one to use)."""
    other = [n for n, t in TAXONOMIES.items() if n != taxonomy(tax_name).name and t.normalize(tech)]
    hint = f" (a {other[0]} label: use --taxonomy {other[0]})" if other else ""
    return f"unknown technique {tech!r}{hint}"


def _read_ptc(folder: Path, part: str = "train", tax_name: str | None = None
              ) -> list[LabeledArticle]:
    """The articles of a PTC-layout folder's ``part`` (``<part>-articles/`` with labels in
    ``<part>-labels-task2-technique-classification/``, or in ``<part>-labels/`` as the
    SemEval-2023 folders have them), or of a folder of articles and label folders."""
    label_id = _label_id(tax_name)
    if (folder / f"{part}-articles").is_dir():
        articles = list_articles(folder / f"{part}-articles", suffixes=(".txt",))
        label_dirs = sorted(folder.glob(f"{part}-*task2-technique-classification*"))
        if (folder / f"{part}-labels").is_dir():
            label_dirs.append(folder / f"{part}-labels")
    else:
        articles = list_articles(folder, suffixes=(".txt",))
        label_dirs = sorted(folder.glob("*task2-technique-classification*"))
    if not articles:
        raise InputError(f"{folder}: no article<ID>.txt files found")
    labels: dict[str, list[GoldSpan]] = {aid: [] for aid in articles}
    for label_dir in label_dirs:
        for path in sorted(label_dir.glob("*.labels")):
            for lineno, aid, tech, start, end in read_span_lines(path):
                tid = label_id(tech)
                if tid is None:
                    raise InputError(f"{path}:{lineno}: {_unknown(tech, tax_name)}")
                if aid in labels:
                    labels[aid].append(GoldSpan(start, end, tid))
    out = []
    for aid, path in articles.items():
        text = read_file(path)
        spans = sorted(labels[aid], key=lambda s: (s.start, s.end, s.technique))
        out.append(LabeledArticle(aid, text, spans))
    return out


def _read_jsonl(path: Path, tax_name: str | None = None) -> list[LabeledArticle]:
    label_id = _label_id(tax_name)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text, so no JSON Lines of labelled articles "
                         f"(byte {exc.start})") from None
    out = []
    # lines as the file iterates them (not splitlines: U+2028 may sit inside a JSON string)
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            spans = []
            for s in obj.get("spans", []):
                tid = label_id(s["technique"])
                if tid is None:
                    raise ValueError(_unknown(s["technique"], tax_name))
                spans.append(GoldSpan(int(s["start"]), int(s["end"]), tid))
            out.append(LabeledArticle(str(obj["id"]), obj["text"], spans))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"{path}:{lineno}: bad line ({exc})") from None
    return out


def read_labeled(source: str | Path, taxonomy_name: str | None = None
                 ) -> list[LabeledArticle]:
    """Read labelled articles from a PTC-layout or SemEval-2023 folder (its training
    articles) or a JSONL file, spans checked, techniques as ids of ``taxonomy_name``.

    >>> arts = read_labeled("../shared/data/ptc")  # doctest: +SKIP
    """
    path = Path(source)
    if path.is_dir():
        arts = _read_ptc(path, tax_name=taxonomy_name)
    elif path.is_file():
        arts = _read_jsonl(path, taxonomy_name)
    else:
        raise InputError(f"{path}: no such file or folder")
    return _checked(arts, path)


def _checked(arts: list[LabeledArticle], path: Path) -> list[LabeledArticle]:
    for art in arts:
        for s in art.spans:
            if not (0 <= s.start < s.end <= len(art.text)):
                raise InputError(
                    f"article {art.id}: span {s.start}-{s.end} outside its text "
                    f"of {len(art.text)} characters"
                )
    if not arts:
        raise InputError(f"{path}: no labelled articles")
    return arts


def read_heldout(ptc_dir: str | Path, percent: int = VALIDATION_PERCENT,
                 taxonomy_name: str | None = None
                 ) -> tuple[list[LabeledArticle], list[LabeledArticle]]:
    """The held-out articles models are compared on, as (validation, dev): the validation
    split of the training articles (``split_ids``; 49 in PTC) and the SemEval-2020
    development articles with their gold (``dev-articles/``; 75). No model trains on either.
    A SemEval-2023 folder (``taxonomy_name="2023"``) gives the same articles, 2023 gold.

    >>> val, dev = read_heldout("../shared/data/ptc")  # doctest: +SKIP
    >>> len(val), len(dev)                              # doctest: +SKIP
    (49, 75)
    """
    folder = Path(ptc_dir)
    if not (folder / "dev-articles").is_dir():
        raise InputError(f"{folder}: no dev-articles/ folder (the SemEval-2020 development "
                         "articles and their labels, PTC layout)")
    train = read_labeled(folder, taxonomy_name)
    _train_ids, val_ids = split_ids([a.id for a in train], percent)
    by_id = {a.id: a for a in train}
    dev = _checked(_read_ptc(folder, "dev", taxonomy_name), folder / "dev-articles")
    both = set(by_id) & {a.id for a in dev}
    if both:
        raise InputError(f"{folder}: article {min(both)} is both a training and a development "
                         "article, so the development articles are not held out")
    return [by_id[i] for i in val_ids], dev


def read_all_labelled(ptc_dir: str | Path, taxonomy_name: str | None = None
                      ) -> list[LabeledArticle]:
    """Every labelled article of a PTC folder: the training articles, validation split included,
    and the development articles (446 in PTC). What a shipped model is retrained on once its
    recipe has been chosen on the held-out articles; nothing is left to validate on.

    >>> len(read_all_labelled("../shared/data/ptc"))  # doctest: +SKIP
    446
    """
    _val, dev = read_heldout(ptc_dir, taxonomy_name=taxonomy_name)  # checks they do not overlap
    return read_labeled(ptc_dir, taxonomy_name) + dev


def is_validation(article_id: str, percent: int = VALIDATION_PERCENT) -> bool:
    """The fixed validation split: an article is held out when sha256(id) mod 100 < percent.

    Hashing the id (not shuffling) keeps the split stable when articles are added or reordered.
    """
    h = int(hashlib.sha256(article_id.encode("utf-8")).hexdigest(), 16)
    return h % 100 < percent


def fold_of(article_id: str, folds: int) -> int:
    """The fold (1 … ``folds``) of an article for teachers trained out of fold: by sha256 of
    the id with a salt of its own, so folds cut across the validation split rather than
    along it, and an article keeps its fold whatever else is added.

    >>> fold_of("111111111", 5) == fold_of("111111111", 5)
    True
    """
    h = int(hashlib.sha256(f"fold\t{article_id}".encode()).hexdigest(), 16)
    return h % folds + 1


def parse_fold(text: str) -> tuple[int, int]:
    """``"K/N"`` as (K, N): fold K of N, 1 <= K <= N, 2 <= N <= 20.

    >>> parse_fold("2/5")
    (2, 5)
    """
    k, sep, n = str(text).partition("/")
    if sep and k.strip().isdecimal() and n.strip().isdecimal():  # isdigit takes '²'
        k_, n_ = int(k), int(n)
        if 2 <= n_ <= 20 and 1 <= k_ <= n_:
            return k_, n_
    raise InputError(f"fold {text!r}: give K/N, fold K of N (2 to 20 folds), e.g. 2/5")


def split_ids(ids, percent: int = VALIDATION_PERCENT) -> tuple[list[str], list[str]]:
    """Split article ids into (train, validation) with ``is_validation``."""
    train, val = [], []
    for aid in sorted(ids):
        (val if is_validation(aid, percent) else train).append(aid)
    return train, val


def split_articles(data: str | Path, percent: int = VALIDATION_PERCENT, limit: int = 0,
                   taxonomy_name: str | None = None
                   ) -> tuple[list[LabeledArticle], list[LabeledArticle]]:
    """The labelled articles of ``data`` as (training, validation) by ``split_ids``; with
    ``limit`` (smoke runs) only the first ``limit`` training and ``limit // 2`` (at least 2)
    validation articles. Too few articles for both sides is an ``InputError``."""
    arts = read_labeled(data, taxonomy_name)
    train_ids, val_ids = split_ids([a.id for a in arts], percent)
    if not val_ids or not train_ids:
        raise InputError(f"{data}: too few articles to split into training and validation")
    if limit:
        train_ids, val_ids = train_ids[:limit], val_ids[:max(2, limit // 2)]
    by_id = {a.id: a for a in arts}
    return [by_id[i] for i in train_ids], [by_id[i] for i in val_ids]
