"""Detail of shipped detectors on the fixed validation split (49 articles), side by side.

Single-split points, for looking inside a model; to compare models use
``benchmarks/quality.py`` (124 held-out articles, bootstrap intervals, cross-fitted thresholds).

For each model (default: every installed model) prints
- SI (span identification) P/R/F1 of the decoded segments (the figure model cards give) and of
  everything ``detect`` returns (what a user sees), TC (technique of gold spans) and full-task
  P/R/F1, per-technique full-task and TC F1;
- precision and recall of the spans scored at least 0.3 / 0.5 / 0.7 / 0.8, and the expected
  calibration error of the scores against hits (a gold span of the same technique overlaps
  the span). For a model with calibrated scores these are the
  *shipped* map on the data it was fitted on; the model card gives the cross-fitted figures;
- the halves check: decoding thresholds re-tuned on one half of the validation articles and
  scored on the other, both ways (is the tuning fitting noise?);
- short inputs: spans found in neutral one-sentence news reports and headlines (should be none),
  Repetition on a one-sentence input (should be none), and the spans of the showcase article.

Run: python benchmarks/quality_detail.py [--models minilm-spans.v1 minilm-spans.v3] [--ptc DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from unspin.detect import calibrate as cb
from unspin.detect import load
from unspin.detect.registry import installed
from unspin.evaluate import full_scores, si_scores, tc_scores
from unspin.techniques import TECHNIQUE_IDS
from unspin.training.data import read_labeled, split_ids
from unspin.training.validate import gold_tuples, validate

ROOT = Path(__file__).resolve().parents[1]

NEUTRAL = [
    "The city council met on Tuesday to discuss the budget for next year.",
    "The company reported quarterly revenue of 2.1 billion dollars, up 4 percent.",
    "Officials said the bridge would reopen to traffic on Monday morning.",
    "The minister travelled to Brussels for talks with European counterparts.",
    "Rain is expected across the region on Thursday, forecasters said.",
    "The court will hear the case in March, a spokesman for the court said.",
    "Police said two people were taken to hospital after the crash.",
    "The report was published by the statistics office on Friday.",
    "Schools in the district will close early for the holiday.",
    "The senator introduced the bill with two colleagues from her party.",
]
HEADLINES = [
    "Council approves new budget",
    "Storm expected to reach coast by Friday",
    "Trade talks resume in Geneva",
    "Next plague outbreak in Madagascar could be 'stronger': WHO",
]
ONE_SENTENCE_REPETITION = "This outrageous betrayal shows how corrupt the whole system is."


def scores(pred, arts, outs):
    ids, gold = [a.id for a in arts], gold_tuples(arts)
    found = [(a.id, p.technique, p.start, p.end, p.score) for a in arts
             for p in pred.detect(a.text, outs[a.id])]
    segs = [(a.id, "", s.start, s.end) for a in arts for s in pred.segments(a.text, outs[a.id])]
    if pred.config.min_span_prob > 0:
        kept = set()
        for a in arts:
            ss = [s for s in segs if s[0] == a.id]
            if ss:
                q = pred.span_probs(a.text, outs[a.id], [s[2:] for s in ss])[1]
                kept |= {s for s, qq in zip(ss, q) if qq >= pred.config.min_span_prob}
        segs = [s for s in segs if s in kept]
    tc_pred = []
    for a in arts:
        probs = pred.classify(a.text, outs[a.id], [(s.start, s.end) for s in a.spans])
        tc_pred += [(a.id, TECHNIQUE_IDS[int(p.argmax())], s.start, s.end)
                    for s, p in zip(a.spans, probs)]
    return {
        "si_segments": si_scores(gold, segs, ids),
        "si_detect": si_scores(gold, [(i, "", s, e) for i, _t, s, e, _v in found], ids),
        "tc": tc_scores(gold, tc_pred),
        "full": full_scores(gold, [f[:4] for f in found], ids, TECHNIQUE_IDS),
        "found": found, "gold": gold, "ids": ids,
    }


def prf(s) -> str:
    return f"P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.4f}  (n {s.n_pred})"


def report(name, det, arts, showcase):
    pred = det.predictor
    base = pred.config
    outs = {a.id: pred.token_outputs(a.text) for a in arts}
    r = scores(pred, arts, outs)
    print(f"\n== {name} ({det.info.path})")
    print(f"SI segments        {prf(r['si_segments'])}")
    print(f"SI all detections  {prf(r['si_detect'])}")
    print(f"TC on gold spans   {prf(r['tc'])}")
    print(f"full task          {prf(r['full'])}")
    print("per technique: full-task F1 / TC F1 / gold")
    for tid in TECHNIQUE_IDS:
        f, t = r["full"].per_technique.get(tid), r["tc"].per_technique.get(tid)
        print(f"  {tid:38s} {f.f1:.3f} / {t.f1:.3f} / {f.n_gold}")
    hit = (cb.span_credit(r["gold"], r["found"]) > 0).astype(float)
    raw = np.array([f[4] for f in r["found"]])
    print(f"scores: {100 * hit.mean():.0f}% of spans are hits (a gold span of the same technique "
          f"overlaps); AUC {cb.auc(raw, hit):.3f}, "
          f"ECE {cb.expected_calibration_error(raw, hit):.4f}"
          + (" (calibrated on these articles: see the card for cross-fitted figures)"
             if base.calibration else ""))
    for row in cb.at_thresholds(r["gold"], r["found"], r["ids"], TECHNIQUE_IDS):
        si, full = row["si"], row["full"]
        print(f"  score >= {row['threshold']:.1f}: {row['spans']:5d} spans  "
              f"SI P {si['precision']:.3f}"
              f" R {si['recall']:.3f}   full P {full['precision']:.3f} R {full['recall']:.3f}")
    # halves: re-tune on one half, score on the other
    half = len(arts) // 2
    parts = {"first": arts[:half], "second": arts[half:]}
    for tune_on, score_on in (("first", "second"), ("second", "first")):
        pred.config = base
        _m, tuned = validate(pred, parts[tune_on], tune=True, outputs=outs)
        pred.config = tuned
        h = scores(pred, parts[score_on], outs)
        pred.config = base
        s = scores(pred, parts[score_on], outs)
        print(f"halves: tuned on the {tune_on}, scored on the {score_on}: SI F1 "
              f"{h['si_segments'].f1:.4f} / full F1 {h['full'].f1:.4f} (shipped thresholds: "
              f"{s['si_segments'].f1:.4f} / {s['full'].f1:.4f})")
    pred.config = base
    neutral = sum(len(det.find_spans(t)) for t in NEUTRAL)
    heads = sum(len(det.find_spans(t)) for t in HEADLINES)
    rep = [p for p in det.find_spans(ONE_SENTENCE_REPETITION) if p.technique == "Repetition"]
    print(f"short inputs: {neutral} spans on {len(NEUTRAL)} neutral sentences, {heads} on "
          f"{len(HEADLINES)} headlines, {len(rep)} Repetition on a one-sentence input")
    if showcase and Path(showcase).is_file():
        text = Path(showcase).read_text(encoding="utf-8")
        found = det.find_spans(text)
        print(f"showcase {Path(showcase).name}: {len(found)} spans, "
              f"{sum(p.score >= 0.5 for p in found)} scored >= 0.5")
    return r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", nargs="+", default=sorted(installed()),
                    help="installed model names or model folders (default: every installed "
                    "model)")
    ap.add_argument("--ptc", default=str(ROOT.parent / "shared" / "data" / "ptc"))
    ap.add_argument("--showcase", default=str(ROOT.parent / "shared" / "data" / "seed" /
                                              "000_296b8961a6a89711.txt"))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    arts = read_labeled(args.ptc)
    _, val = split_ids([a.id for a in arts])
    by_id = {a.id: a for a in arts}
    val_arts = [by_id[i] for i in val]
    print(f"validation split: {len(val_arts)} articles, {len(gold_tuples(val_arts))} gold spans")
    for name in args.models:
        report(name, load(name, threads=args.threads), val_arts, args.showcase)


if __name__ == "__main__":
    main()
