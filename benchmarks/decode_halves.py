"""Does two-threshold span decoding generalise, or does it only fit the validation split?

Splits the 49 validation articles into two halves. On each half it tunes (a) one threshold
and (b) two thresholds (a span grows over words above the low one and needs one word above
the high one), then scores both on the *other* half with the shipped model. Prints SI and
full-task F1 for each direction.

Run: python benchmarks/decode_halves.py [--ptc ../shared/data/ptc]
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from unspin.detect import load
from unspin.evaluate import full_scores, si_scores
from unspin.techniques import TECHNIQUE_IDS
from unspin.training.data import read_labeled, split_ids
from unspin.training.validate import gold_tuples

ROOT = Path(__file__).resolve().parents[1]


def scores(pred, arts, outs, cfg):
    pred.config = cfg
    ids, gold = [a.id for a in arts], gold_tuples(arts)
    found = [(a.id, p.technique, p.start, p.end) for a in arts
             for p in pred.detect(a.text, outs[a.id])]
    si = si_scores(gold, [(i, "", s, e) for i, _t, s, e in found], ids).f1
    return si, full_scores(gold, found, ids, TECHNIQUE_IDS).f1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ptc", default=str(ROOT.parent / "shared" / "data" / "ptc"))
    args = ap.parse_args()
    arts = read_labeled(args.ptc)
    _, val = split_ids([a.id for a in arts])
    by_id = {a.id: a for a in arts}
    val_arts = [by_id[i] for i in val]
    pred = load().predictor
    base = pred.config
    outs = {a.id: pred.token_outputs(a.text) for a in val_arts}
    half = len(val_arts) // 2
    halves = {"first": val_arts[:half], "second": val_arts[half:]}
    grid = np.round(np.arange(0.15, 0.76, 0.05), 2)
    for tune_on, score_on in (("first", "second"), ("second", "first")):
        tr, te = halves[tune_on], halves[score_on]
        one = max(grid, key=lambda t: scores(pred, tr, outs, replace(base, si_threshold=float(t),
                                                                     si_seed=None))[0])
        two = max(((lo, hi) for lo in grid if lo <= 0.45 for hi in grid if hi >= lo),
                  key=lambda c: scores(pred, tr, outs, replace(base, si_threshold=float(c[0]),
                                                               si_seed=float(c[1])))[0])
        s1, f1 = scores(pred, te, outs, replace(base, si_threshold=float(one), si_seed=None))
        s2, f2 = scores(pred, te, outs, replace(base, si_threshold=float(two[0]),
                                                si_seed=float(two[1])))
        print(f"tuned on the {tune_on} half ({len(tr)} articles), scored on the {score_on} "
              f"({len(te)}):")
        print(f"  one threshold {one:.2f}:          SI F1 {s1:.4f}  full-task F1 {f1:.4f}")
        print(f"  two thresholds {two[0]:.2f}/{two[1]:.2f}:   SI F1 {s2:.4f}  full-task F1 {f2:.4f}"
              f"  ({100 * (s2 - s1):+.1f} / {100 * (f2 - f1):+.1f} points)")
    pred.config = base


if __name__ == "__main__":
    main()
