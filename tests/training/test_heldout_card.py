"""The held-out section of a model card: one record or several (a 2023 model on the 2023
labels, and its 14-class view against the default), read from benchmarks/quality.py --json."""

import json

import pytest

from unspin.errors import InputError
from unspin.training.heldout import heldout_lines, read_heldout_scores

IV = {"point": 0.3, "low": 0.2, "high": 0.4}
DIFF = {"point": 0.02, "low": -0.01, "high": 0.05}


def _bench(path, gold, view, paired):
    entry = {"fingerprint": "f" * 64,
             "scores": {"cross-fitted": {"all": {k: IV for k in ("si", "tc", "full")}}}}
    if paired:
        entry.update(minus_baseline={"cross-fitted": {"all": {k: DIFF for k in
                                                                ("si", "tc", "full")}}},
                     ship=False)
    path.write_text(json.dumps({"cpu": "test CPU", "gold": gold, "view": view,
                                "articles": {"all": 124}, "baseline": "minilm-spans.v5",
                                "models": {"m": entry}}))
    return path


def test_a_2023_model_has_its_own_labels_and_its_14_class_view_on_the_card(tmp_path):
    recipe = {"name": "minilm23-spans.v1", "fingerprint": "f" * 64}
    own = read_heldout_scores(_bench(tmp_path / "a.json", "2023", None, False), recipe)
    view = read_heldout_scores(_bench(tmp_path / "b.json", "2020", "2020", True), recipe)
    assert "minus_baseline" not in own and view["ship"] is False
    text = "\n".join(heldout_lines([own, view]))
    assert "## Held-out articles on their SemEval-2023 labels (124, 95% bootstrap" in text
    assert "## Held-out articles in the 14-class view (124" in text
    assert "through the documented 23 -> 14 mapping" in text and "minus minilm-spans.v5" in text
    assert "| SI F1 | 0.300 [0.200, 0.400] |" in text  # the 2023 table has no difference column
    assert "+0.020 [-0.010, +0.050]" in text
    assert "Ship rule" not in text  # a model of another taxonomy is no candidate default


def test_a_2020_record_without_a_baseline_is_refused(tmp_path):
    recipe = {"name": "x.v1", "fingerprint": "f" * 64}
    with pytest.raises(InputError, match="against no baseline"):
        read_heldout_scores(_bench(tmp_path / "a.json", "2020", None, False), recipe)
    with pytest.raises(InputError, match="scores no model"):
        read_heldout_scores(_bench(tmp_path / "b.json", "2023", None, False),
                            {"name": "y.v1", "fingerprint": "0" * 64})


def test_a_teacher_retrained_on_every_article_is_said_unvalidated_on_the_card():
    """Span labels from a teacher that trained on every labelled article (its soft.json has
    no validation scores) are described as such, not read as scores."""
    from unspin.training.export import _distillation_lines, _span_distillation_lines

    teacher = {"model": "sentence-transformers/all-mpnet-base-v2", "sha256": "0" * 64,
               "frozen_layers": 6, "epochs": 6, "best_epoch": 3, "validation": {},
               "epoch_seconds": [60.0, 60.0, 60.0]}
    spans = {"teacher": teacher, "gold_spans": 10, "unlabelled_spans": 5,
             "unlabelled_articles": 2, "weight": 1.0}
    text = "\n".join(_span_distillation_lines(spans) + _distillation_lines(spans))
    assert "epoch 3, trained on every labelled article (not validated)" in text
    validated = {**teacher, "validation": {"si": 0.5, "tc": 0.7, "full": 0.3}}
    text = "\n".join(_span_distillation_lines({**spans, "teacher": validated}))
    assert "epoch 3: SI 0.500 / TC 0.700 / full 0.300 on validation" in text
