"""``unspin review``: export, config, import (Label Studio or corrections), apply, the store."""

from __future__ import annotations

import json

import pytest

from unspin.cli import main
from unspin.review.format import read_reviews
from unspin.review.labelstudio import task
from unspin.review.store import read_stored

from .conftest import MODEL, TEXT
from .test_format import region


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_config_prints_the_labelling_config(capsys):
    code, out, _ = run(capsys, "review", "config")
    assert code == 0 and out.startswith("<View>") and out.count("<Label ") == 14


def test_export_writes_label_studio_tasks_from_analyses(capsys, tmp_path, analysis_file):
    out_file = tmp_path / "tasks.json"
    code, _, err = run(capsys, "review", "export", str(analysis_file), "-o", str(out_file))
    assert code == 0 and "1 article with 4 spans exported for review" in err
    (t,) = json.loads(out_file.read_text(encoding="utf-8"))
    assert t["data"]["article_id"] == "storm1" and t["data"]["model_fingerprint"] == "ab" * 32
    (pred,) = t["predictions"]
    assert pred["model_version"] == "demo-spans.v1@abababababab"
    assert {r["type"] for r in pred["result"]} == {"labels"}
    assert sorted(r["value"]["labels"][0] for r in pred["result"]) == [
        "Doubt", "Loaded language", "Name calling / labelling", "Slogans"]


def test_export_to_jsonl_is_one_line_per_article(capsys, analysis_file):
    code, out, _ = run(capsys, "review", "export", str(analysis_file), "--to", "jsonl")
    (line,) = out.splitlines()
    d = json.loads(line)
    assert code == 0 and d["id"] == "storm1" and d["text"] == TEXT and len(d["spans"]) == 4
    assert d["model"] == {"name": MODEL.name, "version": "1", "fingerprint": "ab" * 32}


def test_export_refuses_a_json_file_that_is_no_analysis(capsys, tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"id": 1}', encoding="utf-8")
    code, _, err = run(capsys, "review", "export", str(bad))
    assert code == 1 and err == f"unspin: error: {bad}: not an unspin analysis (write one " \
        "with 'unspin analyze --format json')\n"


@pytest.fixture
def ls_export(tmp_path, analysis):
    """A Label Studio JSON export with one annotation of each action, and an earlier one."""
    t = task(analysis)
    first = {"id": 2, "completed_by": 1, "created_at": "2025-03-01T10:00:00Z",
             "result": [region("traitors", "Name calling / labelling")]}
    second = {"id": 3, "completed_by": 1, "created_at": "2025-03-01T11:00:00Z",
              "updated_at": "2025-03-01T12:00:00Z", "result": [
                  region("reckless scheme", "Loaded language", "a"),
                  region("traitors", "Loaded language", "b"),
                  region("every one of them", "Exaggeration / minimisation", "c")]}
    path = tmp_path / "export.json"
    path.write_text(json.dumps([{"id": 7, "data": t["data"], "predictions": [1],
                                 "annotations": [first, second]},
                                {"id": 8, "data": t["data"], "annotations": []}]),
                    encoding="utf-8")
    return path


def test_import_then_apply(capsys, tmp_path, ls_export):
    corrections = tmp_path / "corrections.jsonl"
    code, out, err = run(capsys, "review", "import", str(ls_export), "-o", str(corrections),
                         "--reviewer", "ana")
    assert code == 0 and out == ""
    assert err == ("unspin: 2 reviews of 1 article (accept 2, reject 5, relabel 1, add 1, "
                   f"move 0) to {corrections}; 1 task not annotated\n")
    first, second = read_reviews(corrections)
    assert (first.reviewer, second.reviewed_at) == ("ana", "2025-03-01T12:00:00Z")
    assert second.counts() == {"accept": 1, "reject": 2, "relabel": 1, "add": 1, "move": 0}
    # importing a corrections file gives it back as it was
    code, out, _ = run(capsys, "review", "import", str(corrections))
    assert code == 0 and out == corrections.read_text(encoding="utf-8")

    labelled = tmp_path / "labelled.jsonl"
    code, _, err = run(capsys, "review", "apply", str(corrections), "-o", str(labelled))
    assert code == 0 and "1 reviewed article (3 spans)" in err
    (line,) = labelled.read_text(encoding="utf-8").splitlines()
    got = json.loads(line)
    assert got["id"] == "storm1" and [(TEXT[s["start"]:s["end"]], s["technique"])
                                      for s in got["spans"]] == [
        ("reckless scheme", "Loaded_Language"), ("traitors", "Loaded_Language"),
        ("every one of them", "Exaggeration,Minimisation")]


