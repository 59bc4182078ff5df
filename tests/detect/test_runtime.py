"""The shipped model: loads offline, checks its files, refuses corrupt or missing ones."""

import shutil

import pytest

from unspin.detect import load
from unspin.detect.onnx_spans import OnnxSpanDetector as Detector
from unspin.detect.registry import DEFAULT_MODEL, installed, model_paths, resolve
from unspin.errors import ModelError

pytestmark = pytest.mark.model


def copy_model(tmp_path):
    """The default model's files, shared ones included, in a plain folder of their own."""
    dst = tmp_path / "m"
    dst.mkdir()
    for name, path in model_paths(resolve(DEFAULT_MODEL).folder).items():
        shutil.copyfile(path, dst / name)
    return dst


def test_shipped_files_are_small_and_have_a_card():
    folder = resolve(DEFAULT_MODEL).folder
    for f in model_paths(folder).values():
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
    text = ("Traitors in Washington\n\nThe corrupt, treasonous elite will destroy this great "
            "nation unless every true patriot stands up now. Wake up, America!\n")
    spans = load().find_spans(text)
    assert spans, "no technique found in an obviously loaded text"
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start:s.end] == text[s.start:s.end].strip(" \n.,:;")


def test_long_text_is_chunked_with_offsets_shifted():
    para = ("The corrupt elite lies to you every single day, and only fools believe them. "
            "Officials met on Tuesday to discuss the budget.\n")
    text = "Title\n\n" + para * 60
    spans = load(chunk_chars=1500).find_spans(text)
    assert spans
    for s in spans:
        assert text[s.start:s.end] == text[s.start:s.end].strip(" \n.,:;")
        assert s.end <= len(text)
    assert max(s.start for s in spans) > 1500  # found past the first chunk too


def test_every_shipped_model_satisfies_the_protocol_and_is_listed():
    from unspin.detect import Detector as Protocol
    from unspin.detect import installed_models

    listed = {m.name: m for m in installed_models()}
    assert set(listed) == set(installed()) and DEFAULT_MODEL in listed
    for name in installed():
        d = load(name)
        assert isinstance(d, Protocol)
        assert d.info.name == name and d.info.fingerprint == listed[name].fingerprint
        assert listed[name].card and listed[name].size > 1_000_000


def test_fingerprint_covers_the_decoding_settings(tmp_path):
    """Changing one decoding threshold in a copy of the model changes its recorded identity."""
    import json

    from unspin import analyze_text

    m = copy_model(tmp_path)
    cfg = json.loads((m / "config.json").read_text())
    cfg["decode"]["si_seed"] = round(cfg["decode"]["si_seed"] + 0.05, 2)
    (m / "config.json").write_text(json.dumps(cfg, indent=2))
    text = "They are traitors, every one of them, and they will destroy this nation!"
    shipped = analyze_text(text).model
    changed = analyze_text(text, model=str(m)).model
    assert (changed.name, changed.version) == (shipped.name, shipped.version)
    assert changed.fingerprint != shipped.fingerprint


def test_detect_does_not_import_torch():
    import subprocess
    import sys

    code = ("import sys, unspin.detect, unspin.detect.onnx_spans, unspin.pipeline; "
            "unspin.detect.load(); print('torch' in sys.modules, 'transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
