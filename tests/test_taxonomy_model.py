"""The taxonomy is a property of a model: its config names it, the detector and every Analysis
carry it, old results read as 2020, and the techniques list marks what a model cannot find."""

import json
from pathlib import Path

import jsonschema
import pytest

from unspin import analyze_text
from unspin.analysis import SCHEMA, Analysis
from unspin.cli import main
from unspin.detect import describe, installed_models, load
from unspin.errors import ModelError
from unspin.schema import load as load_schema
from unspin.techniques import NOT_DETECTED, TAXONOMY_2023, TECHNIQUE_IDS

pytestmark = pytest.mark.model

TEXT = ("Traitors in Washington\n\nThe corrupt, treasonous elite will destroy this great nation "
        "unless every true patriot stands up now. Wake up, America! Either we fight or we lose "
        "everything.\n")


def test_published_models_speak_the_taxonomy_their_config_names():
    """A model names its taxonomy only when it is not 2020: the models published before there
    was a choice name none (a published folder never changes) and speak 2020; a 2023 model
    names it and has outputs only for 2023 techniques."""
    for info in installed_models():
        cfg = json.loads((Path(info.path) / "config.json").read_text())
        assert info.taxonomy == cfg.get("taxonomy", "2020"), info.name
        if info.name.startswith(("minilm-spans.", "mpnet-spans.")):
            assert "taxonomy" not in cfg, info.name
        if info.taxonomy == "2023":
            assert set(cfg["techniques"]) <= set(TAXONOMY_2023.ids), info.name


def test_a_2023_model_is_described_and_loaded_as_such(model_2023):
    assert describe(model_2023).taxonomy == "2023"
    d = load(model_2023)
    assert d.info.taxonomy == d.taxonomy == "2023"
    assert set(d.techniques) <= set(TAXONOMY_2023.ids) and len(d.techniques) == 14


def test_the_analysis_of_a_2023_model_speaks_2023(model_2023):
    a = analyze_text(TEXT, model=str(model_2023), enrich=False)
    assert a.taxonomy == "2023" and a.spans
    for s in a.spans:
        assert s.technique in TAXONOMY_2023.ids
        assert s.name == TAXONOMY_2023.by_id[s.technique].name
    assert list(a.summary.counts) == list(TAXONOMY_2023.ids)
    d = a.to_dict()
    assert d["taxonomy"] == "2023" and d["schema"] == SCHEMA
    jsonschema.validate(d, load_schema())
    back = Analysis.from_dict(json.loads(a.to_json()))
    assert back.taxonomy == "2023" and back.spans == a.spans and back.summary == a.summary


def test_the_default_model_s_analysis_says_2020():
    a = analyze_text(TEXT, enrich=False)
    assert a.taxonomy == "2020" and a.to_dict()["taxonomy"] == "2020"
    assert list(a.summary.counts) == list(TECHNIQUE_IDS)


def test_old_results_without_a_taxonomy_read_as_2020():
    d = analyze_text(TEXT, enrich=False).to_dict()
    del d["taxonomy"]
    d["schema"] = "unspin.analysis/3"
    assert Analysis.from_dict(d).taxonomy == "2020"


def test_techniques_filter_in_either_spelling(model_2023):
    a = analyze_text(TEXT, model=str(model_2023), enrich=False,
                     techniques=["Name_Calling,Labeling", "flag waving"])
    assert a.spans and {s.technique for s in a.spans} <= {"Name_Calling-Labeling",
                                                          "Flag_Waving"}


def test_a_model_naming_an_unknown_taxonomy_is_refused(model_2023, tmp_path):
    from tests.conftest import fake_2023_model

    m = fake_2023_model(tmp_path / "m")
    cfg = json.loads((m / "config.json").read_text())
    cfg["taxonomy"] = "2031"
    (m / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelError, match="unknown taxonomy '2031'"):
        describe(m)


def test_techniques_listed_for_a_model_mark_what_it_cannot_find(model_2023, capsys):
    assert main(["techniques", "--model", str(model_2023)]) == 0
    out = capsys.readouterr().out
    assert "== Distraction ==" in out
    assert out.count(NOT_DETECTED) == 23 - 14
    for tid in TAXONOMY_2023.unlabelled:
        block = out[out.index(f"  {tid}"):]
        assert block.index(NOT_DETECTED) < block.index("\n\n")
    assert main(["techniques", "--model", str(model_2023), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sum(not r["detected"] for r in rows) == 9
    assert main(["techniques", "--model", "minilm-spans.v5"]) == 0
    assert NOT_DETECTED not in capsys.readouterr().out


def test_techniques_for_a_model_of_another_taxonomy_is_a_usage_error(model_2023, capsys):
    assert main(["techniques", "--model", str(model_2023), "--taxonomy", "2020"]) == 2
    err = capsys.readouterr().err
    assert "speaks the 2023 taxonomy" in err and len(err.strip().splitlines()) == 1
