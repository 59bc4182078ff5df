"""The detection stage: technique spans for a text, by a model loaded once per process.

Any backend satisfies the small ``Detector`` protocol; models are installed packages found by
versioned name (``"minilm-spans.v1"``, see ``registry``), and a folder written by ``unspin train``
loads too. ``load()`` returns the detector for a name or folder, cached per process. Long text is
split into chunks by each backend (``chunks``), so memory stays bounded. Training lives apart,
in ``unspin.training``; nothing here imports torch.

>>> d = load("minilm-spans.v1")                                   # doctest: +SKIP
>>> [(p.start, p.end, p.technique)                                # doctest: +SKIP
...  for p in d.find_spans("Traitors, all of them!")]
[(0, 8, 'Name_Calling,Labeling')]
"""

from __future__ import annotations

import importlib
import os
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Protocol, runtime_checkable

from ..analysis import ModelRef
from .predictor import Prediction

__all__ = ["Detector", "ModelInfo", "Prediction", "load", "unload", "installed_models", "describe",
           "model_taxonomy", "spoken_techniques"]


@dataclass(frozen=True)
class ModelInfo(ModelRef):
    """Who a model is (the ``ModelRef`` an Analysis records: name, version, a fingerprint over
    its files, see ``registry``) and where it is installed."""

    backend: str
    path: str
    size: int  # bytes, all model files
    card: str | None = None  # path of MODEL_CARD.md
    #: the techniques the model speaks (config.json's "taxonomy"; absent: "2020")
    taxonomy: str = "2020"
    #: spans scored below this are not shown unless asked for (``Options.min_score``)
    display_threshold: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


@runtime_checkable
class Detector(Protocol):
    """What the pipeline needs from a model."""

    info: ModelInfo
    techniques: tuple[str, ...]

    def find_spans(self, text: str) -> list[Prediction]:
        """Every technique span in ``text`` (character offsets), sorted by offset."""
        ...

    def label_spans(self, text: str, spans) -> numpy.ndarray:  # noqa: F821
        """Technique probabilities, shape (len(spans), len(techniques)), for given spans."""
        ...


def load(model: str | os.PathLike | None = None, *, threads: int = 0,
         chunk_chars: int = 40_000) -> Detector:
    """The detector for a registered name or a model folder, loaded once per process."""
    from .registry import resolve

    entry = resolve(model)
    return _load(entry.backend, str(entry.folder.resolve()), int(threads or 0), int(chunk_chars))


def unload() -> None:
    """Forget every detector ``load`` keeps, so its memory can go (a process that only
    checked a model loads, before handing the work to others)."""
    _load.cache_clear()


@lru_cache(maxsize=4)
def _load(backend: str, folder: str, threads: int, chunk_chars: int) -> Detector:
    from pathlib import Path

    from ..errors import ModelError
    from .registry import BACKENDS

    if backend not in BACKENDS:
        raise ModelError(f"unknown model backend {backend!r}")
    module, cls = BACKENDS[backend].split(":")
    return getattr(importlib.import_module(module), cls)(Path(folder), threads, chunk_chars)


def installed_models() -> list[ModelInfo]:
    """Every installed model package, with its fingerprint and size (loads none of them)."""
    from .registry import installed

    return [describe(entry.name) for entry in installed().values()]


def model_taxonomy(cfg: dict, source: str = "the model's config.json") -> str:
    """The taxonomy a model's config names ("2020" when it names none, as every model made
    before there was a choice); one unspin does not know is a ModelError."""
    from ..errors import ModelError
    from ..techniques import DEFAULT_TAXONOMY, TAXONOMIES

    name = cfg.get("taxonomy", DEFAULT_TAXONOMY)
    if name not in TAXONOMIES:
        raise ModelError(f"{source}: unknown taxonomy {name!r} (a model made for a newer "
                         f"unspin? upgrade unspin); known: {', '.join(TAXONOMIES)}")
    return name


def spoken_techniques(model: str | os.PathLike | None = None) -> tuple[str, tuple[str, ...]]:
    """The taxonomy a model speaks and the technique ids it has outputs for (from its config,
    without loading its weights)."""
    from .registry import read_config, resolve

    cfg = read_config(resolve(model).folder)
    return model_taxonomy(cfg), tuple(cfg.get("techniques") or ())


def describe(model: str | os.PathLike | None = None) -> ModelInfo:
    """Who a model is — name, version, fingerprint, size, card — without loading its weights."""
    from .registry import fingerprint, members_size, model_paths, read_config, resolve

    entry = resolve(model)
    cfg = read_config(entry.folder)
    card = entry.folder / "MODEL_CARD.md"
    own = sum(p.stat().st_size for p in model_paths(entry.folder).values())
    return ModelInfo(str(cfg.get("name", entry.name)), str(cfg.get("version", "")),
                     fingerprint(entry.folder), entry.backend, str(entry.folder),
                     # an ensemble runs its members: their files are its size
                     own + (members_size(entry.folder) if entry.backend == "ensemble" else 0),
                     str(card) if card.is_file() else None, model_taxonomy(cfg),
                     display_threshold=float((cfg.get("decode") or {}).get("display_threshold",
                                                                           0.0)))
