"""A moved boundary: the model's span kept with other start and end offsets, recorded as its own
action (``move``) with the old offsets, read back by ``review import``/``apply``, the store, the
API and ``train --corrections``; Label Studio annotations that move a span read as one."""

from __future__ import annotations

import json
import sqlite3

import pytest

from unspin.cli import main
from unspin.review.format import Correction, Review, parse_review, read_reviews, training_lines
from unspin.review.labelstudio import compare, reviews_from_export, task
from unspin.review.store import read_stored, save_reviews
from unspin.training.train_head import _corrected, review_is_complete

from .conftest import MODEL, TEXT

SHORT = "Can we really trust a minister"
LONG = "Can we really trust a minister who was wrong?"


def at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def moved(technique="Doubt", original=None, new=LONG, old=SHORT) -> Correction:
    return Correction("move", *at(new), technique, original, *at(old))


def review(*corrections, when="2025-03-01T12:00:00Z") -> Review:
    return Review("storm1", TEXT, corrections or (moved(),), MODEL, "ana", when).check()


def test_a_move_is_its_own_action_with_old_and_new_offsets(tmp_path):
    line = json.loads(review().to_json())
    s, e = at(LONG)
    old_s, old_e = at(SHORT)
    assert line["spans"] == [{"start": s, "end": e, "technique": "Doubt", "action": "move",
                              "old_start": old_s, "old_end": old_e}]
    assert line["rejected"] == []
    path = tmp_path / "c.jsonl"
    path.write_text(review().to_json() + "\n", encoding="utf-8")
    (back,) = read_reviews(path)
    assert back == review() and back.counts()["move"] == 1
    # as training data the span is where the reviewer put it
    assert json.loads(training_lines([back]))["spans"] == [
        {"start": s, "end": e, "technique": "Doubt"}]


def test_a_move_may_change_the_technique_too():
    r = review(moved("Loaded_Language", "Doubt"))
    (c,) = r.corrections
    assert (c.action, c.technique, c.original, c.was) == ("move", "Loaded_Language", "Doubt",
                                                         at(SHORT))


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("old_start"), "move needs the model's boundaries"),
    (lambda d: d.update(old_start=d["start"], old_end=d["end"]), "needs new boundaries"),
    (lambda d: d.update(old_start=0, old_end=5), "must overlap where the model had it"),
    (lambda d: d.update(original="Doubt"), "other than Doubt"),
    (lambda d: d.update(action="accept"), "only move has old_start and old_end"),
])
def test_a_bad_move_is_refused_saying_why(change, message):
    line = json.loads(review().to_json())
    change(line["spans"][0])
    with pytest.raises(ValueError, match=message):
        parse_review(line)


def test_a_move_needs_the_model_it_moves_a_span_of():
    with pytest.raises(ValueError, match="need the model"):
        Review("storm1", TEXT, (moved(),), None, "ana", "2025-03-01T12:00:00Z").check()


def test_label_studio_overlapping_regions_read_as_moves():
    shown = {(*at(SHORT), "Doubt"), (*at("traitors"), "Name_Calling,Labeling"),
             (*at("reckless scheme"), "Loaded_Language")}
    marked = {(*at(LONG), "Doubt"), (*at("They are traitors"), "Loaded_Language"),
              (*at("Storm"), "Slogans")}
    got = {(c.action, TEXT[c.start:c.end], c.technique, c.original,
            TEXT[slice(*c.was)]) for c in compare(shown, marked)}
    assert got == {
        ("move", LONG, "Doubt", None, SHORT),
        ("move", "They are traitors", "Loaded_Language", "Name_Calling,Labeling", "traitors"),
        ("reject", "reckless scheme", "Loaded_Language", None, "reckless scheme"),
        ("add", "Storm", "Slogans", None, "Storm")}


def test_label_studio_export_with_a_moved_region_imports_a_move(analysis):
    t = task(analysis)
    s, e = at(LONG)
    region = {"id": "m", "from_name": "technique", "to_name": "text", "type": "labels",
              "value": {"start": s, "end": e, "text": LONG, "labels": ["Doubt"]}}
    export = [{"id": 7, "data": t["data"], "predictions": [1], "annotations": [
        {"id": 3, "completed_by": 1, "created_at": "2025-03-01T12:00:00Z", "result": [region]}]}]
    (r,), _ = reviews_from_export(export)
    assert r.counts() == {"accept": 0, "reject": 3, "relabel": 0, "add": 0, "move": 1}
    (m,) = [c for c in r.corrections if c.action == "move"]
    assert (TEXT[m.start:m.end], TEXT[slice(*m.was)]) == (LONG, SHORT)


