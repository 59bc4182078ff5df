"""Many articles through the worker pool in input order: ``stream.in_order`` (no model) and
``unspin analyze DIR`` on the batch machinery (per-article timeout, summary line, exit 1)."""

from __future__ import annotations

import functools
import json
import operator
import time

import pytest

from unspin.corpus.pool import Pool, Result
from unspin.corpus.stream import in_order


def test_in_order_keeps_input_order_whatever_finishes_first():
    items = [("slow", functools.partial(time.sleep, 0.6)),
             ("settled", Result(None, False, error="no text")),
             ("quick", functools.partial(operator.add, 40, 2)),
             ("bad", functools.partial(int, "x"))]
    with Pool(2, operator.call, timeout=5, preload=()) as pool:
        got = list(in_order(pool, items, window=8))
    assert [tag for tag, _r in got] == ["slow", "settled", "quick", "bad"]
    assert got[1][1].error == "no text" and got[2][1].value == 42
    assert "internal error: ValueError" in got[3][1].error


def test_in_order_reads_at_most_window_items_ahead():
    read = []

    def items():
        for i in range(20):
            read.append(i)
            yield i, functools.partial(time.sleep, 0.3 if i == 0 else 0)

    with Pool(2, operator.call, timeout=5, preload=()) as pool:
        stream = in_order(pool, items(), window=4)
        first = next(stream)
        assert first[0] == 0 and len(read) <= 5  # the slow head held the reading back
        assert [t for t, _r in stream] == list(range(1, 20))


ARTICLE = ("Traitors in Washington\n\nThe corrupt, treasonous elite will destroy this great "
           "nation unless every true patriot stands up now.\n")


@pytest.fixture
def folder(tmp_path):
    arts = tmp_path / "arts"
    arts.mkdir()
    (arts / "a.txt").write_text(ARTICLE)
    (arts / "b.txt").write_bytes(b"caf\xe9 is not utf-8")
    (arts / "c.txt").write_text("The council approved the library budget on Tuesday.\n")
    return arts


@pytest.mark.model
def test_analyze_folder_runs_on_the_pool_in_input_order(folder, tmp_path, capsys):
    from unspin.cli import main

    out = tmp_path / "out.json"
    assert main(["analyze", str(folder), "--format", "json", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "b.txt: not valid utf-8" in err and "internal error" not in err  # the reason, as is
    assert "Traceback" not in err
    assert "unspin: 3 articles (2 ok, 1 failed), " in err and "articles/s" in err
    ids = [json.loads(line)["document"]["id"] for line in out.read_text().splitlines()]
    assert ids == ["a", "c"]


@pytest.mark.model
def test_analyze_folder_has_the_batch_per_article_timeout(folder, tmp_path, capsys, monkeypatch):
    from unspin.cli import main

    (folder / "b.txt").unlink()
    out = tmp_path / "out.json"
    assert main(["analyze", str(folder), "--format", "json", "-o", str(out),
                 "--article-timeout", "0.0001"]) == 1
    err = capsys.readouterr().err
    assert err.count("timed out after 0.0001s") == 2 and "a.txt" in err
    assert "2 articles (0 ok, 2 failed)" in err and not out.exists()
