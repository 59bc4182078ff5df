"""How many of the server's spans the browser extension places on the page.

Loads the extension's test pages (the seed article as a news page with header, navigation, side
bar and footer; split across hundreds of elements; with line breaks, tabs and no-break spaces
inside sentences: the pages tests/browser_extension/test_extension.py builds) in headless
Chromium with the unpacked extension that ``unspin extension`` writes, triggers it as the
toolbar button does against a real ``unspin serve`` on 127.0.0.1, and prints per page the spans
the server returned, the spans drawn on the page and the spans listed in the panel as not
placed (with the reasons), then the share placed over all pages with a 95% Wilson interval
(spans of one article are not independent draws: read the interval as a rough guide).

Run: python benchmarks/extension_placement.py [--chromium /usr/bin/chromium] [--json OUT]
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import math
import re
import subprocess
import sys
import tempfile
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / ".." / "shared" / "data" / "seed" / "000_296b8961a6a89711.txt"
PAGES = ("furniture", "split", "whitespace")
REASONS = ("not on the page", "no text", "the text around it differs on the page",
           "it fits several places")


def tests_module():
    """The extension tests, for their pages and the helpers that drive the extension."""
    path = ROOT / "tests" / "browser_extension" / "test_extension.py"
    spec = importlib.util.spec_from_file_location("extension_tests", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def start_serve() -> tuple[subprocess.Popen, str]:
    port = tests_module().free_port()
    proc = subprocess.Popen([sys.executable, "-m", "unspin.cli", "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                sys.exit("unspin serve did not start: " + proc.stderr.read().decode()[-300:])
            time.sleep(0.2)


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if not n:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args(argv)
    if not SEED.exists():
        sys.exit(f"{SEED} not found (../shared beside the checkout)")
    if not Path(args.chromium).exists():
        sys.exit(f"{args.chromium} not found; apt-get install -y chromium")
    t = tests_module()
    from playwright.sync_api import sync_playwright

    from unspin.browser_extension import write

    title, paras = t.seed_article(SEED)
    builders = {"furniture": t.furniture_page, "split": t.split_page,
                "whitespace": t.whitespace_page}
    t.Pages.pages = {f"/{name}.html": builders[name](title, paras) for name in PAGES}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), t.Pages)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    pages = f"http://127.0.0.1:{httpd.server_address[1]}"
    proc, server = start_serve()
    rows = []
    try:
        out = Path(tempfile.mkdtemp(prefix="unspin-ext-"))
        folder, _archive, _mark = write(out)
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                str(out / "profile"), executable_path=args.chromium, headless=True,
                viewport={"width": 1280, "height": 900},
                args=["--no-sandbox", "--disable-gpu", f"--disable-extensions-except={folder}",
                      f"--load-extension={folder}"])
            worker = (context.service_workers[0] if context.service_workers
                      else context.wait_for_event("serviceworker", timeout=20_000))
            t.set_server(worker, server)
            for name in PAGES:
                returned = len(httpx.post(server + "/v1/analyze",
                                          json={"html": t.Pages.pages[f"/{name}.html"]},
                                          timeout=120).json()["spans"])
                tab, problems = t.trigger(context, worker, f"{pages}/{name}.html")
                placed, total = t.placed_share(tab)
                panel = t.shadow_text(tab, "UNSPIN-PANEL")
                why = collections.Counter(
                    m for m in re.findall(r"\((" + "|".join(map(re.escape, REASONS)) + r")\)",
                                          panel.split("Not placed on the page", 1)[-1])
                ) if "Not placed on the page" in panel else collections.Counter()
                marks = tab.locator("unspin-mark").count()
                rows.append({"page": name, "returned": returned, "panel_total": total,
                             "placed": placed, "unplaceable": sum(why.values()),
                             "reasons": dict(why), "marks": marks, "page_errors": problems})
                tab.close()
            context.close()
    finally:
        proc.terminate()
        proc.wait(10)
        httpd.shutdown()
    print(f"{'page':<11} {'returned':>8} {'placed':>7} {'unplaceable':>11}  reasons")
    for r in rows:
        print(f"{r['page']:<11} {r['returned']:>8} {r['placed']:>7} {r['unplaceable']:>11}  "
              + (", ".join(f"{k}: {v}" for k, v in r["reasons"].items()) or "-"))
    k = sum(r["placed"] for r in rows)
    n = sum(r["returned"] for r in rows)
    lo, hi = wilson(k, n)
    print(f"placed {k} of {n} spans ({k / n:.1%}; 95% Wilson interval {lo:.1%} to {hi:.1%})")
    bad = [r["page"] for r in rows if r["panel_total"] != r["returned"]
           or r["placed"] + r["unplaceable"] != r["returned"]]
    if bad:
        print("counts disagree on: " + ", ".join(bad))
    if args.json:
        Path(args.json).write_text(json.dumps({"pages": rows, "placed": k, "returned": n,
                                               "interval95": [lo, hi]}, indent=2))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
