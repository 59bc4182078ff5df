"""`unspin batch --engine ray` on a local 2-CPU Ray gives the same rows as the local engine."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("ray.data", reason="ray[data] is not installed: pip install 'unspin[ray]'")
pq = pytest.importorskip("pyarrow.parquet")

pytestmark = [pytest.mark.model, pytest.mark.slow]

SAME = ("id", "row", "status", "error", "title", "outlet", "authors", "published", "month",
        "words", "spans", "top", "counts", "model_name", "model_version", "enrichment", "quotes",
        "targets")


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
    for kind in ("spans", "quotes", "targets"):  # the engines share outdir: same tables
        assert pq.read_table(ray / f"{kind}.parquet").to_pylist() == \
            pq.read_table(local / f"{kind}.parquet").to_pylist(), kind
    assert pq.read_table(ray / "targets.parquet").num_rows > 0
    run = json.loads((ray / "run.json").read_text())
    assert run["engine"] == "ray" and run["complete"]


def test_ray_run_stopped_midway_resumes_with_every_article_exactly_once(tmp_path, corpus):
    """The Ray engine writes through the same parts and manifest as the local one: a run
    stopped after two parts (read here from a ``file://`` URL, through Ray Data) redoes only the
    rest, and every article is in the output once."""
    import ray

    from unspin.corpus.batch import run_batch

    arts = [{"id": f"r{i}", "text": f"Story {i}. {corpus.ARTICLES[i % 4]['text']}"}
            for i in range(8)]
    url = corpus.write_jsonl(tmp_path / "in.jsonl", arts).as_uri()
    out = tmp_path / "out"

    def stop(done, failed):
        if done == 5:  # parts 0 and 1 (rows 1-4) are written
            raise KeyboardInterrupt

    try:
        with pytest.raises(KeyboardInterrupt):
            run_batch(url, out, engine="ray", workers=1, chunk_size=2, progress=stop)
        manifest = (out / "_parts" / "manifest.jsonl").read_text().splitlines()
        assert [json.loads(line)["ids"] for line in manifest] == [["r0", "r1"], ["r2", "r3"]]
        assert not (out / "articles.parquet").exists() and not (out / ".lock").exists()

        result = run_batch(url, out, engine="ray", workers=1, chunk_size=2)
    finally:
        ray.shutdown()
    assert (result.resumed, result.articles, result.engine) == (4, 8, "ray")
    articles = pq.read_table(out / "articles.parquet").to_pylist()
    assert [a["id"] for a in articles] == [a["id"] for a in arts]
    assert [a["row"] for a in articles] == list(range(1, 9))
    assert [a["error"] for a in articles] == [None] * 8
    assert json.loads((out / "run.json").read_text())["complete"]