def test_import_into_the_store_keeps_every_review_once(capsys, tmp_path, ls_export):
    db = f"sqlite:///{tmp_path / 'reviews.db'}"
    code, out, err = run(capsys, "review", "import", str(ls_export), "--db", db)
    assert code == 0 and out == "" and "; 2 saved in the store;" in err
    code, _, err = run(capsys, "review", "import", str(ls_export), "--db", db)
    assert code == 0 and "; 0 saved in the store, 2 already there;" in err
    import sqlalchemy as sa

    engine = sa.create_engine(db)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT action, count(*) FROM corrections GROUP BY action "
                                    "ORDER BY action")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("accept", 2), ("add", 1), ("reject", 5), ("relabel", 1)]
    code, out, _ = run(capsys, "review", "apply", "--db", db)
    assert code == 0 and len(json.loads(out)["spans"]) == 3  # the later review


def test_dump_writes_the_stored_reviews_for_train_corrections(capsys, tmp_path, ls_export):
    db = f"sqlite:///{tmp_path / 'reviews.db'}"
    code, _, err = run(capsys, "review", "dump", "--db", db)
    assert code == 1 and "no database file at" in err and "review import FILE --db" in err
    assert len(err.strip().splitlines()) == 1
    assert run(capsys, "review", "import", str(ls_export), "--db", db)[0] == 0
    corrections = tmp_path / "corrections.jsonl"
    code, out, err = run(capsys, "review", "dump", "--db", db, "-o", str(corrections))
    assert code == 0 and out == ""
    assert err == (f"unspin: 2 reviews of 1 article (accept 2, reject 5, relabel 1, add 1, "
                   f"move 0) to {corrections}\n")
    assert list(read_reviews(corrections)) == read_stored(db)
    # what train --corrections reads: the same file, the later review counting
    from unspin.training.train_head import read_corrections

    (latest,), record = read_corrections(corrections)
    assert record["reviews"] == 2 and latest.reviewed_at == "2025-03-01T12:00:00Z"


@pytest.mark.parametrize("content, message", [
    ("[1, 2]", "not a Label Studio JSON export"),
    ("[{\"id\": 5, \"data\": {}}]", "task 5: no text in its data"),
    ("{\"schema\": \"unspin.analysis/2\"}\n", "x.txt:1: not a corrections line"),
    ("", "no submitted review in it"),
])
def test_import_refuses_bad_input_in_one_line(capsys, tmp_path, content, message):
    path = tmp_path / "x.txt"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "review", "import", str(path))
    assert code == 1 and out == "" and err.count("\n") == 1 and message in err
    assert err.startswith(f"unspin: error: {path}")


def test_apply_needs_something_to_apply(capsys):
    code, _, err = run(capsys, "review", "apply")
    assert code == 2 and "give corrections files, or --db URL" in err


def test_export_analyses_articles_with_the_model(capsys, tmp_path):
    article = tmp_path / "article1.txt"
    article.write_text("Budget row\n\nThe reckless scheme was rammed through at night by "
                       "traitors who despise this great nation.\n", encoding="utf-8")
    code, out, _ = run(capsys, "review", "export", str(tmp_path))
    (t,) = json.loads(out)
    assert code == 0 and t["data"]["article_id"] == "1"  # the folder's id of article1.txt
    assert t["data"]["text"] == article.read_text(encoding="utf-8")
    from unspin.options import DEFAULT_MODEL

    assert t["data"]["model_name"] == DEFAULT_MODEL
    assert t["predictions"][0]["model_version"].startswith(f"{DEFAULT_MODEL}@")
