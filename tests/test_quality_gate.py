"""CI quality gate: every installed model, on the fixed validation split, must stay within a
small tolerance of the F1 its config recorded when it was made; the default model must be
installed. The floors come from the models themselves, so a new version needs no edit here."""

import json

import pytest

from unspin.detect import load
from unspin.detect.registry import installed
from unspin.training.data import read_labeled, split_ids
from unspin.training.validate import validate

#: How far below its recorded validation F1 a model may score before the gate fails
#: (onnxruntime versions and CPUs differ in the last bits of int8 arithmetic).
TOLERANCE = 0.008


def recorded(name: str) -> dict:
    config = json.loads((installed()[name].folder / "config.json").read_text(encoding="utf-8"))
    return config["validation"]


def test_default_model_is_installed_and_every_model_recorded_its_validation():
    from unspin.options import DEFAULT_MODEL

    assert DEFAULT_MODEL in installed()
    for name in installed():
        record = recorded(name)
        assert record["articles"] > 0
        assert {"si", "tc", "full"} <= set(record["metrics"])


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(installed()))
def test_installed_model_meets_its_recorded_validation(ptc_dir, request, name):
    """Scored on the labels of the taxonomy the model speaks (a 2023 model: the SemEval-2023
    labels of the same articles)."""
    from unspin.detect import describe

    record = recorded(name)
    taxonomy = describe(name).taxonomy
    arts = (read_labeled(request.getfixturevalue("semeval23_dir"), "2023")
            if taxonomy == "2023" else read_labeled(ptc_dir))
    _train, val = split_ids([a.id for a in arts])
    val_arts = [a for a in arts if a.id in set(val)]
    assert len(val_arts) == record["articles"]
    metrics, _cfg = validate(load(name).predictor, val_arts, tune=False)
    for key in ("si", "tc", "full"):
        floor = record["metrics"][key]["f1"] - TOLERANCE
        got = metrics[key]["f1"]
        assert got >= floor, f"{name}: {key} F1 {got:.4f} fell below {floor:.4f}"
