"""Build a model package whose weight files are kept once in this folder.

A model folder under ``models/`` whose ``config.json`` lists a file it does not hold (an
encoder or tokenizer that several versions share) has a three-line ``setup.py`` that runs this
script. Building a wheel (``pip install models/minilm-spans-v1``, ``pip wheel ...``) copies each
such file from here into the wheel, named as the model knows it, after checking its sha256
against ``config.json``; an editable install (``pip install -e``) copies nothing, since unspin
reads the file here. Only the setuptools of the build environment is used.
"""

import hashlib
import json
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
MODEL = Path.cwd()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _shared_files() -> dict[str, Path]:
    """name -> shared copy, for every listed weight file the model folder does not hold."""
    files = json.loads((MODEL / "config.json").read_text(encoding="utf-8")).get("files", {})
    found = {}
    for name, sha in files.items():
        if (MODEL / name).is_file():
            continue
        stem, dot, suffix = name.rpartition(".")
        path = HERE / (f"{stem}-{sha[:12]}.{suffix}" if dot else f"{name}-{sha[:12]}")
        if not path.is_file():
            sys.exit(f"{MODEL.name}: {name} is neither in the model folder nor in {HERE}; "
                     "build the package from a checkout of unspin")
        if _sha256(path) != sha:
            sys.exit(f"{path}: sha256 does not match {MODEL.name}/config.json")
        found[name] = path
    return found


class BuildWithShared(build_py):
    """The usual build, plus the shared weight files copied into the model's package."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        (package,) = self.distribution.packages
        target = Path(self.build_lib, package)
        target.mkdir(parents=True, exist_ok=True)
        for name, path in _shared_files().items():
            shutil.copyfile(path, target / name)


if __name__ == "__main__":
    setup(cmdclass={"build_py": BuildWithShared})
