"""GET /v1/models and options.model: the server offers every installed model (not only the
MiniLM ones) with a hint of speed and quality, and a request may pick one by name; the web page
lists them (headless Chromium)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="needs unspin[serve]")
httpx = pytest.importorskip("httpx")

from tests.conftest import asgi_request as call  # noqa: E402
from unspin.detect import registry  # noqa: E402
from unspin.options import Options  # noqa: E402
from unspin.server import create_app  # noqa: E402
from unspin.server.models import available, hint  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ACCURATE = "mpnet-spans.v1"


@pytest.fixture
def accurate_installed(tmp_path, monkeypatch):
    """An accurate-tier model registered beside the installed ones (its config and card only:
    listing reads no weights)."""
    folder = tmp_path / "mpnet-spans-v1"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({
        "name": ACCURATE, "version": "1",
        "base_encoder": {"model": "sentence-transformers/all-mpnet-base-v2",
                         "parameters": 109_482_240},
        "validation": {"articles": 49, "metrics": {"full": {"f1": 0.3012}}}}))
    (folder / "MODEL_CARD.md").write_text("# Model card\n\nThe accurate tier.\n")
    real = registry.installed()
    monkeypatch.setattr(registry, "installed", lambda: {
        **real, ACCURATE: registry.ModelEntry(ACCURATE, "onnx-spans", folder,
                                              "unspin-model-mpnet-spans-v1")})
    return folder


def test_every_installed_model_is_offered_with_a_hint(accurate_installed):
    app = create_app(Options())
    r = call(app, "GET", "/v1/models")
    assert r.status_code == 200, r.text
    models = r.json()
    assert models[0]["default"] is True and models[0]["name"] == Options().model
    by_name = {m["name"]: m for m in models}
    assert set(registry.installed()) <= set(by_name) and ACCURATE in by_name
    assert sum(m["default"] for m in models) == 1 and len(by_name) == len(models)
    assert by_name[ACCURATE]["hint"] == ("slower (all-mpnet-base-v2, 109M parameters) · "
                                         "full-task F1 0.301 on 49 validation articles (thresholds "
                                         "tuned on them)")
    assert by_name[ACCURATE]["version"] == "1"
    assert models[0]["hint"].startswith("fast (all-MiniLM-L6-v2)")


def test_a_card_gives_the_hint_when_the_config_says_nothing(tmp_path):
    (tmp_path / "config.json").write_text('{"name": "x.v1", "version": "1"}')
    (tmp_path / "MODEL_CARD.md").write_text("# Model card: x.v1\n\nA tiny test model. It knows "
                                            "little.\n")
    assert hint(tmp_path) == "A tiny test model"


def test_a_server_started_with_a_model_folder_offers_it_by_its_name():
    folder = ROOT / "models" / "minilm-spans-v4"
    if not (folder / "config.json").is_file():
        pytest.skip("models/minilm-spans-v4 is not in this checkout")
    models = available(str(folder))
    assert models[0] == {**models[0], "name": "minilm-spans.v4", "default": True}
    assert [m["name"] for m in models].count("minilm-spans.v4") == 1  # not twice
    assert str(folder) not in json.dumps(models)  # the server's paths stay its own


def test_a_request_may_only_name_an_offered_model(accurate_installed):
    app = create_app(Options())
    r = call(app, "POST", "/v1/analyze", json={"text": "They are traitors.",
                                                "options": {"model": "/etc"}})
    assert r.status_code == 400
    assert "no model '/etc' here; GET /v1/models lists" in r.json()["error"]["message"]


@pytest.mark.model
def test_a_request_analyses_with_the_model_it_names():
    if "minilm-spans.v4" not in registry.installed():
        pytest.skip("minilm-spans.v4 is not installed (pip install -r models/all.txt)")
    app = create_app(Options())
    r = call(app, "POST", "/v1/analyze", json={
        "text": "Headline\n\nThey are traitors, every one of them.",
        "options": {"model": "minilm-spans.v4", "enrich": False}})
    assert r.status_code == 200, r.text
    assert r.json()["model"]["name"] == "minilm-spans.v4"


@pytest.mark.browser
@pytest.mark.model
@pytest.mark.slow
def test_the_web_page_lists_every_installed_model(browser, start_serve):
    expect = pytest.importorskip("playwright.sync_api").expect
    installed = sorted(registry.installed())
    if len(installed) < 2 or "minilm-spans.v4" not in installed:
        pytest.skip("needs minilm-spans.v4 and another model installed")
    base = start_serve()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    page.goto(base + "/")
    select = page.get_by_label("Model")
    expect(select).to_be_visible()
    names = [o.split(" ")[0] for o in select.locator("option").all_inner_texts()]
    assert sorted(names) == installed
    assert "(this server's default)" in select.locator("option").first.inner_text()
    select.select_option("minilm-spans.v4")
    expect(page.locator("#model-hint")).to_contain_text("full-task F1")
    page.fill("#text", "Headline\n\nThey are traitors, every one of them. Shame on them!")
    page.click("#go")
    report = page.locator("#result .unspin-report[data-us-ready]")
    report.wait_for()
    assert "minilm-spans.v4" in report.inner_text()
    assert problems == []
    page.close()


def test_held_out_scores_and_ensembles_in_the_hint(tmp_path):
    """A model retrained on its validation articles shows its recipe's held-out interval, not
    its validation points; an ensemble names its members."""
    iv = {"point": 0.2751, "low": 0.2449, "high": 0.3021}
    (tmp_path / "config.json").write_text(json.dumps({
        "name": "y.v1", "version": "1", "backend": "ensemble", "recipe": {"model": "r"},
        "members": [{"model": "mpnet-spans.v1"}, {"model": "minilm-spans.v5"}],
        "validation": {"articles": 49, "trained_on": True, "metrics": {"full": {"f1": 0.4}}},
        "heldout": [{"gold": "2023", "articles": 124, "scores": {"full": iv}},
                    {"gold": "2020", "articles": 124, "scores": {"full": iv}}]}))
    assert hint(tmp_path) == ("ensemble of mpnet-spans.v1 + minilm-spans.v5 (their times "
                              "together) · "
                              "full-task F1 0.275 [0.245, 0.302] on 124 held-out articles "
                              "(its recipe)")
    config = json.loads((tmp_path / "config.json").read_text())
    del config["heldout"]
    (tmp_path / "config.json").write_text(json.dumps(config))
    assert "0.400" not in hint(tmp_path)  # scores on articles it trained on are no hint


def test_a_2023_model_is_hinted_by_its_score_on_the_2023_labels(tmp_path):
    full = {"point": 0.24, "low": 0.213, "high": 0.265}
    view = {"point": 0.238, "low": 0.211, "high": 0.264}
    (tmp_path / "config.json").write_text(json.dumps({
        "name": "z.v1", "version": "1", "taxonomy": "2023",
        "heldout": [{"gold": "2023", "articles": 124, "scores": {"full": full}},
                    {"gold": "2020", "view": "2020", "articles": 124, "scores": {"full": view}}]}))
    assert hint(tmp_path) == ("full-task F1 0.240 [0.213, 0.265] on 124 held-out articles "
                              "(2023 labels)")


@pytest.mark.model
def test_models_published_before_held_out_records_are_hinted_by_their_interval(tmp_path):
    """v1 – v5 keep no held-out record in their (fixed) configs: their 124-article intervals
    come from the table beside the server, matched by fingerprint, so no default is hinted
    by points on the articles its thresholds were tuned on beside another's interval."""
    import shutil

    v5 = registry.resolve("minilm-spans.v5").folder
    assert hint(v5) == ("fast (all-MiniLM-L6-v2) · full-task F1 0.248 [0.217, 0.276] on 124 "
                        "held-out articles")
    # the same config over other weights is another model: its own validation point
    copy = tmp_path / "v5-copy"
    copy.mkdir()
    config = json.loads((v5 / "config.json").read_text())
    config["files"]["head.npz"] = "0" * 64
    (copy / "config.json").write_text(json.dumps(config))
    shutil.copy(v5 / "MODEL_CARD.md", copy / "MODEL_CARD.md")
    assert "on 49 validation articles (thresholds tuned on them)" in hint(copy)
