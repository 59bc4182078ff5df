"""`unspin train --corrections`: reviewed articles join the training articles of a span
classifier trained over a base model's frozen encoder."""

import json

import pytest

from unspin.analysis import ModelRef
from unspin.errors import ConfigError
from unspin.review.format import Correction, Review, dump_reviews
from unspin.techniques import TECHNIQUE_IDS
from unspin.training.data import GoldSpan, LabeledArticle, is_validation
from unspin.training.train_head import partial_examples, read_corrections, review_is_complete

from .conftest import synthetic_articles

T = len(TECHNIQUE_IDS)  # "no technique", the class after the fourteen
TEXT = "They are traitors. The corrupt regime lies. Officials met on Tuesday."
MODEL = ModelRef("base-spans.v1", "1", "f" * 64)


def _review(corrections, model=MODEL, reviewer="ana", when="2025-03-01T12:00:00Z", aid="r1",
            text=TEXT):
    return Review(aid, text, tuple(corrections), model, reviewer, when).check()


def test_partial_review_gives_only_its_reviewed_spans():
    art = LabeledArticle("r1", TEXT, [GoldSpan(9, 17, "Name_Calling,Labeling")])
    ex = partial_examples(art, [(23, 30), (9, 17), (44, 53)])
    # the kept span with its technique; a rejected span no kept span touches is "no technique";
    # a rejected span where a kept one lies is not; nothing else of the article is an example
    assert ex == [(9, 17, TECHNIQUE_IDS.index("Name_Calling,Labeling")), (23, 30, T),
                  (44, 53, T)]


def test_complete_only_when_every_base_span_was_decided():
    r = _review([Correction("accept", 9, 17, "Name_Calling,Labeling"),
                 Correction("reject", 23, 30, "Loaded_Language"),
                 Correction("add", 31, 42, "Loaded_Language")])
    assert review_is_complete(r, MODEL.fingerprint, [(9, 17), (23, 30)])
    assert not review_is_complete(r, MODEL.fingerprint, [(9, 17), (23, 30), (44, 53)])
    assert not review_is_complete(r, MODEL.fingerprint, [(31, 42)])  # an add decides nothing
    assert not review_is_complete(r, "0" * 64, [(9, 17)])  # another model was reviewed
    assert not review_is_complete(
        _review([Correction("add", 9, 17, "Doubt")], model=None), MODEL.fingerprint, [])


def test_read_corrections_counts_the_latest_review_of_each_article(tmp_path):
    early = _review([Correction("accept", 9, 17, "Name_Calling,Labeling")], reviewer="ben",
                    when="2025-03-01T10:00:00Z")
    late = _review([Correction("reject", 9, 17, "Name_Calling,Labeling"),
                    Correction("add", 23, 30, "Loaded_Language")])
    other = _review([Correction("add", 0, 4, "Doubt")], aid="r2", model=None, reviewer="ana")
    path = tmp_path / "corrections.jsonl"
    path.write_text(dump_reviews([late, early, other]))
    reviews, record = read_corrections(path)
    assert [r.reviewed_at for r in reviews if r.id == "r1"] == ["2025-03-01T12:00:00Z"]
    assert record["reviews"] == 3 and record["articles"] == 2
    assert record["spans"] == 2 and record["rejected_spans"] == 1 and record["reviewers"] == 1
    assert len(record["sha256"]) == 64 and record["file"] == "corrections.jsonl"
    assert record["reviewed_models"] == ["base-spans.v1 (ffffffffffff)"]


def test_corrections_need_a_base_model(tmp_path, capsys, synthetic_jsonl):
    from unspin.cli import main

    data = tmp_path / "train.jsonl"
    data.write_text(synthetic_jsonl())
    fixes = tmp_path / "c.jsonl"
    fixes.write_text(dump_reviews([_review([Correction("add", 0, 4, "Doubt")], model=None)]))
    out = tmp_path / "m"
    code = main(["train", str(data), "--out", str(out), "--name", "x", "--quiet",
                 "--corrections", str(fixes)])
    err = capsys.readouterr().err
    assert code == 2 and "--init-from" in err and "Traceback" not in err
    assert err.count("\n") == 1 and not out.exists()


@pytest.mark.model
def test_a_bad_corrections_file_is_refused_before_anything_is_written(tmp_path, capsys,
                                                                       synthetic_jsonl):
    from unspin.cli import main

    data = tmp_path / "train.jsonl"
    data.write_text(synthetic_jsonl())
    fixes = tmp_path / "c.jsonl"
    fixes.write_text('{"id": "a", "text": "x", "spans": []}\n')  # training data, no review
    out = tmp_path / "m"
    code = main(["train", str(data), "--out", str(out), "--name", "x", "--quiet",
                 "--init-from", "minilm-spans.v1", "--corrections", str(fixes)])
    err = capsys.readouterr().err
    assert code != 0 and "c.jsonl:1" in err and "Traceback" not in err
    assert err.count("\n") == 1 and not out.exists()


