"""The browser extension, unpacked from the installed package (``unspin extension``), loaded
into Debian's Chromium and run against pages served from 127.0.0.1 and a real ``unspin serve``:
highlights placed on the page's text, the tip, the panel, the toggle, the isolated world, and
the messages when the server is down or refuses. Screenshots go to $UNSPIN_TEST_SCREENSHOT_DIR
if set."""

from __future__ import annotations

import html as htmllib
import json
import re
import socket
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest

pytest.importorskip("fastapi", reason="needs unspin[serve]")
httpx = pytest.importorskip("httpx")
sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright")

from unspin.browser_extension import bookmarklet, write  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.model, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")


def free_port() -> int:
    """A port nothing listens on: the address of a server that is not running."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# the test pages, made from the seed article (a Markdown capture)

def seed_article(seed_path) -> tuple[str, list[str]]:
    lines = seed_path.read_text(encoding="utf-8").splitlines()
    title = next(x[2:] for x in lines if x.startswith("# "))
    start = next(i for i, x in enumerate(lines) if x.startswith("In-depth Report"))
    paras = []
    for line in lines[start + 1:]:
        line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line).replace("*", "").strip()
        if line:
            paras.append(line)
    return title, paras


FURNITURE_TOP = """<header><a href="/">The Daily Example</a><nav><ul><li><a href="/w">World</a></li>
<li><a href="/p">Politics</a></li><li><a href="/s">Subscribe now</a></li></ul></nav></header>"""
FURNITURE_SIDE = """<aside><h2>Most read</h2><ol><li><a href="/1">Ten recipes for a quiet
weekend</a></li><li><a href="/2">Local team wins the cup again</a></li></ol></aside>"""
FURNITURE_END = """<footer><p>&copy; 2026 The Daily Example. All rights reserved.</p>
<p><a href="/privacy">Privacy</a> &middot; <a href="/terms">Terms</a></p></footer>"""
PAGE_SCRIPT = """<script>
window.pageSaw = [];
const realFetch = window.fetch;
window.fetch = (...a) => { window.pageSaw.push(String(a[0])); return realFetch(...a); };
</script>"""


def page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{htmllib.escape(title)}"
            f"</title>{PAGE_SCRIPT}</head><body style='font:16px/1.5 Georgia,serif;margin:0 380px "
            f"0 24px'>{body}</body></html>")


def furniture_page(title, paras) -> str:
    article = "".join(f"<p>{htmllib.escape(p)}</p>" for p in paras)
    return page(title, f"{FURNITURE_TOP}<main><article><h1>{htmllib.escape(title)}</h1>"
                       f"<p class=byline>By Mike Whitney</p>{article}</article>{FURNITURE_SIDE}"
                       f"</main>{FURNITURE_END}")


def split_page(title, paras) -> str:
    """Every few words in its own element, some inside others, links mid-sentence."""
    out = []
    for p in paras:
        words = p.split(" ")
        parts = []
        for i in range(0, len(words), 3):
            chunk = htmllib.escape(" ".join(words[i:i + 3]))
            tag = ("span", "em", "a", "b")[i // 3 % 4]
            parts.append(f"<{tag}>{chunk}</{tag}>")
        out.append(f"<div class=para><span>{' '.join(parts)}</span></div>")
    return page(title, f"<h1><span>{htmllib.escape(title)}</span></h1>{''.join(out)}")


def whitespace_page(title, paras) -> str:
    """Line breaks inside sentences, runs of spaces, tabs and no-break spaces."""
    out = []
    for n, p in enumerate(paras):
        words = [htmllib.escape(w) for w in p.split(" ")]
        text = ""
        for i, w in enumerate(words):
            sep = ("\n      ", "  ", "\t", "&nbsp;", " ")[(i + n) % 5] if i else ""
            text += sep + w
        out.append(f"<p>\n    {text}\n  </p>\n\n")
    return page(title, f"<h1>\n  {htmllib.escape(title)}\n</h1>\n{''.join(out)}")


# ---------------------------------------------------------------------------------------------
# servers

class Pages(BaseHTTPRequestHandler):
    pages: dict[str, str] = {}
    posted: list[dict] = []  # what was POSTed to /echo/... (an unspin server that only listens)

    def do_GET(self):  # noqa: N802
        self._answer()

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        if self.path.startswith("/echo/"):
            self.posted.append({"path": self.path, "body": json.loads(body)})
            self.path = "/s503/"
        self._answer()

    def do_OPTIONS(self):  # noqa: N802
        self._answer()

    def _answer(self):
        # /sNNN/... answers like an unspin server refusing with status NNN
        refusal = re.match(r"/s(\d{3})/", self.path)
        if refusal:
            status = int(refusal.group(1))
            body = json.dumps({"error": {"code": "x", "message": f"refused with {status}"}})
            kind = "application/json"
        elif (where := self.path.split("?")[0]) in self.pages:
            status, body, kind = 200, self.pages[where], "text/html; charset=utf-8"
        else:
            status, body, kind = 404, "not here", "text/plain"
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def pages(seed_path):
    title, paras = seed_article(seed_path)
    Pages.pages = {
        "/furniture.html": furniture_page(title, paras),
        "/split.html": split_page(title, paras),
        "/whitespace.html": whitespace_page(title, paras),
        "/french.html": page("Un article", "<h1>Le gouvernement et la réforme</h1>" + "".join(
            "<p>Le gouvernement a présenté hier une réforme qui, selon les syndicats, menace "
            "directement les travailleurs les plus fragiles du pays et leurs familles.</p>"
            for _ in range(12))),
        "/huge.html": page("Huge", "<h1>A very long page</h1>" + "<p>word " * 120_000),
    }
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def server(pages, start_serve):
    """A real ``unspin serve``; the test pages' origin may call it (for the bookmarklet)."""
    return start_serve("--cors-origin", pages)


