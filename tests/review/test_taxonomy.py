"""The review loop in the 2023 taxonomy: a review of a 2023 model's spans is a corrections line
that says ``"taxonomy": "2023"`` and names 2023 techniques (the four no model detects among
them), through Label Studio, the store, ``review dump``/``apply`` and the API; a line or a set of
reviews mixing the taxonomies is refused in one line; a 2020 line stays as it was, byte for
byte."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from unspin.analysis import Analysis, ModelRef, make_span, summarize
from unspin.cli import main
from unspin.document import Document
from unspin.errors import InputError
from unspin.review.format import (
    Correction,
    Review,
    dump_reviews,
    parse_review,
    read_reviews,
    training_lines,
)
from unspin.review.labelstudio import labelling_config, reviews_from_export, task, tasks
from unspin.review.store import read_stored, save_reviews
from unspin.techniques import TAXONOMY_2023

from .conftest import TEXT
from .test_format import region
from .test_format import review as review_2020

MODEL_23 = ModelRef("demo-2023.v1", "1", "cd" * 32)
ADDED = "every one of them"  # after the emoji: offsets differ in Label Studio


def at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def analysis_2023() -> Analysis:
    spans = tuple(make_span(TEXT, *at(p), t, s, "2023") for p, t, s in (
        ("reckless scheme", "Loaded_Language", 0.8),
        ("Can we really trust a minister", "Doubt", 0.6),
        ("traitors", "Name_Calling-Labeling", 0.9),
        ("Jobs, not excuses!", "Slogans", 0.7)))
    return Analysis(Document(TEXT, id="storm1"), spans, summarize(TEXT, spans, "2023"),
                    MODEL_23, taxonomy="2023")


def review_2023(reviewer="ana", when="2025-03-01T12:00:00Z") -> Review:
    return Review("storm1", TEXT, (
        Correction("relabel", *at("traitors"), "Guilt_by_Association", "Name_Calling-Labeling"),
        Correction("reject", *at("reckless scheme"), "Loaded_Language"),
        Correction("add", *at(ADDED), "Appeal_to_Values"),
        Correction("move", *at("Jobs, not excuses"), "Slogans", None,
                   *at("Jobs, not excuses!"))), MODEL_23, reviewer, when, taxonomy="2023")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def stored_taxonomies(db: str) -> list:
    import sqlalchemy as sa

    engine = sa.create_engine(db)
    with engine.connect() as conn:
        got = list(conn.execute(sa.text("SELECT taxonomy FROM reviews ORDER BY review_id"))
                   .scalars())
    engine.dispose()
    return got


# -- the corrections line --------------------------------------------------------------------

def test_a_2023_line_round_trips_through_file_store_and_dump(tmp_path, capsys):
    r = review_2023()
    line = json.loads(r.to_json())
    assert list(line)[:6] == ["schema", "id", "text", "text_sha256", "taxonomy", "model"]
    assert line["taxonomy"] == "2023"
    assert {"start": at(ADDED)[0], "end": at(ADDED)[1], "technique": "Appeal_to_Values",
            "action": "add"} in line["spans"]
    assert parse_review(line) == r

    path = tmp_path / "c.jsonl"
    path.write_text(dump_reviews([r]), encoding="utf-8")
    assert list(read_reviews(path)) == [r]

    db = f"sqlite:///{tmp_path / 'reviews.db'}"
    assert save_reviews(db, [r]) == (1, 0)
    assert save_reviews(db, [r]) == (0, 1)  # the same review again: stored once
    assert read_stored(db) == [r] and stored_taxonomies(db) == ["2023"]
    dumped = tmp_path / "dumped.jsonl"
    code, _, err = run(capsys, "review", "dump", "--db", db, "-o", dumped)
    assert code == 0 and "1 review of 1 article in the 2023 taxonomy" in err
    assert dumped.read_bytes() == path.read_bytes()

    (applied,) = training_lines([r]).splitlines()
    assert (*at(ADDED), "Appeal_to_Values") in {
        (s["start"], s["end"], s["technique"]) for s in json.loads(applied)["spans"]}


def test_a_2020_file_is_unchanged_byte_for_byte_through_import_store_and_dump(tmp_path,
                                                                               capsys):
    path = tmp_path / "c.jsonl"
    path.write_text(dump_reviews([review_2020()]), encoding="utf-8")
    assert '"taxonomy"' not in path.read_text(encoding="utf-8")
    code, out, _ = run(capsys, "review", "import", path)
    assert code == 0 and out == path.read_text(encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'reviews.db'}"
    assert run(capsys, "review", "import", path, "--db", db)[0] == 0
    dumped = tmp_path / "dumped.jsonl"
    code, _, err = run(capsys, "review", "dump", "--db", db, "-o", dumped)
    assert code == 0 and "taxonomy" not in err
    assert dumped.read_bytes() == path.read_bytes()
    assert stored_taxonomies(db) == ["2020"]


@pytest.mark.parametrize("change, message", [
    (lambda d: d["spans"][0].update(technique="Whataboutism,Straw_Men,Red_Herring"),
     "'Whataboutism,Straw_Men,Red_Herring' is a technique of the 2020 taxonomy, and this line "
     "is in the 2023 one (its 'taxonomy'); a line speaks one taxonomy"),
    (lambda d: d["spans"][0].update(original="Bandwagon,Reductio_ad_hitlerum"),
     "'Bandwagon,Reductio_ad_hitlerum' is a technique of the 2020 taxonomy"),
    (lambda d: d.pop("taxonomy"),
     "is a technique of the 2023 taxonomy, and this line is in the 2020 one (it gives no "
     "'taxonomy')"),
    (lambda d: d.update(taxonomy="2024"), "taxonomy '2024' is not one of 2020, 2023"),
    (lambda d: d["spans"][0].update(technique="Sarcasm"),
     "unknown technique 'Sarcasm' (see 'unspin techniques --taxonomy 2023')"),
])
def test_a_line_mixing_taxonomies_is_refused_in_one_line(tmp_path, change, message):
    bad = json.loads(review_2023().to_json())
    assert bad["spans"][0]["action"] == "relabel"
    change(bad)
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(read_reviews(path))
    assert str(err.value).startswith(f"{path}:1: ") and message in str(err.value)
    assert "\n" not in str(err.value)


def test_a_review_checks_its_techniques_against_its_own_taxonomy():
    added = (Correction("add", *at(ADDED), "Appeal_to_Values"),)
    with pytest.raises(ValueError, match="'Appeal_to_Values' is no technique of the 2020"):
        Review("a", TEXT, added, None, "ana", "2025-03-01T12:00:00Z").check()
    assert Review("a", TEXT, added, None, "ana", "2025-03-01T12:00:00Z",
                  taxonomy="2023").check().kept == added


# -- store, dump and apply: one taxonomy at a time ---------------------------------------------

def test_dump_and_apply_refuse_to_mix_taxonomies_and_pick_one(tmp_path, capsys):
    import sqlalchemy as sa

    db = f"sqlite:///{tmp_path / 'reviews.db'}"
    old = review_2020()
    save_reviews(db, [old])
    engine = sa.create_engine(db)  # a store made before the taxonomy column
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE reviews DROP COLUMN taxonomy"))
    engine.dispose()
    assert save_reviews(db, [review_2023()]) == (1, 0)  # the column is added back
    assert stored_taxonomies(db) == [None, "2023"]  # the older row: null, read as 2020

    for action in ("dump", "apply"):
        code, out, err = run(capsys, "review", action, "--db", db)
        assert code == 1 and out == "" and err.count("\n") == 1, action
        assert "reviews in two taxonomies (1 in the 2020 and 1 in the 2023)" in err, action
        assert f"give --taxonomy 2020 or --taxonomy 2023 to {action} one" in err, action
    code, out, _ = run(capsys, "review", "dump", "--db", db, "--taxonomy", "2020")
    assert code == 0 and out == dump_reviews([old])
    code, out, err = run(capsys, "review", "apply", "--db", db, "--taxonomy", "2023")
    assert code == 0 and out == training_lines([review_2023()])
    assert "in the 2023 taxonomy" in err


# -- Label Studio ------------------------------------------------------------------------------

def test_the_2023_labelling_config_has_the_23_with_definitions_and_colours(capsys, model_2023):
    labels = ET.fromstring(labelling_config("2023")).find("Labels")
    assert len(labels) == 23
    by_id = TAXONOMY_2023.by_id
    got = {TAXONOMY_2023.normalize(lab.get("value")): lab for lab in labels}
    assert list(got) == list(TAXONOMY_2023.ids)
    for tid, lab in got.items():
        assert (lab.get("background"), lab.get("hint")) == (by_id[tid].colour,
                                                           by_id[tid].definition)
    code, out, _ = run(capsys, "review", "config", "--taxonomy", "2023")
    assert code == 0 and out == labelling_config("2023")
    code, out, _ = run(capsys, "review", "config", "--model", model_2023)
    assert code == 0 and out.count("<Label ") == 23
    code, out, err = run(capsys, "review", "config", "--model", model_2023, "--taxonomy", "2020")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "speaks the 2023 taxonomy, not 2020" in err


def test_a_label_studio_review_of_a_2023_model_speaks_2023(analysis_2023, analysis):
    t = task(analysis_2023)
    assert t["data"]["taxonomy"] == "2023" and "taxonomy" not in task(analysis)["data"]
    assert sorted(r["value"]["labels"][0] for r in t["predictions"][0]["result"]) == [
        "Doubt", "Loaded language", "Name calling / labelling", "Slogans"]
    annotation = {"id": 3, "completed_by": 1, "created_at": "2025-03-01T12:00:00Z", "result": [
        region("reckless scheme", "Loaded language"),
        region("Can we really trust a minister", "Doubt"),
        region("traitors", "Guilt by association"),
        region("Jobs, not excuses!", "Slogans"),
        region(ADDED, "Appeal to values")]}
    (r,), _ = reviews_from_export([{"id": 7, "data": t["data"], "annotations": [annotation]}])
    assert r.taxonomy == "2023" and r.model == MODEL_23
    assert {(c.action, TEXT[c.start:c.end], c.technique, c.original)
            for c in r.corrections if c.action != "accept"} == {
        ("relabel", "traitors", "Guilt_by_Association", "Name_Calling-Labeling"),
        ("add", ADDED, "Appeal_to_Values", None)}
    assert json.loads(r.to_json())["taxonomy"] == "2023"

    # a project labelled with the 2020 config: its merged class is no 2023 technique
    annotation["result"][2] = region("traitors", "Whataboutism / straw man / red herring")
    with pytest.raises(InputError) as err:
        reviews_from_export([{"id": 7, "data": t["data"], "annotations": [annotation]}])
    assert "(the task is in the 2023 taxonomy); the project must use 'unspin review config " \
        "--taxonomy 2023'" in str(err.value)


def test_one_label_studio_export_holds_one_taxonomy(analysis_2023, analysis):
    with pytest.raises(InputError, match="in the 2020 and 2023 taxonomies, and a Label Studio "
                                         "project has one labelling config"):
        tasks([analysis, analysis_2023])


def test_review_export_of_2023_analyses_names_the_2023_config(capsys, tmp_path, analysis_2023):
    path = tmp_path / "a.json"
    path.write_text(json.dumps(analysis_2023.to_dict()), encoding="utf-8")
    code, out, err = run(capsys, "review", "export", path)
    assert code == 0 and "'unspin review config --taxonomy 2023'" in err
    assert json.loads(out)[0]["data"]["taxonomy"] == "2023"
    code, out, _ = run(capsys, "review", "export", path, "--to", "jsonl")
    assert code == 0 and json.loads(out)["taxonomy"] == "2023"


# -- the API -------------------------------------------------------------------------------------

def test_the_api_saves_a_2023_review_with_its_taxonomy(tmp_path):
    pytest.importorskip("fastapi", reason="needs unspin[serve]")
    from tests.conftest import asgi_request
    from unspin.options import Options
    from unspin.server import create_app

    db = f"sqlite:///{tmp_path / 'store.db'}"
    app = create_app(Options(db=db))
    line = json.loads(review_2023().to_json())
    r = asgi_request(app, "POST", "/v1/corrections", json=line)
    assert r.status_code == 200, r.text
    assert r.json()["counts"] == {"accept": 0, "reject": 1, "relabel": 1, "add": 1, "move": 1}
    assert read_stored(db) == [review_2023()] and stored_taxonomies(db) == ["2023"]

    line.pop("taxonomy")  # 2023 ids in a line that says nothing: read as 2020, refused
    r = asgi_request(app, "POST", "/v1/corrections", json=line)
    assert r.status_code == 400 and "a technique of the 2023 taxonomy, and this line is in " \
        "the 2020 one" in r.json()["error"]["message"]
    r = asgi_request(app, "POST", "/v1/corrections", json={**line, "taxonomy": "2024"})
    assert r.status_code == 422 and "taxonomy" in r.json()["error"]["message"]
    assert len(read_stored(db)) == 1
