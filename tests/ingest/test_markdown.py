"""Markdown captures: golden metadata and body boundaries on the seed, synthetic captures of
other outlets, and exact offset pieces for any input."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.document import Original
from unspin.errors import InputError
from unspin.ingest import load
from unspin.ingest.markdown import from_markdown, looks_like_capture

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def assert_pieces_exact(doc, source: str) -> None:
    last_end = 0
    for p in doc.pieces:
        assert last_end <= p.start < p.end <= len(doc.text)
        assert 0 <= p.source_start < p.source_end <= len(source)
        assert doc.text[p.start:p.end] == source[p.source_start:p.source_end]
        last_end = p.end


# --------------------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed(seed_path):
    source = seed_path.read_text(encoding="utf-8")
    return source, from_markdown(source, source=str(seed_path))


def test_seed_metadata(seed):
    _source, doc = seed
    assert doc.kind == "markdown"
    assert doc.title == "John Kerry's Moscow Lovefest"
    assert doc.authors == ("Mike Whitney",)
    assert doc.published == "2015-12-19"
    assert doc.outlet == "Global Research"
    assert doc.original == Original("CounterPunch", "2015-12-18")
    for tag in ("Middle East & North Africa", "Russia and FSU", "USA", "US NATO War Agenda",
                "SYRIA"):
        assert tag in doc.tags
    assert doc.url is None  # the capture does not say
    assert doc.language == "en"


def test_seed_layout_and_body_boundaries(seed):
    _source, doc = seed
    title, blank, body = doc.text.partition("\n\n")
    assert title == doc.title and blank
    assert body.startswith("If John Kerry doesn't win an Oscar")
    assert body.endswith("he has the arsenal to do it too.")
    for furniture in ("Mike Whitney lives", "Disclaimer", "fair use", "Articles by",
                      "Become a Member", "Region:", "By Mike Whitney", "media inquiries", "](",
                      "**", "#"):
        assert furniture not in doc.text


def test_seed_text_is_faithful(seed):
    _source, doc = seed
    assert "Washington wants\n\nsomething, and its willing" in doc.text  # not joined by guess
    assert "*If John Kerry" not in doc.text  # emphasis markers removed, words kept


def test_seed_pieces_map_back(seed):
    source, doc = seed
    assert_pieces_exact(doc, source)
    covered = sum(p.end - p.start for p in doc.pieces)
    assert covered >= 0.95 * len(doc.text.replace("\n\n", ""))
    start = doc.text.index("Senator Botox")
    a, b = doc.source_offsets(start, start + len("Senator Botox"))
    assert source[a:b] == "Senator Botox"


def test_seed_loads_through_dispatch(seed_path):
    doc = load(seed_path)  # a .txt file, recognised as a capture by its content
    assert doc.kind == "markdown" and doc.title == "John Kerry's Moscow Lovefest"
    assert doc.id == "000_296b8961a6a89711"


# --------------------------------------------------------------------------- other outlets


def test_reader_capture_with_front_matter_nav_and_related():
    path = FIXTURES / "ledger_reader.md"
    source = path.read_text(encoding="utf-8")
    doc = from_markdown(source, source=str(path))
    assert doc.title == "Port Strike Enters Third Week as Talks Stall"
    assert doc.authors == ("Jane Doe", "John Roe")
    assert doc.published == "2021-03-03"
    assert doc.url == "https://ledger.example/world/2021/03/port-strike-third-week"
    assert doc.tags == ("Labour", "Shipping", "Trade")
    assert doc.outlet is None and doc.original is None  # not stated, so not guessed
    paragraphs = doc.text.split("\n\n")
    assert paragraphs[1].startswith("Dockworkers at the country's largest port")
    assert paragraphs[-1] == "Talks resume on Friday, a mediator said."
    assert "Who pays for the delay" in paragraphs  # subheadings stay, without '#'
    assert "Car makers have slowed two assembly lines." in paragraphs  # list items stay
    assert "exceeds $30 million & rising" in doc.text  # escape and entity rendered
    for furniture in ("Skip to", "Home", "Advertisement", "Read more", "Jane Doe is",
                      "Related", "Freight rates", "rights reserved", "Cranes", "Updated"):
        assert furniture not in doc.text
    assert_pieces_exact(doc, source)


def test_yaml_front_matter_originally_published_and_share_footer():
    path = FIXTURES / "harbor_voice.md"
    source = path.read_text(encoding="utf-8")
    doc = from_markdown(source)
    assert doc.title == "Fishing Quotas Cut Again, and the Town Holds Its Breath"
    assert doc.authors == ("Marta Kowalska",)
    assert doc.published == "2019-05-14"
    assert doc.outlet == "Harbor Voice"
    assert doc.original == Original("The Coastal Review", "2019-05-12")
    assert doc.tags == ("Environment", "Fisheries", "Local politics")
    assert doc.language == "en"
    paragraphs = doc.text.split("\n\n")
    assert paragraphs[1].startswith("For the third year running")
    assert paragraphs[-1].endswith("it had no choice.")
    assert "Update: The council has agreed" in doc.text  # a bold "Update:" is not a bio
    for furniture in ("Originally published", "Share this", "Twitter", "Leave a Reply",
                      "Filed under"):
        assert furniture not in doc.text
    assert_pieces_exact(doc, source)


def test_setext_title_posted_by_line_and_quoted_person_in_body():
    path = FIXTURES / "city_desk.md"
    source = path.read_text(encoding="utf-8")
    doc = from_markdown(source)
    assert doc.title == "Rents Rise Fastest in Decades"
    assert doc.authors == ("Sam Lee",)
    assert doc.published == "2020-07-14"
    assert doc.outlet is None
    assert doc.tags == ("Housing", "City Hall")
    # a bolded name introducing a quoted person is body text, not an author bio
    assert "Maria Gomez, a tenant organiser" in doc.text
    assert doc.text.endswith("would meet in the autumn.")
    for furniture in ("reports on housing", "Back to top", "republish", "Posted on"):
        assert furniture not in doc.text
    assert_pieces_exact(doc, source)


def test_rule_inside_the_body_is_a_section_break_not_the_footer():
    source = ("# A Long Read\n\nBy Ann Poe\n\nFirst part of the story, long enough to read.\n\n"
              "---\n\nSecond part of the story continues here after the break.\n\n"
              "**Ann Poe** is a freelance writer.\n")
    doc = from_markdown(source)
    assert doc.text == ("A Long Read\n\nFirst part of the story, long enough to read.\n\n"
                        "Second part of the story continues here after the break.")


def test_byline_variants_and_date_formats():
    source = ("# Title Here\n\nBy [Ann Poe](/a), Bo Li and Cy Ng | Staff\n\n"
              "Saturday, Dec. 19th, 2015\n\nThe body of the article starts here and goes on.\n")
    doc = from_markdown(source)
    assert doc.authors == ("Ann Poe", "Bo Li", "Cy Ng")
    assert doc.published == "2015-12-19"
    assert doc.text == "Title Here\n\nThe body of the article starts here and goes on."


def test_no_title_keeps_body_only():
    doc = from_markdown("Some **bold** prose that is a paragraph of an article, not a title.\n\n"
                        "And a [second](x) one.\n")
    assert doc.title is None
    assert doc.text == ("Some bold prose that is a paragraph of an article, not a title.\n\n"
                        "And a second one.")


@pytest.mark.parametrize("text", ["", "   \n\t\n", "# Only a title\n", "[Home](/) | [News](/n)\n",
                                  "![photo](a.png)\n\n---\n"])
def test_no_article_is_an_input_error(text):
    with pytest.raises(InputError) as err:
        from_markdown(text, source="capture.md")
    assert "capture.md" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("text, expected", [
    ("\n\n# Heading\n\nBody.", True),
    ("Title\n\nBody with [a](b), [c](d) and [e](f).", True),
    ("---\ntitle: X\n---\nBody.", True),
    ("Title: X\n\nURL Source: https://a.b/c\n\nMarkdown Content:\nBody", True),
    ("Intro\n\n## Part\n\nText with **bold**.", True),
    ("A plain PTC article\n\nIt cites a study [1] and costs $5.", False),
    ("Headline\n\nThe #MeToo movement grew. *** Then it spread.", False),
    ("", False),
])
def test_looks_like_capture(text, expected):
    assert looks_like_capture(text) is expected


# --------------------------------------------------------------------------- properties

FRAGMENTS = st.sampled_from([
    "# ", "## ", "**", "*", "_", "[", "]", "(", ")", "](http://x.y/z)", "![img](a.png)",
    "\\*", "\\[", "&amp;", "&#8217;", "&bogus;", "`", "``", "<b>", "</b>", "<http://a.b/c>",
    "> ", "- ", "1. ", "---", "===", "\n", "\n\n", "\r\n", "\r", "   ", "    ", "\t",
    "By Jane Doe", "Tags: a, b", "Published: March 3, 2021", "word", "Another sentence.",
    "é", "日本", "[link text](u \"title ] (x)\")", "```", ":", "Jane Doe", " is a writer",
    "Disclaimer: ", "Title: T\n", "Markdown Content:\n", "\u2028", "\x0b", "\x85", "\x00",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=40).map("".join))
def test_every_piece_maps_text_to_identical_source(source):
    try:
        doc = from_markdown(source)
    except InputError:
        return
    assert_pieces_exact(doc, source)
    for p in doc.pieces:
        assert doc.source_offsets(p.start, p.end) == (p.source_start, p.source_end)
