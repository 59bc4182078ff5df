"""Time the ingest stage: ``from_html`` on a generated ~200 KB news page, ``from_markdown`` on
the seed capture.

The page is built from a fixed seed (no network): a head with meta tags, JSON-LD and scripts, a
large navigation menu, an article of ~120 paragraphs with inline markup and entities, a
sidebar, a comment thread and a footer, so trafilatura has realistic boilerplate to remove and
the piece mapper has tags and entities to step over. Target: median ``from_html`` <= 100 ms.

Run: python benchmarks/ingest_html.py [--runs 9]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from unspin.ingest.html import from_html
from unspin.ingest.markdown import from_markdown

SEED_CAPTURE = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "seed" \
    / "000_296b8961a6a89711.txt"
WORDS = ("government minister council report economy budget crisis war peace election vote "
         "people country city market price energy oil gas water climate border security police "
         "court judge law union worker strike company bank tax health hospital school teacher "
         "student farmer village region army soldier leader party official spokesman agency "
         "said told warned claimed denied announced promised demanded argued reported added "
         "new old large small local national foreign public private early late strong weak "
         "the a of to in on for with by from at and but or that which while after before").split()


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 22))]
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        words[i] = f"<em>{words[i]}</em>"
    if rng.random() < 0.2:
        i = rng.randrange(len(words))
        words[i] = f'<a href="https://news.example/topic/{words[i]}?ref=inline">{words[i]}</a>'
    if rng.random() < 0.2:
        words.append("&#8217;s")
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "?", "!"])


def build_page(target_bytes: int = 200_000, seed: int = 7) -> str:
    rng = random.Random(seed)
    nav = "".join(f'<li><a href="/section/{i}">{rng.choice(WORDS).title()} {i}</a></li>'
                  for i in range(150))
    head = (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Council approves emergency budget after marathon session | The Daily Ledger</title>"
        '<meta property="og:site_name" content="The Daily Ledger">'
        '<meta name="author" content="Jane Doe">'
        '<meta property="article:published_time" content="2021-03-03T07:15:00Z">'
        '<meta property="article:section" content="Politics">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
        '"Council approves emergency budget", "datePublished": "2021-03-03"}</script>'
        "<script>" + "var x=1;" * 2000 + "</script>"
        "<style>" + ".a{color:red}" * 1500 + "</style></head><body>"
        f'<header><nav><ul>{nav}</ul></nav></header><main><article>'
        "<h1>Council approves emergency budget after marathon session</h1>"
        '<p class="byline">By Jane Doe</p>'
    )
    tail_parts = ['</article><aside class="related"><h3>Related</h3><ul>']
    tail_parts += [f'<li><a href="/r/{i}">{sentence(rng)}</a></li>' for i in range(30)]
    tail_parts.append('</ul></aside><section id="comments"><h3>Comments</h3>')
    tail_parts += [f'<div class="comment"><p class="author">user{i}</p><p>{sentence(rng)}</p></div>'
                   for i in range(60)]
    tail_parts.append("</section></main><footer><p>&copy; 2021 The Daily Ledger</p></footer>"
                      "<script>" + "track();" * 1000 + "</script></body></html>")
    tail = "".join(tail_parts)
    body: list[str] = []
    size = len(head) + len(tail)
    while size < target_bytes:
        if rng.random() < 0.08:
            block = f"<h2>{sentence(rng).rstrip('.?!')}</h2>"
        else:
            block = "<p>" + " ".join(sentence(rng) for _ in range(rng.randint(3, 7))) + "</p>\n"
        body.append(block)
        size += len(block)
    return head + "".join(body) + tail


def median_ms(fn, runs: int) -> float:
    fn()  # warm-up: imports, caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    page = build_page()
    doc = from_html(page)
    mapped = sum(p.end - p.start for p in doc.pieces) / max(1, len(doc.text))
    html_ms = median_ms(lambda: from_html(page), args.runs)
    print(f"from_html: page {len(page) / 1000:.0f} KB -> {len(doc.text) / 1000:.0f} KB text, "
          f"{doc.text.count(chr(10) * 2) + 1} paragraphs, {len(doc.pieces)} pieces "
          f"({mapped:.0%} of text mapped); median {html_ms:.1f} ms over {args.runs} runs "
          f"(target <= 100 ms: {'ok' if html_ms <= 100 else 'SLOW'})")
    no_pieces = median_ms(lambda: _extract_only(page), args.runs)
    print(f"  of which trafilatura extraction: median {no_pieces:.1f} ms")

    seed = SEED_CAPTURE.resolve()
    if seed.is_file():
        capture = seed.read_text(encoding="utf-8")
        md_ms = median_ms(lambda: from_markdown(capture), max(args.runs, 25))
        print(f"from_markdown: seed capture {len(capture) / 1000:.1f} KB; median {md_ms:.2f} ms")
    else:
        print(f"from_markdown: seed capture not found at {seed}; skipped")
    return 0


def _extract_only(page: str) -> None:
    import datetime

    from trafilatura import bare_extraction

    bare_extraction(page, with_metadata=True, include_comments=False,
                    date_extraction_params={"extensive_search": False, "original_date": True,
                                            "max_date": datetime.date.today().isoformat()})


if __name__ == "__main__":
    raise SystemExit(main())
