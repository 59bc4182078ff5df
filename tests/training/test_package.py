"""Models travel as packages: found by name through entry points, built into wheels that carry
their shared files, never inside the code wheel, and their identities never change."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from unspin.detect import describe
from unspin.detect.registry import fingerprint, installed, model_paths, resolve
from unspin.errors import ConfigError, InputError, ModelError
from unspin.training.package import (
    distribution_name,
    folder_name,
    module_name,
    package,
    write_packaging,
)

ROOT = Path(__file__).resolve().parents[2]

#: What each published name was when it was published: a name is a promise.
PUBLISHED = {
    "minilm-spans.v1": "541a6b107654f2769fd78745cbf95f1a4359be0de85f087dc224d8974380e740",
    "minilm-spans.v2": "7caf3151d4eac1a15a38fc3e891c50fb21511e280602a131ee1570a9f86b72dc",
    "minilm-spans.v3": "3ce677182687dbad4a378654399a6c1f1f9596e03e866eebcd87aabaeb4f4a72",
    "minilm-spans.v4": "fb36fc6a4c64633542c68274cdc28c0053abfe14fbbf1a9798b962a53874a460",
    "minilm-spans.v5": "de0e4b4d4f5407fff9870b9dfd933536ff0eef2584edf23fd571bd968be57300",
    "mpnet-spans.v1": "e441750eeea0c5a50dcf4d09b94acdcda54dbde400c7d55b2cdf900b79e30c6f",
    "minilm23-spans.v1": "ce292b12abd38518b4d2279b0dd11c86293b24a9df8cf6c3a99466992ea95d0e",
    "minilm23-spans.v2": "789da64f771f35b13c1449a9f510e31815fe38bcde1511483da86f41ddc5c6b3",
    "minilm23-spans.v3": "d28b3ee8a14726002a6544f7138f4203f4fe837c3d037ec4a3498d076c74d2a3",
}


def test_names_of_a_model_package():
    assert folder_name("minilm-spans.v5") == "minilm-spans-v5"
    assert distribution_name("minilm-spans.v5") == "unspin-model-minilm-spans-v5"
    assert module_name("my_spans.v1.2") == "unspin_model_my_spans_v1_2"
    with pytest.raises(ConfigError, match="versioned model name"):
        folder_name("no-version")


@pytest.mark.model
@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_fingerprints_never_change(name):
    if name not in installed():
        pytest.skip(f"{name} is not installed (pip install -r models/all.txt)")
    assert fingerprint(resolve(name).folder) == PUBLISHED[name]
    assert describe(name).fingerprint == PUBLISHED[name]


def test_every_model_folder_in_the_checkout_is_a_package_listed_for_the_tests():
    listed = (ROOT / "models" / "all.txt").read_text().split()
    for folder in sorted(p for p in (ROOT / "models").iterdir() if (p / "config.json").is_file()):
        assert f"models/{folder.name}" in listed, f"{folder.name} missing from models/all.txt"
        config = json.loads((folder / "config.json").read_text())
        project = (folder / "pyproject.toml").read_text()
        assert f'name = "{distribution_name(config["name"])}"' in project
        assert f'"{config["name"]}" = "{module_name(config["name"])}"' in project
        # each weight file lies in the folder or once in models/shared, never twice
        for file_name in config["files"]:
            here = (folder / file_name).is_file()
            shared = model_paths(folder)[file_name].parent.name == "shared"
            assert here != shared, (folder.name, file_name)
        assert (folder / "setup.py").is_file() == any(
            not (folder / n).is_file() for n in config["files"])


@pytest.mark.model
def test_package_copies_every_file_and_never_overwrites(tmp_path):
    folder = package("minilm-spans.v5", tmp_path)
    assert folder == tmp_path / "minilm-spans-v5"
    assert fingerprint(folder) == PUBLISHED["minilm-spans.v5"]
    assert not (folder / "setup.py").exists()  # every file inside: a plain package
    assert "unspin.models" in (folder / "pyproject.toml").read_text()
    with pytest.raises(InputError, match="never overwritten"):
        package("minilm-spans.v5", tmp_path)
    with pytest.raises(ModelError, match="unknown model"):
        package("no-such.v1", tmp_path / "x")


def test_package_refuses_an_unfinished_export(tmp_path):
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "config.json").write_text(json.dumps({"name": "x.v1", "version": "1"}))
    with pytest.raises(ModelError, match="lists no weight files"):
        package(tmp_path / "half", tmp_path / "out")


def _built_wheel(project: Path, dest: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "--no-index", str(project), "-w", str(dest)],
                   check=True, capture_output=True, cwd=project)
    (wheel,) = dest.glob("*.whl")
    return wheel


@pytest.mark.model
@pytest.mark.slow
def test_a_retired_version_installs_by_itself_with_its_shared_files(tmp_path):
    """A copy of models/minilm-spans-v1 (encoder and tokenizer shared with other versions) built
    into a wheel and installed alone is found by name and is the same model."""
    models = tmp_path / "models"
    shutil.copytree(ROOT / "models" / "minilm-spans-v1", models / "minilm-spans-v1",
                    ignore=shutil.ignore_patterns("build", "*.egg-info"))
    shutil.copytree(ROOT / "models" / "shared", models / "shared")
    wheel = _built_wheel(models / "minilm-spans-v1", tmp_path / "dist")
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--target", str(site), str(wheel)], check=True, capture_output=True)
    shutil.rmtree(models)  # the installed copy must not need the checkout
    probe = ("from unspin.detect import describe, load; from unspin.detect.registry import "
             "installed, origin; e = installed()['minilm-spans.v1']; "
             "print(describe('minilm-spans.v1').fingerprint, origin(e)); "
             "print(len(load('minilm-spans.v1').find_spans('They are traitors, all of them!')))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), *sys.path])}
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True,
                         text=True, env=env, cwd=tmp_path).stdout.split()
    assert out[0] == PUBLISHED["minilm-spans.v1"]
    assert str(site) in " ".join(out)


@pytest.mark.slow
def test_code_wheel_holds_no_model_and_is_small(tmp_path):
    wheel = _built_wheel(ROOT, tmp_path)
    assert wheel.stat().st_size < 5_000_000
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.endswith((".onnx", ".npz")) or "tokenizer.json" in n]


def test_write_packaging_keeps_model_files_and_fingerprint(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "w.bin").write_bytes(b"weights")
    import hashlib

    sha = hashlib.sha256(b"weights").hexdigest()
    (folder / "config.json").write_text(json.dumps(
        {"name": "tiny-spans.v3", "version": "3", "files": {"w.bin": sha}}))
    before = fingerprint(folder)
    write_packaging(folder)
    assert fingerprint(folder) == before
    assert {"pyproject.toml", "__init__.py"} <= {p.name for p in folder.iterdir()}
    assert set(model_paths(folder)) == {"config.json", "w.bin"}


def test_package_puts_the_held_out_scores_on_the_packaged_card(tmp_path, capsys):
    from unspin.cli import main

    source = resolve("minilm-spans.v1").folder
    before = fingerprint(source)
    iv, diff = {"point": 0.3, "low": 0.2, "high": 0.4}, {"point": 0.01, "low": -0.01,
                                                          "high": 0.03}

    def bench(path, fp):
        path.write_text(json.dumps({"cpu": "test CPU", "gold": "2020", "articles": {"all": 124},
                                    "baseline": "minilm-spans.v5", "models": {"m": {
                                        "fingerprint": fp,
                                        "scores": {"cross-fitted": {"all": {
                                            k: iv for k in ("si", "tc", "full")}}},
                                        "minus_baseline": {"cross-fitted": {"all": {
                                            k: diff for k in ("si", "tc", "full")}}},
                                        "ship": False}}}))
        return str(path)

    # a benchmark of another model is refused, and no half-made package is left
    code = main(["package", "minilm-spans.v1", "--out", str(tmp_path / "a"), "--heldout",
                 bench(tmp_path / "other.json", "0" * 64)])
    assert code != 0 and "scores no model" in capsys.readouterr().err
    assert not (tmp_path / "a" / "minilm-spans-v1").exists()

    assert main(["package", "minilm-spans.v1", "--out", str(tmp_path / "b"), "--heldout",
                 bench(tmp_path / "q.json", before)]) == 0
    dest = tmp_path / "b" / "minilm-spans-v1"
    config = json.loads((dest / "config.json").read_text())
    assert config["heldout"]["scored_fingerprint"] == before
    card = (dest / "MODEL_CARD.md").read_text()
    assert card.index("## Held-out articles (124") < card.index("## Known limits")
    assert f"(fingerprint `{before[:16]}…`)" in card and "+0.010 [-0.010, +0.030]" in card
    # the weights are the same bytes; the card and config made a model of its own
    for name in ("encoder.onnx", "head.npz"):
        assert (dest / name).read_bytes() == model_paths(source)[name].read_bytes()
    assert fingerprint(dest) != before and fingerprint(source) == before
