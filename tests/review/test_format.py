"""The corrections format, Label Studio's side of it, and the latest-review rule."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from unspin.errors import InputError
from unspin.review.format import (
    Correction,
    Review,
    dump_reviews,
    latest,
    parse_review,
    read_reviews,
    training_lines,
    utc_time,
)
from unspin.review.labelstudio import (
    _Offsets,
    compare,
    labelling_config,
    model_version,
    reviews_from_export,
    task,
)
from unspin.techniques import TECHNIQUE_IDS, normalize

from .conftest import MODEL, TEXT


def at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def review(reviewer="ana", when="2025-03-01T12:00:00Z", corrections=None) -> Review:
    s, e = at("traitors")
    return Review("storm1", TEXT, corrections or (
        Correction("relabel", s, e, "Loaded_Language", "Name_Calling,Labeling"),
        Correction("reject", *at("reckless scheme"), "Loaded_Language"),
        Correction("add", *at("Storm"), "Exaggeration,Minimisation")), MODEL, reviewer, when)


def test_a_review_round_trips_and_its_line_is_training_data(tmp_path):
    r = review()
    line = json.loads(r.to_json())
    assert line["text_sha256"] == r.text_sha256 and line["model"]["fingerprint"] == "ab" * 32
    assert [s["action"] for s in line["spans"]] == ["add", "relabel"]
    assert line["rejected"] == [{**dict(zip(("start", "end"), at("reckless scheme"))),
                                 "technique": "Loaded_Language", "action": "reject"}]
    assert parse_review(line) == r
    # a corrections file read as training data holds the reviewer's spans, never a rejected one
    from unspin.training.data import read_labeled

    path = tmp_path / "c.jsonl"
    path.write_text(dump_reviews([r]), encoding="utf-8")
    (art,) = read_labeled(path)
    assert [(s.start, s.end, s.technique) for s in art.spans] == [
        (*at("Storm"), "Exaggeration,Minimisation"), (*at("traitors"), "Loaded_Language")]


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(text_sha256="0" * 64), "text_sha256 does not match"),
    (lambda d: d["spans"][0].update(technique="Sarcasm"), "unknown technique 'Sarcasm'"),
    (lambda d: d["spans"][0].update(end=10_000), "offsets must be whole numbers"),
    (lambda d: d["spans"][1].pop("original"), "relabel needs the model's 'original'"),
    (lambda d: d["spans"].append(d["rejected"][0]), "belongs in 'rejected'"),
    (lambda d: d.update(reviewed_at="2025-03-01 12:00"), "has no time zone"),
    (lambda d: d.update(reviewer=" "), "reviewer must be"),
    (lambda d: d.update(model=None), "need the model"),
    (lambda d: d.pop("schema"), "not a corrections line"),
    (lambda d: d.pop("text"), "missing field 'text'"),
])
def test_the_reader_refuses_a_bad_line_naming_it(tmp_path, change, message):
    bad = json.loads(review().to_json())
    change(bad)
    path = tmp_path / "c.jsonl"
    path.write_text(review().to_json() + "\n\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(read_reviews(path))
    assert str(err.value).startswith(f"{path}:3: ") and message in str(err.value)
    assert "\n" not in str(err.value)


def test_not_json_names_the_line(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(review().to_json() + "\n{oops\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"c\.jsonl:2: not JSON"):
        list(read_reviews(path))


def test_the_later_review_wins_and_both_are_kept():
    early = review("ana", "2025-03-01T12:00:00Z")
    late = review("ben", "2025-03-02T09:00:00+02:00", (Correction("accept", *at("traitors"),
                                                                  "Name_Calling,Labeling"),))
    assert late.reviewed_at == "2025-03-02T07:00:00Z"
    assert latest([late, early]) == [late] and latest([early, late]) == [late]
    same_time = review("cy", early.reviewed_at, late.corrections)
    assert latest([early, same_time]) == [same_time]  # of equal times, the later one given
    (line,) = training_lines([early, late]).splitlines()
    assert json.loads(line) == {"id": "storm1", "text": TEXT, "spans": [
        {"start": at("traitors")[0], "end": at("traitors")[1],
         "technique": "Name_Calling,Labeling"}]}


def test_times_are_utc_iso_8601():
    assert utc_time("2025-03-01T12:00:00+00:00") == "2025-03-01T12:00:00Z"
    for bad in (None, "2025-03-01T12:00:00"):
        with pytest.raises(ValueError):
            utc_time(bad)
    with pytest.raises(ValueError, match="not ISO 8601"):
        utc_time("yesterday")


def test_compare_pairs_the_four_actions():
    got = compare({(0, 4, "Doubt"), (0, 4, "Slogans"), (5, 9, "Repetition")},
                  {(0, 4, "Doubt"), (0, 4, "Flag-Waving"), (10, 12, "Doubt")})
    assert [(c.action, c.start, c.technique, c.original) for c in got] == [
        ("accept", 0, "Doubt", None), ("relabel", 0, "Flag-Waving", "Slogans"),
        ("reject", 5, "Repetition", None), ("add", 10, "Doubt", None)]


def test_offsets_count_utf16_units_past_an_emoji():
    o = _Offsets(TEXT)
    emoji = TEXT.index("\N{GRINNING FACE}")
    assert o.to_utf16(emoji) == emoji and o.to_utf16(emoji + 1) == emoji + 2
    assert [o.from_utf16(o.to_utf16(i)) for i in range(len(TEXT) + 1)] == list(
        range(len(TEXT) + 1))
    with pytest.raises(ValueError, match="surrogate pair"):
        o.from_utf16(emoji + 1)
    assert len(TEXT.encode("utf-16-le")) // 2 == o.to_utf16(len(TEXT))


def test_the_labelling_config_has_one_label_per_technique():
    root = ET.fromstring(labelling_config())
    (labels,) = root.findall("Labels")
    assert labels.get("name") == "technique" and labels.get("toName") == "text"
    assert root.find("Text").get("value") == "$text"
    assert sorted(normalize(lab.get("value")) for lab in labels) == sorted(TECHNIQUE_IDS)


def export_of(analysis, *annotations, **task_fields) -> list[dict]:
    """A Label Studio export of one task made by ``task`` (its predictions by number only, as
    Label Studio writes them)."""
    t = task(analysis)
    return [{"id": 7, "data": t["data"], "predictions": [1], "annotations": list(annotations),
             **task_fields}]


def region(phrase: str, label: str, rid: str = "r") -> dict:
    o = _Offsets(TEXT)
    s, e = at(phrase)
    return {"id": rid, "from_name": "technique", "to_name": "text", "type": "labels",
            "value": {"start": o.to_utf16(s), "end": o.to_utf16(e), "text": phrase,
                      "labels": [label]}}


def test_a_label_studio_export_gives_the_four_actions(analysis):
    t = task(analysis)
    (pred,) = t["predictions"]
    assert pred["model_version"] == model_version(MODEL) == f"demo-spans.v1@{'ab' * 6}"
    traitors = next(r for r in pred["result"] if r["value"]["text"] == "traitors")
    assert traitors["value"]["start"] == at("traitors")[0] + 1  # the emoji's second unit
    annotation = {"id": 3, "completed_by": 1, "updated_at": "2025-03-01T12:00:00.5Z", "result": [
        region("reckless scheme", "Loaded language"),
        region("traitors", "Loaded language"),
        region("Jobs, not excuses!", "Slogans"),
        region("every one of them", "Exaggeration / minimisation"),
        {"id": "c", "from_name": "note", "type": "textarea", "value": {"text": ["ok"]}}]}
    skipped = {"id": 4, "was_cancelled": True, "result": []}
    reviews, unannotated = reviews_from_export(
        export_of(analysis, annotation, skipped) + [{"id": 8, "data": {"text": "x"}}])
    assert unannotated == 1
    (r,) = reviews
    assert (r.id, r.model, r.reviewer, r.reviewed_at) == (
        "storm1", MODEL, "label studio user 1", "2025-03-01T12:00:00.500000Z")
    assert r.source == "label studio task 7, annotation 3"
    assert {(c.action, TEXT[c.start:c.end], c.technique, c.original) for c in r.corrections} == {
        ("accept", "reckless scheme", "Loaded_Language", None),
        ("accept", "Jobs, not excuses!", "Slogans", None),
        ("reject", "Can we really trust a minister", "Doubt", None),
        ("relabel", "traitors", "Loaded_Language", "Name_Calling,Labeling"),
        ("add", "every one of them", "Exaggeration,Minimisation", None)}
    assert reviews_from_export(export_of(analysis, annotation), reviewer="ana")[0][0].reviewer \
        == "ana"


def test_without_spans_in_data_the_annotations_prediction_is_used(analysis):
    t = task(analysis)
    data = {k: v for k, v in t["data"].items() if k != "unspin_spans"}
    annotation = {"id": 3, "completed_by": {"id": 1, "email": "ana@example.org"},
                  "created_at": "2025-03-01T12:00:00Z", "result": [region("traitors", "Doubt")],
                  "prediction": t["predictions"][0]}
    (r,), _ = reviews_from_export([{"id": 7, "data": data, "annotations": [annotation]}])
    assert r.reviewer == "ana@example.org" and r.counts() == {
        "accept": 0, "reject": 3, "relabel": 1, "add": 0, "move": 0}
    annotation.pop("prediction")
    with pytest.raises(InputError, match="task 7: the export holds no prediction of demo-spans"):
        reviews_from_export([{"id": 7, "data": data, "annotations": [annotation]}])


@pytest.mark.parametrize("change, message", [
    (lambda t: t["data"].update(text=TEXT + " More."), "task 7: its text is not the text"),
    (lambda t: t["annotations"][0]["result"][0]["value"].update(labels=["Sarcasm"]),
     "task 7, annotation 3: unknown technique label 'Sarcasm'"),
    (lambda t: t["annotations"][0]["result"][0]["value"].update(start=0),
     "task 7, annotation 3: region 0-"),
    (lambda t: t["data"].pop("text"), "task 7: no text in its data"),
])
def test_a_bad_export_is_refused_naming_the_task(analysis, change, message):
    (t,) = export_of(analysis, {"id": 3, "result": [region("traitors", "Doubt")],
                                "created_at": "2025-03-01T12:00:00Z"})
    change(t)
    with pytest.raises(InputError) as err:
        reviews_from_export([t])
    assert str(err.value).startswith(message)
