"""Merging several teachers' soft labels (``unspin teacher merge``) and the fold split the
out-of-fold teachers use: the arithmetic and the refusals, on small hand-made label folders."""

import json

import numpy as np
import pytest

from unspin.cli import main
from unspin.errors import InputError
from unspin.training.data import fold_of, parse_fold
from unspin.training.soft import merge_soft, read_soft_spans

T = 14


def _folder(path, run, articles, stride=224, spans=True, fold=""):
    """A labels folder as 'unspin teacher label' writes one: ``articles`` maps an id to
    (probs rows, [(start, end, score, technique index)])."""
    path.mkdir()
    (path / "labeller.json").write_text(json.dumps({"run": run, "epoch": 3}))
    (path / "soft.json").write_text(json.dumps({
        "teacher": {"model": "m", "sha256": "0" * 64, "frozen_layers": 6, "epochs": 3,
                    "best_epoch": 3, "fold": fold, "epoch_seconds": [60.0],
                    "validation": {"si": 0.4, "tc": 0.6, "full": 0.2}},
        "stride": stride, "articles": len(articles), "spans": spans}))
    for aid, (rows, found) in articles.items():
        arrays = {"offsets": np.array([[0, 3], [4, 9]], np.int32),
                  "probs": np.array(rows, np.float16)}
        if spans:
            probs = np.zeros((len(found), T), np.float16)
            for i, (_s, _e, _score, tech) in enumerate(found):
                probs[i, tech] = 1.0
            arrays.update(spans=np.array([f[:2] for f in found], np.int32).reshape(-1, 2),
                          span_probs=probs,
                          span_score=np.array([f[2] for f in found], np.float16))
        np.savez(path / f"{aid}.npz", **arrays)
    return path


def _rows(x):
    return [[x] * 17, [1 - x] * 17]


def test_an_article_held_once_is_kept_and_one_held_twice_is_averaged(tmp_path):
    a = _folder(tmp_path / "a", "t1", {"1": (_rows(0.25), [(0, 3, 1.0, 2)]),
                                       "u": (_rows(0.5), [(0, 3, 1.0, 2), (4, 9, 0.8, 5)])},
                fold="1/2")
    b = _folder(tmp_path / "b", "t2", {"2": (_rows(0.75), []),
                                       "u": (_rows(1.0), [(0, 3, 1.0, 4), (0, 9, 0.6, 1)])},
                fold="2/2")
    assert merge_soft([a, b], tmp_path / "m") == 3
    m = tmp_path / "m"
    assert np.array_equal(np.load(m / "1.npz")["probs"], np.load(a / "1.npz")["probs"])
    assert np.allclose(np.load(m / "u.npz")["probs"].astype(float), [[0.75] * 17, [0.25] * 17])
    where, probs, score = read_soft_spans(m, "u")
    # the gold span first (both teachers: mean of their probabilities, score 1); a span one
    # teacher found keeps its probabilities, and its score counts the other teacher as 0
    assert [tuple(w) for w in where] == [(0, 3), (0, 9), (4, 9)]
    assert probs[0, 2] == pytest.approx(0.5) and probs[0, 4] == pytest.approx(0.5)
    assert probs[1, 1] == pytest.approx(1.0) and probs[2, 5] == pytest.approx(1.0)
    assert list(score) == pytest.approx([1.0, 0.3, 0.4], abs=1e-3)
    record = json.loads((m / "soft.json").read_text())
    assert record["teacher"]["validation"] == {"si": 0.4, "tc": 0.6, "full": 0.2}
    assert [x["fold"] for x in record["teacher"]["members"]] == ["1/2", "2/2"]
    assert json.loads((m / "labeller.json").read_text())["merged"][1]["run"] == "t2"


def test_labels_made_differently_are_not_merged(tmp_path):
    a = _folder(tmp_path / "a", "t1", {"1": (_rows(0.1), [])})
    b = _folder(tmp_path / "b", "t2", {"1": (_rows(0.1), [])}, stride=190)
    with pytest.raises(InputError, match="different stride"):
        merge_soft([a, b], tmp_path / "m")
    c = _folder(tmp_path / "c", "t3", {"1": (_rows(0.1), [])})
    np.savez(c / "1.npz", offsets=np.array([[0, 2]], np.int32),
             probs=np.zeros((1, 17), np.float16), spans=np.zeros((0, 2), np.int32),
             span_probs=np.zeros((0, T), np.float16), span_score=np.zeros(0, np.float16))
    with pytest.raises(InputError, match="word pieces differ"):
        merge_soft([a, c], tmp_path / "m2")
    (c / "1.npz").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a soft-label file"):
        merge_soft([a, c], tmp_path / "m3")
    with pytest.raises(InputError, match="one of the folders merged"):
        merge_soft([a, c], a)


def test_merge_on_the_command_line_says_one_line(tmp_path, capsys):
    a = _folder(tmp_path / "a", "t1", {"1": (_rows(0.1), [])})
    assert main(["teacher", "merge", str(a), str(a), "--out", str(tmp_path / "m")]) == 1
    err = capsys.readouterr().err
    assert "labelled by the same teacher" in err and "Traceback" not in err
    assert not (tmp_path / "m").exists()