def test_import_and_apply_read_a_moved_span(capsys, tmp_path):
    path = tmp_path / "report-download.jsonl"
    path.write_text(review().to_json() + "\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["review", "import", str(path), "--db", db]) == 0
    assert "move 1" in capsys.readouterr().err
    (stored,) = read_stored(db)
    assert stored == review()
    with sqlite3.connect(tmp_path / "store.db") as con:
        assert con.execute("select action, start, end, old_start, old_end from corrections"
                           ).fetchall() == [("move", *at(LONG), *at(SHORT))]
        assert con.execute("select moved from reviews").fetchall() == [(1,)]
    out = tmp_path / "train.jsonl"
    assert main(["review", "apply", "--db", db, "-o", str(out)]) == 0
    (line,) = out.read_text(encoding="utf-8").splitlines()
    assert [(TEXT[s["start"]:s["end"]], s["technique"]) for s in json.loads(line)["spans"]] == [
        (LONG, "Doubt")]


def test_a_store_made_before_moves_gets_the_new_columns(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as con:  # the tables as an earlier unspin made them
        con.executescript(
            "create table reviews (review_id integer primary key autoincrement, article_id "
            "varchar(512) not null, text_sha256 varchar(64) not null, model_name varchar(128), "
            "model_version varchar(64), model_fingerprint varchar(64), reviewer varchar(512) "
            "not null, reviewed_at varchar(40) not null, source varchar(512), accepted integer,"
            " rejected integer, relabelled integer, added integer, record text not null);"
            "create table corrections (correction_id integer primary key autoincrement, "
            "review_id integer not null references reviews(review_id), article_id "
            "varchar(512) not null, action varchar(8) not null, start integer not null, "
            "\"end\" integer not null, technique varchar(64) not null, original varchar(64));")
    db = f"sqlite:///{path}"
    earlier = review(Correction("accept", *at("traitors"), "Name_Calling,Labeling"),
                     when="2025-02-01T00:00:00Z")
    assert save_reviews(db, [earlier]) == (1, 0)
    assert save_reviews(db, [review()]) == (1, 0)
    assert read_stored(db) == [earlier, review()]


def test_training_takes_a_moved_span_at_its_new_place_and_its_old_place_as_decided():
    r = review(moved(), Correction("accept", *at("traitors"), "Name_Calling,Labeling"))
    # the base model found the span where the reviewer's move started: the review decided it
    assert review_is_complete(r, MODEL.fingerprint, [at(SHORT), at("traitors")])
    assert not review_is_complete(r, MODEL.fingerprint, [at(LONG), at("traitors")])
    (art,), rejected, _ = _corrected([r], [], [])
    assert [(TEXT[s.start:s.end], s.technique) for s in art.spans] == [
        (LONG, "Doubt"), ("traitors", "Name_Calling,Labeling")]
    assert rejected == {"storm1": []}


def test_the_trained_models_record_counts_moved_spans(tmp_path):
    from unspin.training.train_head import read_corrections

    path = tmp_path / "c.jsonl"
    path.write_text(review(moved(), Correction("reject", *at("traitors"), "Doubt")).to_json()
                    + "\n", encoding="utf-8")
    _, record = read_corrections(path)
    assert (record["spans"], record["moved_spans"], record["rejected_spans"]) == (1, 1, 1)


def test_the_api_takes_a_move(tmp_path):
    pytest.importorskip("fastapi", reason="needs unspin[serve]")
    from unspin.options import Options
    from unspin.server import create_app

    from .test_api import post

    db = f"sqlite:///{tmp_path / 'store.db'}"
    body = json.loads(review().to_json())
    r = post(create_app(Options(db=db)), body)
    assert r.status_code == 200, r.text
    assert r.json()["counts"]["move"] == 1
    assert read_stored(db) == [review()]
    body["spans"][0]["old_end"] = body["spans"][0]["old_start"]
    r = post(create_app(Options(db=db)), body)
    assert r.status_code in (400, 422) and "move needs the model's boundaries" in r.text
