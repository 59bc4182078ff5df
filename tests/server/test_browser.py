"""The web page of a real `unspin serve` on 127.0.0.1, driven in headless Chromium: paste the
seed article, see highlights, click one, screenshot (to $UNSPIN_SCREENSHOT_DIR if set)."""

import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("fastapi", reason="needs unspin[serve]")
httpx = pytest.importorskip("httpx")

pytestmark = [pytest.mark.browser, pytest.mark.model, pytest.mark.slow]


@pytest.fixture(scope="module")
def server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "unspin.cli", "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                if proc.poll() is not None:
                    pytest.fail("server exited: " + proc.stderr.read().decode()[-500:])
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def test_paste_seed_see_highlights_click_one(browser, server, seed_path, shots):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(30_000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server + "/")
    page.fill("#text", seed_path.read_text(encoding="utf-8"))
    page.click("#go")
    frame = page.frame_locator("#result iframe")
    frame.locator(".unspin-report[data-us-ready]").wait_for()
    assert "Moscow Lovefest" in frame.locator("h1").inner_text()
    tags = frame.locator(".us-tag")
    assert tags.count() >= 3, "expected several highlights in the seed article"
    tags.first.click()
    panel = frame.locator(".us-panel")
    panel.wait_for(state="visible")
    assert "confidence" in panel.inner_text().lower()
    page.screenshot(path=str(shots / "web-page.png"), full_page=True)
    assert not errors

    # errors from the API reach the user as a message, not a blank page
    page.fill("#text", "   ")
    page.click("#go")
    assert "Paste some text" in page.locator("#error").inner_text()
    page.close()


def test_phone_width_and_keyboard(browser, server, shots):
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(server + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "tab-text"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tab-url"
    assert page.locator("#url").is_visible()
    page.fill("#url", "http://127.0.0.1:9/nothing-here")
    page.click("#go")
    err = page.locator("#error")
    err.wait_for(state="visible", timeout=30_000)
    assert "private" in err.inner_text().lower() or "address" in err.inner_text().lower()
    page.screenshot(path=str(shots / "web-page-phone.png"), full_page=True)
    page.close()
