"""Validation of a detector on labelled articles, and tuning of its decoding thresholds.

Used after every training epoch (torch encoder), after export (int8 ONNX encoder) and by the CI
quality gate (shipped model): all three go through ``Predictor``, the code that serves users.

Thresholds tuned on the articles they are scored on flatter the model. ``cross_fitted`` never
does that: the articles are dealt into 5 fixed folds, thresholds are tuned on 4 and the 5th is
decoded with them, so every article's spans come from thresholds chosen without it. The
encoder runs once per article (``cached_outputs`` keeps its outputs on disk); only the cheap
decoding is repeated.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..detect.predictor import DecodeConfig, Predictor
from ..evaluate import full_scores, si_scores, tc_scores
from .data import LabeledArticle

__all__ = ["validate", "gold_tuples", "Decoded", "decode", "cross_fitted", "fold_of",
           "cached_outputs", "FOLDS", "FOLD_SEED"]

#: Cross-fitting: how many folds the articles are dealt into, and the seed of the deal.
FOLDS, FOLD_SEED = 5, 2020

def gold_tuples(arts):
    return [(a.id, s.technique, s.start, s.end) for a in arts for s in a.spans]


@dataclass(frozen=True)
class Decoded:
    """One article decoded at one config, as ``(article, technique, start, end)`` tuples: the SI
    spans (segments at the SI thresholds whose probability of a technique reaches
    ``min_span_prob``, technique ""), everything ``detect`` returns (full task), and the
    techniques given to the gold spans (TC, which no threshold changes)."""

    si: list[tuple[str, str, int, int]]
    full: list[tuple[str, str, int, int]]
    tc: list[tuple[str, str, int, int]]


def decode(pred: Predictor, art: LabeledArticle, out) -> Decoded:
    """``art`` decoded at ``pred.config`` from its token outputs ``out``, as ``validate``
    scores it."""
    cfg = pred.config
    segs = pred.segments(art.text, out)
    if segs and pred.has_none_output():
        q = pred.span_probs(art.text, out, [(s.start, s.end) for s in segs])[1]
        segs = [s for s, qq in zip(segs, q) if qq >= cfg.min_span_prob]
    gold = [(s.start, s.end) for s in art.spans]
    tc = [(art.id, pred.techniques[int(p.argmax())], s, e)
          for (s, e), p in zip(gold, pred.classify(art.text, out, gold))]
    return Decoded([(art.id, "", s.start, s.end) for s in segs],
                   [(art.id, p.technique, p.start, p.end) for p in pred.detect(art.text, out)],
                   tc)


def fold_of(ids, folds: int = FOLDS, seed: int = FOLD_SEED) -> dict[str, int]:
    """Each article's fold: the sorted ids shuffled with a fixed seed and dealt in turn, so
    folds differ in size by at most one and the same ids always give the same folds.

    >>> sorted(fold_of(["a", "b", "c", "d", "e", "f"], folds=3).values())
    [0, 0, 1, 1, 2, 2]
    """
    order = sorted(set(ids))
    perm = np.random.default_rng(seed).permutation(len(order))
    return {order[j]: i % folds for i, j in enumerate(perm)}


def cross_fitted(pred: Predictor, arts: list[LabeledArticle], outputs: dict,
                 folds: int = FOLDS, seed: int = FOLD_SEED
                 ) -> tuple[dict[str, Decoded], list[DecodeConfig]]:
    """Every article decoded at thresholds tuned (``validate(tune=True)``) on the other folds'
    articles only, and the config tuned for each fold. ``outputs``: token outputs by article
    id. The model's own config is left as it was."""
    base = pred.config
    fold = fold_of([a.id for a in arts], folds, seed)
    decoded: dict[str, Decoded] = {}
    configs = []
    try:
        for k in range(folds):
            pred.config = DecodeConfig(**asdict(base))
            _m, cfg = validate(pred, [a for a in arts if fold[a.id] != k], tune=True,
                               outputs=outputs)
            pred.config = cfg
            configs.append(cfg)
            for a in arts:
                if fold[a.id] == k:
                    decoded[a.id] = decode(pred, a, outputs[a.id])
    finally:
        pred.config = base
    return decoded, configs