def test_folds_split_by_id_evenly_enough():
    ids = [str(100000000 + 7919 * i) for i in range(400)]
    counts = [sum(fold_of(i, 5) == k for i in ids) for k in range(1, 6)]
    assert sum(counts) == 400 and min(counts) >= 55  # 80 each expected
    assert parse_fold(" 3/5") == (3, 5)
    for bad in ("0/5", "6/5", "1/1", "5", "a/b", "1/21"):
        with pytest.raises(InputError, match="give K/N"):
            parse_fold(bad)


def test_a_bad_fold_is_refused_before_anything_runs(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["teacher", "train", str(tmp_path), "--base", str(tmp_path), "--out",
              str(tmp_path / "t"), "--fold", "6/5"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "argument --fold: give K/N" in err
    assert not (tmp_path / "t").exists()


def test_a_folder_of_unnamed_labels_is_not_adopted_by_a_teacher(tmp_path):
    from unspin.training.teacher import _same_teacher

    old = tmp_path / "old"
    old.mkdir()
    np.savez(old / "1.npz", offsets=np.zeros((0, 2), np.int32))  # labelled, teacher unrecorded
    with pytest.raises(InputError, match="does not name"):
        _same_teacher(old, {"run": "t", "epoch": 1})
    assert not (old / "labeller.json").exists()
    new = tmp_path / "new"
    new.mkdir()
    _same_teacher(new, {"run": "t", "epoch": 1})  # a new folder takes its teacher's name
    _same_teacher(new, {"run": "t", "epoch": 1})
    with pytest.raises(InputError, match="labelled by t epoch 1"):
        _same_teacher(new, {"run": "u", "epoch": 1})


def test_a_damaged_file_stops_the_merge_with_nothing_written(tmp_path):
    a = _folder(tmp_path / "a", "t1", {"1": (_rows(0.1), []), "2": (_rows(0.2), [])})
    b = _folder(tmp_path / "b", "t2", {"1": (_rows(0.3), []), "2": (_rows(0.4), [])})
    (b / "2.npz").write_bytes((b / "2.npz").read_bytes()[:200])  # cut short: "1" merges first
    with pytest.raises(InputError, match=r"b/2\.npz: not a soft-label file"):
        merge_soft([a, b], tmp_path / "m")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]  # no half-merged folder
    (tmp_path / "m").mkdir()  # an empty --out is taken, and stays when the merge fails
    with pytest.raises(InputError, match="not a soft-label file"):
        merge_soft([a, b], tmp_path / "m")
    assert (tmp_path / "m").is_dir() and not any((tmp_path / "m").iterdir())


def test_one_teacher_s_own_span_at_1_is_not_taken_for_gold(tmp_path):
    """float16 rounds a peak above 0.99976 to 1: found by one teacher of two, its score is
    0.5 and it is not put with the gold spans."""
    a = _folder(tmp_path / "a", "t1", {"u": (_rows(0.5), [(0, 3, 1.0, 2), (4, 9, 1.0, 5)])})
    b = _folder(tmp_path / "b", "t2", {"u": (_rows(0.5), [(0, 3, 1.0, 2)])})
    merge_soft([a, b], tmp_path / "m")
    where, _probs, score = read_soft_spans(tmp_path / "m", "u")
    assert [tuple(w) for w in where] == [(0, 3), (4, 9)]
    assert list(score) == pytest.approx([1.0, 0.5])


def test_folds_of_other_splits_and_unfinished_folders_are_refused(tmp_path, caplog):
    a = _folder(tmp_path / "a", "t1", {"1": (_rows(0.1), [])}, fold="1/3")
    b = _folder(tmp_path / "b", "t2", {"2": (_rows(0.1), [])}, fold="2/5")
    with pytest.raises(InputError, match=r"different fold splits \(1/3, 2/5\)"):
        merge_soft([a, b], tmp_path / "m")
    c = _folder(tmp_path / "c", "t3", {"2": (_rows(0.1), [])}, fold="2/3")
    np.savez(c / "3.npz", offsets=np.zeros((0, 2), np.int32))  # a labelling not finished
    with pytest.raises(InputError, match="holds 2 soft-label files but its soft.json counts 1"):
        merge_soft([a, c], tmp_path / "m")
    (c / "3.npz").unlink()
    with caplog.at_level("WARNING", logger="unspin.training.soft"):
        assert merge_soft([a, c], tmp_path / "m") == 2
    assert "no teacher of fold 3 of 3" in caplog.text  # its training articles go unlabelled
    assert not list(tmp_path.glob(".*"))  # nothing left beside the merged folder


def test_a_teacher_of_every_article_among_fold_teachers_is_named(tmp_path, caplog):
    a = _folder(tmp_path / "a", "t1", {"1": (_rows(0.1), [])}, fold="1/2")
    b = _folder(tmp_path / "b", "t2", {"2": (_rows(0.1), [])}, fold="2/2")
    whole = _folder(tmp_path / "w", "t3", {"1": (_rows(0.3), [])})
    with caplog.at_level("WARNING", logger="unspin.training.soft"):
        assert merge_soft([a, b], tmp_path / "m") == 2
        assert "every training article" not in caplog.text
        assert merge_soft([a, b, whole], tmp_path / "m2") == 2
    assert f"{whole}: labelled by a teacher trained on every training article" in caplog.text


def test_a_fold_in_other_digits_is_refused_in_one_line():
    with pytest.raises(InputError, match="give K/N"):
        parse_fold("²/5")  # a digit to str.isdigit, not to int()
