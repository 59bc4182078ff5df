"""Split long text into overlapping encoder windows and merge per-token outputs back.

The whole text is tokenized once; each window holds ``size`` word pieces plus [CLS]/[SEP] and
starts ``stride`` pieces after the previous one. Outputs of tokens seen by several windows are
averaged with weights that fall towards each window's edges, where context is thinnest, so the
merged result never has a seam. Token character offsets index the original ``str``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Tokenized", "tokenize", "windows", "merge"]


@dataclass
class Tokenized:
    ids: np.ndarray  # (n,) int64 word-piece ids without specials
    offsets: np.ndarray  # (n, 2) char start/end of each piece in the text


def tokenize(tokenizer, text: str) -> Tokenized:
    """Tokenize ``text`` without special tokens; offsets are str indices into ``text``."""
    enc = tokenizer.encode(text, add_special_tokens=False)
    ids = np.asarray(enc.ids, dtype=np.int64)
    offsets = np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)
    return Tokenized(ids, offsets)


def window_starts(n: int, size: int, stride: int) -> list[int]:
    """Start of each window: as few windows as ``stride`` (the largest step) allows, spread
    evenly so every token is covered and the overlaps are equal; the last window ends at n."""
    if n <= size:
        return [0]
    count = -(-(n - size) // stride) + 1
    step = (n - size) / (count - 1)
    return [round(i * step) for i in range(count)]


def windows(ids: np.ndarray, size: int, stride: int, cls_id: int, sep_id: int, pad_id: int = 0):
    """Return (starts, input_ids, attention_mask) for all windows as padded int64 arrays."""
    n = len(ids)
    starts = window_starts(n, size, stride)
    width = min(n, size) + 2
    input_ids = np.full((len(starts), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(starts), width), dtype=np.int64)
    for row, s in enumerate(starts):
        piece = ids[s : s + size]
        input_ids[row, 0] = cls_id
        input_ids[row, 1 : 1 + len(piece)] = piece
        input_ids[row, 1 + len(piece)] = sep_id
        mask[row, : len(piece) + 2] = 1
    return starts, input_ids, mask


def edge_weights(length: int) -> np.ndarray:
    """Per-position weights for a window: 1 in the middle, falling linearly to 0.1 at the edges."""
    pos = np.arange(length, dtype=np.float32)
    dist = np.minimum(pos + 1, length - pos)
    ramp = max(1.0, length / 4)
    return np.clip(dist / ramp, 0.1, 1.0)


def merge(n: int, starts: list[int], size: int, outputs: np.ndarray) -> np.ndarray:
    """Merge per-window outputs (windows, width, ...) with specials at 0 into (n, ...) per token."""
    feat_shape = outputs.shape[2:]
    total = np.zeros((n, *feat_shape), dtype=np.float32)
    weight = np.zeros((n,), dtype=np.float32)
    for row, s in enumerate(starts):
        length = min(size, n - s)
        w = edge_weights(length) if len(starts) > 1 else np.ones(length, dtype=np.float32)
        chunk = outputs[row, 1 : 1 + length].astype(np.float32)
        total[s : s + length] += chunk * w.reshape(-1, *([1] * len(feat_shape)))
        weight[s : s + length] += w
    return total / np.maximum(weight, 1e-6).reshape(-1, *([1] * len(feat_shape)))