@pytest.fixture(scope="module")
def keyed_server(pages, start_serve):
    """A real ``unspin serve`` that wants the API key "right-key"."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("UNSPIN_API_KEYS", "right-key")
        return start_serve()


@pytest.fixture(scope="module")
def chrome():
    """A Chromium profile with the extension as ``unspin extension`` writes it."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing; apt-get install -y chromium")
    out = Path(tempfile.mkdtemp())
    folder, archive, _mark = write(out)
    assert archive.exists()
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(out / "profile"), executable_path=str(CHROMIUM), headless=True,
            viewport={"width": 1280, "height": 900},
            args=["--no-sandbox", "--disable-gpu", f"--disable-extensions-except={folder}",
                  f"--load-extension={folder}"])
        worker = (context.service_workers[0] if context.service_workers
                  else context.wait_for_event("serviceworker", timeout=20_000))
        yield context, worker
        context.close()


# ---------------------------------------------------------------------------------------------
# driving the extension

def set_server(worker, address: str, key: str = "") -> None:
    worker.evaluate("([s, k]) => chrome.storage.local.set({server: s, apiKey: k})", [address, key])


def trigger(context, worker, url: str):
    """Open ``url`` and do what the toolbar button does; wait until the panel has its answer."""
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    problems = []
    tab.on("pageerror", lambda exc: problems.append(str(exc)))
    tab.goto(url)
    tab.bring_to_front()
    worker.evaluate("unspinRunActive()")
    tab.wait_for_function("() => document.querySelector('unspin-panel')")
    deadline = time.monotonic() + 60
    while "is reading this page" in shadow_text(tab, "UNSPIN-PANEL"):
        assert time.monotonic() < deadline, "no answer within 60 s"
        time.sleep(0.2)
    return tab, problems


def shadow_text(tab, host: str) -> str:
    """The text inside a closed shadow root (pages cannot read it; the DevTools protocol can)."""
    cdp = tab.context.new_cdp_session(tab)
    try:
        root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
    finally:
        cdp.detach()
    texts: list[str] = []

    def collect(node, inside):
        if node.get("nodeName") == host:
            for shadow in node.get("shadowRoots", []):
                collect(shadow, True)
            return
        if inside and node.get("nodeType") == 3:
            texts.append(node.get("nodeValue", ""))
        if inside and node.get("nodeName") in ("STYLE",):
            return
        for child in node.get("children", []):
            collect(child, inside)

    collect(root, False)
    return " ".join(texts)


