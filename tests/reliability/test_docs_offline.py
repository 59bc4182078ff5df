"""`/docs` works with no network (issue 19): Swagger UI comes from this server, every page
carries a Content-Security-Policy that names no other host, and in Chromium with every
non-loopback request blocked the docs render the API's operations."""

import re
import urllib.request
from urllib.parse import urlsplit

import pytest

pytest.importorskip("fastapi", reason="needs unspin[serve]")
pytest.importorskip("fastapi_offline", reason="needs unspin[serve] (fastapi-offline)")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1")


def fetch(url: str):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, dict(r.headers), r.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def base(live_server):
    return live_server()


def test_no_page_names_another_host(base):
    for path in ("/", "/docs", "/healthz", "/openapi.json", "/docs/assets/swagger-ui.css"):
        status, headers, body = fetch(base + path)
        assert status == 200, path
        policy = headers["content-security-policy"]
        assert "http" not in policy and "*" not in policy, (path, policy)
        if path in ("/", "/docs"):
            hosts = {urlsplit(u).hostname for u in re.findall(
                r"""(?:src|href)\s*=\s*["']((?:https?:)?//[^"']+)""", body)}
            assert hosts <= set(LOOPBACK), (path, hosts)


def test_docs_render_offline_in_chromium(base, browser):
    page = browser.new_page()
    outside, problems = [], []

    def route(r):
        host = urlsplit(r.request.url).hostname or ""
        if r.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            return r.continue_()
        outside.append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.goto(base + "/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    paths = page.eval_on_selector_all(".opblock-summary-path",
                                      "els => els.map(e => e.textContent.trim())")
    assert {"/v1/analyze", "/v1/report", "/v1/techniques", "/healthz"} <= set(paths), paths
    assert outside == [] and problems == [], (outside, problems)
    page.close()
