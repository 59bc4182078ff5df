"""Ensemble models: members' word probabilities and span classifiers averaged, decoded once;
members checked by fingerprint; made by `unspin ensemble`."""

import json

import numpy as np
import pytest

from unspin.detect.ensemble import align

TEXT = ("Only a traitor would believe the corrupt minister now. The brutal regime keeps lying "
        "to its own people, and the so-called experts cheer it on.")


def test_align_reads_the_piece_covering_the_same_first_character():
    grid = np.array([[0, 2], [2, 5], [6, 9], [10, 12]])
    other = np.array([[0, 5], [7, 9], [10, 11], [11, 12]])
    # piece 2 starts at 6, which no piece of the other covers (it starts at 7)
    assert align(grid, other).tolist() == [0, 0, -1, 2]
    assert align(grid, np.zeros((0, 2), dtype=np.int64)).tolist() == [-1] * 4


def _ptc(root):
    """A PTC folder whose training split has two validation articles (by the split's rule)."""
    from tests.training.conftest import ptc_folder, synthetic_articles
    from unspin.training.data import is_validation

    held = [str(i) for i in range(700, 800) if is_validation(str(i))][:2]
    kept = [str(i) for i in range(700, 800) if not is_validation(str(i))][:2]
    arts = [{**a, "id": i} for a, i in zip(synthetic_articles(2, 2), kept + held)]
    return ptc_folder(root, {"train": arts})


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory):
    import logging

    from unspin.training.ensemble import make_ensemble

    root = tmp_path_factory.mktemp("ens")
    out = root / "same"
    said = []
    handler = logging.Handler()
    handler.emit = lambda record: said.append(record.getMessage())
    log = logging.getLogger("unspin.training.ensemble")
    log.addHandler(handler)
    try:
        make_ensemble(["minilm-spans.v1", "minilm-spans.v1"], out, "twin-spans",
                      data=_ptc(root / "ptc"), threads=1)
    finally:
        log.removeHandler(handler)
    # allowed, with a word that it costs a second run where --weights would not
    assert any("same model as minilm-spans.v1" in m and "--weights" in m for m in said)
    return out


@pytest.mark.model
def test_an_ensemble_of_one_model_twice_averages_to_that_model(ensemble):
    from unspin.detect import load

    one = load("minilm-spans.v1", threads=1).predictor
    ens = load(ensemble, threads=1)
    assert ens.info.backend == "ensemble" and ens.info.name == "twin-spans.v1"
    o1, oe = one.token_outputs(TEXT), ens.predictor.token_outputs(TEXT)
    np.testing.assert_allclose(oe.p_in, o1.p_in, atol=1e-6)
    np.testing.assert_allclose(oe.p_tech, o1.p_tech, atol=1e-6)
    spans = [(7, 14), (33, 40), (60, 66)]
    t1, a1 = one.span_probs(TEXT, o1, spans)
    te, ae = ens.predictor.span_probs(TEXT, oe, spans)
    np.testing.assert_allclose(te, t1, atol=1e-5)
    np.testing.assert_allclose(ae, a1, atol=1e-5)
    found = ens.find_spans(TEXT)
    assert all(0 <= p.start < p.end <= len(TEXT) for p in found)
    config = json.loads((ensemble / "config.json").read_text())
    assert config["backend"] == "ensemble" and config["validation"]["articles"] == 2
    assert "## Members" in (ensemble / "MODEL_CARD.md").read_text()
    # `unspin models` (describe, nothing loaded) gives the size it runs with: its members'
    from unspin.detect import describe

    assert describe(ensemble).size == ens.info.size > 2 * describe("minilm-spans.v1").size


@pytest.mark.model
def test_a_member_that_changed_is_refused(ensemble, tmp_path, capsys):
    import hashlib
    import shutil

    from unspin.cli import main

    bad = tmp_path / "bad"
    shutil.copytree(ensemble, bad)
    members = json.loads((bad / "members.json").read_text())
    members["members"][1]["fingerprint"] = "0" * 64
    text = json.dumps(members, indent=2) + "\n"
    (bad / "members.json").write_text(text)
    config = json.loads((bad / "config.json").read_text())
    config["files"]["members.json"] = hashlib.sha256(text.encode()).hexdigest()
    (bad / "config.json").write_text(json.dumps(config))
    src = tmp_path / "a.txt"
    src.write_text(TEXT)
    assert main(["analyze", str(src), "--model", str(bad)]) != 0
    err = capsys.readouterr().err
    assert "the ensemble was made with 000000000000" in err and "Traceback" not in err

    # members.json changed without its listed sha256: the file check refuses it
    (bad / "members.json").write_text(text.replace('"weight": 1.0', '"weight": 2.0', 1))
    assert main(["analyze", str(src), "--model", str(bad)]) != 0
    assert "sha256 does not match" in capsys.readouterr().err


