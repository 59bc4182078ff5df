"""Unit tests of the enrich stage on small texts written for them."""

import json
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.enrich import METHOD, Enrichment, enrich


@dataclass(frozen=True)
class S:
    start: int
    end: int
    technique: str


def span(text, part, technique="Loaded_Language"):
    i = text.index(part)
    return S(i, i + len(part), technique)


def check_offsets(text, result):
    for q in result.quotes:
        assert text[q.start:q.end] == q.text
        if q.speaker_start is not None:
            assert 0 <= q.speaker_start < q.speaker_end <= len(text)
    for t in result.targets:
        assert text[t.start:t.end] == t.text
    for c in result.claims:
        assert text[c.start:c.end] == c.text
    for e in result.entities:
        for m in e.mentions:
            assert text[m.start:m.end] == m.text


def test_inline_quote_after_and_before_cue():
    text = ('Jane Smith spoke on Monday. "The budget is balanced for the first time," Smith '
            'said. Tom Ray told reporters: "We will vote against it tomorrow morning."')
    r = enrich(text)
    assert [(q.text, q.speaker, q.cue) for q in r.quotes] == [
        ("The budget is balanced for the first time,", "Jane Smith", "said"),
        ("We will vote against it tomorrow morning.", "Tom Ray", "told"),
    ]
    check_offsets(text, r)


def test_curly_quotes_and_said_name():
    text = "“Prices will rise again next spring,” said Central Bank governor Ana Costa."
    (q,) = enrich(text).quotes
    assert q.speaker == "Ana Costa" and q.kind == "inline" and q.confidence >= 0.8


def test_colon_block_quote_without_marks():
    text = ("Kerry met Lavrov in Moscow.\n\nHere's what John Kerry said:\n\n"
            "We are not seeking regime change in Syria, and our partners agree with us on "
            "that point.\n\nThat was a surprise.")
    (q,) = enrich(text).quotes
    assert q.kind == "block" and q.speaker == "John Kerry" and q.cue == "said"
    assert q.text.startswith("We are not seeking") and q.text.endswith("on that point.")


def test_pronoun_block_follows_previous_speaker():
    text = ("Here's what Vladimir Putin said:\n\nWe will never agree with the idea that a "
            "third party has the right to impose its will.\n\nThen he added this:\n\n"
            "As soon as the political process has begun we are going to stop the strikes.")
    quotes = enrich(text).quotes
    assert [q.speaker for q in quotes] == ["Vladimir Putin", "Vladimir Putin"]


def test_quote_running_over_paragraphs():
    text = ("“We warned the ministry three times.\n\n“Each time we were told there was no "
            "money,” Ann Lee said.")
    (q,) = enrich(text).quotes
    assert q.text.startswith("We warned") and q.text.endswith("no money,")
    assert q.speaker == "Ann Lee"


def test_scare_quotes_are_not_quotes():
    text = 'The "moderate" rebels and their so-called "peace plan" were discussed at length.'
    assert enrich(text).quotes == ()


def test_targets_and_tally():
    text = ("Senator Mark Dunn voted for the bill. Dunn is a shameless liar, and the "
            "corrupt Dunn campaign knows it. The liberals cheered.")
    spans = [span(text, "a shameless liar", "Name_Calling,Labeling"),
             span(text, "corrupt", "Loaded_Language"),
             span(text, "cheered", "Repetition")]
    r = enrich(text, spans)
    assert [(t.span, t.entity) for t in r.targets] == [(0, "Mark Dunn"), (1, "Mark Dunn")]
    (row,) = r.tally
    assert row.entity == "Mark Dunn" and row.count == 2
    assert row.summary().startswith("Mark Dunn — 2 spans")
    check_offsets(text, r)


def test_group_noun_target():
    text = "The terrorist vermin occupy the city."
    r = enrich(text, [span(text, "terrorist vermin", "Name_Calling,Labeling")])
    assert r.targets[0].how == "group-noun"


def test_claims_exclude_questions_and_opinions():
    text = ("On Monday the army took control of the airport after a week of fighting. "
            "Is this really the best they can do? I think the generals should resign now. "
            "Officials said 42 people were killed in the city of Arden in 2020.")
    claims = enrich(text).claims
    texts = {c.text for c in claims}
    assert "On Monday the army took control of the airport after a week of fighting." in texts
    assert "Officials said 42 people were killed in the city of Arden in 2020." in texts
    assert not any("?" in t or "I think" in t for t in texts)
    assert [c.rank for c in claims] == list(range(1, len(claims) + 1))


def test_claim_lists_quotes_and_spans_inside():
    text = 'Mayor Ann Lee said on Monday that "the city will cut 300 jobs in 2024," in a statement.'
    r = enrich(text, [span(text, "cut 300 jobs")])
    (c,) = r.claims
    assert c.quotes == (0,) and c.spans == (0,)


