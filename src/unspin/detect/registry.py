"""Models by versioned name, and the identity of a model folder.

A published name (``"minilm-spans.v1"``) always means the same behaviour: new weights, decoding
or export make a new version with its own folder and entry here. Adding a model is one entry in
``MODELS`` and one folder under ``unspin/models/``; adding a backend is one entry in
``BACKENDS``.

A model's identity is its *fingerprint*: a sha256 over the name and sha256 of every file at the
top of its folder (weights, tokenizer, ``config.json`` with the decoding settings, card), so any
change to any of them gives a different fingerprint. Sub-folders (training checkpoints) are not
part of the model.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError
from ..options import DEFAULT_MODEL

__all__ = ["ModelEntry", "MODELS", "BACKENDS", "DEFAULT_MODEL", "MODELS_DIR", "resolve",
           "sha256_file", "fingerprint", "model_files"]

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


@dataclass(frozen=True)
class ModelEntry:
    """A model known by name: which backend runs it and where its files are."""

    name: str
    backend: str
    folder: Path


#: Backends by name -> "module:class" (imported only when a model of that backend loads).
BACKENDS: dict[str, str] = {"onnx-spans": "unspin.detect.onnx_spans:OnnxSpanDetector"}

#: Shipped models by versioned name.
MODELS: dict[str, ModelEntry] = {
    e.name: e for e in (
        ModelEntry("minilm-spans.v1", "onnx-spans", MODELS_DIR / "minilm-spans-v1"),
        ModelEntry("minilm-spans.v2", "onnx-spans", MODELS_DIR / "minilm-spans-v2"),
        ModelEntry("minilm-spans.v3", "onnx-spans", MODELS_DIR / "minilm-spans-v3"),
        ModelEntry("minilm-spans.v4", "onnx-spans", MODELS_DIR / "minilm-spans-v4"),
        ModelEntry("minilm-spans.v5", "onnx-spans", MODELS_DIR / "minilm-spans-v5"),
    )
}

assert DEFAULT_MODEL in MODELS


def resolve(model: str | os.PathLike | None) -> ModelEntry:
    """A registered name or a model folder (``unspin train`` output) as a ``ModelEntry``."""
    model = DEFAULT_MODEL if model is None else model
    if str(model) in MODELS:
        return MODELS[str(model)]
    path = Path(model)
    if path.is_dir():
        return ModelEntry(str(path), "onnx-spans", path)
    raise ModelError(f"unknown model {str(model)!r}: give a model folder or one of "
                     f"{', '.join(MODELS)} (see 'unspin models')")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def model_files(folder: Path) -> list[Path]:
    """The files that make up a model: every regular, non-hidden file at the folder's top."""
    return sorted(p for p in Path(folder).iterdir()
                  if p.is_file() and not p.name.startswith("."))


def fingerprint(folder: Path, known: dict[str, str] | None = None) -> str:
    """sha256 over ``name<TAB>sha256`` lines of every model file (``known`` hashes reused)."""
    known = known or {}
    lines = [f"{p.name}\t{known.get(p.name) or sha256_file(p)}\n" for p in model_files(folder)]
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
