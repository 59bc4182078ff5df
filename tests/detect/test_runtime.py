"""The shipped model: loads offline, checks its files, refuses corrupt or missing ones."""

import shutil

import pytest

from unspin.detect.runtime import MODELS, DEFAULT_MODEL, Detector, resolve
from unspin.errors import ModelError

pytestmark = pytest.mark.model


def copy_model(tmp_path):
    dst = tmp_path / "m"
    shutil.copytree(MODELS[DEFAULT_MODEL], dst)
    return dst


def test_shipped_files_are_small_and_have_a_card():
    folder = MODELS[DEFAULT_MODEL]
    for f in folder.iterdir():
        assert f.stat().st_size <= 30 * 1024 * 1024, f
    assert (folder / "MODEL_CARD.md").is_file()


def test_corrupt_file_is_a_model_error(tmp_path):
    m = copy_model(tmp_path)
    data = bytearray((m / "head.npz").read_bytes())
    data[100] ^= 0xFF
    (m / "head.npz").write_bytes(bytes(data))
    with pytest.raises(ModelError, match="sha256"):
        Detector(m)


def test_missing_file_is_a_model_error(tmp_path):
    m = copy_model(tmp_path)
    (m / "encoder.onnx").unlink()
    with pytest.raises(ModelError, match="missing"):
        Detector(m)


def test_unknown_model_name(tmp_path):
    with pytest.raises(ModelError, match="unknown model"):
        resolve("no-such-model.v9")
    with pytest.raises(ModelError, match="not a model folder"):
        Detector(tmp_path)


def test_detects_obvious_propaganda_with_exact_offsets():
    from unspin.detect import find_spans

    text = ("Traitors in Washington\n\nThe corrupt, treasonous elite will destroy this great "
            "nation unless every true patriot stands up now. Wake up, America!\n")
    spans = find_spans(text)
    assert spans, "no technique found in an obviously loaded text"
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start:s.end] == text[s.start:s.end].strip(" \n.,:;")


def test_long_text_is_chunked_with_offsets_shifted():
    from unspin.detect import find_spans

    para = ("The corrupt elite lies to you every single day, and only fools believe them. "
            "Officials met on Tuesday to discuss the budget.\n")
    text = "Title\n\n" + para * 60
    spans = find_spans(text, chunk_chars=1500)
    assert spans
    for s in spans:
        assert text[s.start:s.end] == text[s.start:s.end].strip(" \n.,:;")
        assert s.end <= len(text)
    assert max(s.start for s in spans) > 1500  # found past the first chunk too
