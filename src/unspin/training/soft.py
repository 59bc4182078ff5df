"""A teacher's soft labels on disk, and the unlabelled articles they cover.

``teacher.soft_labels`` writes one ``<id>.npz`` per article (and ``soft.json``, the teacher's
record) into a folder; ``unspin train --distill-from`` reads them through the functions below,
so the student's code never imports the teacher's.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..ingest.folder import list_articles
from ..ingest.text import read_file
from ..techniques import TECHNIQUE_IDS
from .data import LabeledArticle

__all__ = ["soft_path", "read_soft", "read_soft_spans", "read_unlabelled",
           "distillation_record"]

T = len(TECHNIQUE_IDS)


def soft_path(folder: Path, article_id: str) -> Path:
    """An article's soft-label file (ids of articles in subfolders hold '/')."""
    return folder / (article_id.replace("/", "__") + ".npz")


def read_soft(folder: str | Path, article_id: str, offsets: np.ndarray) -> np.ndarray | None:
    """The teacher's probabilities (n, 17) moved onto another tokenizer's tokens (``offsets``):
    each token takes those of the teacher token holding its first character. None when the
    teacher has not seen the article."""
    path = soft_path(Path(folder), article_id)
    if not path.exists():
        return None
    z = np.load(path)
    t_off, probs = z["offsets"], z["probs"].astype(np.float32)
    if len(offsets) == 0 or len(t_off) == 0:
        return np.zeros((len(offsets), 3 + T), np.float32)
    i = np.searchsorted(t_off[:, 1], offsets[:, 0], side="right")
    return probs[np.clip(i, 0, len(t_off) - 1)]


def read_soft_spans(folder: str | Path, article_id: str
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The teacher's span labels of an article (``soft_labels(spans=True)``): spans (k, 2),
    technique probabilities (k, 14) and scores (k,); None when it has none."""
    path = soft_path(Path(folder), article_id)
    if not path.exists():
        return None
    z = np.load(path)
    if "spans" not in z:
        return None
    return z["spans"], z["span_probs"].astype(np.float32), z["span_score"].astype(np.float32)


def distillation_record(soft_dir: str | Path, weight: float, unlabelled: int) -> dict:
    """What a student learnt from: the teacher's record written beside its soft labels, the
    weight of the soft-label loss and how many unlabelled articles were used."""
    path = Path(soft_dir) / "soft.json"
    record = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return {**record, "weight": weight, "unlabelled_articles": unlabelled}


def read_unlabelled(folder: str | Path, limit: int = 0) -> list[LabeledArticle]:
    """Articles of an unlabelled folder (``article<ID>.txt``) as LabeledArticles without spans."""
    arts = [LabeledArticle(aid, read_file(p)) for aid, p in
            sorted(list_articles(Path(folder), suffixes=(".txt",)).items())]
    return arts[:limit] if limit else arts
