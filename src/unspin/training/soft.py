"""A teacher's soft labels on disk, and the unlabelled articles they cover.

``teacher.soft_labels`` writes one ``<id>.npz`` per article (and ``soft.json``, the teacher's
record) into a folder; ``unspin train --distill-from`` reads them through the functions below,
so the student's code never imports the teacher's.
"""

from __future__ import annotations

import json
import logging
import shutil
import zipfile
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..ingest.folder import list_articles
from ..ingest.text import read_file
from ..techniques import TECHNIQUE_IDS
from .data import LabeledArticle

__all__ = ["soft_path", "read_soft", "read_soft_spans", "read_unlabelled",
           "distillation_record", "merge_soft"]

T = len(TECHNIQUE_IDS)

log = logging.getLogger(__name__)


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


def merge_soft(folders: list[str | Path], out: str | Path) -> int:
    """Several teachers' soft labels as one folder: each article's labels are the average of
    the folders that hold it. Folders written by the N runs of one fold split (``unspin teacher
    train --fold K/N``) hold each training article once, labelled by the one teacher that never
    learnt it (out of fold), and every unlabelled article N times (the teachers' average).

    Token probabilities are averaged over the teachers' word pieces, which must be the same
    (one tokenizer, one stride). Span labels are pooled by span: a span's technique
    probabilities are the mean of the teachers that judged it, and its score the mean over
    all of them, 0 for a teacher that did not find it (gold spans, which every teacher judges
    at 1, stay at 1). Nothing is written unless every article merges: the result is built
    beside ``out`` and moved there at the end. Returns how many articles were written."""
    folders = [Path(f) for f in folders]
    out = Path(out)
    if len(folders) < 2:
        raise InputError("give at least two folders of soft labels to merge")
    records, labellers, names = [], [], set()
    for f in folders:
        if f.resolve() == out.resolve():
            raise InputError(f"{out}: --out is one of the folders merged; give a new folder")
        records.append(_folder_record(f, "soft.json"))
        labellers.append(_folder_record(f, "labeller.json"))
        if "merged" in labellers[-1]:  # averaged again, its teachers would weigh less
            raise InputError(f"{f}: already merged ('unspin teacher merge'); merge the folders "
                             "it was made from with the others")
        held = {p.name for p in f.glob("*.npz") if not p.name.endswith(".tmp.npz")}
        if records[-1].get("articles") != len(held):
            raise InputError(f"{f}: holds {len(held)} soft-label files but its soft.json "
                             f"counts {records[-1].get('articles')}: still being labelled, or "
                             "stopped? let 'unspin teacher label' finish first")
        names |= held
    for key in ("stride", "spans"):
        values = {json.dumps(r.get(key)) for r in records}
        if len(values) > 1:
            raise InputError(f"{', '.join(map(str, folders))}: labelled with different {key} "
                             f"({', '.join(sorted(values))}); merge labels made alike")
    seen = [json.dumps(x, sort_keys=True) for x in labellers]
    for i, x in enumerate(seen):
        if x in seen[:i]:
            raise InputError(f"{folders[i]}: labelled by the same teacher as "
                             f"{folders[seen.index(x)]}; each folder must be another teacher's")
    teachers = [r.get("teacher") or {} for r in records]
    _check_folds([t.get("fold") or "" for t in teachers], folders)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"{out}: not empty; merge into a new folder")
    if not names:
        raise InputError(f"{', '.join(map(str, folders))}: no soft labels to merge")
    out.parent.mkdir(parents=True, exist_ok=True)
    building = out.parent / f".{out.name}.merging"
    shutil.rmtree(building, ignore_errors=True)  # left by a merge that was stopped
    building.mkdir()
    try:
        for name in sorted(names):
            np.savez(building / name,
                     **_merged([f / name for f in folders if (f / name).is_file()]))
        first = teachers[0]
        record = {"teacher": {
            "model": first.get("model"), "sha256": first.get("sha256"),
            "frozen_layers": first.get("frozen_layers"), "epochs": first.get("epochs"),
            "best_epoch": first.get("best_epoch"), "validation": _mean_scores(teachers),
            "epoch_seconds": [s for t in teachers for s in t.get("epoch_seconds") or []],
            "tokens_per_s": [s for t in teachers for s in t.get("tokens_per_s") or []],
            "members": [{k: t.get(k) for k in ("fold", "best_epoch", "validation")}
                        for t in teachers]},
            "stride": records[0].get("stride"), "spans": records[0].get("spans"),
            "articles": len(names)}
        (building / "soft.json").write_text(json.dumps(record, indent=1) + "\n",
                                            encoding="utf-8")
        (building / "labeller.json").write_text(json.dumps({"merged": labellers}) + "\n",
                                                encoding="utf-8")
        if out.exists():
            out.rmdir()  # empty, as checked
        building.rename(out)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return len(names)


