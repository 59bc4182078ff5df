"""Two models read the same article: which findings one keeps, loses and adds against the other.

A span of the new model "keeps" a span of the baseline when the two overlap and carry the same
technique; a baseline span nothing keeps is "gone", a new span that keeps nothing is "added".
Prints one line per span with its technique, score and text, so a journalist can read the
difference without opening two reports.

Run: python benchmarks/showcase.py [--article PATH] [--baseline minilm-spans.v5]
     --model mpnet-spans.v1 [--min-score X]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from unspin import analyze

ROOT = Path(__file__).resolve().parents[1]
SHOWCASE = ROOT.parent / "shared" / "data" / "seed" / "000_296b8961a6a89711.txt"


def overlaps(a, b) -> bool:
    return a.technique == b.technique and a.start < b.end and b.start < a.end


def compare(base_spans, new_spans) -> tuple[list, list, list]:
    """(kept, gone, added): kept as (baseline span, new span) pairs."""
    kept, used = [], set()
    for b in base_spans:
        match = next((n for n in new_spans if overlaps(b, n)), None)
        if match is not None and id(match) not in used:
            kept.append((b, match))
        if match is not None:
            used.add(id(match))
    gone = [b for b in base_spans if not any(overlaps(b, n) for n in new_spans)]
    added = [n for n in new_spans if id(n) not in used
             and not any(overlaps(b, n) for b in base_spans)]
    return kept, gone, added


def line(s, width: int = 70) -> str:
    text = " ".join(s.text.split())
    text = text if len(text) <= width else text[:width - 1] + "…"
    return f"{s.technique:<36} {s.score:4.2f}  {text}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--article", default=str(SHOWCASE))
    ap.add_argument("--baseline", default="minilm-spans.v5")
    ap.add_argument("--model", required=True)
    ap.add_argument("--min-score", type=float, default=None,
                    help="as unspin analyze --min-score (default: each model's own)")
    args = ap.parse_args()
    extra = {} if args.min_score is None else {"min_score": args.min_score}
    base = analyze(args.article, model=args.baseline, **extra)
    new = analyze(args.article, model=args.model, **extra)
    kept, gone, added = compare(base.spans, new.spans)
    print(f"{Path(args.article).name}: {args.baseline} {len(base.spans)} spans, "
          f"{args.model} {len(new.spans)} spans; kept {len(kept)}, gone {len(gone)}, "
          f"added {len(added)}")
    print(f"\nkept ({args.model}'s span):")
    for _b, n in kept:
        print("  " + line(n))
    print(f"\ngone (found by {args.baseline} only):")
    for b in gone:
        print("  " + line(b))
    print(f"\nadded (found by {args.model} only):")
    for n in added:
        print("  " + line(n))


if __name__ == "__main__":
    main()
