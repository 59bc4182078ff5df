"""How fast is `unspin batch`? Articles per second, scaling from 1 to 2 workers, peak memory per
worker, and the Ray engine's overhead against the local engine.

PTC training articles (../shared/data/ptc/train-articles) are cycled into a JSONL input of
--articles records. Targets: 2 workers >= 1.7x one worker; Ray within 20% of local.

    python benchmarks/batch.py              # 1,000 articles, 1 and 2 workers, then Ray
    UNSPIN_MODEL=/tmp/smoke python benchmarks/batch.py --articles 60 --no-ray
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PTC = ROOT.parent / "shared" / "data" / "ptc" / "train-articles"


def make_input(path: Path, n: int) -> int:
    texts = [p.read_text(encoding="utf-8") for p in sorted(PTC.glob("article*.txt"))]
    if not texts:
        sys.exit(f"no PTC articles in {PTC}")
    words = 0
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            text = texts[i % len(texts)]
            words += len(text.split())
            fh.write(json.dumps({"id": f"b{i}", "text": text, "outlet": f"Outlet {i % 50}"}) + "\n")
    return words


def run(src: Path, out: Path, **kw):
    from unspin.corpus.batch import run_batch

    started = time.perf_counter()
    result = run_batch(src, out, fresh=True, **kw)
    return result, time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                    help="worker counts to compare (one model thread each)")
    ap.add_argument("--no-ray", action="store_true", help="skip the Ray engine")
    ap.add_argument("--model", help="model name or folder (default: config file / $UNSPIN_MODEL)")
    ap.add_argument("--no-enrich", action="store_true",
                    help="skip the enrich stage (no quotes or targets), to see what it costs")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="unspin-batch-bench-"))
    src = work / "in.jsonl"
    words = make_input(src, args.articles)
    model = args.model or os.environ.get("UNSPIN_MODEL") or "default"
    print(f"input: {args.articles:,} PTC articles, {words:,} words ({words // args.articles} "
          f"per article), cores: {os.cpu_count()}, model: {model}")
    rates = {}
    for n in args.workers:
        result, took = run(src, work / f"local-{n}", workers=n, threads=1, model=args.model,
                           enrich=not args.no_enrich)
        rates[n] = args.articles / took
        rss = ", ".join(f"{r / 2**20:.0f}" for r in result.peak_rss) or "?"
        print(f"local engine, {n} worker(s): {took:7.1f}s  {rates[n]:6.2f} articles/s  "
              f"{result.spans:,} spans, {result.quotes:,} quotes, {result.targets:,} targets, "
              f"{result.failed} failed; peak RSS per worker MiB: {rss}")
    if 1 in rates and len(rates) > 1:
        for n, r in rates.items():
            if n != 1:
                print(f"scaling 1 -> {n} workers: {r / rates[1]:.2f}x (target for 2: >= 1.7x)")
    if not args.no_ray:
        n = max(args.workers)
        result, took = run(src, work / "ray", engine="ray", workers=n, model=args.model,
                           enrich=not args.no_enrich)
        local = args.articles / rates[n]
        print(f"ray engine, {n} actor(s):    {took:7.1f}s  {args.articles / took:6.2f} articles/s "
              f"(includes starting a local Ray); overhead vs local: "
              f"{100 * (took - local) / local:+.0f}% (target <= 20%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
