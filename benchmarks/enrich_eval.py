"""Precision / recall / F1 of the enrich stage on the hand-marked articles.

    python benchmarks/enrich_eval.py [--ptc ../shared/data/ptc]

Reads tests/fixtures/enrich/synthetic.json (texts included), tests/fixtures/enrich/ptc.json and
ptc_heldout.json (offsets only; the PTC texts come from --ptc and are checked by sha256).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from unspin.enrich import METHOD
from unspin.enrich.scoring import load_gold, score

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "enrich"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ptc", type=Path, default=ROOT.parent / "shared" / "data" / "ptc")
    args = ap.parse_args()
    sets = {"synthetic": load_gold(FIXTURES / "synthetic.json")}
    if args.ptc.exists():
        sets["ptc"] = load_gold(FIXTURES / "ptc.json", args.ptc)
        sets["ptc held-out"] = load_gold(FIXTURES / "ptc_heldout.json", args.ptc)
    else:
        print(f"{args.ptc} not found: PTC part skipped")
    print(f"method {METHOD}")
    for name, arts in sets.items():
        t0 = time.perf_counter()
        rep = score(arts)
        ms = (time.perf_counter() - t0) * 1000 / len(arts)
        print(f"\n{name}: {len(arts)} articles ({ms:.1f} ms each)")
        print(f"  {'measure':<12} {'P':>6} {'R':>6} {'F1':>6}   tp/pred/gold")
        for label, c in rep.rows():
            print(f"  {label:<12} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f}"
                  f"   {c.tp}/{c.pred}/{c.gold}")


if __name__ == "__main__":
    main()
