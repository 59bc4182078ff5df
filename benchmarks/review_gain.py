"""Does training on reviewers' corrections help? Reviewers simulated with the SemEval dev gold.

The 75 SemEval-2020 development articles (``training.data.read_heldout``) are dealt into two
fixed halves (seed 21): the *reviewed* half (37) and the *scored* half (38). A simulated reviewer
reads the base model's spans on each reviewed article and corrects them to the gold, exactly as
``unspin review import`` turns a Label Studio annotation into corrections
(``review.labelstudio.compare``: a span at the gold's offsets with the gold's technique is
accepted, with another technique relabelled, any other span rejected, each missed gold span
added), so every review is complete. The first 10, 20 and all 37 reviewed articles (one seeded
order) are written as corrections files.

Each corrections file trains ``unspin train PTC --init-from BASE --corrections FILE``, and a
control run trains the same way with no corrections (same settings, same seed, same examples
drawn from the PTC training articles). Every model is scored on the 38 scored dev articles plus
the 49 validation articles (87; no run trains on them) at cross-fitted thresholds (5 folds of
the 87, ``training.validate.cross_fitted``) and at each model's own thresholds (tuned on the 49,
so the 49 flatter them), with the paired bootstrap interval (10,000 resamples of articles) of
each corrections run minus the control.

Run (about 15 minutes on 2 cores):
    nice -n 5 python benchmarks/review_gain.py [--sizes 10 20 37] [--out runs/review-gain]
        [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from quality import MEASURES, SETTINGS, Weights, intervals, paired, score_model  # noqa: E402

from unspin.analysis import ModelRef  # noqa: E402
from unspin.detect import load  # noqa: E402
from unspin.review.format import Review, dump_reviews  # noqa: E402
from unspin.review.labelstudio import compare  # noqa: E402
from unspin.training.data import read_heldout  # noqa: E402
from unspin.training.train import TrainConfig, train  # noqa: E402
from unspin.training.train_head import cpu_name  # noqa: E402
from unspin.training.validate import cached_outputs  # noqa: E402

SPLIT_SEED = 21
#: the span classifier settings of minilm-spans.v5 (without its teacher and unlabelled news)
SETTINGS_V5 = dict(epochs=8, batch_size=256, random_negatives=0.5, span_signals=True,
                   head_dropout=0.5, threads=2, decode_rules={
                       "cut_breaks": True, "repetition_min": 2, "span_prob_score": True,
                       "score_token_head": True, "stride": 254, "trim_dangling": True,
                       "mock_titles": 0.5})


def split_dev(dev):
    """(reviewed, scored): the 75 dev articles in a seeded order, the first 37 reviewed."""
    order = np.random.RandomState(SPLIT_SEED).permutation(len(dev))
    arts = [sorted(dev, key=lambda a: a.id)[i] for i in order]
    half = len(arts) // 2
    return arts[:half], arts[half:]


def simulated_reviews(base, arts, cache: Path) -> list[Review]:
    """A reviewer who corrects the base model's spans to the gold, one review per article."""
    pred = base.predictor
    outs = cached_outputs(pred, arts, cache / base.info.fingerprint)
    ref = ModelRef(base.info.name, base.info.version, base.info.fingerprint)
    out = []
    for a in arts:
        found = {(p.start, p.end, p.technique) for p in pred.detect(a.text, outs[a.id])}
        gold = {(s.start, s.end, s.technique) for s in a.spans}
        out.append(Review(f"dev-{a.id}", a.text, compare(found, gold), ref,
                          "simulated reviewer (SemEval dev gold)", "2026-01-01T00:00:00Z",
                          "benchmarks/review_gain.py").check())
    return out