def click_in_shadow(tab, host: str, label: str) -> None:
    """Click the button labelled ``label`` inside ``host``'s closed shadow root, as a user."""
    cdp = tab.context.new_cdp_session(tab)
    try:
        root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]

        def find(node, inside):
            if node.get("nodeName") == host:
                return next((f for s in node.get("shadowRoots", []) if (f := find(s, True))),
                            None)
            if inside and node.get("nodeName") == "BUTTON" and any(
                    c.get("nodeValue") == label for c in node.get("children", [])):
                return node
            return next((f for c in node.get("children", []) if (f := find(c, inside))), None)

        button = find(root, False)
        assert button, f"no {label!r} button in {host}"
        quad = cdp.send("DOM.getBoxModel", {"backendNodeId": button["backendNodeId"]})
        xs, ys = quad["model"]["content"][0::2], quad["model"]["content"][1::2]
    finally:
        cdp.detach()
    tab.mouse.click(sum(xs) / 4, sum(ys) / 4)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def placed_share(tab) -> tuple[int, int]:
    found = re.search(r"(\d+) of (\d+) spans placed", shadow_text(tab, "UNSPIN-PANEL"))
    assert found, shadow_text(tab, "UNSPIN-PANEL")
    return int(found.group(1)), int(found.group(2))


# ---------------------------------------------------------------------------------------------
# tests

@pytest.mark.parametrize("name", ["furniture", "split", "whitespace"])
def test_highlights_land_on_the_article_text(chrome, server, pages, name, shots):
    context, worker = chrome
    set_server(worker, server)
    tab, problems = trigger(context, worker, f"{pages}/{name}.html")
    placed, total = placed_share(tab)
    print(f"{name}: {placed} of {total} spans placed")
    assert total >= 10 and placed / total >= 0.9, (placed, total)
    marks = tab.locator("unspin-mark")
    assert marks.count() >= placed
    # every highlighted piece is text of a span the server found, and none is in the furniture
    analysis = httpx.post(server + "/v1/analyze", json={"html": Pages.pages[f"/{name}.html"]},
                          timeout=60).json()
    span_text = "|".join(squash(s["text"]) for s in analysis["spans"])
    for text in tab.eval_on_selector_all("unspin-mark", "ms => ms.map(m => m.textContent)"):
        assert squash(text) in span_text, text
    inside = tab.eval_on_selector_all(
        "unspin-mark", "ms => ms.filter(m => m.closest('header,footer,aside,nav')).length")
    assert inside == 0
    # the page reads the same as before, highlights aside
    assert "Moscow" in tab.inner_text("h1")
    assert not problems
    tab.screenshot(path=str(shots / f"extension-{name}.png"))
    tab.close()


def test_tip_panel_and_toggle(chrome, server, pages, shots):
    context, worker = chrome
    set_server(worker, server)
    tab, _ = trigger(context, worker, f"{pages}/furniture.html")
    first = tab.locator("unspin-mark").first
    first.scroll_into_view_if_needed()
    first.hover()
    tip = shadow_text(tab, "UNSPIN-TIP")
    assert "confidence" in tip and re.search(r"\d+%", tip), tip
    tab.screenshot(path=str(shots / "extension-tip.png"))
    panel = shadow_text(tab, "UNSPIN-PANEL")
    for heading in ("Summary", "Techniques", "Who is targeted", "Who is quoted",
                    "Claims to check"):
        assert heading in panel, heading
    # keyboard: a highlight takes focus and shows the same tip
    tab.mouse.move(5, 5)
    first.focus()
    assert "confidence" in shadow_text(tab, "UNSPIN-TIP")
    # the toggle hides the colours and gives them back
    colour = "m => getComputedStyle(m).backgroundColor"
    clear = "rgba(0, 0, 0, 0)"
    assert first.evaluate(colour) != clear
    click_in_shadow(tab, "UNSPIN-PANEL", "Hide highlights")
    assert first.evaluate(colour) == clear
    assert "Show highlights" in shadow_text(tab, "UNSPIN-PANEL")
    click_in_shadow(tab, "UNSPIN-PANEL", "Show highlights")
    assert first.evaluate(colour) != clear
    tab.screenshot(path=str(shots / "extension-panel.png"))
    # Close takes everything away and leaves the page's text as it was
    words = squash(tab.inner_text("article"))
    click_in_shadow(tab, "UNSPIN-PANEL", "Close")
    assert tab.locator("unspin-mark, unspin-panel").count() == 0
    assert squash(tab.inner_text("article")) == words
    tab.close()


