"""The ``onnx-spans`` backend: int8 ONNX encoder + numpy span head, no torch at run time.

A model folder holds ``encoder.onnx``, ``head.npz``, ``tokenizer.json``, ``config.json`` (name,
version, decoding thresholds, validation record, the sha256 of every weight file) and
``MODEL_CARD.md``. A large encoder keeps its weights beside ``encoder.onnx`` in several files
(ONNX external data); ``config.json`` lists those too. Every listed file's sha256 is checked when
the folder loads, and the folder's fingerprint (``registry.fingerprint``) is the model's identity.

A window starts and ends with the tokens ``config.json`` names in ``special_tokens``
(``["<s>", "</s>"]`` for an mpnet encoder), ``[CLS]`` and ``[SEP]`` when it names none.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from ..errors import ModelError, require
from ..techniques import taxonomy
from . import ModelInfo, model_taxonomy
from .chunks import find_in_chunks, label_in_chunks
from .predictor import DecodeConfig, Prediction, Predictor
from .registry import fingerprint, model_file, model_paths, read_config, sha256_file

log = logging.getLogger(__name__)

__all__ = ["OnnxSpanDetector", "MODEL_FILES", "SPECIAL_TOKENS", "read_config", "checked_files"]

#: The files every onnx-spans model has; config.json may list more (the encoder's external data).
MODEL_FILES = ("encoder.onnx", "head.npz", "tokenizer.json")
#: The tokens a window starts and ends with when config.json names none (BERT word pieces).
SPECIAL_TOKENS = ("[CLS]", "[SEP]")


def checked_files(folder: Path, cfg: dict, required: tuple[str, ...] = MODEL_FILES
                  ) -> tuple[dict[str, Path], dict[str, str]]:
    """Every file ``config.json`` lists, by name, where it lies, each one's sha256 checked
    against the list; and the list (name -> sha256). A missing, changed or unlisted required
    file is a ModelError."""
    hashes = cfg.get("files")
    if not isinstance(hashes, dict):
        raise ModelError(f"{folder}: config.json lists no model files; reinstall the model's "
                         "package or retrain")
    for name in required:
        if name not in hashes:
            raise ModelError(f"{folder}: config.json does not list {name}; reinstall the "
                             "model's package or retrain")
    for name, sha in hashes.items():
        if Path(name).name != name or name in ("", ".", "..") or not isinstance(sha, str):
            raise ModelError(f"{folder}: config.json lists {name!r}: {sha!r}, not a file name "
                             "in the model folder and its sha256")
    paths = {}
    for name, sha in hashes.items():
        path = model_file(folder, name, sha)
        if not path.is_file():
            raise ModelError(f"{path}: model file missing; reinstall the model's package "
                             "or retrain")
        if sha != sha256_file(path):
            raise ModelError(f"{path}: sha256 does not match config.json; the file is "
                             "corrupt or was changed: reinstall the model's package or "
                             "retrain")
        paths[name] = path
    return paths, dict(hashes)


def special_ids(tokenizer, cfg: dict) -> tuple[int, int]:
    """The ids of the tokens a window starts and ends with (``special_tokens`` in config.json)."""
    names = cfg.get("special_tokens", SPECIAL_TOKENS)
    if (not isinstance(names, (list, tuple)) or len(names) != 2
            or not all(isinstance(n, str) for n in names)):
        raise ModelError(f"config.json: 'special_tokens' must be two token strings, not {names!r}")
    ids = [tokenizer.token_to_id(n) for n in names]
    if None in ids:
        raise ModelError(f"config.json: special token {names[ids.index(None)]!r} is not in the "
                         "model's tokenizer.json; reinstall the model's package or retrain")
    return ids[0], ids[1]


class OnnxSpanDetector:
    """A loaded model folder: ``find_spans(text)`` and ``label_spans(text, spans)``."""

    def __init__(self, folder: Path, threads: int = 0, chunk_chars: int = 40_000):
        folder = Path(folder)
        cfg = read_config(folder)
        paths, hashes = checked_files(folder, cfg)
        ort = require("onnxruntime", "core")
        tokenizers = require("tokenizers", "core")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(paths["encoder.onnx"]), opts,
                                                providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise ModelError(f"{paths['encoder.onnx']}: cannot load ({exc})") from None
        tok = tokenizers.Tokenizer.from_file(str(paths["tokenizer.json"]))
        tok.no_truncation()
        tok.no_padding()
        with np.load(paths["head.npz"]) as npz:
            head = {k: npz[k] for k in npz.files}
        self.config = cfg
        self.chunk_chars = chunk_chars
        card = folder / "MODEL_CARD.md"
        self.info = ModelInfo(
            name=cfg["name"], version=str(cfg["version"]),
            fingerprint=fingerprint(folder, hashes),
            backend="onnx-spans", path=str(folder),
            size=sum(p.stat().st_size for p in model_paths(folder).values()),
            card=str(card) if card.is_file() else None, taxonomy=model_taxonomy(cfg),
            display_threshold=float(cfg["decode"].get("display_threshold", 0.0)))
        self.taxonomy = self.info.taxonomy
        self.techniques = tuple(cfg["techniques"])
        unknown = [t for t in self.techniques if t not in taxonomy(self.taxonomy).ids]
        if unknown:
            raise ModelError(f"{folder}: config.json: technique {unknown[0]!r} is not in the "
                             f"{self.taxonomy} taxonomy its model speaks")
        self.predictor = Predictor(self._encode, tok, head, DecodeConfig.from_dict(cfg["decode"]),
                                   *special_ids(tok, cfg), techniques=self.techniques)

    def _encode(self, ids: np.ndarray, mask: np.ndarray):
        h, bio, tech = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        return h, bio, tech

    def find_spans(self, text: str) -> list[Prediction]:
        return find_in_chunks(self.predictor.detect, text, self.chunk_chars)

    def label_spans(self, text: str, spans) -> np.ndarray:
        return label_in_chunks(self.predictor.label, text, spans, self.chunk_chars,
                               len(self.techniques))
