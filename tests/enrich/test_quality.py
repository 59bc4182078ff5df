"""Quality gate: the enrich stage must not fall below the F1 floors in floors.json."""

import json
from pathlib import Path

import pytest

from unspin.enrich.scoring import load_gold, score

HERE = Path(__file__).parent
FIXTURES = HERE.parents[0] / "fixtures" / "enrich"
FLOORS = json.loads((HERE / "floors.json").read_text())


def _check(name, articles):
    rep = score(articles)
    low = {label: round(c.f1, 3) for label, c in rep.rows() if c.f1 < FLOORS[name][label]}
    assert not low, f"{name}: F1 below the floor: {low} (floors {FLOORS[name]})"


def test_synthetic_floors():
    _check("synthetic", load_gold(FIXTURES / "synthetic.json"))


@pytest.mark.parametrize("name, file", [("ptc", "ptc.json"), ("ptc held-out", "ptc_heldout.json")])
def test_ptc_floors(name, file):
    ptc = HERE.parents[1].parent / "shared" / "data" / "ptc"
    if not ptc.exists():
        pytest.skip(f"{ptc} not found (../shared beside the checkout)")
    _check(name, load_gold(FIXTURES / file, ptc))
