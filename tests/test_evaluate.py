"""The SemEval measures on cases small enough to compute by hand, and their bootstrap
intervals on synthetic counts whose answers are known."""

import time

import numpy as np
import pytest

from unspin.errors import InputError
from unspin.evaluate import (
    article_counts,
    bootstrap,
    f1_of_counts,
    full_scores,
    merge_intervals,
    paired_bootstrap,
    resample_weights,
    si_scores,
    tc_scores,
)


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


# -- bootstrap over articles -------------------------------------------------------------------

def _counts(rng, n=124, quality=0.5):
    """Synthetic per-article counts: spans predicted and gold, overlap credit ~ quality."""
    n_pred = rng.integers(0, 30, n).astype(float)
    n_gold = rng.integers(1, 30, n).astype(float)
    return np.column_stack([n_pred * quality * rng.uniform(0.5, 1.5, n), n_pred,
                            n_gold * quality * rng.uniform(0.5, 1.5, n), n_gold])


def test_article_counts_sum_to_the_scores():
    gold = [("a", "Doubt", 0, 10), ("a", "Slogans", 20, 30), ("b", "Doubt", 0, 4)]
    pred = [("a", "Doubt", 5, 15), ("a", "Doubt", 20, 30), ("c", "Doubt", 0, 9)]
    arts = ["a", "b", "c"]
    for measure, scores in (("si", si_scores(gold, pred, arts)),
                            ("full", full_scores(gold, pred, arts))):
        counts = article_counts(measure, gold, pred, arts)
        assert counts.shape == (3, 4)
        assert f1_of_counts(counts.sum(0)) == pytest.approx(scores.f1)
        assert counts[:, 1].sum() == scores.n_pred and counts[:, 3].sum() == scores.n_gold
    tc_pred = [("a", "Doubt", 0, 10), ("a", "Doubt", 20, 30), ("b", "Doubt", 0, 4)]
    counts = article_counts("tc", gold, tc_pred, arts)
    assert counts.tolist() == [[1, 2, 1, 2], [1, 1, 1, 1], [0, 0, 0, 0]]
    assert f1_of_counts(counts.sum(0)) == pytest.approx(tc_scores(gold, tc_pred).f1)


def test_bootstrap_interval_contains_the_point_and_is_reproducible():
    counts = _counts(np.random.default_rng(1))
    iv = bootstrap(counts)
    assert iv.low < iv.point < iv.high
    assert iv.point == pytest.approx(f1_of_counts(counts.sum(0)))
    assert bootstrap(counts) == iv  # fixed seed: same resamples
    assert bootstrap(counts, seed=7) != iv


def test_bootstrap_of_identical_articles_has_no_width():
    iv = bootstrap([[3, 4, 3, 6]] * 20)
    assert (iv.low, iv.point, iv.high) == pytest.approx((0.6, 0.6, 0.6))


def test_paired_difference_of_identical_systems_is_exactly_zero():
    counts = _counts(np.random.default_rng(2))
    iv = paired_bootstrap(counts, counts.copy())
    assert (iv.low, iv.point, iv.high) == (0.0, 0.0, 0.0)


def test_paired_difference_of_a_system_better_on_every_article_lies_above_zero():
    base = _counts(np.random.default_rng(3), quality=0.4)
    better = base.copy()
    better[:, 0] += 0.5 * better[:, 1]  # more overlap credit for the same spans, every article
    better[:, 2] += 0.2 * better[:, 3]
    iv = paired_bootstrap(better, base)
    assert 0 < iv.low <= iv.point <= iv.high
    flipped = paired_bootstrap(base, better)
    assert flipped.high < 0
    assert flipped.point == pytest.approx(-iv.point)


def test_paired_interval_is_narrower_than_unpaired_for_correlated_systems():
    # articles differ a lot, the two systems only a little: pairing cancels the articles
    rng = np.random.default_rng(4)
    a = _counts(rng, quality=0.5)
    b = a.copy()
    b[:, 0] *= rng.uniform(0.95, 1.05, len(b))
    paired = paired_bootstrap(a, b)
    ia, ib = bootstrap(a), bootstrap(b)
    assert paired.high - paired.low < (ia.high - ia.low) / 3
    assert ib.low < ia.point < ib.high  # unpaired, the two overlap entirely


def test_bootstrap_is_fast_and_refuses_mismatched_pairs():
    counts = _counts(np.random.default_rng(5))
    t0 = time.perf_counter()
    paired_bootstrap(counts, _counts(np.random.default_rng(6)))
    assert time.perf_counter() - t0 < 1.0
    with pytest.raises(InputError, match="same articles"):
        paired_bootstrap(counts, counts[:-1])
    w = resample_weights(124)
    assert w.shape == (10_000, 124) and (w.sum(1) == 124).all()


def test_table_fits_the_longest_technique_name(tmp_path):
    """'Whataboutism,Straw_Men,Red_Herring' (36 characters with its indent) overflowed the
    34-character first column into the numbers."""
    from unspin.evaluate import evaluate_files, format_table

    long = "Whataboutism,Straw_Men,Red_Herring"
    gold, pred = tmp_path / "gold.tsv", tmp_path / "pred.tsv"
    gold.write_text(f"1\t{long}\t0\t10\n1\tDoubt\t20\t30\n")
    pred.write_text(f"1\t{long}\t0\t10\n")
    lines = format_table(evaluate_files(str(gold), str(pred), "all")).splitlines()
    header = lines[1]
    for line in lines[2:]:
        assert len(line) == len(header)  # every number under its heading
    row = next(line for line in lines if long in line)
    assert row.split() == [long, "1.0000", "1.0000", "1.0000", "1", "1"]