@pytest.mark.parametrize("text", [
    "", "   \n\n ", "Headline Only Here", "“Unbalanced quote that never closes",
    'He said "nested "quotes" are" odd" and "', "No entities here at all, just words.",
    "Der Bundestag hat am Montag ein neues Gesetz beschlossen, sagte Müller.",
    "这是一个测试。他说：“你好。”", "\"\"\"\"", "“”", ":\n\n:\n\n",
])
def test_bad_input_gives_lists_not_errors(text):
    r = enrich(text, [S(0, 1, "Loaded_Language"), S(5, 500, "Doubt"), S(-3, 2, "Doubt")])
    assert isinstance(r, Enrichment)
    check_offsets(text, r)
    json.dumps(r.to_dict())


def test_empty_text_is_empty():
    r = enrich("")
    assert (r.quotes, r.targets, r.claims, r.tally, r.entities) == ((), (), (), (), ())


def test_to_dict_round_trips_json():
    text = '"Taxes will rise by 5 percent next year," Finance Minister Eva Holm said on Friday.'
    d = json.loads(json.dumps(enrich(text).to_dict()))
    assert d["method"] == METHOD and d["quotes"][0]["speaker"] == "Eva Holm"


def test_import_unspin_does_not_import_spacy():
    import subprocess
    import sys

    code = "import sys, unspin, unspin.enrich; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


_ALPHABET = st.sampled_from(list("ab AB.,!?:;\"'“”‘’\n—-()Jane Smith said") + ["\n\n"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_ALPHABET, max_size=120).map("".join),
       st.lists(st.tuples(st.integers(-5, 130), st.integers(-5, 130)), max_size=4))
def test_offsets_always_slice_the_text(text, raw_spans):
    techniques = ["Loaded_Language", "Doubt", "Name_Calling,Labeling", "Flag-Waving"]
    spans = [S(a, b, techniques[i % 4]) for i, (a, b) in enumerate(raw_spans)]
    check_offsets(text, enrich(text, spans))


def test_quote_running_through_an_unmarked_paragraph():
    text = ("“We do not want the disease to spread so fast.\n"
            "Most of the cases this year are of the deadlier form.\n"
            "These people will end up dying,” said Dr. Ashok Chopra.")
    (q,) = enrich(text).quotes
    assert q.text.endswith("end up dying,") and q.speaker == "Ashok Chopra"


def test_they_said_names_the_group():
    text = ("The researchers published the study on Monday. “The cooling effect is only a "
            "fraction of the warming,” they said.")
    (q,) = enrich(text).quotes
    assert q.speaker == "researchers"


def test_according_to_after_a_quote_keeps_the_speaker_before():
    text = ("Police Chief Renee Hall spoke last week. She told a town hall that “state and "
            "federal laws prohibit me from taking action,” according to WFAA.")
    (q,) = enrich(text).quotes
    assert q.speaker == "Renee Hall"


def test_a_possessor_is_not_the_speaker():
    text = ("After Farrakhan's speech, CNN anchor Jake Tapper declared that he “has a much "
            "larger following than the others.”")
    (q,) = enrich(text).quotes
    assert q.speaker == "Jake Tapper"


def test_colon_intro_before_a_quoted_paragraph():
    text = ("Kara Swisher asked Hillary Clinton about it. Then Swisher asked:\n"
            "“What do you think of the senator saying that, essentially?”\n"
            "Clinton corrected her.")
    (q,) = enrich(text).quotes
    assert q.speaker == "Kara Swisher"


def test_names_and_titles_are_not_quotes():
    text = ("Cooling phases, called the “Maunder Minimum,” froze rivers. The Daily Wire ran "
            "“Dem Candidate Defends Tweet On The Evil Doings” last week.")
    assert enrich(text).quotes == ()


def test_first_name_joins_the_full_name():
    text = "Hillary Clinton spoke on Monday. Sorry Hillary, that joke was a disgrace."
    r = enrich(text, [span(text, "a disgrace", "Loaded_Language")])
    assert r.targets[0].entity == "Hillary Clinton"


def test_block_quote_stops_where_the_writer_takes_the_word_back():
    text = ("Then he added this, said Vladimir Putin's office:\n"
            "As soon as we notice the political process has begun, we are going to stop.\n"
            "In other words, show us you are sincere and maybe we can do business together.")
    (q,) = enrich(text).quotes
    assert q.text.endswith("we are going to stop.")


def test_conditionals_and_pronoun_one_are_not_claims():
    """A sentence that opens on a condition is a hypothetical; 'no one'/'that one' count
    nothing. A count with 'one' still makes a sentence check-worthy."""
    from unspin.enrich import _lexicon as lex

    assert not lex.NUMBER_RE.search("No one saw that one coming.")
    assert lex.NUMBER_RE.search("He is one of five people pardoned by the governor.")
    text = ("If the senator does not win an award for this performance in Paris on Tuesday, "
            "then the committee has failed us all. "
            "The senator met the committee in Paris on Tuesday and signed two agreements.")
    found = enrich(text)
    claimed = [c.text for c in found.claims]
    assert not any(t.startswith("If the senator") for t in claimed)
    assert any(t.startswith("The senator met") for t in claimed)
