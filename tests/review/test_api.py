"""POST /v1/corrections in-process: a review from the web page saved in the server's store."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from unspin.options import Options
from unspin.review.format import text_sha256
from unspin.review.store import read_stored
from unspin.server import create_app  # fastapi is imported when an app is made

from .conftest import MODEL, TEXT

pytest.importorskip("fastapi", reason="needs unspin[serve]")
httpx = pytest.importorskip("httpx")


def post(app, body):
    async def go():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return await c.post("/v1/corrections", json=body)

    with ThreadPoolExecutor(1) as pool:  # a fresh loop, whatever runs in this thread
        return pool.submit(asyncio.run, go()).result()


def record(**changes) -> dict:
    start = TEXT.index("traitors")
    line = {"schema": "unspin.corrections/1", "id": "storm1", "text": TEXT,
            "text_sha256": text_sha256(TEXT),
            "model": {"name": MODEL.name, "version": MODEL.version,
                      "fingerprint": MODEL.fingerprint},
            "reviewer": "ana", "reviewed_at": "2025-03-01T12:00:00.250Z",
            "source": "unspin web page",
            "spans": [{"start": start, "end": start + 8, "technique": "Name_Calling,Labeling",
                       "action": "accept"}],
            "rejected": [{"start": 0, "end": 5, "technique": "Doubt", "action": "reject"}]}
    line.update(changes)
    return line


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'store.db'}"


def test_a_review_is_saved_once_in_the_store(db):
    app = create_app(Options(db=db))
    r = post(app, record())
    assert r.status_code == 200, r.text
    assert r.json() == {"saved": True, "id": "storm1", "text_sha256": text_sha256(TEXT),
                        "counts": {"accept": 1, "reject": 1, "relabel": 0, "add": 0,
                                   "move": 0}}
    assert post(app, record()).json()["saved"] is False  # the same review again
    later = post(app, record(reviewed_at="2025-03-02T08:00:00Z", reviewer="ben"))
    assert later.json()["saved"] is True
    stored = read_stored(db)
    assert [(s.reviewer, s.model, s.source) for s in stored] == [
        ("ana", MODEL, "unspin web page"), ("ben", MODEL, "unspin web page")]
    assert stored[0].reviewed_at == "2025-03-01T12:00:00.250000Z"


@pytest.mark.parametrize("changes, status, words", [
    ({"text_sha256": "0" * 64}, 400, "text_sha256 does not match"),
    ({"reviewed_at": "2025-03-01T12:00:00"}, 400, "no time zone"),
    ({"spans": [{"start": 5, "end": 900, "technique": "Doubt", "action": "add"}]}, 400,
     "offsets"),
    ({"spans": [{"start": 0, "end": 5, "technique": "Nope", "action": "add"}]}, 400,
     "unknown technique"),
    ({"schema": "unspin.analysis/3"}, 422, "schema"),
    ({"reviewer": 7}, 422, "reviewer"),
])
def test_bad_reviews_are_json_errors_and_store_nothing(tmp_path, db, changes, status, words):
    app = create_app(Options(db=db))
    r = post(app, record(**changes))
    assert r.status_code == status, r.text
    assert words in r.json()["error"]["message"]
    assert not (tmp_path / "store.db").exists()  # refused before the store is opened


def test_a_store_that_cannot_be_written_is_503(tmp_path):
    app = create_app(Options(db=f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}"))
    r = post(app, record())
    assert r.status_code == 503 and r.json()["error"]["code"] == "store_unavailable"
    assert str(tmp_path) not in r.text  # the server's paths stay private
