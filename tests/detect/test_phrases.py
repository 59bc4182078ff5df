"""Span edges that follow quotations and the parse (``detect.phrases``), on made-up sentences,
and the rules' keys: off unless a model's config names them, so older models decode as before."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from unspin.detect import phrases as ph
from unspin.detect.predictor import DecodeConfig
from unspin.detect.spans import RawSpan

ROOT = Path(__file__).resolve().parents[2]

spacy_model = pytest.importorskip(ph.SPACY_MODEL)


def span_of(text, phrase, score=0.5):
    start = text.index(phrase)
    return RawSpan(start, start + len(phrase), 0, 1, score)


def texts(text, spans):
    return [text[s.start:s.end] for s in spans]


# -- quotations --------------------------------------------------------------------------------
def test_quotations_pair_marks_and_leave_apostrophes_alone():
    text = "She said \u201cwe won\u2019t stop\u201d and 'they can\u2019t win' today."
    assert [text[a:b + 1] for a, b in ph.quotations(text)] == [
        "\u201cwe won\u2019t stop\u201d", "'they can\u2019t win'"]


def test_a_span_cutting_a_quotation_short_grows_to_its_mark():
    text = 'The mayor called it "a reckless and shameful betrayal of trust" on Monday.'
    cut = span_of(text, '"a reckless and shameful betrayal')
    assert ph.cuts_quote(text, cut.start, cut.end, ph.quotations(text))
    whole = ph.whole_quotes(text, [cut])
    assert texts(text, whole) == ['"a reckless and shameful betrayal of trust"']
    assert not ph.cuts_quote(text, whole[0].start, whole[0].end, ph.quotations(text))


def test_a_span_cutting_a_long_quotation_is_cut_back_at_the_mark():
    text = ('Critics were furious that "the council keeps wasting money on vanity projects '
            'nobody in this town ever asked for" last year.')
    cut = span_of(text, "furious that \"the council keeps wasting")
    assert texts(text, ph.whole_quotes(text, [cut])) == ["furious that"]


def test_leaving_out_only_a_mark_is_no_cut_and_inside_spans_stay():
    text = 'He praised the "heroic" effort and "bold vision" of the team.'
    quotes = ph.quotations(text)
    inside = span_of(text, "bold vision")
    no_close = span_of(text, '"heroic')
    assert not ph.cuts_quote(text, inside.start, inside.end, quotes)
    assert not ph.cuts_quote(text, no_close.start, no_close.end, quotes)
    assert texts(text, ph.whole_quotes(text, [inside])) == ["bold vision"]


# -- phrases -----------------------------------------------------------------------------------
def test_a_span_ending_on_a_modifier_grows_to_its_noun():
    text = "Prices have climbed faster than ever in the early years of the program."
    span = span_of(text, "climbed faster than ever in the early")
    assert ph.dangles(text, span.start, span.end)
    grown = ph.complete_phrases(text, [span])
    assert texts(text, grown) == ["climbed faster than ever in the early years"]
    assert not ph.dangles(text, grown[0].start, grown[0].end)


def test_a_span_ending_on_a_preposition_whose_object_is_outside_loses_it():
    text = "The senator launched a vicious attack against the new health bill yesterday."
    span = span_of(text, "launched a vicious attack against")
    assert ph.dangles(text, span.start, span.end)
    assert texts(text, ph.complete_phrases(text, [span])) == ["launched a vicious attack"]


def test_a_one_word_compound_noun_grows_to_its_head():
    text = "The agency drowned the project in red tape for a decade."
    span = span_of(text, "red")
    # "red" modifies "tape" as an adjective or a compound depending on the parse; either way it
    # waits for its noun, but only a compound (a noun in a noun) is a fragment the rule mends
    doc = ph.parse(text)
    tok = next(t for t in doc if t.text == "red")
    grown = texts(text, ph.complete_phrases(text, [span]))
    assert grown == (["red tape"] if tok.dep_ == "compound" else ["red"])


def test_a_one_word_adjective_on_its_noun_is_left_alone():
    text = "It was an outrageous decision by the board."
    span = span_of(text, "outrageous")
    assert texts(text, ph.complete_phrases(text, [span])) == ["outrageous"]
    assert not ph.fragment(text, span.start, span.end)


def test_a_one_word_phrasal_verb_grows_to_its_particle():
    text = "Their plan is to wipe the rebels out before winter."
    span = span_of(text, "wipe")
    assert ph.fragment(text, span.start, span.end)
    assert texts(text, ph.complete_phrases(text, [span])) == ["wipe the rebels out"]


def test_two_words_of_one_figure_become_one_span():
    text = "In the end the governor had to bite the bullet and sign it."
    a, b = span_of(text, "bite"), span_of(text, "bullet")
    spans = [(a.start, a.end), (b.start, b.end)]
    assert ph.fragment(text, a.start, a.end, spans)
    found = {(a.start, a.end, "Loaded_Language"): 0.4, (b.start, b.end, "Loaded_Language"): 0.5,
             (b.start, b.end, "Doubt"): 0.2}
    joined = ph.join_fragments(text, found)
    assert joined == {(a.start, b.end, "Loaded_Language"): 0.5, (b.start, b.end, "Doubt"): 0.2}


def test_spans_apart_across_punctuation_or_of_other_techniques_stay_apart():
    text = "They are cowards, liars and thieves."
    a, b = span_of(text, "cowards"), span_of(text, "liars")
    found = {(a.start, a.end, "Name_Calling,Labeling"): 0.4,
             (b.start, b.end, "Name_Calling,Labeling"): 0.5}
    assert ph.join_fragments(text, found) == found


# -- the rules in a model's config -------------------------------------------------------------
def test_the_rules_are_off_unless_a_config_names_them():
    cfg = DecodeConfig()
    assert (cfg.whole_quotes, cfg.complete_phrases, cfg.join_fragments,
            cfg.display_threshold) == (False, False, False, 0.0)
    for folder in sorted((ROOT / "models").glob("minilm-spans-v[1-5]")):
        decode = json.loads((folder / "config.json").read_text())["decode"]
        loaded = DecodeConfig.from_dict(decode)
        assert not (loaded.whole_quotes or loaded.complete_phrases or loaded.join_fragments)
        assert loaded.display_threshold == 0.0


def test_a_display_threshold_outside_0_1_is_refused():
    assert DecodeConfig.problem("display_threshold", 1.5)
    assert DecodeConfig.problem("display_threshold", 0.3) is None


def test_shape_applies_the_rules_only_when_switched_on():
    from unspin.detect.predictor import Predictor

    text = 'The mayor called it "a reckless and shameful betrayal of trust" on Monday.'
    cut = span_of(text, '"a reckless and shameful betrayal')
    off = Predictor(None, None, {}, DecodeConfig(), 0, 0)
    on = Predictor(None, None, {}, replace(DecodeConfig(), whole_quotes=True), 0, 0)
    assert texts(text, off._shape(text, [cut])) == ['"a reckless and shameful betrayal']
    assert texts(text, on._shape(text, [cut])) == ['"a reckless and shameful betrayal of trust"']
    assert np.isfinite(on._shape(text, [cut])[0].score)


# -- the published models ----------------------------------------------------------------------
SAMPLE = ("Senator Blake called the plan \"a reckless giveaway to greedy bankers who never pay "
          "their share\" and vowed to fight it.\n\nCritics say the mayor is a corrupt puppet of "
          "the developers, and that his cronies will bleed the city dry in the coming years.")
#: minilm-spans.v5's spans of SAMPLE when the phrase rules were added: it must keep them
V5_SPANS = [
    (0, 31, "Appeal_to_Authority", 0.1296), (31, 50, "Loaded_Language", 0.1467),
    (31, 95, "Name_Calling,Labeling", 0.8125), (100, 117, "Loaded_Language", 0.1374),
    (132, 144, "Name_Calling,Labeling", 0.1465), (145, 161, "Loaded_Language", 0.0714),
    (147, 179, "Name_Calling,Labeling", 0.625), (194, 206, "Loaded_Language", 0.4323),
    (207, 245, "Loaded_Language", 0.4262), (217, 221, "Exaggeration,Minimisation", 0.1374),
]


def test_v5_decodes_as_it_did():
    from unspin.detect import load

    found = [(p.start, p.end, p.technique, p.score)
             for p in load("minilm-spans.v5", threads=1).find_spans(SAMPLE)]
    assert found == V5_SPANS
    assert load("minilm-spans.v5").info.display_threshold == 0.0


def test_a_model_with_the_phrase_rules_leaves_no_cut_quotation_or_dangling_end(tmp_path):
    """minilm-spans.v5's files in a folder of their own whose config switches the phrase rules
    on (as a version carrying them would): no span cuts a quotation or dangles."""
    import shutil

    from unspin.detect import load
    from unspin.detect.registry import model_paths, resolve, sha256_file

    folder = resolve("minilm-spans.v5").folder
    config = json.loads((folder / "config.json").read_text())
    for name in config["files"]:
        shutil.copyfile(model_paths(folder)[name], tmp_path / name)
        assert sha256_file(tmp_path / name) == config["files"][name]
    config["name"], config["version"] = "phrase-rules.v1", "1"
    config["decode"].update(whole_quotes=True, complete_phrases=True, join_fragments=True)
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "MODEL_CARD.md").write_text("test model\n")
    spans = load(tmp_path, threads=1).find_spans(SAMPLE)
    plain = load("minilm-spans.v5", threads=1).find_spans(SAMPLE)
    quotes = ph.quotations(SAMPLE)
    assert spans and spans != plain  # the rules changed something
    assert not [p for p in spans if ph.cuts_quote(SAMPLE, p.start, p.end, quotes)]
    assert not [p for p in spans if ph.dangles(SAMPLE, p.start, p.end)]