def run(name: str, ptc: str, base: str, out: Path, corrections: Path | None,
        control: Path | None) -> dict:
    """Train one model (skipped when ``out`` already holds it) and return its config."""
    if not (out / "config.json").is_file():
        if control is not None:  # the same encoder pass over the PTC articles: reuse it
            (out / "checkpoints").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(control / "checkpoints" / "token_outputs.pkl",
                            out / "checkpoints" / "token_outputs.pkl")
        t0 = time.time()
        train(ptc, out, TrainConfig(name=name, init_from=base, **SETTINGS_V5),
              corrections=corrections)
        print(f"  {name}: trained in {time.time() - t0:.0f} s", flush=True)
    return json.loads((out / "config.json").read_text())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ptc", default=str(ROOT.parent / "shared" / "data" / "ptc"))
    ap.add_argument("--base", default="minilm-spans.v5")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 20, 37])
    ap.add_argument("--out", default=str(ROOT / "runs" / "review-gain"))
    ap.add_argument("--cache", default=str(ROOT / "runs" / "quality-cache"))
    ap.add_argument("--json", help="write the figures to this file")
    args = ap.parse_args()
    out, cache = Path(args.out), Path(args.cache)
    out.mkdir(parents=True, exist_ok=True)

    val, dev = read_heldout(args.ptc)
    reviewed, scored = split_dev(dev)
    print(f"{len(reviewed)} dev articles reviewed, {len(scored)} scored with the {len(val)} "
          f"validation articles; base {args.base}; {cpu_name()}", flush=True)
    base = load(args.base, threads=2)
    reviews = simulated_reviews(base, reviewed, cache)
    counts = [r.counts() for r in reviews]
    print("simulated reviews: " + ", ".join(f"{a} {sum(c[a] for c in counts)}"
                                            for a in counts[0]), flush=True)

    models = {"control": run("review-control", args.ptc, args.base, out / "control", None, None)}
    for n in args.sizes:
        path = out / f"corrections-{n}.jsonl"
        path.write_text(dump_reviews(reviews[:n]), encoding="utf-8")
        models[f"{n} corrected"] = run(f"review-gain-{n}", args.ptc, args.base,
                                       out / f"corrected-{n}", path, out / "control")

    arts = scored + val
    subsets = {"all": np.arange(len(arts)), "dev": np.arange(len(scored)),
               "val": np.arange(len(scored), len(arts))}
    labels = {"all": f"{len(arts)} scored", "dev": f"{len(scored)} dev",
              "val": f"{len(val)} validation"}
    folders = {"control": out / "control",
               **{f"{n} corrected": out / f"corrected-{n}" for n in args.sizes}}
    results = {k: score_model(str(f), arts, cache, 2) for k, f in folders.items()}
    results[args.base] = score_model(args.base, arts, cache, 2)
    weights = Weights()
    report = {"cpu": cpu_name(), "base": args.base, "reviewed": len(reviewed),
              "scored": {k: len(v) for k, v in subsets.items()}, "models": {}}
    for key, res in results.items():
        ivs = intervals(res, subsets, weights)
        diff = paired(res, results["control"], subsets, weights) if key != "control" else None
        rec = models.get(key, {}).get("corrections")
        report["models"][key] = {
            "fingerprint": res["fingerprint"],
            "corrections": rec and {k: rec[k] for k in ("articles", "spans", "rejected_spans",
                                                        "complete_articles", "sha256")},
            "f1": {s: {sub: {m: str(ivs[s][sub][m]) for m, _l in MEASURES} for sub in subsets}
                   for s in SETTINGS},
            "minus_control": diff and {s: {sub: {m: str(diff[s][sub][m]) for m, _l in MEASURES}
                                           for sub in subsets} for s in SETTINGS}}
        print(f"\n{key}" + (f" ({rec['articles']} articles, {rec['spans']} spans kept, "
                             f"{rec['rejected_spans']} rejected)" if rec else ""))
        for s in SETTINGS:
            for sub in subsets:
                line = "  ".join(f"{lab} {ivs[s][sub][m]}" for m, lab in MEASURES)
                print(f"  {s:12s} {labels[sub]:14s} {line}")
                if diff:
                    line = "  ".join(f"{lab} {diff[s][sub][m]}" for m, lab in MEASURES)
                    print(f"  {'':12s} {'minus control':14s} {line}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
