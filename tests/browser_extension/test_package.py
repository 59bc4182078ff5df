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

from unspin.browser_extension import FILES, bookmarklet_source, write
from unspin.cli import main


def test_command_writes_folder_zip_and_bookmarklet(tmp_path, capsys):
    assert main(["extension", "--out", str(tmp_path)]) == 0
    assert "chrome://extensions" in capsys.readouterr().out
    folder = tmp_path / "unspin-extension"
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    with zipfile.ZipFile(tmp_path / "unspin-extension.zip") as z:
        assert sorted(z.namelist()) == sorted(FILES)
        assert z.read("draw.js").decode() == (folder / "draw.js").read_text()
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


def test_nothing_is_inserted_as_html():
    for name in FILES + ("bookmarklet.js",):
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
