"""Whole-article inference on top of any encoder: windows -> merged token outputs -> spans.

``Predictor`` needs an ``encode(input_ids, attention_mask) -> (hidden, bio_logits, tech_logits)``
function (onnxruntime at run time, torch while training) plus the span-classifier head. Both the
shipped runtime and validation during training go through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np
from threadpoolctl import ThreadpoolController

from ..techniques import TECHNIQUE_IDS
from . import spans as sp
from .windows import merge, tokenize, windows

__all__ = ["Predictor", "DecodeConfig", "Prediction", "TokenOutputs"]

EncodeFn = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]


@dataclass
class DecodeConfig:
    """Decoding thresholds, tuned on the validation split and stored with the model."""

    window: int = 254
    stride: int = 190
    batch: int = 8
    si_threshold: float = 0.5  # a word is inside a span above this probability ...
    si_seed: float | None = None  # ... and a span is kept if one word reaches this (None: same)
    second_label: float = 0.35  # add a segment's second technique at this probability
    token_threshold: float = 0.6  # per-technique token-head spans: words above this
    use_token_head: bool = True
    per_technique: dict[str, float] = field(default_factory=dict)  # optional overrides
    #: techniques annotators (almost) never mark on one word alone; a one-word span is never
    #: given one of these (taken from the training data by ``spans.multiword_techniques``)
    multiword: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: dict) -> "DecodeConfig":
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class Prediction:
    start: int
    end: int
    technique: str
    score: float


@dataclass
class TokenOutputs:
    offsets: np.ndarray
    hidden: np.ndarray
    p_in: np.ndarray
    p_begin: np.ndarray
    p_tech: np.ndarray  # (n, 14) sigmoid of the per-technique token head


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


class Predictor:
    def __init__(self, encode: EncodeFn, tokenizer, head: dict[str, np.ndarray],
                 config: DecodeConfig, cls_id: int, sep_id: int):
        self.encode = encode
        self.tokenizer = tokenizer
        self.head = head
        self.config = config
        self.cls_id = cls_id
        self.sep_id = sep_id

    # -- token level -------------------------------------------------------------------------
    def token_outputs(self, text: str) -> TokenOutputs:
        tok = tokenize(self.tokenizer, text)
        n = len(tok.ids)
        if n == 0:
            z = np.zeros((0,), dtype=np.float32)
            return TokenOutputs(tok.offsets, np.zeros((0, 1), np.float32), z, z,
                                np.zeros((0, len(TECHNIQUE_IDS)), np.float32))
        cfg = self.config
        starts, ids, mask = windows(tok.ids, cfg.window, cfg.stride, self.cls_id, self.sep_id)
        hs, bios, techs = [], [], []
        for b in range(0, len(starts), cfg.batch):
            h, bio, tech = self.encode(ids[b:b + cfg.batch], mask[b:b + cfg.batch])
            hs.append(h)
            bios.append(bio)
            techs.append(tech)
        bio_p = sp.softmax(np.concatenate(bios).astype(np.float32))
        tech_p = sp.sigmoid(np.concatenate(techs).astype(np.float32))
        packed = np.concatenate([np.concatenate(hs).astype(np.float32), bio_p, tech_p], axis=-1)
        merged = merge(n, starts, cfg.window, packed)
        d = merged.shape[1] - 3 - len(TECHNIQUE_IDS)
        hidden = merged[:, :d]
        bio = merged[:, d:d + 3]
        # decisions are per word: a word is in a span or not, never half of it
        starts = sp.word_starts(text, tok.offsets)
        p_in = sp.word_mean(bio[:, 1] + bio[:, 2], starts)
        p_begin = np.where(starts, bio[:, 1] / np.maximum(bio[:, 1] + bio[:, 2], 1e-6), 0.0)
        return TokenOutputs(tok.offsets, hidden, p_in, p_begin,
                            sp.word_mean(merged[:, d + 3:], starts))

    # -- span level --------------------------------------------------------------------------
    def classify(self, text: str, outputs: TokenOutputs, spans) -> np.ndarray:
        """Technique probabilities (len(spans), 14) for given (start, end) character spans."""
        if len(spans) == 0:
            return np.zeros((0, len(TECHNIQUE_IDS)), dtype=np.float32)
        feats = sp.span_features(text, outputs.hidden, outputs.offsets, spans)
        # the head is a few small matrix products: on one BLAS thread they take ~1 ms, while
        # BLAS threads competing with the encoder's threads for the same cores took 10-40 ms
        with _blas().limit(limits=1, user_api="blas"):
            return sp.softmax(sp.mlp_forward(self.head, feats))

    def label(self, text: str, spans) -> np.ndarray:
        """Technique probabilities for spans a person marked (SemEval's second task)."""
        return self.classify(text, self.token_outputs(text), spans)

    def detect(self, text: str, outputs: TokenOutputs | None = None) -> list[Prediction]:
        """Every technique span in ``text``, overlapping where techniques overlap."""
        cfg = self.config
        out = self.token_outputs(text) if outputs is None else outputs
        if len(out.offsets) == 0:
            return []
        segments = sp.decode_segments(text, out.offsets, out.p_in, out.p_begin,
                                       cfg.si_threshold, cfg.si_seed)
        probs = self.classify(text, out, [(s.start, s.end) for s in segments])
        multi = np.array([t in cfg.multiword for t in TECHNIQUE_IDS])
        found: dict[tuple[int, int, str], float] = {}
        for seg, p in zip(segments, probs):
            if multi.any() and sp.word_count(text[seg.start:seg.end]) <= 1:
                p = np.where(multi, 0.0, p)
            order = np.argsort(-p)
            for rank, k in enumerate(order[:2]):
                if rank == 1 and p[k] < cfg.second_label:
                    break
                found[(seg.start, seg.end, TECHNIQUE_IDS[k])] = float(seg.score * p[k])
        if cfg.use_token_head:
            # add token-head spans where no segment already carries that technique
            for k, tid in enumerate(TECHNIQUE_IDS):
                thr = cfg.per_technique.get(tid, cfg.token_threshold)
                col = out.p_tech[:, k]
                taken = [(s, e) for (s, e, t) in found if t == tid]
                for seg in sp.decode_segments(text, out.offsets, col, np.zeros_like(col), thr):
                    if multi[k] and sp.word_count(text[seg.start:seg.end]) <= 1:
                        continue
                    if not any(s < seg.end and seg.start < e for s, e in taken):
                        found[(seg.start, seg.end, tid)] = seg.score
        preds = [Prediction(s, e, t, round(v, 4)) for (s, e, t), v in found.items()]
        preds.sort(key=lambda p: (p.start, p.end, p.technique))
        return preds