def _check_folds(folds: list[str], folders: list[Path]) -> None:
    """Refuse fold runs of different splits (``K/N`` with other N's: their folds cut the
    articles differently); say which folds of a split are missing, whose training articles
    will have no soft labels, and which teachers among fold teachers trained on every
    article."""
    splits = {f.partition("/")[2] for f in folds if f}
    if splits and not all(folds):  # a teacher of every training article among fold teachers
        whole = [str(f) for f, k in zip(folders, folds) if not k]
        log.warning("%s: labelled by a teacher trained on every training article; averaged "
                    "with the fold teachers, its labels make the training articles' labels "
                    "partly in fold", ", ".join(whole))
    if len(splits) > 1:
        raise InputError(f"{', '.join(map(str, folders))}: teachers of different fold splits "
                         f"({', '.join(sorted(f for f in folds if f))}); merge the runs of one "
                         "split")
    if splits and all(folds):
        n = int(splits.pop())
        missing = sorted(set(range(1, n + 1)) - {int(f.partition("/")[0]) for f in folds})
        if missing:
            log.warning("no teacher of fold %s of %d: its training articles get no soft "
                        "labels", ", ".join(map(str, missing)), n)


def _folder_record(folder: Path, name: str) -> dict:
    """A labels folder's ``soft.json`` or ``labeller.json``, checked."""
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder of soft labels")
    try:
        record = json.loads((folder / name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{folder}: no {name} (not a folder 'unspin teacher label' "
                         "wrote?)") from None
    except (OSError, ValueError, UnicodeDecodeError):
        raise InputError(f"{folder / name}: unreadable") from None
    if not isinstance(record, dict):
        raise InputError(f"{folder / name}: not a labels record")
    return record


def _merged(paths: list[Path]) -> dict[str, np.ndarray]:
    """One article's labels from the teachers that hold it (see ``merge_soft``)."""
    name = ", ".join(map(str, paths))
    try:
        held = [np.load(p) for p in paths]
        offsets = held[0]["offsets"]
        if any(not np.array_equal(z["offsets"], offsets) for z in held[1:]):
            raise InputError(f"{name}: the teachers' word pieces differ (another tokenizer or "
                             "stride?); merge labels made alike")
        probs = np.mean([z["probs"].astype(np.float32) for z in held], axis=0)
        with_spans = ["spans" in z.files for z in held]
        if any(with_spans) != all(with_spans):
            raise InputError(f"{name}: span labels in some folders only; merge labels made "
                             "alike")
        pooled: dict[tuple[int, int], list[tuple[np.ndarray, float]]] = {}
        for z in held if all(with_spans) else []:
            for (a, b), p, score in zip(z["spans"], z["span_probs"].astype(np.float32),
                                        z["span_score"].astype(np.float32)):
                pooled.setdefault((int(a), int(b)), []).append((p, float(score)))
    except InputError:
        raise
    except (KeyError, ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
        bad = next((p for p in paths if not _readable(p)), name)
        raise InputError(f"{bad}: not a soft-label file ({e}); remove it and run "
                         "'unspin teacher label' into its folder again") from None
    arrays = {"offsets": offsets, "probs": probs.astype(np.float16)}
    if not all(with_spans):
        return arrays
    # a teacher that did not find a span counts 0 towards its score; a gold span, judged by
    # every teacher at 1, stays at 1 (one teacher's own span at 1 does not make it gold)
    score = {k: sum(s for _p, s in got) / len(held) for k, got in pooled.items()}
    where = sorted(pooled, key=lambda k: (score[k] < 1.0, k))  # gold first, as one teacher's
    return {**arrays,
            "spans": np.array(where, dtype=np.int32).reshape(-1, 2),
            "span_probs": np.array([np.mean([p for p, _s in pooled[k]], axis=0) for k in where],
                                   dtype=np.float16).reshape(-1, T),
            "span_score": np.array([score[k] for k in where], dtype=np.float16)}


def _readable(path: Path) -> bool:
    """Whether a soft-label file opens with its token offsets and probabilities."""
    try:
        with np.load(path) as z:
            return len(z["offsets"]) == len(z["probs"])
    except Exception:  # numpy raises many kinds for a damaged file
        return False


def _mean_scores(teachers: list[dict]) -> dict:
    """The teachers' validation scores averaged, or none when any was not validated."""
    vals = [t.get("validation") or {} for t in teachers]
    if not all(all(k in v for k in ("si", "tc", "full")) for v in vals):
        return {}
    return {k: round(float(np.mean([v[k] for v in vals])), 4) for k in ("si", "tc", "full")}
