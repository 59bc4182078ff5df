"""How fast are `unspin store load` and `unspin stats` on a large synthetic store?

Writes a synthetic batch output (articles, spans, quotes and targets tables and run.json: no
model needed; about 60% of the spans aimed at one of 300 entities),
loads it into SQLite (and PostgreSQL when --pg URL or $UNSPIN_TEST_PG_URL is given), loads it
again (nothing changed: every article is compared, none rewritten), then times
`stats --by outlet|author|technique|week|month|quarter|year|target` on each. Target: each
stats query <= 2 s at 1M spans.

    python benchmarks/stats.py                         # 1M spans (100k articles x 10)
    python benchmarks/stats.py --articles 20000 --spans-per-article 5 --pg postgresql://...
    python benchmarks/stats.py --plot-dir /tmp/plots   # also draw each chart
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from unspin.techniques import BY_ID, TECHNIQUE_IDS

WORDS = ("corrupt", "radical", "disaster", "traitor", "patriot", "elite", "crisis", "shameful",
         "invasion", "hoax", "freedom", "evil", "puppet", "regime", "thugs", "heroic")


def synth(out: Path, n_articles: int, spans_per_article: int, seed: int = 7) -> int:
    """A batch output folder with ``n_articles`` articles and about n*spans_per_article spans."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from unspin.corpus.tables import (
        article_schema,
        counts_cell,
        quote_schema,
        span_schema,
        target_schema,
    )

    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    outlets = [f"Outlet {i:02d}" for i in range(50)]
    rate = {o: 0.3 + 1.7 * rng.random() for o in outlets}  # outlets differ in how much they spin
    weights = [1 / (i + 1) for i in range(len(TECHNIQUE_IDS))]
    model = ("minilm-spans.v1", "1", "0" * 64)
    aw = pq.ParquetWriter(out / "articles.parquet", article_schema(), compression="zstd")
    sw = pq.ParquetWriter(out / "spans.parquet", span_schema(), compression="zstd")
    qw = pq.ParquetWriter(out / "quotes.parquet", quote_schema(), compression="zstd")
    tw = pq.ParquetWriter(out / "targets.parquet", target_schema(), compression="zstd")
    entities = [(f"Entity {i:03d}", ("person", "group", "country", "org")[i % 4])
                for i in range(300)]
    entity_weights = [1 / (i + 1) for i in range(len(entities))]
    n_spans, block = 0, 10_000
    for start in range(0, n_articles, block):
        arts, spans, quotes, targets = [], [], [], []
        for i in range(start, min(n_articles, start + block)):
            outlet = outlets[i % 50]
            k = max(0, int(rng.gauss(spans_per_article * rate[outlet], 2)))
            words = rng.randint(300, 1500)
            techs = rng.choices(TECHNIQUE_IDS, weights, k=k)
            counts: dict[str, int] = {}
            n_targets = n_quotes = 0
            for j, t in enumerate(techs):
                counts[t] = counts.get(t, 0) + 1
                s = rng.randint(0, words * 5)
                phrase = " ".join(rng.choices(WORDS, k=rng.randint(1, 2)))
                spans.append({"article_id": f"a{i}", "start": s, "end": s + len(phrase),
                              "technique": t, "name": BY_ID[t].name,
                              "score": round(rng.random(), 3), "text": phrase,
                              "model_name": model[0], "model_version": model[1]})
                if rng.random() < 0.6:
                    entity, kind = rng.choices(entities, entity_weights)[0]
                    targets.append({"article_id": f"a{i}", "span": j, "technique": t,
                                    "span_start": s, "span_end": s + len(phrase),
                                    "entity": entity, "kind": kind, "start": s + 20,
                                    "end": s + 20 + len(entity), "text": entity, "how": "nearby",
                                    "model_name": model[0], "model_version": model[1]})
                    n_targets += 1
            for q in range(rng.randint(0, 4)):
                speaker = rng.choice(entities)[0]
                quotes.append({"article_id": f"a{i}", "start": 100 * q, "end": 100 * q + 40,
                               "text": "a quote " * 5, "kind": "inline", "speaker": speaker,
                               "speaker_start": 100 * q + 50,
                               "speaker_end": 100 * q + 50 + len(speaker), "cue": "said",
                               "confidence": 0.8, "model_name": model[0],
                               "model_version": model[1]})
                n_quotes += 1
            arts.append({"id": f"a{i}", "row": i, "source": f"synthetic:{i}", "status": "ok",
                         "error": None, "title": f"Article {i}", "url": None, "outlet": outlet,
                         "language": "en",
                         "authors": [f"{outlet} writer {i % 3}", f"Staff {i % 7}"][: 1 + i % 2],
                         "published": f"20{19 + i % 2}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                         "month": f"20{19 + i % 2}-{1 + i % 12:02d}", "chars": words * 6,
                         "words": words, "sentences": words // 18, "spans": k,
                         "per_1000_words": round(1000 * k / words, 2),
                         "sentences_with_technique": min(k, words // 18), "intensity": 0,
                         "top": sorted(counts, key=lambda t: -counts[t])[:3],
                         "counts": counts_cell(counts), "model_name": model[0],
                         "model_version": model[1], "model_fingerprint": model[2],
                         "enrichment": "rules.v1", "quotes": n_quotes, "targets": n_targets})
        aw.write_table(pa.Table.from_pylist(arts, schema=article_schema()))
        sw.write_table(pa.Table.from_pylist(spans, schema=span_schema()))
        qw.write_table(pa.Table.from_pylist(quotes, schema=quote_schema()))
        tw.write_table(pa.Table.from_pylist(targets, schema=target_schema()))
        n_spans += len(spans)
    for writer in (aw, sw, qw, tw):
        writer.close()
    (out / "run.json").write_text(json.dumps({
        "schema": "unspin.batch/1", "run_id": f"synthetic-{seed}", "engine": "synthetic",
        "complete": True,
        "model": dict(zip(("name", "version", "fingerprint"), model, strict=True)),
        "result": {"articles": n_articles, "ok": n_articles, "failed": 0, "spans": n_spans}}))
    return n_spans


def bench(url: str, folder: Path, plot_dir: Path | None, label: str) -> None:
    from unspin.corpus.stats import compute, render_table
    from unspin.corpus.store import load_dir

    t = time.perf_counter()
    loaded = load_dir(folder, url)
    print(f"{label}: store load  {loaded.articles:,} articles, {loaded.spans:,} spans, "
          f"{loaded.quotes:,} quotes, {loaded.targets:,} targets in "
          f"{time.perf_counter() - t:.1f}s")
    t = time.perf_counter()
    again = load_dir(folder, url)
    print(f"{label}: load again  {again.unchanged:,} articles unchanged, {again.new} new, "
          f"{again.updated} updated in {time.perf_counter() - t:.1f}s")
    for by in ("outlet", "author", "technique", "week", "month", "quarter", "year", "target"):
        t = time.perf_counter()
        stats = compute(url, by)
        render_table(stats)
        took = time.perf_counter() - t
        flag = "ok" if took <= 2.0 else "OVER 2 s"
        print(f"{label}: stats --by {by:<9} {took:6.2f}s  ({flag})")
        if plot_dir:
            from unspin.corpus.plots import plot

            plot(stats, plot_dir / f"{label}-{by}.png")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--spans-per-article", type=int, default=10)
    ap.add_argument("--pg", default=os.environ.get("UNSPIN_TEST_PG_URL"),
                    help="PostgreSQL URL to benchmark too (a scratch database: tables are added)")
    ap.add_argument("--plot-dir", type=Path)
    ap.add_argument("--keep", type=Path, help="keep the synthetic output and SQLite file here")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="unspin-stats-"))
    t = time.perf_counter()
    n = synth(work / "out", args.articles, args.spans_per_article)
    print(f"synthetic batch output: {args.articles:,} articles, {n:,} spans "
          f"in {time.perf_counter() - t:.1f}s ({work / 'out'})")
    if args.plot_dir:
        args.plot_dir.mkdir(parents=True, exist_ok=True)
    db = work / "stats.db"
    db.unlink(missing_ok=True)
    bench(f"sqlite:///{db}", work / "out", args.plot_dir, "sqlite")
    if args.pg:
        bench(args.pg, work / "out", args.plot_dir, "postgresql")
    else:
        print("postgresql: skipped (give --pg URL or set UNSPIN_TEST_PG_URL)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
