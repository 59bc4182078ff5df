"""HTML pages: main text and metadata via trafilatura, exact pieces, one-line errors."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.errors import InputError
from unspin.ingest import load
from unspin.ingest.html import from_html

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def assert_pieces_exact(doc, source: str) -> None:
    last_end = 0
    for p in doc.pieces:
        assert last_end <= p.start < p.end <= len(doc.text)
        assert doc.text[p.start:p.end] == source[p.source_start:p.source_end]
        last_end = p.end


def test_article_page_text_and_metadata():
    html = read("article.html")
    doc = from_html(html, source="article.html", doc_id="a1")
    assert (doc.kind, doc.id, doc.source) == ("html", "a1", "article.html")
    assert doc.title == "Port strike enters third week as talks stall"
    assert doc.authors == ("Jane Doe", "John Roe")
    assert doc.published == "2021-03-03"
    assert doc.outlet == "The Daily Ledger"
    assert set(doc.tags) == {"World", "Labour"}
    assert doc.url == "https://ledger.example/world/2021/03/port-strike"
    assert doc.language == "en"
    paragraphs = doc.text.split("\n\n")
    assert paragraphs[0] == doc.title  # PTC layout: title, blank line, body
    assert paragraphs[1].startswith("Dockworkers at the country\u2019s largest port")
    assert paragraphs[-1].startswith("Talks resume on Friday")
    assert "Car makers have slowed two assembly lines in the north." in paragraphs
    assert "exceeds $30 million & rising" in doc.text
    for furniture in ("Home", "Business", "Search", "Related articles", "Freight rates",
                      "Comments", "Great article", "Nonsense", "Privacy", "rights reserved",
                      "Tracking text", "dataLayer"):
        assert furniture not in doc.text


def test_article_pieces_point_into_the_page():
    html = read("article.html")
    doc = from_html(html)
    assert_pieces_exact(doc, html)
    covered = sum(p.end - p.start for p in doc.pieces)
    assert covered >= 0.8 * len(doc.text.replace("\n\n", ""))
    start = doc.text.index("container ships")
    a, b = doc.source_offsets(start, start + len("container ships"))
    assert html[a:b] == "container ships"
    assert html.rfind("<p>", 0, a) > html.index("<body")  # found in the body, not in <meta>


def test_script_written_as_text_stays_text_and_script_elements_go():
    html = read("script_text.html")
    doc = from_html(html)
    assert "Typing <script>alert(1)</script> into the comment box" in doc.text
    assert "this script must not become" not in doc.text
    assert "injected by the page" not in doc.text
    assert_pieces_exact(doc, html)
    # the escaped text maps onto its entity-escaped source, never onto a real <script> tag
    start = doc.text.index("alert(1)")
    a, _b = doc.source_offsets(start, start + 8)
    assert html[a - 4:a] == "&gt;"


def test_page_without_article_is_an_input_error():
    with pytest.raises(InputError) as err:
        from_html(read("no_article.html"), source="no_article.html")
    message = str(err.value)
    assert message.startswith("no_article.html: no article text found") and "\n" not in message


@pytest.mark.parametrize("html", ["", "  \n ", "<html></html>", "<<<>>>", "\x00\x01binary",
                                  "<?xml version='1.0' encoding='utf-8'?>"
                                  "<html><body></body></html>",
                                  "<div>" * 3000 + "deep" + "</div>" * 3000])
def test_odd_pages_give_an_input_error_not_a_traceback(html):
    with pytest.raises(InputError) as err:
        from_html(html, source="odd.html")
    assert "\n" not in str(err.value)


def test_xml_declaration_with_encoding_is_read():
    body = "<p>" + "Plenty of text in an XHTML page with an encoding declaration. " * 5 + "</p>"
    html = ("<?xml version='1.0' encoding='utf-8'?><html xmlns='http://www.w3.org/1999/xhtml'>"
            f"<head><title>X</title></head><body><article>{body}</article></body></html>")
    assert "encoding declaration" in from_html(html).text


def test_parser_failures_become_one_line_input_errors(monkeypatch):
    import trafilatura

    def broken(*_args, **_kwargs):
        raise RuntimeError("lxml said no\nwith a second line")

    monkeypatch.setattr(trafilatura, "bare_extraction", broken)
    with pytest.raises(InputError) as err:
        from_html("<html><body><p>x</p></body></html>", source="p.html")
    assert str(err.value) == ("p.html: cannot parse the HTML (lxml said no with a second line); "
                              "check that it is a web page, or pass --kind text")


def test_url_and_kind_are_kept_when_the_page_has_no_canonical():
    html = ("<html><body><article><p>" + "A sentence of an article about the weather. " * 8
            + "</p></article></body></html>")
    doc = from_html(html, url="https://news.example/a", source="https://news.example/a", kind="url")
    assert (doc.kind, doc.url, doc.title) == ("url", "https://news.example/a", None)
    assert doc.text.startswith("A sentence of an article")


def test_load_dispatches_html_files(tmp_path):
    path = tmp_path / "page.htm"
    path.write_text(read("article.html"), encoding="utf-8")
    doc = load(path)
    assert doc.kind == "html" and doc.id == "page"
    sniffed = tmp_path / "page.txt"
    sniffed.write_text(read("article.html"), encoding="utf-8")
    assert load(sniffed).kind == "html"


TAGS = st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<em>", "</em>", "<br>", "&amp;",
                        "&lt;", "&gt;", "&#8217;", "<script>", "</script>", "<!--", "-->",
                        "<article>", "</article>", " ", "\n", "word ", "Another sentence. "])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(TAGS, st.text(max_size=6)), max_size=60).map("".join))
def test_any_markup_gives_a_document_or_an_input_error(html):
    try:
        doc = from_html(html)
    except InputError as err:
        assert "\n" not in str(err)
        return
    assert_pieces_exact(doc, html)
