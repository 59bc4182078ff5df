"""``unspin extension`` and what it writes: the files, the narrow permissions, text-only
drawing, a bookmarklet that is valid JavaScript; and the span placement on its own, in
Chromium, for spans that must not be drawn."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from importlib import resources
from urllib.parse import unquote

import pytest

from unspin.browser_extension import FILES, SOURCES, bookmarklet_source, write
from unspin.cli import main


def test_command_writes_folder_zip_and_bookmarklet(tmp_path, capsys):
    assert main(["extension", "--out", str(tmp_path)]) == 0
    assert "chrome://extensions" in capsys.readouterr().out
    folder = tmp_path / "unspin-extension"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file()) == sorted(FILES)
    with zipfile.ZipFile(tmp_path / "unspin-extension.zip") as z:
        assert sorted(z.namelist()) == sorted(FILES)
        assert z.read("draw.js").decode() == (folder / "draw.js").read_text()
        assert z.read("icons/icon48.png") == (folder / "icons/icon48.png").read_bytes()
    assert (tmp_path / "bookmarklet.txt").read_text().startswith("javascript:")


def test_bad_server_address_is_one_line(tmp_path, capsys):
    assert main(["extension", "--out", str(tmp_path), "--server", "ftp://x"]) == 2
    err = capsys.readouterr().err
    assert "not http(s)" in err and "Traceback" not in err


def test_manifest_asks_for_little():
    manifest = json.loads(resources.files("unspin.browser_extension")
                          .joinpath("manifest.json").read_text())
    assert manifest["manifest_version"] == 3
    assert sorted(manifest["permissions"]) == ["activeTab", "scripting", "storage"]
    assert manifest["host_permissions"] == ["http://127.0.0.1/*", "http://localhost/*"]
    assert "content_scripts" not in manifest  # nothing runs on a page until asked


def manifest_of(folder):
    return json.loads((folder / "manifest.json").read_text())


def test_manifest_loads_in_chromium_and_firefox(tmp_path):
    """What each browser needs from the one manifest (Firefox is not installed here, so its
    part is checked against what Firefox 121+ documents, not by loading it)."""
    folder, _archive, _mark = write(tmp_path)
    manifest = manifest_of(folder)
    # one background file: Chromium runs it as a service worker, Firefox as an event page
    background = manifest["background"]
    assert background == {"service_worker": "background.js", "scripts": ["background.js"]}
    assert "type" not in background  # a classic script in both
    gecko = manifest["browser_specific_settings"]["gecko"]
    assert re.fullmatch(r"[a-z0-9._-]+@[a-z0-9.-]+", gecko["id"]), gecko
    # both keys together are read by Chromium 121+ and Firefox 121+ only
    assert int(manifest["minimum_chrome_version"]) >= 121
    assert int(gecko["strict_min_version"].split(".")[0]) >= 121
    # the toolbar button and the keyboard shortcut
    assert manifest["commands"]["_execute_action"]["suggested_key"]["default"] == "Alt+Shift+U"
    assert "default_title" in manifest["action"]
    # every file the manifest names is in the folder
    named = [background["service_worker"], *background["scripts"],
             manifest["options_ui"]["page"], *manifest["icons"].values(),
             *manifest["action"]["default_icon"].values()]
    for name in named:
        assert (folder / name).is_file(), name
    for name in ("options.html",):
        for script in re.findall(r'<script src="([^"]+)"', (folder / name).read_text()):
            assert (folder / script).is_file(), script


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_icons_are_small_pngs_of_their_size(tmp_path):
    folder, _archive, _mark = write(tmp_path)
    manifest = manifest_of(folder)
    assert sorted(int(k) for k in manifest["icons"]) == [16, 32, 48, 128]
    for size, name in [*manifest["icons"].items(), *manifest["action"]["default_icon"].items()]:
        data = (folder / name).read_bytes()
        assert png_size(data) == (int(size), int(size)), name
        assert len(data) < 20_000, (name, len(data))
    # drawn, not blank: the corner is clear, the middle is not
    pytest.importorskip("PIL")
    from PIL import Image

    image = Image.open(folder / manifest["icons"]["48"]).convert("RGBA")
    assert image.getpixel((0, 0))[3] == 0 and image.getpixel((24, 24))[3] == 255
    assert len({image.getpixel((x, y)) for x in range(48) for y in range(48)}) > 3


#: extension APIs that Chromium and Firefox both have in Manifest V3 (the chrome namespace)
BOTH_BROWSERS = {"runtime.sendMessage", "runtime.onMessage", "storage.local",
                 "scripting.executeScript", "action.onClicked", "tabs.query",
                 "permissions.request"}


def test_only_apis_both_browsers_have():
    used = set()
    for name in SOURCES:
        if name.endswith(".js"):
            code = resources.files("unspin.browser_extension").joinpath(name).read_text()
            used |= set(re.findall(r"\bchrome\.([a-zA-Z]+\.[a-zA-Z]+)", code))
    assert used and used <= BOTH_BROWSERS, used - BOTH_BROWSERS


def test_nothing_is_inserted_as_html():
    for name in SOURCES + ("bookmarklet.js",):
        code = resources.files("unspin.browser_extension").joinpath(name).read_text()
        found = re.findall(r"innerHTML|outerHTML\s*=|insertAdjacentHTML|document\.write|"
                           r"\beval\(|new Function", code)
        assert not found, (name, found)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to check the syntax")
def test_bookmarklet_and_scripts_are_valid_javascript(tmp_path):
    write(tmp_path)
    mark = (tmp_path / "bookmarklet.txt").read_text().strip()
    (tmp_path / "bookmarklet.js").write_text(unquote(mark[len("javascript:"):]))
    for path in [tmp_path / "bookmarklet.js", *(tmp_path / "unspin-extension").glob("*.js")]:
        done = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, (path.name, done.stderr)
    assert '"http://127.0.0.1:8000"' in bookmarklet_source()


PAGE = """<!DOCTYPE html><html><body>
<nav>Home · World · Ministers are liars, says paper</nav>
<article><p>The minister spoke. Critics call it a disgrace.</p>
<p>Then he spoke again. Critics call it a disgrace.</p>
<p>Everyone   knows
the <b>plan</b> is a <i>total</i> disaster.</p></article></body></html>"""


@pytest.mark.browser
def test_spans_that_cannot_be_placed_are_not_drawn(browser):
    text = ("The minister spoke. Critics call it a disgrace.\n\nThen he spoke again. Critics call "
            "it a disgrace.\n\nEveryone knows the plan is a total disaster.\n\nA line the page "
            "does not have.")

    def span(words, nth=0):
        start = -1
        for _ in range(nth + 1):
            start = text.index(words, start + 1)
        return {"start": start, "end": start + len(words), "technique": "Loaded_Language",
                "name": "Loaded language", "score": 0.5, "text": words}

    spans = [span("a disgrace"), span("a disgrace", 1), span("total disaster"),
             span("Everyone knows the plan"), span("not have")]
    page = browser.new_page()
    page.set_content(PAGE)
    page.add_script_tag(content=resources.files("unspin.browser_extension")
                        .joinpath("draw.js").read_text())
    placed = page.evaluate("""([text, spans]) => {
        const p = UnspinDraw.pageText(document.body);
        return UnspinDraw.place(text, spans, p).map(x => x.from === undefined ? x.why
            : p.flat.slice(x.from, x.to) + "@" + x.from); }""", [text, spans])
    where = [x.split("@")[-1] for x in placed[:2]]
    placed = [x.split("@")[0] for x in placed]
    assert where[0] != where[1]
    # each "a disgrace" is told apart by what surrounds it; across elements and odd
    # whitespace the text is still found; a line that is not on the page is not drawn
    assert placed[:4] == ["adisgrace", "adisgrace", "totaldisaster", "Everyoneknowstheplan"]
    assert placed[4] == "not on the page"
    # the whole text twice on the page, nothing around it to tell which: not drawn
    page.set_content("<p>Stop the war now.</p><p>Stop the war now.</p>")
    page.add_script_tag(content=resources.files("unspin.browser_extension")
                        .joinpath("draw.js").read_text())
    alone = "Stop the war now."
    why = page.evaluate("""([text, spans]) => UnspinDraw.place(text, spans,
        UnspinDraw.pageText(document.body))[0].why""",
                        [alone, [{"start": 0, "end": len(alone), "text": alone}]])
    assert why == "it fits several places"
    page.close()


@pytest.mark.browser
def test_a_span_across_elements_covers_the_spaces_between_its_words(browser):
    """Highlights of one span run on over the spaces between inline elements, never over the
    whitespace between list items (a wrapper there would change the layout)."""
    text = "Everyone knows the plan.\n\none\n\ntwo"
    spans = [{"start": 0, "end": 18, "technique": "Loaded_Language", "name": "Loaded language",
              "score": 0.5, "text": text[:18]},
             {"start": 26, "end": 34, "technique": "Doubt", "name": "Doubt", "score": 0.5,
              "text": text[26:34]}]
    page = browser.new_page()
    page.set_content("<p><b>Everyone</b> <i>knows</i> the plan.</p>"
                     "<ul><li>one</li>\n<li>two</li></ul>")
    page.add_script_tag(content=resources.files("unspin.browser_extension")
                        .joinpath("draw.js").read_text())
    drawn = page.evaluate("""([text, spans]) => UnspinDraw.show({status: 200, techniques: [],
        body: {spans, document: {text}}})""", [text, spans])
    assert drawn == {"placed": 2, "spans": 2}
    marks = page.eval_on_selector_all(
        "unspin-mark", "ms => ms.map(m => [m.textContent, m.tabIndex, m.parentNode.nodeName])")
    assert marks == [["Everyone", 0, "B"], [" ", -1, "P"], ["knows", 0, "I"], [" the", 0, "P"],
                     ["one", 0, "LI"], ["two", 0, "LI"]]
    assert page.evaluate("document.querySelector('ul').childNodes.length") == 3
    page.close()
