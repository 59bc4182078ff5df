"""The ``ensemble`` backend: several installed models read the same text, and their word
probabilities and span classifiers are averaged before one decoding.

An ensemble's folder holds ``members.json`` (each member model by name or folder, its
fingerprint and its weight), ``config.json`` (name, version, the ensemble's own decoding
thresholds, tuned on validation like any model's) and ``MODEL_CARD.md``; it holds no weights:
its members are models installed beside it, each checked against the fingerprint it was made
with, so a member that changed is refused, never silently used. The ensemble's fingerprint
covers ``members.json``, hence every member's.

Members may use different tokenizers (an mpnet and a MiniLM encoder split words differently).
The first member's word pieces are the grid: each other member's per-word probabilities are
read at the piece covering the same first character (every probability is already a per-word
mean, so any piece of the word gives it). Span classifiers judge character spans, so each
member judges the same spans on its own hidden states and their probabilities are averaged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ModelError
from . import ModelInfo, model_taxonomy
from .chunks import find_in_chunks, label_in_chunks
from .onnx_spans import checked_files
from .predictor import DecodeConfig, Predictor, TokenOutputs
from .registry import fingerprint, member_target, model_paths, read_config, resolve

__all__ = ["EnsembleDetector", "EnsemblePredictor", "EnsembleOutputs", "MEMBERS_FILE",
           "read_members", "align"]

MEMBERS_FILE = "members.json"


@dataclass
class EnsembleOutputs(TokenOutputs):
    """Averaged word probabilities on the first member's grid, and each member's own outputs
    (its span classifier reads its own hidden states)."""

    members: list[TokenOutputs] = field(default_factory=list)


def align(grid: np.ndarray, other: np.ndarray) -> np.ndarray:
    """For each piece of ``grid`` (n, 2 character offsets), the index of the piece of
    ``other`` (m, 2, sorted by start) that covers its first character; -1 where none does.

    >>> align(np.array([[0, 3], [3, 5], [6, 9]]), np.array([[0, 5], [6, 7], [7, 9]])).tolist()
    [0, 0, 1]
    """
    if len(grid) == 0 or len(other) == 0:
        return np.full(len(grid), -1, dtype=np.int64)
    first = grid[:, 0]
    j = np.searchsorted(other[:, 0], first, side="right") - 1
    ok = (j >= 0) & (other[np.maximum(j, 0), 1] > first)
    return np.where(ok, j, -1)


class EnsemblePredictor(Predictor):
    """Decoding (``Predictor``'s, with the ensemble's thresholds) over averaged outputs."""

    def __init__(self, members: list[Predictor], weights: list[float], config: DecodeConfig,
                 techniques: tuple[str, ...]):
        first = members[0]
        super().__init__(first.encode, first.tokenizer, first.head, config, first.cls_id,
                         first.sep_id, techniques=techniques)
        self.members = members
        w = np.asarray(weights, dtype=np.float64)
        self.weights = w / w.sum()

    def has_none_output(self) -> bool:
        return any(m.has_none_output() for m in self.members)

    def merged_outputs(self, text: str):
        raise ModelError("an ensemble has no single encoder's outputs; use token_outputs")

    def token_outputs(self, text: str) -> EnsembleOutputs:
        outs = [m.token_outputs(text) for m in self.members]
        grid = outs[0]
        p_in = self.weights[0] * grid.p_in
        p_begin = self.weights[0] * grid.p_begin
        p_tech = self.weights[0] * grid.p_tech
        for w, o in zip(self.weights[1:], outs[1:]):
            j = align(grid.offsets, o.offsets)
            has = j >= 0
            at = np.maximum(j, 0)
            p_in = p_in + w * np.where(has, o.p_in[at] if len(o.p_in) else 0.0, grid.p_in)
            p_begin = p_begin + w * np.where(has, o.p_begin[at] if len(o.p_begin) else 0.0,
                                             grid.p_begin)
            p_tech = p_tech + w * np.where(has[:, None], o.p_tech[at] if len(o.p_tech) else 0.0,
                                           grid.p_tech)
        return EnsembleOutputs(grid.offsets, grid.hidden, p_in.astype(np.float32),
                               p_begin.astype(np.float32), p_tech.astype(np.float32),
                               members=outs)

    def span_probs(self, text: str, outputs: TokenOutputs, spans
                   ) -> tuple[np.ndarray, np.ndarray]:
        if not isinstance(outputs, EnsembleOutputs):
            outputs = self.token_outputs(text)
        tech = np.zeros((len(spans), len(self.techniques)), dtype=np.float64)
        any_ = np.zeros((len(spans),), dtype=np.float64)
        for w, m, o in zip(self.weights, self.members, outputs.members):
            t, a = m.span_probs(text, o, spans)
            tech += w * t
            any_ += w * a
        return tech.astype(np.float32), any_.astype(np.float32)


def read_members(folder: Path, cfg: dict) -> list[dict]:
    """``members.json``'s entries (``model``, ``fingerprint``, ``weight``), checked for form;
    the file itself is checked against config.json's sha256 first."""
    paths, _hashes = checked_files(folder, cfg, required=(MEMBERS_FILE,))
    try:
        members = json.loads(paths[MEMBERS_FILE].read_text(encoding="utf-8"))["members"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{paths[MEMBERS_FILE]}: unreadable ({exc})") from None
    if not isinstance(members, list) or len(members) < 2:
        raise ModelError(f"{paths[MEMBERS_FILE]}: an ensemble needs at least two members")
    for m in members:
        if not (isinstance(m, dict) and isinstance(m.get("model"), str)
                and isinstance(m.get("fingerprint"), str)
                and isinstance(m.get("weight", 1.0), (int, float)) and m.get("weight", 1.0) > 0):
            raise ModelError(f"{paths[MEMBERS_FILE]}: each member needs a model, a fingerprint "
                             "and a positive weight")
    return members


class EnsembleDetector:
    """A loaded ensemble folder: ``find_spans(text)`` and ``label_spans(text, spans)``."""

    def __init__(self, folder: Path, threads: int = 0, chunk_chars: int = 40_000):
        from . import load

        folder = Path(folder)
        cfg = read_config(folder)
        members = read_members(folder, cfg)
        loaded = []
        for m in members:
            # an installed model's name, or a folder relative to this one
            target = member_target(folder, m["model"])
            if resolve(target).backend == "ensemble":
                raise ModelError(f"{folder}: member {m['model']} is itself an ensemble")
            # loading checks every file's sha256 and gives the fingerprint from those hashes
            member = load(target, threads=threads, chunk_chars=chunk_chars)
            if member.info.fingerprint != m["fingerprint"]:
                raise ModelError(f"{folder}: member {m['model']} has fingerprint "
                                 f"{member.info.fingerprint[:12]}, the ensemble was made with "
                                 f"{m['fingerprint'][:12]}; install that version")
            loaded.append(member)
        self.members = loaded
        self.config = cfg
        self.chunk_chars = chunk_chars
        tax = model_taxonomy(cfg)
        self.techniques = tuple(cfg.get("techniques") or loaded[0].techniques)
        for d in loaded:
            if d.info.taxonomy != tax or tuple(d.techniques) != self.techniques:
                raise ModelError(f"{folder}: member {d.info.name} speaks other techniques than "
                                 "the ensemble")
        card = folder / "MODEL_CARD.md"
        self.info = ModelInfo(
            name=cfg["name"], version=str(cfg["version"]), fingerprint=fingerprint(folder),
            backend="ensemble", path=str(folder),
            size=sum(p.stat().st_size for p in model_paths(folder).values())
            + sum(d.info.size for d in loaded),
            card=str(card) if card.is_file() else None, taxonomy=tax,
            display_threshold=float(cfg["decode"].get("display_threshold", 0.0)))
        self.taxonomy = tax
        self.predictor = EnsemblePredictor([d.predictor for d in loaded],
                                           [float(m.get("weight", 1.0)) for m in members],
                                           DecodeConfig.from_dict(cfg["decode"]),
                                           self.techniques)

    def find_spans(self, text: str):
        return find_in_chunks(self.predictor.detect, text, self.chunk_chars)

    def label_spans(self, text: str, spans) -> np.ndarray:
        return label_in_chunks(self.predictor.label, text, spans, self.chunk_chars,
                               len(self.techniques))