@pytest.mark.model
def test_ensemble_command_refuses_bad_requests_in_one_line(tmp_path, capsys):
    from unspin.cli import main

    ptc = _ptc(tmp_path / "ptc")
    cases = [
        (["minilm-spans.v1"], "at least two member"),
        (["minilm-spans.v1", "no-such-model.v9"], "no-such-model.v9"),
        (["minilm-spans.v1", "minilm-spans.v2", "--weights", "1"], "one positive weight"),
    ]
    for extra, message in cases:
        out = tmp_path / "e"
        code = main(["ensemble", *extra, "--out", str(out), "--name", "e", "--data", str(ptc)])
        err = capsys.readouterr().err
        assert code != 0 and message in err and "Traceback" not in err, extra
        assert err.count("\n") == 1 and not out.exists()
    code = main(["ensemble", "minilm-spans.v1", "minilm-spans.v2", "--out", str(tmp_path / "x"),
                 "--name", "minilm-spans", "--data", str(ptc)])
    assert code != 0 and "published model" in capsys.readouterr().err


@pytest.mark.model
def test_an_ensemble_member_that_is_an_ensemble_is_named(ensemble, tmp_path, capsys):
    from unspin.cli import main

    out = tmp_path / "nested"
    code = main(["ensemble", str(ensemble), "minilm-spans.v1", "--out", str(out), "--name", "n",
                 "--data", str(_ptc(tmp_path / "ptc"))])
    err = capsys.readouterr().err
    assert code == 2 and f"member {ensemble} is itself an ensemble" in err
    assert ".partial" not in err and err.count("\n") == 1 and not out.exists()


@pytest.mark.model
def test_an_ensemble_of_retrained_members_takes_its_recipes_decoding(ensemble, tmp_path):
    from tests.training.conftest import quality_json
    from unspin.detect.registry import fingerprint
    from unspin.training.ensemble import make_ensemble

    iv = {"point": 0.3, "low": 0.2, "high": 0.4}
    bench = quality_json(tmp_path / "q.json", fingerprint(ensemble), iv, iv)
    out = tmp_path / "shipped"
    make_ensemble(["minilm-spans.v1", "minilm-spans.v2"], out, "twin-spans", version="2",
                  data=_ptc(tmp_path / "ptc"), decode_from=ensemble, heldout=str(bench),
                  threads=1)
    recipe, config = (json.loads((f / "config.json").read_text()) for f in (ensemble, out))
    assert config["decode"] == recipe["decode"]  # nothing tuned again
    assert config["recipe"]["fingerprint"] == fingerprint(ensemble)
    assert not config["validation"]["tuned_here"] and config["heldout"]["ship"]
    assert not config["validation"]["trained_on"]  # neither member trained on them
    card = (out / "MODEL_CARD.md").read_text()
    assert "recipe's ensemble" in card and "+0.300 [+0.200, +0.400]" in card
    assert [m["model"] for m in config["members"]] == ["minilm-spans.v1", "minilm-spans.v2"]


@pytest.mark.model
def test_a_member_trained_on_the_validation_articles_is_said_so(ensemble, tmp_path, capsys):
    """The card and config say when a member trained on the articles the thresholds were
    tuned on; --decode-from must name an ensemble of as many members."""
    from unspin.cli import main
    from unspin.training.package import package

    member = package("minilm-spans.v2", tmp_path / "m")  # every file, shared ones too
    config = json.loads((member / "config.json").read_text())
    config["validation"]["trained_on"] = True
    (member / "config.json").write_text(json.dumps(config))
    ptc = _ptc(tmp_path / "ptc")
    out = tmp_path / "e"
    assert main(["ensemble", "minilm-spans.v1", str(member), "--out", str(out), "--name", "e",
                 "--data", str(ptc), "--threads", "1"]) == 0
    assert "trained on the validation articles" in capsys.readouterr().err
    assert json.loads((out / "config.json").read_text())["validation"]["trained_on"]
    assert "a member trained on them and the thresholds were tuned on them" in (
        out / "MODEL_CARD.md").read_text()
    assert not list(tmp_path.glob(".*partial"))  # the work folder was moved into place

    code = main(["ensemble", "minilm-spans.v1", "minilm-spans.v2", "--out", str(tmp_path / "f"),
                 "--name", "f", "--data", str(ptc), "--decode-from", "minilm-spans.v5"])
    err = capsys.readouterr().err
    assert code == 2 and "not an ensemble of 2 members" in err and "Traceback" not in err
