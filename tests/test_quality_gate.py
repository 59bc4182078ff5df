"""CI quality gate: the shipped model, on the fixed validation split, must stay above the floors
in quality_floors.json (set just under the values measured when the model was shipped)."""

import json
from pathlib import Path

import pytest

from unspin.detect import load
from unspin.training.data import read_labeled, split_ids
from unspin.training.validate import validate

FLOORS = json.loads((Path(__file__).with_name("quality_floors.json")).read_text())


@pytest.mark.model
@pytest.mark.slow
def test_shipped_model_meets_floors(ptc_dir):
    arts = read_labeled(ptc_dir)
    _train, val = split_ids([a.id for a in arts])
    val_arts = [a for a in arts if a.id in set(val)]
    assert len(val_arts) == FLOORS["validation_articles"]
    detector = load()
    metrics, _cfg = validate(detector.predictor, val_arts, tune=False)
    got = {k: metrics[k]["f1"] for k in ("si", "tc", "full")}
    for key, floor in FLOORS["f1"].items():
        assert got[key] >= floor, f"{key} F1 {got[key]:.4f} fell below the floor {floor}"
