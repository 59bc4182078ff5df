"""GET /v1/techniques: the 2020 fourteen by default (as before), ``?taxonomy=2023`` the 23,
``?model=NAME`` that model's taxonomy with each technique marked ``detected`` or not; a bad
value is one JSON error line."""

from __future__ import annotations

from dataclasses import asdict

import pytest

pytest.importorskip("fastapi", reason="needs unspin[serve]")
pytest.importorskip("httpx")

from tests.conftest import asgi_request as call  # noqa: E402
from unspin.options import Options  # noqa: E402
from unspin.server import create_app  # noqa: E402
from unspin.techniques import TAXONOMY_2023, TECHNIQUES  # noqa: E402


@pytest.fixture(scope="module")
def app():
    return create_app(Options())


def test_the_default_list_is_the_2020_fourteen_as_before(app):
    r = call(app, "GET", "/v1/techniques")
    assert r.status_code == 200 and r.json() == [asdict(t) for t in TECHNIQUES]
    assert call(app, "GET", "/v1/techniques?taxonomy=2020").json() == r.json()


def test_taxonomy_2023_gives_the_23_with_groups_and_2020_counterparts(app):
    r = call(app, "GET", "/v1/techniques", params={"taxonomy": "2023"})
    assert r.status_code == 200, r.text
    rows = r.json()
    assert [t["id"] for t in rows] == list(TAXONOMY_2023.ids) and len(rows) == 23
    by_id = {t["id"]: t for t in rows}
    assert by_id["Straw_Man"]["group"] == "Distraction"
    assert by_id["Straw_Man"]["to_2020"] == "Whataboutism,Straw_Men,Red_Herring"
    assert by_id["Appeal_to_Values"]["to_2020"] is None
    assert "detected" not in by_id["Straw_Man"]  # no model asked about


def test_a_model_gives_its_taxonomy_and_what_it_detects(model_2023):
    app = create_app(Options(model=str(model_2023)))
    r = call(app, "GET", "/v1/techniques", params={"model": "fake-2023.v1"})
    assert r.status_code == 200, r.text
    rows = r.json()
    assert [t["id"] for t in rows] == list(TAXONOMY_2023.ids)
    missed = {t["id"] for t in rows if not t["detected"]}
    assert set(TAXONOMY_2023.unlabelled) <= missed and len(missed) < 23
    r = call(app, "GET", "/v1/techniques", params={"model": "fake-2023.v1", "taxonomy": "2020"})
    assert r.status_code == 400
    assert r.json()["error"]["message"] == ("model: fake-2023.v1 speaks the 2023 taxonomy, not "
                                            "2020; leave out taxonomy")


def test_the_server_s_own_2020_model_detects_all_fourteen(app):
    name = call(app, "GET", "/v1/models").json()[0]["name"]
    rows = call(app, "GET", "/v1/techniques", params={"model": name}).json()
    assert len(rows) == 14 and all(t["detected"] for t in rows)


@pytest.mark.parametrize("params, status, words", [
    ({"taxonomy": "2024"}, 422, "taxonomy"),
    ({"model": "no-such-model.v1"}, 400,
     "model: no model 'no-such-model.v1' here; GET /v1/models lists the installed ones"),
])
def test_a_bad_value_is_one_json_error(app, params, status, words):
    r = call(app, "GET", "/v1/techniques", params=params)
    assert r.status_code == status, r.text
    message = r.json()["error"]["message"]
    assert words in message and "\n" not in message
