"""The shipped detector at run time: int8 ONNX encoder + numpy span head, no torch.

A model folder holds ``encoder.onnx``, ``head.npz``, ``tokenizer.json``, ``config.json`` (name,
version, decoding thresholds, validation metrics, the sha256 of every file) and ``MODEL_CARD.md``.
Every file's sha256 is checked when the folder is loaded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import ModelError, require
from .predictor import DecodeConfig, Predictor

log = logging.getLogger(__name__)

__all__ = ["Detector", "load", "sha256_file", "MODEL_FILES", "DEFAULT_MODEL", "MODELS"]

MODEL_FILES = ("encoder.onnx", "head.npz", "tokenizer.json")
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
#: Registered shipped models by versioned name.
MODELS: dict[str, Path] = {"minilm-spans.v1": MODELS_DIR / "minilm-spans-v1",
                           "minilm-spans.v2": MODELS_DIR / "minilm-spans-v2"}
DEFAULT_MODEL = "minilm-spans.v1"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class ModelInfo:
    name: str
    version: str
    sha256: str  # of encoder.onnx
    path: str


class Detector:
    """A loaded model: ``detect(text)`` finds spans, ``label(text, spans)`` names techniques."""

    def __init__(self, folder: Path, threads: int | None = None):
        folder = Path(folder)
        cfg_path = folder / "config.json"
        if not cfg_path.is_file():
            raise ModelError(f"{folder}: not a model folder (no config.json); "
                             "train one with 'unspin train' or use the default model")
        try:
            cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"{cfg_path}: unreadable model config ({exc})") from None
        hashes = cfg.get("files", {})
        for name in MODEL_FILES:
            path = folder / name
            if not path.is_file():
                raise ModelError(f"{path}: model file missing; reinstall unspin or retrain")
            if hashes.get(name) != sha256_file(path):
                raise ModelError(f"{path}: sha256 does not match config.json; the file is "
                                 "corrupt or was changed: reinstall unspin or retrain")
        ort = require("onnxruntime", "core")
        tokenizers = require("tokenizers", "core")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or int(os.environ.get("UNSPIN_THREADS", "0")) or min(
            4, os.cpu_count() or 1)
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(folder / "encoder.onnx"), opts,
                                                providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise ModelError(f"{folder / 'encoder.onnx'}: cannot load ({exc})") from None
        tok = tokenizers.Tokenizer.from_file(str(folder / "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
        with np.load(folder / "head.npz") as npz:
            head = {k: npz[k] for k in npz.files}
        self.config = cfg
        self.info = ModelInfo(cfg["name"], cfg["version"], hashes["encoder.onnx"], str(folder))
        self.predictor = Predictor(self._encode, tok, head, DecodeConfig.from_dict(cfg["decode"]),
                                   tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]"))

    def _encode(self, ids: np.ndarray, mask: np.ndarray):
        h, bio, tech = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        return h, bio, tech

    def detect(self, text: str):
        return self.predictor.detect(text)

    def label(self, text: str, spans) -> np.ndarray:
        return self.predictor.label(text, spans)


def resolve(model: str | os.PathLike | None) -> Path:
    """A registered model name, or a folder path, to the model's folder."""
    if model is None:
        model = os.environ.get("UNSPIN_MODEL") or DEFAULT_MODEL
    if str(model) in MODELS:
        return MODELS[str(model)]
    path = Path(model)
    if path.is_dir():
        return path
    raise ModelError(f"unknown model {str(model)!r}: give a model folder or one of "
                     f"{', '.join(MODELS)}")


@lru_cache(maxsize=4)
def _load_cached(folder: str, threads: int | None) -> Detector:
    return Detector(Path(folder), threads)


def load(model: str | os.PathLike | None = None, threads: int | None = None) -> Detector:
    """Load (once per process) a registered model by name or a trained model folder."""
    return _load_cached(str(resolve(model).resolve()), threads)
