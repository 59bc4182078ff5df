"""`unspin batch --engine ray` on a local 2-CPU Ray gives the same rows as the local engine."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("ray.data", reason="ray[data] is not installed: pip install 'unspin[ray]'")
pq = pytest.importorskip("pyarrow.parquet")

pytestmark = [pytest.mark.model, pytest.mark.slow]

SAME = ("id", "row", "status", "error", "title", "outlet", "authors", "published", "month",
        "words", "spans", "top", "counts", "model_name", "model_version")


def rows(path):
    return [{k: r[k] for k in SAME} for r in pq.read_table(path).to_pylist()]


@pytest.mark.parametrize("kind", ["jsonl", "folder"])
def test_ray_engine_equals_local_engine(tmp_path, corpus, kind):
    arts = [*corpus.ARTICLES, {"id": "dp-1", "text": "A repeated id."},
            {"id": "blank", "text": " "}]
    if kind == "jsonl":
        src = corpus.write_jsonl(tmp_path / "in.jsonl", arts)
    else:
        src = corpus.write_folder(tmp_path / "in", corpus.ARTICLES)
    local, ray = tmp_path / "local", tmp_path / "ray"
    expected = 1 if kind == "jsonl" else 0
    code, _o, err = corpus.run_cli("batch", src, "--out", local, "--workers", "1")
    assert code == expected, err
    code, _o, err = corpus.run_cli("batch", src, "--out", ray, "--engine", "ray", "--workers", "1",
                                   env={"RAY_DISABLE_USAGE_STATS": "1"}, timeout=600)
    assert code == expected, err
    assert "Traceback" not in err
    assert rows(ray / "articles.parquet") == rows(local / "articles.parquet")
    assert pq.read_table(ray / "spans.parquet").to_pylist() == \
        pq.read_table(local / "spans.parquet").to_pylist()
    run = json.loads((ray / "run.json").read_text())
    assert run["engine"] == "ray" and run["complete"]
