"""CI quality gate: every shipped model, on the fixed validation split, must stay above its floors
in quality_floors.json (set just under the values measured when the model was shipped); the
default model must be one of them."""

import json
from pathlib import Path

import pytest

from unspin.detect import load
from unspin.training.data import read_labeled, split_ids
from unspin.training.validate import validate

FLOORS = json.loads((Path(__file__).with_name("quality_floors.json")).read_text())


def test_every_shipped_model_has_floors_and_the_default_is_gated():
    from unspin.detect.registry import MODELS
    from unspin.options import DEFAULT_MODEL

    assert set(FLOORS["models"]) == set(MODELS)
    assert DEFAULT_MODEL in FLOORS["models"]


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FLOORS["models"]))
def test_shipped_model_meets_floors(ptc_dir, name):
    arts = read_labeled(ptc_dir)
    _train, val = split_ids([a.id for a in arts])
    val_arts = [a for a in arts if a.id in set(val)]
    assert len(val_arts) == FLOORS["validation_articles"]
    metrics, _cfg = validate(load(name).predictor, val_arts, tune=False)
    got = {k: metrics[k]["f1"] for k in ("si", "tc", "full")}
    for key, floor in FLOORS["models"][name]["f1"].items():
        assert got[key] >= floor, f"{name}: {key} F1 {got[key]:.4f} fell below the floor {floor}"
