"""The SemEval measures on cases small enough to compute by hand."""

import pytest

from unspin.evaluate import full_scores, merge_intervals, si_scores, tc_scores


def test_merge_intervals_merges_overlaps_not_touching():
    assert merge_intervals([(5, 10), (0, 6), (10, 12), (20, 21)]) == [(0, 10), (10, 12), (20, 21)]


def test_si_exact_match_is_perfect():
    gold = [("a", "Doubt", 0, 10)]
    s = si_scores(gold, [("a", "Slogans", 0, 10)])
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)


def test_si_partial_overlap_by_hand():
    # pred [0,20) overlaps gold [10,20): |s∩t|=10 -> P = 10/20, R = 10/10
    s = si_scores([("a", "Doubt", 10, 20)], [("a", "Doubt", 0, 20)])
    assert s.precision == pytest.approx(0.5)
    assert s.recall == pytest.approx(1.0)
    assert s.f1 == pytest.approx(2 / 3)


def test_si_merges_gold_overlaps_and_counts_every_pair():
    # gold [0,10) and [5,15) merge into [0,15); preds [0,5) and [10,20)
    gold = [("a", "Doubt", 0, 10), ("a", "Loaded_Language", 5, 15)]
    pred = [("a", "X", 0, 5), ("a", "X", 10, 20)]
    s = si_scores(gold, pred)
    # P: 5/5 + 5/10 = 1.5 over 2 preds ; R: (5 + 5)/15 over 1 gold
    assert s.precision == pytest.approx(0.75)
    assert s.recall == pytest.approx(10 / 15)
    assert (s.n_pred, s.n_gold) == (2, 1)


def test_si_articles_without_gold_still_count_predictions():
    gold = [("a", "Doubt", 0, 10)]
    pred = [("a", "Doubt", 0, 10), ("b", "Doubt", 0, 10)]
    s = si_scores(gold, pred, articles=["a", "b"])
    assert s.precision == pytest.approx(0.5)
    assert s.recall == pytest.approx(1.0)
    # an article outside the gold set is ignored
    assert si_scores(gold, pred).precision == pytest.approx(1.0)


def test_full_task_counts_only_matching_techniques():
    gold = [("a", "Doubt", 0, 10), ("a", "Loaded_Language", 20, 30)]
    pred = [("a", "Doubt", 0, 10), ("a", "Doubt", 20, 30)]
    s = full_scores(gold, pred)
    # P: 1 (match) + 0 over 2 ; R: 1 + 0 over 2
    assert s.precision == pytest.approx(0.5)
    assert s.recall == pytest.approx(0.5)
    assert s.per_technique["Doubt"].precision == pytest.approx(0.5)
    assert s.per_technique["Doubt"].recall == pytest.approx(1.0)
    assert s.per_technique["Loaded_Language"].f1 == 0.0


def test_full_task_merges_within_technique_only():
    gold = [("a", "Doubt", 0, 10), ("a", "Loaded_Language", 5, 15)]
    pred = [("a", "Loaded_Language", 5, 15)]
    s = full_scores(gold, pred)
    assert (s.n_pred, s.n_gold) == (1, 2)
    assert s.precision == pytest.approx(1.0)
    assert s.recall == pytest.approx(0.5)


def test_tc_micro_f1_with_repeated_spans():
    gold = [("a", "Doubt", 0, 5), ("a", "Slogans", 0, 5), ("a", "Repetition", 9, 12)]
    pred = [("a", "Doubt", 0, 5), ("a", "Doubt", 0, 5), ("a", "Repetition", 9, 12)]
    s = tc_scores(gold, pred)
    assert s.precision == pytest.approx(2 / 3)
    assert s.recall == pytest.approx(2 / 3)
    assert s.per_technique["Slogans"].recall == 0.0
    assert s.per_technique["Doubt"].precision == pytest.approx(0.5)


def test_empty_predictions_score_zero_not_crash():
    s = si_scores([("a", "Doubt", 0, 5)], [])
    assert (s.precision, s.recall, s.f1) == (0.0, 0.0, 0.0)