def cached_outputs(pred: Predictor, arts: list[LabeledArticle], folder: str | Path,
                   on_article=None) -> dict:
    """Token outputs of ``arts`` by id, computed once and kept in ``folder`` (one pickle per
    article, named by a hash of its id and text; give each model its own folder, e.g. by
    fingerprint). ``on_article(i, n)`` is called as each missing article is computed."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    outs = {}
    for i, a in enumerate(arts):
        key = hashlib.sha256(f"{a.id}\t{a.text}".encode()).hexdigest()[:24]
        path = folder / f"{key}.pkl"
        if path.is_file():
            with open(path, "rb") as fh:
                outs[a.id] = pickle.load(fh)
            continue
        if on_article:
            on_article(i, len(arts))
        outs[a.id] = pred.token_outputs(a.text)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(outs[a.id], fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    return outs


def validate(pred: Predictor, arts: list[LabeledArticle], tune: bool,
             outputs: dict | None = None) -> tuple[dict, DecodeConfig]:
    """Scores on ``arts``; with ``tune`` also pick decoding thresholds (coordinate search).
    ``outputs``: the articles' token outputs by id, if already computed."""
    gold = gold_tuples(arts)
    ids = [a.id for a in arts]
    outs = outputs or {a.id: pred.token_outputs(a.text) for a in arts}
    cfg = DecodeConfig(**asdict(pred.config))

    # TC: label the gold spans.
    tc_pred = []
    for a in arts:
        probs = pred.classify(a.text, outs[a.id], [(s.start, s.end) for s in a.spans])
        tc_pred += [(a.id, pred.techniques[int(p.argmax())], s.start, s.end)
                    for s, p in zip(a.spans, probs)]
    tc = tc_scores(gold, tc_pred)

    def segments_at(thr, seed):
        """Per article: segments at these thresholds and their probability of a technique."""
        pred.config = cfg
        found = {}
        for a in arts:
            segs = pred.segments(a.text, outs[a.id], thr, seed)
            found[a.id] = (segs, span_any(a, segs) if none_head else np.ones(len(segs)))
        return found

    any_of: dict[str, dict[tuple[int, int], float]] = {a.id: {} for a in arts}

    def span_any(a, segs):
        """Each segment's probability of carrying a technique; a span's features do not
        depend on the other spans, so each span is judged once across the threshold grid."""
        known = any_of[a.id]
        new = sorted({(s.start, s.end) for s in segs} - known.keys())
        if new:
            known.update(zip(new, pred.span_probs(a.text, outs[a.id], new)[1].tolist()))
        return np.array([known[(s.start, s.end)] for s in segs])

    def si_of(found, min_prob):
        preds = [(aid, "", s.start, s.end) for aid, (segs, q) in found.items()
                 for s, qq in zip(segs, q) if qq >= min_prob]
        return si_scores(gold, preds, ids)

    def si_at(thr, seed):
        return si_of(segments_at(thr, seed), cfg.min_span_prob)

    def full_at(c):
        pred.config = c
        preds = [(a.id, p.technique, p.start, p.end)
                 for a in arts for p in pred.detect(a.text, outs[a.id])]
        return full_scores(gold, preds, ids, pred.techniques)

    none_head = pred.has_none_output()
    if tune:
        # two thresholds: words join a span above the lower one; a span needs one word above
        # the higher one (seed). Measured on validation halves, this beat any single threshold.
        # With a "no technique" output, the span's probability of a technique is a third.
        low = np.arange(0.05 if none_head else 0.15, 0.46, 0.05)
        grid = [(round(float(lo), 2), round(float(hi), 2))
                for lo in low for hi in np.arange(0.3, 0.76, 0.05) if hi >= lo]
        probs = [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7] if none_head else [cfg.min_span_prob]
        best = (-1.0,)
        for lo, hi in grid:
            found = segments_at(lo, hi)
            for m in probs:
                best = max(best, (si_of(found, m).f1, lo, hi, m))
        cfg.si_threshold, cfg.si_seed, cfg.min_span_prob = best[1], best[2], best[3]
        for name, grid in (("second_label", [0.25, 0.35, 0.45, 0.6, 1.01]),
                           ("token_threshold", [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01])):
            scored = []
            for v in grid:
                c = DecodeConfig(**{**asdict(cfg), name: v})
                scored.append((full_at(c).f1, v))
            setattr(cfg, name, max(scored)[1])
        cfg.use_token_head = cfg.token_threshold <= 1.0
    si = si_at(cfg.si_threshold, cfg.si_seed)
    full = full_at(cfg)
    pred.config = cfg
    metrics = {"si": si.to_dict(), "tc": tc.to_dict(), "full": full.to_dict(),
               "select": si.f1 + tc.f1 + full.f1}
    return metrics, cfg
