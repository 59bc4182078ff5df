"""The ``onnx-spans`` backend: int8 ONNX encoder + numpy span head, no torch at run time.

A model folder holds ``encoder.onnx``, ``head.npz``, ``tokenizer.json``, ``config.json`` (name,
version, decoding thresholds, validation record, the sha256 of every weight file) and
``MODEL_CARD.md``. Every weight file's sha256 is checked when the folder loads, and the folder's
fingerprint (``registry.fingerprint``) is the model's identity.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from ..errors import ModelError, require
from . import ModelInfo
from .chunks import find_in_chunks, label_in_chunks
from .predictor import DecodeConfig, Prediction, Predictor
from .registry import fingerprint, model_file, model_paths, read_config, sha256_file

log = logging.getLogger(__name__)

__all__ = ["OnnxSpanDetector", "MODEL_FILES", "read_config"]

MODEL_FILES = ("encoder.onnx", "head.npz", "tokenizer.json")


class OnnxSpanDetector:
    """A loaded model folder: ``find_spans(text)`` and ``label_spans(text, spans)``."""

    def __init__(self, folder: Path, threads: int = 0, chunk_chars: int = 40_000):
        folder = Path(folder)
        cfg = read_config(folder)
        hashes = cfg.get("files", {})
        paths = {name: model_file(folder, name, hashes.get(name)) for name in MODEL_FILES}
        for name, path in paths.items():
            if not path.is_file():
                raise ModelError(f"{path}: model file missing; reinstall the model's package "
                                 "or retrain")
            if hashes.get(name) != sha256_file(path):
                raise ModelError(f"{path}: sha256 does not match config.json; the file is "
                                 "corrupt or was changed: reinstall the model's package or "
                                 "retrain")
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
            fingerprint=fingerprint(folder, {n: hashes[n] for n in MODEL_FILES}),
            backend="onnx-spans", path=str(folder),
            size=sum(p.stat().st_size for p in model_paths(folder).values()),
            card=str(card) if card.is_file() else None)
        self.techniques = tuple(cfg["techniques"])
        self.predictor = Predictor(self._encode, tok, head, DecodeConfig.from_dict(cfg["decode"]),
                                   tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]"))

    def _encode(self, ids: np.ndarray, mask: np.ndarray):
        h, bio, tech = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        return h, bio, tech

    def find_spans(self, text: str) -> list[Prediction]:
        return find_in_chunks(self.predictor.detect, text, self.chunk_chars)

    def label_spans(self, text: str, spans) -> np.ndarray:
        return label_in_chunks(self.predictor.label, text, spans, self.chunk_chars,
                               len(self.techniques))
