"""Validation of a detector on labelled articles, and tuning of its decoding thresholds.

Used after every training epoch (torch encoder), after export (int8 ONNX encoder) and by the CI
quality gate (shipped model): all three go through ``Predictor``, the code that serves users.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np

from ..detect.predictor import DecodeConfig, Predictor
from ..evaluate import full_scores, si_scores, tc_scores
from ..techniques import TECHNIQUE_IDS
from .data import LabeledArticle

__all__ = ["validate", "gold_tuples"]



def gold_tuples(arts):
    return [(a.id, s.technique, s.start, s.end) for a in arts for s in a.spans]


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
        tc_pred += [(a.id, TECHNIQUE_IDS[int(p.argmax())], s.start, s.end)
                    for s, p in zip(a.spans, probs)]
    tc = tc_scores(gold, tc_pred)

    def segments_at(thr, seed):
        """Per article: segments at these thresholds and their probability of a technique."""
        pred.config = cfg
        found = {}
        for a in arts:
            segs = pred.segments(a.text, outs[a.id], thr, seed)
            q = (pred.span_probs(a.text, outs[a.id], [(s.start, s.end) for s in segs])[1]
                 if none_head and segs else np.ones(len(segs)))
            found[a.id] = (segs, q)
        return found

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
        return full_scores(gold, preds, ids, TECHNIQUE_IDS)

    none_head = pred.head["w2"].shape[0] > len(TECHNIQUE_IDS)
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
