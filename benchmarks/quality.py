"""Which model is better, with the uncertainty said: scores on 124 held-out articles.

The 124 held-out articles are the 49 of the fixed validation split and the 75 SemEval-2020
development articles (``training.data.read_heldout``); no model trained on them. For each model
it prints SI F1, TC accuracy on gold spans, full-task F1 and the SI F1 of the spans shown
(below) with 95% bootstrap intervals
(10,000 resamples of articles, seed 2020), on the 124 and separately on the 75 and the 49:

- at **cross-fitted** thresholds: the articles are dealt into 5 fixed folds, the decoding
  thresholds are tuned on 4 folds and the 5th is decoded with them, so no article is scored
  at thresholds chosen on it (``training.validate.cross_fitted``);
- at the model's **shipped** thresholds (tuned on the 49, so the 49's figures flatter it).

A model with a display threshold (``decode.display_threshold``: spans scored below it are not
shown by default) is scored on the spans it shows: at shipped thresholds its own threshold;
cross-fitted, the threshold that gives the best full-task F1 on the 4 tuning folds (decoded at
their tuned thresholds) is applied to the 5th. SI (segments before naming, technique-free)
and TC (gold spans) do not depend on it. "SI F1 of shown spans" scores what the output itself
highlights, technique-free (every full-task span shown, overlaps merged): the span
identification a reader sees and a scorer of ``--format semeval`` files measures. It is
reported beside the ship rule's measures, not in it. With ``--view 2020`` it scores the view:
spans of techniques without a 2020 counterpart are dropped before it, as from full-task F1.

For every other model, the paired bootstrap interval of its difference from the baseline (the
same resampled articles for both) for each measure, and the ship rule's verdict:

    SHIP RULE: a model may replace the baseline only if, on the 124 articles at cross-fitted
    thresholds, the paired 95% interval of its full-task F1 minus the baseline's lies wholly
    above 0 (low end > 0) and the paired interval of its SI F1 minus the baseline's does not
    reach below 0 (low end >= 0).

The encoder runs once per article and model; its outputs are kept in
``runs/quality-cache/<fingerprint>/`` so a second run only decodes (about a minute a model).

Taxonomies: by default every model is scored on the 2020 gold and must speak 2020. With
``--view 2020`` a model of another taxonomy is scored on the 2020 gold through its documented
mapping (``techniques.Taxonomy.to_2020``: its full-task spans and TC labels renamed, spans of a
technique without a 2020 counterpart dropped), beside 2020 models (scored as always). With
``--gold 2023`` the models are scored on the SemEval-2023 labels of the same 124 articles
(``--semeval23``; texts as that folder has them) and must speak 2023, the baseline too.

Run: python benchmarks/quality.py [--models NAME_OR_FOLDER ...] [--baseline minilm-spans.v5]
     [--ptc ../shared/data/ptc] [--json results.json] [--view 2020]
     [--gold 2023 --semeval23 ../shared/data/semeval2023-en --baseline MODEL_2023]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from unspin.detect import installed_models, load
from unspin.evaluate import (
    RESAMPLES,
    SEED,
    article_counts,
    bootstrap,
    paired_bootstrap,
    resample_weights,
)
from unspin.training.data import read_heldout
from unspin.training.train_head import cpu_name
from unspin.training.validate import (
    FOLDS,
    Decoded,
    cached_outputs,
    cross_fitted,
    decode,
    fold_of,
    gold_tuples,
)

ROOT = Path(__file__).resolve().parents[1]
MEASURES = (("si", "SI F1"), ("tc", "TC accuracy"), ("full", "full-task F1"),
            ("shown", "SI F1 of shown spans"))
SETTINGS = ("cross-fitted", "shipped")
FALLBACK_MODELS = [f"minilm-spans.v{i}" for i in range(1, 6)]
#: display thresholds tried when one is cross-fitted
DISPLAY_GRID = [round(0.05 * i, 2) for i in range(11)]


def default_models() -> list[str]:
    """The installed models (the registry's list), else minilm-spans.v1..v5."""
    try:
        return [m.name for m in installed_models()] or FALLBACK_MODELS
    except Exception:  # a registry that cannot list its models still loads them by name
        return FALLBACK_MODELS


def in_view(decoded: dict, tax) -> dict:
    """Every article's ``Decoded`` with its techniques renamed to their 2020 counterparts in
    ``tax`` (a full-task span of a technique without one dropped, two that become one span
    counted once; a TC label without one is a wrong label)."""
    out = {}
    for aid, d in decoded.items():
        full = list(dict.fromkeys((a, tax.to_2020(t), s, e) for a, t, s, e in d.full
                                  if tax.to_2020(t)))
        tc = [(a, tax.to_2020(t) or "(none)", s, e) for a, t, s, e in d.tc]
        out[aid] = Decoded(d.si, full, tc)
    return out


def score_model(name: str, arts, cache: Path, threads: int, gold_taxonomy: str = "2020",
                view: str | None = None) -> dict:
    """Per-article counts of every measure at both settings, and what it took. The model
    must speak ``gold_taxonomy``, or another whose ``view`` (its mapping to 2020) is scored."""
    from unspin.techniques import taxonomy

    det = load(name, threads=threads)
    tax = taxonomy(det.info.taxonomy)
    if tax.name != gold_taxonomy and not (view == gold_taxonomy == "2020"):
        raise SystemExit(f"{name} speaks the {tax.name} taxonomy, the gold is {gold_taxonomy}'s: "
                         f"score it with --gold {tax.name}, or on the 2020 gold with --view 2020")
    pred = det.predictor
    t0 = time.time()
    outs = cached_outputs(pred, arts, cache / det.info.fingerprint,
                          on_article=lambda i, n: print(f"  encoding {i + 1}/{n}", end="\r",
                                                        flush=True))
    t_encode = time.time() - t0
    t0 = time.time()
    decoded = {"shipped": {a.id: decode(pred, a, outs[a.id]) for a in arts}}
    decoded["cross-fitted"], configs = cross_fitted(pred, arts, outs)
    shown = pred.config.display_threshold
    if shown:
        chosen = displayed(pred, arts, outs, decoded, configs)
    t_decode = time.time() - t0
    if tax.name != gold_taxonomy:
        decoded = {setting: in_view(d, tax) for setting, d in decoded.items()}
    gold, ids = gold_tuples(arts), [a.id for a in arts]
    counts = {setting: {m: (article_counts("si", gold, shown_regions(d, ids), ids)
                            if m == "shown" else
                            article_counts(m, gold, [t for i in ids for t in getattr(d[i], m)],
                                           ids))
                        for m, _label in MEASURES}
              for setting, d in decoded.items()}
    return {"name": det.info.name, "path": det.info.path, "fingerprint": det.info.fingerprint,
            "taxonomy": tax.name, "counts": counts, "encode_s": t_encode, "decode_s": t_decode,
            "fold_thresholds": [{k: getattr(c, k) for k in ("si_threshold", "si_seed",
                                                            "min_span_prob", "second_label",
                                                            "token_threshold")}
                                for c in configs]} | (
        {"display_threshold": {"shipped": shown, "cross-fitted": chosen}} if shown else {})


def shown_regions(decoded: dict, ids) -> list[tuple[str, str, int, int]]:
    """What a reader sees highlighted, technique-free: each article's full-task spans (those
    shown, for a model with a display threshold), which the SI measure merges where they
    overlap (``evaluate.merge_intervals``). Its SI F1 is the span identification of the output
    itself, as a scorer of ``--format semeval`` files reads it, where ``si`` scores the decoded
    segments before they are named."""
    return [(aid, "", s, e) for aid in ids for _aid, _t, s, e in decoded[aid].full]


def displayed(pred, arts, outs, decoded: dict, configs) -> list[float]:
    """Keep in ``decoded``'s full-task spans only those a model with a display threshold
    shows: at shipped thresholds those scored at least its own; cross-fitted, those at least
    the threshold chosen on the other folds (best full-task F1 there). Returns the chosen
    thresholds, one per fold."""
    from unspin.evaluate import full_scores
    from unspin.techniques import TECHNIQUE_IDS

    def scored(config):
        pred.config = config
        return {a.id: [(a.id, p.technique, p.start, p.end, p.score)
                       for p in pred.detect(a.text, outs[a.id])] for a in arts}

    def kept(found, ids, t):
        return [x[:4] for i in ids for x in found[i] if x[4] >= t]

    def replace_full(aid, full):
        d = decoded_setting[aid]
        decoded_setting[aid] = Decoded(d.si, full, d.tc)

    base = pred.config
    gold, fold = gold_tuples(arts), fold_of([a.id for a in arts])
    chosen = []
    try:
        found = scored(base)
        decoded_setting = decoded["shipped"]
        for a in arts:
            replace_full(a.id, kept(found, [a.id], base.display_threshold))
        decoded_setting = decoded["cross-fitted"]
        for k, config in enumerate(configs):
            found = scored(config)
            tune = [a.id for a in arts if fold[a.id] != k]
            tune_gold = [g for g in gold if fold[g[0]] != k]
            best = max(DISPLAY_GRID, key=lambda t: (full_scores(
                tune_gold, kept(found, tune, t), tune, TECHNIQUE_IDS).f1, -t))
            chosen.append(best)
            for a in arts:
                if fold[a.id] == k:
                    replace_full(a.id, kept(found, [a.id], best))
    finally:
        pred.config = base
    return chosen


class Weights:
    """One draw of bootstrap resamples per subset size, shared by every interval."""

    def __init__(self):
        self._w: dict[int, np.ndarray] = {}

    def __call__(self, n: int) -> np.ndarray:
        if n not in self._w:
            self._w[n] = resample_weights(n, RESAMPLES, SEED)
        return self._w[n]


def intervals(result: dict, subsets: dict, weights: Weights) -> dict:
    return {setting: {sub: {m: bootstrap(result["counts"][setting][m][rows],
                                         weights=weights(len(rows)))
                            for m, _l in MEASURES}
                      for sub, rows in subsets.items()}
            for setting in SETTINGS}


def paired(result: dict, base: dict, subsets: dict, weights: Weights) -> dict:
    return {setting: {sub: {m: paired_bootstrap(result["counts"][setting][m][rows],
                                                base["counts"][setting][m][rows],
                                                weights=weights(len(rows)))
                            for m, _l in MEASURES}
                      for sub, rows in subsets.items()}
            for setting in SETTINGS}


def verdict(diff: dict) -> tuple[bool, str]:
    """The ship rule on the 124 at cross-fitted thresholds (see the module docstring)."""
    full, si = diff["cross-fitted"]["all"]["full"], diff["cross-fitted"]["all"]["si"]
    ok_full, ok_si = full.low > 0, si.low >= 0
    why = (f"full-task {'above 0' if ok_full else 'not above 0'} (low {full.low:+.3f}), "
           f"SI {'not below 0' if ok_si else 'reaches below 0'} (low {si.low:+.3f})")
    return ok_full and ok_si, why


def print_model(result: dict, ivs: dict, subsets: dict, labels: dict, gold: str = "2020"
                ) -> None:
    print(f"\n== {result['name']}  ({result['path']}; fingerprint {result['fingerprint'][:12]})")
    if result["taxonomy"] != gold:
        print(f"   speaks the {result['taxonomy']} taxonomy: scored through its {gold} view "
              "(techniques renamed by the documented mapping)")
    print(f"   encoder {result['encode_s']:.0f} s (0 when cached), decoding and cross-fitting "
          f"{result['decode_s']:.0f} s")
    print(f"   {'thresholds':<14}{'articles':<16}" + "".join(f"{lab:<26}" for _m, lab in MEASURES))
    for setting in SETTINGS:
        for sub in subsets:
            note = "  (tuned on these)" if setting == "shipped" and sub == "val" else ""
            print(f"   {setting:<14}{labels[sub]:<16}"
                  + "".join(f"{str(ivs[setting][sub][m]):<26}" for m, _l in MEASURES) + note)
    for k, t in enumerate(result["fold_thresholds"]):
        print(f"   fold {k + 1} tuned: " + ", ".join(f"{key} {v}" for key, v in t.items()))
    if "display_threshold" in result:
        d = result["display_threshold"]
        print(f"   display threshold: shipped {d['shipped']}, cross-fitted by fold "
              + ", ".join(str(t) for t in d["cross-fitted"]))


def signed(iv) -> str:
    """A difference and its interval, signs shown: ``+0.012 [-0.004, +0.027]``."""
    return f"{iv.point:+.3f} [{iv.low:+.3f}, {iv.high:+.3f}]"


def print_paired(name: str, base: str, diff: dict, subsets: dict, labels: dict) -> None:
    print(f"\n-- {name} minus {base}: paired 95% intervals of the F1 difference")
    for setting in SETTINGS:
        for sub in subsets:
            print(f"   {setting:<14}{labels[sub]:<16}"
                  + "".join(f"{lab} {signed(diff[setting][sub][m]):<30}" for m, lab in MEASURES))
    ok, why = verdict(diff)
    print(f"   ship rule: {'SHIP' if ok else 'do not ship'}: {why}")


def markdown(results, ivs, diffs, base_name) -> str:
    """The summary tables (124 articles, cross-fitted) for docs/benchmarks.md."""
    out = ["| model | SI F1 | TC accuracy | full-task F1 | SI F1 of shown spans "
           "| SI F1 (shipped thresholds) | full-task F1 (shipped thresholds) |",
           "|---|---|---|---|---|---|---|"]
    for r in results:
        cf, sh = ivs[r["name"]]["cross-fitted"]["all"], ivs[r["name"]]["shipped"]["all"]
        out.append(f"| {r['name']} | {cf['si']} | {cf['tc']} | {cf['full']} | {cf['shown']} "
                   f"| {sh['si']} | {sh['full']} |")
    out += ["", f"| model minus {base_name} | SI F1 | TC accuracy | full-task F1 "
            "| SI F1 of shown spans | ship rule |", "|---|---|---|---|---|---|"]
    for r in results:
        if r["name"] not in diffs:
            continue
        d = diffs[r["name"]]["cross-fitted"]["all"]
        cells = " | ".join(signed(d[m]) for m, _l in MEASURES)
        out.append(f"| {r['name']} | {cells} | "
                   f"{'ship' if verdict(diffs[r['name']])[0] else 'no'} |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", nargs="+", help="names or model folders (default: installed)")
    ap.add_argument("--baseline", default="minilm-spans.v5")
    ap.add_argument("--ptc", default=str(ROOT.parent / "shared" / "data" / "ptc"))
    ap.add_argument("--cache", default=str(ROOT / "runs" / "quality-cache"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", help="also write every interval here")
    ap.add_argument("--gold", choices=("2020", "2023"), default="2020",
                    help="score on the 2020 labels (--ptc) or the 2023 ones (--semeval23)")
    ap.add_argument("--semeval23", default=str(ROOT.parent / "shared" / "data" /
                                               "semeval2023-en"))
    ap.add_argument("--view", choices=("2020",),
                    help="score models of another taxonomy on the 2020 gold through their "
                    "mapping to 2020")
    args = ap.parse_args()
    if args.view and args.gold != args.view:
        ap.error("--view 2020 scores on the 2020 gold: leave out --gold 2023")
    models = list(args.models or default_models())
    if args.baseline not in models:
        models.append(args.baseline)
    val, dev = (read_heldout(args.semeval23, taxonomy_name="2023") if args.gold == "2023"
                else read_heldout(args.ptc))
    arts = val + dev
    subsets = {"all": np.arange(len(arts)), "dev": np.arange(len(val), len(arts)),
               "val": np.arange(len(val))}
    labels = {"all": f"all {len(arts)}", "dev": f"dev {len(dev)}", "val": f"val {len(val)}"}
    print(f"CPU: {cpu_name()} ({os.cpu_count()} cores), {args.threads} threads")
    print(f"held-out articles: {len(val)} validation + {len(dev)} SemEval-2020 dev = {len(arts)},"
          + (" with their SemEval-2023 labels," if args.gold == "2023" else "") +
          f" {len(gold_tuples(arts))} gold spans; {RESAMPLES:,} bootstrap resamples of articles "
          f"(seed {SEED}), 95% percentile intervals; cross-fitting over {FOLDS} folds")
    weights = Weights()
    results, ivs = [], {}
    for name in models:
        r = score_model(name, arts, Path(args.cache), args.threads, args.gold, args.view)
        r["name"] = name
        results.append(r)
        ivs[name] = intervals(r, subsets, weights)
        print_model(r, ivs[name], subsets, labels, args.gold)
    base = next(r for r in results if r["name"] == args.baseline)
    diffs = {}
    for r in results:
        if r is not base:
            diffs[r["name"]] = paired(r, base, subsets, weights)
            print_paired(r["name"], args.baseline, diffs[r["name"]], subsets, labels)
    print("\nsummary: 124 held-out articles, 95% intervals; differences paired, cross-fitted\n")
    print(markdown(results, ivs, diffs, args.baseline))
    if args.json:
        def dump(tree):
            return ({k: dump(v) for k, v in tree.items()} if isinstance(tree, dict)
                    else tree.to_dict())
        Path(args.json).write_text(json.dumps(
            {"cpu": cpu_name(), "gold": args.gold, "view": args.view,
             "articles": {k: len(v) for k, v in subsets.items()},
             "baseline": args.baseline,
             "models": {r["name"]: {"fingerprint": r["fingerprint"], "scores": dump(ivs[r["name"]]),
                                    "fold_thresholds": r["fold_thresholds"],
                                    **({"display_threshold": r["display_threshold"]}
                                       if "display_threshold" in r else {}),
                                    **({"minus_baseline": dump(diffs[r["name"]]),
                                        "ship": verdict(diffs[r["name"]])[0]}
                                       if r["name"] in diffs else {})}
                        for r in results}}, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
