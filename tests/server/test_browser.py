"""The web page of a real `unspin serve` on 127.0.0.1, driven in headless Chromium: paste the
seed article, see highlights, hover and click one, at desktop and phone width; screenshots go to
$UNSPIN_TEST_SCREENSHOT_DIR if set."""


import pytest

pytest.importorskip("fastapi", reason="needs unspin[serve]")
httpx = pytest.importorskip("httpx")

pytestmark = [pytest.mark.browser, pytest.mark.model, pytest.mark.slow]

# elements inside the report that scroll on their own (a second scroll area on a phone)
SCROLLERS = """() => Array.from(document.querySelectorAll('#result *')).filter(e => {
  const s = getComputedStyle(e);
  return /(auto|scroll)/.test(s.overflowY) && e.scrollHeight > e.clientHeight + 1
    && !e.closest('.us-panel');
}).length"""


@pytest.fixture(scope="module")
def server(start_serve):
    return start_serve(wait_s=30)


def open_page(browser, server, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(60_000)
    problems = []
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    page.goto(server + "/")
    return page, problems


def analyse(page, text):
    page.fill("#text", text)
    page.click("#go")
    page.locator("#result .unspin-report[data-us-ready]").wait_for()


def test_paste_seed_see_highlights_hover_click(browser, server, seed_path, shots):
    page, problems = open_page(browser, server, 1280, 1000)
    # the favicon is served (no 404) and declared, so browsers do not guess /favicon.ico
    assert page.evaluate("document.querySelector('link[rel=icon]').href").endswith("/favicon.svg")
    assert httpx.get(server + "/favicon.ico").headers["content-type"] == "image/svg+xml"
    analyse(page, seed_path.read_text(encoding="utf-8"))
    assert page.locator("iframe").count() == 0, "the report is part of the page"
    report = page.locator("#result .unspin-report")
    assert "Moscow Lovefest" in report.locator("h1").inner_text()
    assert "Article ID" not in report.inner_text()  # pasted text has no id to show
    tags = report.locator(".us-tag")
    assert tags.count() >= 3, "expected several highlights in the seed article"

    # hovering a highlight names its technique and score
    first = report.locator(".h").first
    first.scroll_into_view_if_needed()
    first.hover()
    tip = report.locator(".us-tip")
    tip.wait_for(state="visible")
    assert "%" in tip.inner_text() and "·" in tip.inner_text()
    page.screenshot(path=str(shots / "web-page-hover.png"))
    page.mouse.move(1, 1)
    tip.wait_for(state="hidden")

    tags.first.click()
    panel = report.locator(".us-panel")
    panel.wait_for(state="visible")
    text = panel.inner_text()
    assert "confidence" in text.lower()
    assert "Line " not in text and "column" not in text, "no positions the reader cannot see"
    assert panel.locator(".us-quote mark").count() == 1  # the phrase, marked in its sentence
    quote = panel.locator(".us-quote").inner_text()
    assert len(quote) > len(panel.locator(".us-quote mark").inner_text())
    page.screenshot(path=str(shots / "web-page-panel.png"))
    page.keyboard.press("Escape")
    page.screenshot(path=str(shots / "web-page.png"), full_page=True)

    # errors from the API reach the user as a message, not a blank page
    page.fill("#text", "   ")
    page.click("#go")
    assert "Paste some text" in page.locator("#error").inner_text()
    assert not problems, problems
    page.close()


def test_phone_one_scroll_area_keyboard_tip(browser, server, seed_path, shots):
    page, problems = open_page(browser, server, 390, 800)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    analyse(page, seed_path.read_text(encoding="utf-8"))
    assert page.locator("iframe").count() == 0
    assert page.evaluate(SCROLLERS) == 0, "the report scrolls with the page, not inside it"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate("document.documentElement.scrollHeight") > 800
    page.screenshot(path=str(shots / "web-page-phone.png"), full_page=True)

    # a highlight's code label takes the focus and shows the tip; Enter opens the sheet
    tag = page.locator("#result .us-tag").first
    tag.focus()
    tip = page.locator("#result .us-tip")
    tip.wait_for(state="visible")
    assert "%" in tip.inner_text()
    page.keyboard.press("Enter")
    panel = page.locator("#result .us-panel")
    panel.wait_for(state="visible")
    box = panel.bounding_box()
    assert box["y"] + box["height"] <= 800 + 1, "the sheet sits at the bottom of the screen"
    page.screenshot(path=str(shots / "web-page-phone-panel.png"))
    page.keyboard.press("Escape")
    # a tag far below the screen: the focus scrolls the page under the resting pointer, and
    # the tip must stay for the keyboard user
    page.mouse.move(200, 400)
    page.locator("#result .us-tag").last.focus()
    tip.wait_for(state="visible")
    assert not problems, problems
    page.close()


def test_phone_keyboard_and_refused_url(browser, server):
    page, _problems = open_page(browser, server, 390, 800)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "tab-text"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tab-url"
    assert page.locator("#url").is_visible()
    page.fill("#url", "http://127.0.0.1:9/nothing-here")
    page.click("#go")
    err = page.locator("#error")
    err.wait_for(state="visible", timeout=30_000)
    message = err.inner_text()
    assert "not allowed" in message and "allow-private" not in message
    page.close()


def test_an_error_removes_the_previous_report_and_the_title_hint(browser, server):
    """The hint says a blank line must follow the title line (it is read as the title only
    then); after an error the report of the request before is gone, not left under it."""
    page, _problems = open_page(browser, server, 1280, 900)
    hint = page.locator("label[for=text]").inner_text()
    assert "first line followed by a blank line (or a Markdown # heading) is read as the title" \
        in hint
    analyse(page, "A short title\n\nThey are traitors, every one of them, and they will "
            "destroy us all!")
    assert page.locator("#result .unspin-report").count() == 1
    page.click("#tab-url")
    page.fill("#url", "http://127.0.0.1:9/nothing-here")
    page.click("#go")
    page.locator("#error").wait_for(state="visible", timeout=30_000)
    assert page.locator("#result .unspin-report").count() == 0
    assert page.evaluate("document.getElementById('report-style').textContent") == ""
    page.click("#tab-text")  # a refusal made in the page clears it as well
    analyse(page, "Another title\n\nThey will destroy us all!")
    page.fill("#text", "   ")
    page.click("#go")
    assert page.locator("#error").inner_text() == "Paste some text first."
    assert page.locator("#result .unspin-report").count() == 0
    page.close()