def test_the_page_cannot_read_the_analysis(chrome, server, pages):
    context, worker = chrome
    set_server(worker, server)
    tab, _ = trigger(context, worker, f"{pages}/furniture.html")
    assert tab.evaluate("typeof UnspinDraw") == "undefined"
    assert tab.evaluate("document.querySelector('unspin-panel').shadowRoot") is None
    assert tab.evaluate("window.pageSaw") == [], "the page saw the request to the server"
    tab.close()


@pytest.mark.parametrize("where, words", [
    ("down", "could not reach"),
    ("s401", "API key"),
    ("huge", "larger than the server accepts"),
    ("french", "refused this page"),
])
def test_refusals_are_a_clear_message(chrome, server, pages, where, words, shots):
    context, worker = chrome
    if where == "down":
        set_server(worker, f"http://127.0.0.1:{free_port()}")
        url = f"{pages}/furniture.html"
    elif where.startswith("s"):
        set_server(worker, f"{pages}/{where}")
        url = f"{pages}/furniture.html"
    else:
        set_server(worker, server)
        url = f"{pages}/{where}.html"
    tab, problems = trigger(context, worker, url)
    text = shadow_text(tab, "UNSPIN-PANEL")
    assert words in text, text
    assert "options.any_language" not in text  # an API option means nothing to a reader
    assert tab.locator("unspin-mark").count() == 0
    assert not problems
    tab.screenshot(path=str(shots / f"extension-{where}.png"))
    tab.close()


def test_bookmarklet_draws_the_same(chrome, server, pages, shots):
    """The bookmarklet runs in the page and asks the server itself (CORS for the page)."""
    context, _worker = chrome
    tab = context.new_page()
    tab.goto(f"{pages}/furniture.html")
    source = unquote(bookmarklet(server)[len("javascript:"):])
    tab.evaluate(source)
    tab.wait_for_function("() => document.querySelector('unspin-mark')", timeout=60_000)
    placed, total = placed_share(tab)
    assert total >= 10 and placed / total >= 0.9
    assert tab.evaluate("window.pageSaw").count(server + "/v1/analyze") == 1
    tab.close()


def test_the_page_and_its_address_are_sent(chrome, pages):
    """The extension sends the page's HTML and the tab's address (the server records it)."""
    context, worker = chrome
    set_server(worker, f"{pages}/echo")
    Pages.posted.clear()
    tab, _ = trigger(context, worker, f"{pages}/furniture.html?from=front")
    assert [p["path"] for p in Pages.posted] == ["/echo/v1/analyze"]
    body = Pages.posted[0]["body"]
    assert sorted(body) == ["html", "url"]
    assert body["url"] == f"{pages}/furniture.html?from=front"
    assert "The Daily Example" in body["html"] and "<script" not in body["html"]
    tab.close()


def test_the_bookmarklet_sends_the_address_and_the_server_records_it(chrome, server, pages):
    context, _worker = chrome
    tab = context.new_page()
    tab.goto(f"{pages}/furniture.html")
    sent = []
    tab.on("request", lambda r: sent.append(r.post_data_json) if r.method == "POST" else None)
    tab.evaluate(unquote(bookmarklet(server)[len("javascript:"):]))
    tab.wait_for_function("() => document.querySelector('unspin-mark')", timeout=60_000)
    assert sent and sent[0]["url"] == f"{pages}/furniture.html"
    answer = httpx.post(server + "/v1/analyze", json=sent[0], timeout=60).json()
    assert answer["document"]["url"] == f"{pages}/furniture.html"
    tab.close()


def test_a_wrong_key_is_refused_and_the_right_one_works(chrome, keyed_server, pages):
    context, worker = chrome
    set_server(worker, keyed_server, "wrong-key")
    tab, problems = trigger(context, worker, f"{pages}/furniture.html")
    text = shadow_text(tab, "UNSPIN-PANEL")
    assert "API key" in text and keyed_server in text, text
    assert tab.locator("unspin-mark").count() == 0 and not problems
    tab.close()
    set_server(worker, keyed_server, "right-key")
    tab, problems = trigger(context, worker, f"{pages}/furniture.html")
    placed, total = placed_share(tab)
    assert total >= 10 and placed / total >= 0.9 and not problems
    tab.close()
