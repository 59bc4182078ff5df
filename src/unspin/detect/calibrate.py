"""Span scores that mean something: isotonic calibration against what annotators marked.

A predicted span with a technique earns the SemEval full-task credit: the share of its
characters that gold spans of the same technique cover (gold spans of a technique merged first,
as the task's scorer does), a number in [0, 1]; it is a hit when that credit is above 0 (a gold
span of the same technique overlaps it). A calibrated score estimates the chance of a hit, so
among spans scored about 0.7, about 70% were marked, at least in part, with that technique by
the annotators. The map is monotone (isotonic regression, pool adjacent violators) and stored
in the model's config.json as knots for ``numpy.interp``.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..evaluate import full_scores, merge_intervals, si_scores

__all__ = [
    "apply",
    "at_thresholds",
    "auc",
    "cross_fit",
    "expected_calibration_error",
    "fit_isotonic",
    "reliability",
    "span_credit",
]

THRESHOLDS = (0.3, 0.5, 0.7, 0.8)


def span_credit(gold, preds) -> np.ndarray:
    """Full-task precision credit of each (article, technique, start, end, ...) prediction."""
    merged: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for aid, tech, s, e in gold:
        merged[(aid, tech)].append((s, e))
    merged = {k: merge_intervals(v) for k, v in merged.items()}
    out = np.zeros(len(preds), dtype=np.float64)
    for i, (aid, tech, s, e, *_rest) in enumerate(preds):
        cover = sum(max(0, min(e, ge) - max(s, gs)) for gs, ge in merged.get((aid, tech), ()))
        out[i] = cover / max(1, e - s)
    return out


def fit_isotonic(scores: np.ndarray, credit: np.ndarray) -> dict:
    """Monotone non-decreasing map scores -> credit (pool adjacent violators), as knots."""
    order = np.argsort(scores, kind="mergesort")
    x, y = np.asarray(scores, float)[order], np.asarray(credit, float)[order]
    blocks: list[list[float]] = []  # [sum_y, count, x_min, x_max]
    for xi, yi in zip(x, y):
        blocks.append([yi, 1.0, xi, xi])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            s, c, lo, hi = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
            blocks[-1][3] = hi
    kx, ky = [], []
    for s, c, lo, hi in blocks:
        v = round(s / c, 4)
        for xx in ((lo,) if lo == hi else (lo, hi)):
            if kx and xx <= kx[-1]:
                continue
            kx.append(round(float(xx), 5))
            ky.append(v)
    return {"x": kx, "y": ky}


def apply(calibration: dict, scores) -> np.ndarray:
    if not calibration:
        return np.asarray(scores, float)
    return np.interp(np.asarray(scores, float), calibration["x"], calibration["y"])


def reliability(scores, credit, bins: int = 10) -> list[dict]:
    """Rows per score bin: count, mean score, mean credit (what annotators marked)."""
    scores, credit = np.asarray(scores, float), np.asarray(credit, float)
    idx = np.minimum((scores * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        m = idx == b
        if m.any():
            rows.append({"from": b / bins, "to": (b + 1) / bins, "n": int(m.sum()),
                         "score": round(float(scores[m].mean()), 4),
                         "credit": round(float(credit[m].mean()), 4)})
    return rows


def expected_calibration_error(scores, credit, bins: int = 10) -> float:
    rows = reliability(scores, credit, bins)
    n = sum(r["n"] for r in rows)
    return round(sum(r["n"] * abs(r["score"] - r["credit"]) for r in rows) / max(1, n), 4)


def at_thresholds(gold, preds, articles, techniques, thresholds=THRESHOLDS) -> list[dict]:
    """SI and full-task P/R/F1 of the predictions scored at least each threshold."""
    rows = []
    for t in thresholds:
        kept = [p for p in preds if p[4] >= t]
        si = si_scores(gold, [(a, "", s, e) for a, _t, s, e, _v in kept], articles)
        full = full_scores(gold, [p[:4] for p in kept], articles, techniques)
        rows.append({"threshold": t, "spans": len(kept), "si": _prf(si), "full": _prf(full)})
    return rows


def _prf(s) -> dict:
    return {"precision": round(s.precision, 4), "recall": round(s.recall, 4),
            "f1": round(s.f1, 4)}


def auc(scores, target) -> float:
    """Chance that a random hit (target 1) is scored above a random miss (ties count half)."""
    scores, target = np.asarray(scores, float), np.asarray(target) > 0
    n1, n0 = int(target.sum()), int((~target).sum())
    if not n1 or not n0:
        return 0.0
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    for v in np.unique(scores):  # average ranks of ties
        m = scores == v
        ranks[m] = ranks[m].mean()
    return round(float((ranks[target].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)), 4)


def cross_fit(credit: np.ndarray, preds, groups: list[set[str]]) -> np.ndarray:
    """Out-of-fold calibrated scores: each group of articles is scored by a map fitted on the
    others' predictions (``credit``: the target per prediction)."""
    raw = np.array([p[4] for p in preds], float)
    out = np.zeros(len(preds))
    for g in groups:
        held = np.array([p[0] in g for p in preds], bool)
        cal = fit_isotonic(raw[~held], credit[~held])
        out[held] = apply(cal, raw[held])
    return out