@pytest.mark.parametrize("review_taxonomy, base, words", [
    ("2023", "minilm-spans.v1", "the corrections are in the 2023 taxonomy and this run trains "
     "a 2020 model; give --init-from a model of the 2023 taxonomy"),
    ("2020", "minilm23-spans.v1", "the corrections are in the 2020 taxonomy and this run "
     "trains a 2023 model; give --init-from a model of the 2020 taxonomy"),
])
def test_corrections_of_another_taxonomy_are_refused_naming_both(tmp_path, capsys,
                                                                 synthetic_jsonl,
                                                                 review_taxonomy, base, words):
    """A span classifier speaks its base model's taxonomy: corrections in the other one are
    refused before anything is read or written."""
    from unspin.cli import main

    data = tmp_path / "train.jsonl"
    data.write_text(synthetic_jsonl())
    technique = "Appeal_to_Values" if review_taxonomy == "2023" else "Doubt"
    fixes = tmp_path / "c.jsonl"
    fixes.write_text(dump_reviews([Review("r1", TEXT, (Correction("add", 0, 4, technique),),
                                          None, "ana", "2025-03-01T12:00:00Z",
                                          taxonomy=review_taxonomy).check()]))
    out = tmp_path / "m"
    code = main(["train", str(data), "--out", str(out), "--name", "x", "--quiet",
                 "--init-from", base, "--corrections", str(fixes)])
    err = capsys.readouterr().err
    assert code == 2 and f"{fixes}: {words}" in err and "Traceback" not in err
    assert err.count("\n") == 1 and not out.exists()


def test_read_corrections_reads_the_run_taxonomy_only(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(dump_reviews([Review("r1", TEXT, (Correction("add", 0, 4, "Straw_Man"),),
                                         None, "ana", "2025-03-01T12:00:00Z",
                                         taxonomy="2023")]))
    with pytest.raises(ConfigError, match="in the 2023 taxonomy and this run trains a 2020"):
        read_corrections(path)
    counted, record = read_corrections(path, "2023")
    assert [c.technique for c in counted[0].kept] == ["Straw_Man"] and record["spans"] == 1


@pytest.mark.parametrize("base, named, speaks", [
    ("minilm-spans.v1", "2023", "2020"),
    ("minilm23-spans.v1", "2020", "2023"),  # named: 2020 is the default, but not over a 2023 base
])
def test_a_taxonomy_other_than_the_base_models_is_refused(tmp_path, capsys, synthetic_jsonl,
                                                          base, named, speaks):
    """A span classifier speaks its base model's taxonomy: a --taxonomy other than the base
    model's is refused in one line, nothing written, even --taxonomy 2020 (the default, which
    a 2023 base otherwise overrides: a label error's "use --taxonomy 2020" must not loop)."""
    from unspin.cli import main

    data = tmp_path / "train.jsonl"
    data.write_text(synthetic_jsonl())
    out = tmp_path / "m"
    code = main(["train", str(data), "--out", str(out), "--name", "x", "--quiet",
                 "--init-from", base, "--taxonomy", named])
    err = capsys.readouterr().err
    assert code == 2 and f"{base} speaks the {speaks} taxonomy, not {named}" in err
    assert f"give --init-from a model of the {named} taxonomy" in err
    assert err.count("\n") == 1 and "Traceback" not in err and not out.exists()


@pytest.mark.slow
@pytest.mark.model
def test_train_with_corrections_records_them(tmp_path, capsys, synthetic_jsonl):
    """A complete review of the base model's spans, a partial one, and one of a validation
    article (left out) make a model whose config and card say what the corrections were."""
    from unspin.cli import main
    from unspin.detect import load
    from unspin.review.labelstudio import compare

    data = tmp_path / "train.jsonl"
    data.write_text(synthetic_jsonl())
    base = load("minilm-spans.v1")
    ref = ModelRef(base.info.name, base.info.version, base.info.fingerprint)
    extra = [a for a in synthetic_articles(n_train=9, n_val=3)
             if a["id"] not in {x["id"] for x in synthetic_articles()}]
    fresh = [a for a in extra if not is_validation(a["id"])]
    held = [a for a in synthetic_articles() if is_validation(a["id"])][0]
    whole = fresh[0]
    found = {(p.start, p.end, p.technique) for p in base.find_spans(whole["text"])}
    gold = {(s["start"], s["end"], s["technique"]) for s in whole["spans"]}
    reviews = [
        Review(whole["id"], whole["text"], compare(found, gold), ref, "ana",
               "2025-03-01T12:00:00Z"),
        Review(fresh[1]["id"], fresh[1]["text"], tuple(
            Correction("add", s["start"], s["end"], s["technique"]) for s in fresh[1]["spans"][:3]),
            ref, "ben", "2025-03-01T12:00:00Z"),
        Review(held["id"], held["text"], (Correction("add", 0, 6, "Doubt"),), ref, "ana",
               "2025-03-01T12:00:00Z"),
    ]
    fixes = tmp_path / "corrections.jsonl"
    fixes.write_text(dump_reviews(r.check() for r in reviews))
    out = tmp_path / "fixed"
    assert main(["train", str(data), "--out", str(out), "--name", "fixed-spans", "--epochs", "2",
                 "--init-from", "minilm-spans.v1", "--random-negatives", "0.5", "--threads", "2",
                 "--quiet", "--corrections", str(fixes)]) == 0
    assert "Traceback" not in capsys.readouterr().err
    rec = json.loads((out / "config.json").read_text())["corrections"]
    assert rec["articles"] == 3 and rec["trained_articles"] == 2
    assert rec["left_out_validation"] == 1 and rec["replaced_training"] == 0
    assert rec["complete_articles"] == 1 and rec["partial_articles"] == 1
    assert rec["reviewers"] == 2 and rec["spans"] == len(gold) + 3 + 1
    assert rec["base_model"] == {"name": "minilm-spans.v1", "fingerprint": ref.fingerprint}
    card = (out / "MODEL_CARD.md").read_text()
    assert "## Corrections" in card and rec["sha256"][:16] in card
    assert card.index("## Corrections") < card.index("## Training")
