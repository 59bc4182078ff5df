"""benchmarks/quality.py's taxonomy options: the 2020 view of a 2023 model's output (the
documented mapping) and the refusal to score a model on another taxonomy's gold."""

import importlib.util
from pathlib import Path

import pytest

from unspin.techniques import TAXONOMY_2023
from unspin.training.validate import Decoded

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def quality():
    spec = importlib.util.spec_from_file_location("quality", ROOT / "benchmarks" / "quality.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_2020_view_renames_drops_and_merges(quality):
    d = Decoded(si=[("a", "", 0, 5)],
                full=[("a", "Straw_Man", 0, 5), ("a", "Red_Herring", 0, 5),
                      ("a", "Appeal_to_Values", 6, 9), ("a", "Flag_Waving", 10, 12)],
                tc=[("a", "Conversation_Killer", 0, 5), ("a", "Obfuscation-Vagueness-Confusion",
                                                         6, 9)])
    (v,) = quality.in_view({"a": d}, TAXONOMY_2023).values()
    assert v.si == d.si
    assert v.full == [("a", "Whataboutism,Straw_Men,Red_Herring", 0, 5),
                      ("a", "Flag-Waving", 10, 12)]
    assert v.tc == [("a", "Thought-terminating_Cliches", 0, 5), ("a", "(none)", 6, 9)]


def test_shown_spans_are_scored_as_merged_regions_without_techniques(quality):
    """'SI F1 of shown spans': what the output highlights, overlaps of any technique merged."""
    d = Decoded(si=[], tc=[], full=[("a", "Doubt", 10, 20), ("a", "Loaded_Language", 0, 12),
                                    ("a", "Slogans", 20, 25), ("a", "Doubt", 30, 31)])
    shown = quality.shown_regions({"a": d, "b": Decoded([], [], [])}, ["a", "b"])
    assert sorted(shown) == [("a", "", 0, 12), ("a", "", 10, 20), ("a", "", 20, 25),
                             ("a", "", 30, 31)]
    # scored as the regions 0-20 (two overlapping spans of two techniques merged), 20-25 and
    # 30-31: two wholly inside the gold span 0-25, which they cover whole
    counts = quality.article_counts("si", [("a", "Doubt", 0, 25)], shown, ["a", "b"])
    assert counts[0].tolist() == [2.0, 3.0, 1.0, 1.0] and counts[1].tolist() == [0, 0, 0, 0]


@pytest.mark.model
def test_a_model_is_scored_on_its_own_taxonomy_s_gold_or_through_the_view(quality, model_2023,
                                                                           tmp_path):
    with pytest.raises(SystemExit, match="speaks the 2023 taxonomy.*--view 2020"):
        quality.score_model(str(model_2023), [], tmp_path, 1)
    with pytest.raises(SystemExit, match="speaks the 2020 taxonomy"):
        quality.score_model("minilm-spans.v5", [], tmp_path, 1, gold_taxonomy="2023")
