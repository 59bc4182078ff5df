"""`unspin batch` end to end: every input format, failed rows, exit codes, JSONL output, timeouts,
and a run killed with SIGKILL then resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

pa = pytest.importorskip("pyarrow", reason="unspin[corpus] is not installed")
import pyarrow.parquet as pq  # noqa: E402

pytestmark = pytest.mark.model


def table(path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def many(n: int) -> list[dict]:
    """n short synthetic articles, each a little different."""
    lines = ["The corrupt elite will destroy this great nation.",
             "The council approved the library budget on Tuesday.",
             "Only a fool would trust the so-called experts.",
             "Every true patriot must stand up now, before it is too late.",
             "Prices rose by two percent in March, the agency said.",
             '"We will fight them," Senator Jane Smith told reporters.']
    return [{"id": f"n{i:03d}", "outlet": f"Outlet {i % 3}", "published": f"2020-0{1 + i % 9}-01",
             "text": " ".join(lines[(i + k) % 6] for k in range(3 + i % 3))} for i in range(n)]


def test_every_input_format_gives_the_same_rows(tmp_path, corpus):
    arts = corpus.ARTICLES
    inputs = {"jsonl": corpus.write_jsonl(tmp_path / "in.jsonl", arts),
              "csv": corpus.write_csv(tmp_path / "in.csv", arts),
              "parquet": corpus.write_parquet(tmp_path / "in.parquet", arts),
              "folder": corpus.write_folder(tmp_path / "folder", arts)}
    results = {}
    for name, src in inputs.items():
        out = tmp_path / f"out-{name}"
        code, _o, err = corpus.run_cli("batch", src, "--out", out, "--workers", "2")
        assert code == 0, err
        assert "4 articles (4 ok, 0 failed)" in err
        assert sorted(p.name for p in out.iterdir()) == [
            "articles.parquet", "quotes.parquet", "run.json", "spans.parquet", "targets.parquet"]
        results[name] = (table(out / "articles.parquet"), table(out / "spans.parquet"),
                         table(out / "quotes.parquet"), table(out / "targets.parquet"))
    articles, spans, _quotes, targets = results["jsonl"]
    assert [a["id"] for a in articles] == [a["id"] for a in arts]
    assert [a["row"] for a in articles] == [1, 2, 3, 4]  # rows count from 1, as editors do
    first = articles[0]
    assert (first["outlet"], first["authors"], first["month"], first["status"]) == \
        ("Daily Planet", ["Lois Lane", "Clark Kent"], "2019-03", "ok")
    assert first["model_name"] and first["words"] > 10
    by_id = {a["id"]: a for a in articles}
    for s in spans:  # spans index the article text and agree with the per-article counts
        text = next(a["text"] for a in arts if a["id"] == s["article_id"])
        assert text[s["start"]:s["end"]] == s["text"]
    for aid, a in by_id.items():
        assert a["spans"] == sum(1 for s in spans if s["article_id"] == aid)
    assert targets and {t["entity"] for t in targets} >= {"United States"}
    for name in ("csv", "parquet", "folder"):
        assert [a["id"] for a in results[name][0]] == [a["id"] for a in articles]
        assert results[name][1:] == results["jsonl"][1:], name
    assert results["csv"][0][0]["authors"] == ["Lois Lane", "Clark Kent"]


QUOTED = {"id": "q-1", "outlet": "Gazette",
          "text": "Senator Jane Smith said the plan was \"a disgrace to this great nation\". The "
                  "corrupt, treasonous elite in Washington will destroy America, Smith warned. "
                  "\"We will fight,\" Smith told reporters. The so-called experts at the Fed "
                  "are fools."}


def test_quotes_and_targets_tables(tmp_path, corpus):
    """Quotes and targets index the article text, their counts are on the article row, a target
    names its span by position; with --no-enrich both tables are there, empty, same columns."""
    from unspin.corpus.tables import quote_schema, target_schema

    arts = [QUOTED, *corpus.ARTICLES[:2], {"id": "x"}]
    src = corpus.write_jsonl(tmp_path / "in.jsonl", arts)
    out = tmp_path / "out"
    code, _o, err = corpus.run_cli("batch", src, "--out", out, "--workers", "1")
    assert code == 1, err
    articles = {a["id"]: a for a in table(out / "articles.parquet")}
    spans, quotes, targets = (table(out / f"{k}.parquet") for k in ("spans", "quotes", "targets"))
    assert pq.read_schema(out / "quotes.parquet").names == quote_schema().names
    assert pq.read_schema(out / "targets.parquet").names == target_schema().names
    text = QUOTED["text"]
    said = [(q["text"], q["speaker"], q["cue"]) for q in quotes]
    assert ("We will fight,", "Jane Smith", "told") in said
    for q in quotes:
        assert q["article_id"] == "q-1" and text[q["start"]:q["end"]] == q["text"]
        assert 0 < q["confidence"] <= 1 and q["model_name"] == articles["q-1"]["model_name"]
    by_article = {}
    for s in spans:
        by_article.setdefault(s["article_id"], []).append(s)
    for t in targets:
        article_text = next(a["text"] for a in arts if a["id"] == t["article_id"])
        assert article_text[t["start"]:t["end"]] == t["text"]
        span = by_article[t["article_id"]][t["span"]]
        assert (span["start"], span["end"], span["technique"]) == \
            (t["span_start"], t["span_end"], t["technique"])
    assert "Jane Smith" in {t["entity"] for t in targets}
    for aid, a in articles.items():
        if a["status"] == "ok":
            assert a["enrichment"] and a["quotes"] == sum(q["article_id"] == aid for q in quotes)
            assert a["targets"] == sum(t["article_id"] == aid for t in targets)
    assert (articles["x"]["enrichment"], articles["x"]["quotes"]) == (None, None)  # failed
    run = json.loads((out / "run.json").read_text())
    assert (run["result"]["quotes"], run["result"]["targets"]) == (len(quotes), len(targets))

    bare = tmp_path / "bare"
    code, _o, err = corpus.run_cli("batch", src, "--out", bare, "--workers", "1", "--no-enrich")
    assert code == 1, err
    for kind, schema in (("quotes", quote_schema()), ("targets", target_schema())):
        found = pq.read_table(bare / f"{kind}.parquet")
        assert found.num_rows == 0 and found.schema.equals(schema, check_metadata=False)
    assert {(a["enrichment"], a["quotes"], a["targets"])
            for a in table(bare / "articles.parquet")} == {(None, None, None)}
    assert table(bare / "spans.parquet") == spans  # the spans do not depend on enrichment
    code, _o, err = corpus.run_cli("batch", src, "--out", bare, "--workers", "1")
    assert code == 2 and "holds another run" in err  # parts with and without never mix


def test_counts_is_a_typed_column(tmp_path, corpus):
    """``counts`` is a struct of int32 per technique (of either taxonomy, the 2020 ones
    first): pandas gets a dict, no JSON to parse; ``taxonomy`` says which the model speaks."""
    from unspin.techniques import TAXONOMY_2023, TECHNIQUE_IDS

    src = corpus.write_jsonl(tmp_path / "in.jsonl", [*corpus.ARTICLES[:1], {"id": "x"}])
    out = tmp_path / "out"
    code, _o, err = corpus.run_cli("batch", src, "--out", out, "--workers", "1")
    assert code == 1, err
    schema = pq.read_schema(out / "articles.parquet")
    assert pa.types.is_struct(schema.field("counts").type)
    names = [f.name for f in schema.field("counts").type]
    assert names[:14] == list(TECHNIQUE_IDS) and set(names) == set(names[:14]) | set(
        TAXONOMY_2023.ids) and len(names) == len(set(names))
    ok, failed = table(out / "articles.parquet")
    assert ok["taxonomy"] == "2020" and failed["taxonomy"] is None
    assert sum(ok["counts"].values()) == ok["spans"] > 0 and failed["counts"] is None
    pd = pytest.importorskip("pandas")
    frame = pd.read_parquet(out / "articles.parquet")
    assert frame["counts"][0]["Loaded_Language"] == ok["counts"]["Loaded_Language"]


def test_failed_rows_are_recorded_and_exit_1(tmp_path, corpus):
    src = tmp_path / "in.jsonl"
    good = corpus.ARTICLES[0]
    src.write_bytes(
        (json.dumps(good) + "\n").encode()
        + b'{"id": "empty", "text": ""}\n'
        + b'{"id": "latin1", "text": "caf\xe9"}\n'
        + (json.dumps({"id": "huge", "text": "word " * 400}) + "\n").encode()
        + (json.dumps({**good, "text": "Same id, other text."}) + "\n").encode()
        + b"garbage\n")
    out = tmp_path / "out"
    code, _o, err = corpus.run_cli("batch", src, "--out", out, "--max-bytes", "1000")
    assert code == 1
    assert "6 articles (1 ok, 5 failed)" in err
    assert "1 input rows repeat an earlier id" in err and "Traceback" not in err
    rows = {a["row"]: a for a in table(out / "articles.parquet")}
    assert rows[1]["status"] == "ok"
    assert rows[2]["error"] == "no text"
    assert rows[3]["error"] == "not valid utf-8 text"
    assert "over the 1000-byte limit" in rows[4]["error"]
    assert rows[5]["id"] == good["id"]
    assert rows[5]["error"] == \
        f"duplicate id {good['id']!r}: row 5 repeats row 1; the first is kept"
    assert rows[5]["source"].endswith(":5")  # row and line agree: one numbering, from 1
    assert rows[6]["id"] == "<row 6>" and rows[6]["error"].startswith("not JSON")
    assert {a["article_id"] for a in table(out / "spans.parquet")} <= {good["id"]}


def test_usage_and_unreadable_input(tmp_path, corpus, jsonl_input):
    code, _o, err = corpus.run_cli("batch", jsonl_input)  # no --out
    assert code == 2
    code, _o, err = corpus.run_cli("batch", jsonl_input, "--out", tmp_path / "o", "--workers", "0")
    assert code == 2 and corpus.one_line_error(err)
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 not really parquet at all")
    code, _o, err = corpus.run_cli("batch", bad, "--out", tmp_path / "o2")
    assert code == 1 and corpus.one_line_error(err) and "not a readable Parquet file" in err
    code, _o, err = corpus.run_cli("batch", tmp_path / "missing.csv", "--out", tmp_path / "o3")
    assert code == 1 and corpus.one_line_error(err)


def test_out_that_is_a_file_is_refused_and_kept(tmp_path, corpus, jsonl_input):
    seed = tmp_path / "seed.json"
    seed.write_text('{"keep": true}\n')
    code, _o, err = corpus.run_cli("batch", jsonl_input, "--out", seed)
    assert code == 1 and corpus.one_line_error(err)
    assert "exists and is not a folder" in err and "free some space" not in err
    code, _o, err = corpus.run_cli("batch", jsonl_input, "--out", seed / "sub")
    assert code == 1 and corpus.one_line_error(err)
    assert "Not a directory" in err and "free some space" not in err
    assert seed.read_text() == '{"keep": true}\n'


def test_empty_input_is_refused_leaving_nothing_behind(tmp_path, corpus):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    out = tmp_path / "run5"
    code, _o, err = corpus.run_cli("batch", empty, "--out", out)
    assert code == 1 and corpus.one_line_error(err) and "no articles in this input" in err
    assert not out.exists()
    mine = tmp_path / "mine"  # a folder of the user's: kept as it was
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    code, _o, err = corpus.run_cli("batch", empty, "--out", mine)
    assert code == 1 and "no articles in this input" in err
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_run_failing_before_any_part_removes_only_what_it_made(tmp_path, corpus, jsonl_input,
                                                              monkeypatch):
    from unspin.corpus import batch
    from unspin.errors import ModelError

    def no_model(self, done):
        raise ModelError("the model cannot be loaded")

    monkeypatch.setattr(batch._Run, "_pool", no_model)
    with pytest.raises(ModelError):
        batch.run_batch(jsonl_input, tmp_path / "new" / "out")
    assert not (tmp_path / "new").exists()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    with pytest.raises(ModelError):
        batch.run_batch(jsonl_input, mine)
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_unreadable_dates_are_counted_kept_and_undated(tmp_path, corpus):
    rows = [{**corpus.ARTICLES[0], "published": "yesterday"}, corpus.ARTICLES[1],
            {**corpus.ARTICLES[2], "published": "2019-02-30"}]
    src = corpus.write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out"
    code, _o, err = corpus.run_cli("batch", src, "--out", out, "--workers", "1")
    assert code == 0, err
    assert "warning: 2 rows have a 'published' value that is not a date (first: row 1, " \
        "'yesterday')" in err
    articles = table(out / "articles.parquet")
    assert [(a["status"], a["published"], a["month"]) for a in articles] == [
        ("ok", "yesterday", None), ("ok", "2019-04-11", "2019-04"), ("ok", "2019-02-30", None)]


def test_jsonl_output_is_the_analysis_json(tmp_path, corpus):
    from unspin import Analysis

    src = corpus.write_jsonl(tmp_path / "in.jsonl", [*corpus.ARTICLES[:2], {"id": "x"}])
    out = tmp_path / "out"
    code, _o, err = corpus.run_cli("batch", src, "--out", out, "--format", "jsonl")
    assert code == 1, err
    analyses = [Analysis.from_dict(json.loads(line))
                for line in (out / "analyses.jsonl").read_text().splitlines()]
    assert [a.document.id for a in analyses] == ["dp-1", "dp-2"]
    assert analyses[0].document.outlet == "Daily Planet"
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert errors == [{"id": "x", "row": 3, "source": f"{src}:3", "error": "no text"}]
    from unspin.corpus.store import load_dir

    loaded = load_dir(out, f"sqlite:///{tmp_path / 'u.db'}")  # the store reads JSONL output too
    assert (loaded.articles, loaded.spans) == (3, sum(len(a.spans) for a in analyses))
    assert loaded.targets == sum(len(a.enrichment.targets) for a in analyses) > 0


def test_timeout_fails_the_article_not_the_run(tmp_path, corpus, jsonl_input):
    out = tmp_path / "out"
    code, _o, err = corpus.run_cli("batch", jsonl_input, "--out", out, "--article-timeout",
                                   "0.0001", "--workers", "1")
    assert code == 1, err
    rows = table(out / "articles.parquet")
    assert len(rows) == 4 and all("timed out after 0.0001s" in r["error"] for r in rows)


def test_finished_run_is_not_redone_and_changed_input_is_refused(tmp_path, corpus, jsonl_input):
    out = tmp_path / "out"
    assert corpus.run_cli("batch", jsonl_input, "--out", out)[0] == 0
    before = (out / "articles.parquet").stat().st_mtime_ns
    code, _o, err = corpus.run_cli("batch", jsonl_input, "--out", out)
    assert code == 0 and "already holds the finished run" in err
    assert (out / "articles.parquet").stat().st_mtime_ns == before
    corpus.write_jsonl(jsonl_input, corpus.ARTICLES[:2])
    code, _o, err = corpus.run_cli("batch", jsonl_input, "--out", out)
    assert code == 2 and "holds another run" in err and "--fresh" in err
    code, _o, err = corpus.run_cli("batch", jsonl_input, "--out", out, "--fresh")
    assert code == 0 and "2 articles" in err


@pytest.mark.slow
def test_killed_run_resumes_with_every_article_exactly_once(tmp_path, corpus):
    arts = many(60)
    src = corpus.write_jsonl(tmp_path / "in.jsonl", arts)
    out = tmp_path / "out"
    args = [sys.executable, "-m", "unspin.cli", "batch", str(src), "--out", str(out),
            "--workers", "2", "--threads", "1", "--chunk-size", "4", "-q"]
    proc = subprocess.Popen(args, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    manifest = out / "_parts" / "manifest.jsonl"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if manifest.exists() and manifest.read_text().count("\n") >= 3:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its workers, mid-run
    proc.wait(30)
    done_before = manifest.read_text().count("\n")
    assert 3 <= done_before < 15 and not (out / "articles.parquet").exists()

    code, _o, err = corpus.run_cli(*args[3:])
    assert code == 0, err
    assert f"{4 * done_before} done earlier" in err  # recorded parts were not redone
    articles = table(out / "articles.parquet")
    ids = [a["id"] for a in articles]
    assert sorted(ids) == sorted(a["id"] for a in arts) and len(set(ids)) == len(ids) == 60
    assert [a["row"] for a in articles] == list(range(1, 61))
    assert not (out / "_parts").exists() and json.loads((out / "run.json").read_text())["complete"]

    reference = tmp_path / "reference"  # one uninterrupted run gives the very same tables
    code, _o, err = corpus.run_cli("batch", src, "--out", reference, "--workers", "2",
                                   "--threads", "1", "--chunk-size", "7", "-q")
    assert code == 0, err
    assert articles == table(reference / "articles.parquet")
    for kind in ("spans", "quotes", "targets"):  # no part's rows twice, none lost
        assert table(out / f"{kind}.parquet") == table(reference / f"{kind}.parquet"), kind
    quotes, targets = table(out / "quotes.parquet"), table(out / "targets.parquet")
    assert quotes and sum(a["quotes"] for a in articles) == len(quotes)
    assert targets and sum(a["targets"] for a in articles) == len(targets)
