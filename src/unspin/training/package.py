"""A model folder as an installable package, the way ``unspin`` finds models.

Every model is its own distribution: ``minilm-spans.v5`` is ``unspin-model-minilm-spans-v5``,
whose one Python package (``unspin_model_minilm_spans_v5``) *is* the model folder and which
advertises the versioned name on the ``unspin.models`` entry-point group. ``unspin train`` and
``unspin tune`` write their output this way, and ``unspin package`` turns any model folder or
installed model into one::

    unspin package runs/my-model --out dist/          # then: pip install dist/my-spans-v1

A weight file that other versions in a checkout already share (``models/shared/``) can be left
there (``--out models --shared``): the package then builds its wheel with a copy of it (``setup.py``
calls ``models/shared/build_wheel.py``) and an editable install reads it in place.

No torch here: packaging needs only the files.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from ..detect.registry import (
    ENTRY_POINT_GROUP,
    SHARED_DIR,
    fingerprint,
    is_folder,
    model_paths,
    read_config,
    resolve,
    shared_name,
)
from ..errors import ConfigError, InputError, ModelError
from .heldout import add_heldout

__all__ = ["distribution_name", "module_name", "folder_name", "write_packaging", "package"]



def folder_name(model: str) -> str:
    """``minilm-spans.v5`` -> ``minilm-spans-v5`` (the folder under ``models/``)."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*\.v[0-9A-Za-z][0-9A-Za-z._-]*", model):
        raise ConfigError(f"{model!r} is not a versioned model name like 'my-spans.v1'")
    name, _, version = model.rpartition(".v")
    return f"{name}-v{version}"


def distribution_name(model: str) -> str:
    """``minilm-spans.v5`` -> ``unspin-model-minilm-spans-v5``."""
    return "unspin-model-" + re.sub(r"[^a-z0-9]+", "-", folder_name(model).lower())


def module_name(model: str) -> str:
    """``minilm-spans.v5`` -> ``unspin_model_minilm_spans_v5``."""
    return distribution_name(model).replace("-", "_")


_PYPROJECT = """\
# Written by 'unspin package': this folder is the model and its package.
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "{version}"
description = "{summary}"
{readme}requires-python = ">=3.11"

[project.entry-points."{group}"]
"{name}" = "{module}"

[tool.setuptools]
packages = ["{module}"]
package-dir = {{"{module}" = "."}}

[tool.setuptools.package-data]
"{module}" = [{files}]
"""

_SETUP = '''"""Builds the wheel of {name} with its weight files shared in ../{shared}."""
import runpy
from pathlib import Path

hook = Path(__file__).resolve().parent.parent / "{shared}" / "build_wheel.py"
runpy.run_path(str(hook), run_name="__main__")
'''


def _pep440(version: str) -> str:
    """A model version as a package version: ``5`` stays ``5``; anything else is ``0+<v>``."""
    if re.fullmatch(r"[0-9]+(\.[0-9]+)*", version):
        return version
    return "0+" + re.sub(r"[^0-9A-Za-z.]+", ".", version).strip(".")


def write_packaging(folder: Path) -> Path:
    """Write ``pyproject.toml`` and ``__init__.py`` (and ``setup.py`` when a weight file lies in
    ``../shared``) so that ``pip install FOLDER`` installs the model it holds."""
    folder = Path(folder)
    cfg = read_config(folder)
    name, version = str(cfg.get("name", "")), str(cfg.get("version", ""))
    dist, module = distribution_name(name), module_name(name)
    summary = f"unspin model {name}: technique spans for news articles"
    card = "readme = \"MODEL_CARD.md\"\n" if (folder / "MODEL_CARD.md").is_file() else ""
    shared = [n for n in cfg.get("files", {}) if not (folder / n).is_file()]
    files = ", ".join(f'"{n}"' for n in ("config.json", "MODEL_CARD.md", *cfg.get("files", {})))
    (folder / "pyproject.toml").write_text(_PYPROJECT.format(
        dist=dist, version=_pep440(version), summary=summary, readme=card, group=ENTRY_POINT_GROUP,
        name=name, module=module, files=files), encoding="utf-8")
    (folder / "__init__.py").write_text(f'"""The files of the unspin model {name}."""\n',
                                        encoding="utf-8")
    setup = folder / "setup.py"
    if shared:
        setup.write_text(_SETUP.format(name=name, shared=SHARED_DIR), encoding="utf-8")
    elif setup.is_file():
        setup.unlink()
    return folder


def package(model: str | Path, out: str | Path, shared: bool = False,
            heldout: list | None = None) -> Path:
    """Copy a model (installed name or folder) into ``out/<name>-v<N>/`` as a package.

    With ``shared`` (``out`` is a checkout's ``models/`` folder), weight files already kept in
    ``out/shared/`` are left there instead of copied. ``heldout``: quality.py --json files that
    scored this model, put on the packaged copy's card (``add_heldout``). Returns the package
    folder.
    """
    entry = resolve(model)
    cfg = read_config(entry.folder)
    name = str(cfg.get("name", ""))
    if not cfg.get("files"):
        raise ModelError(f"{entry.folder}: config.json lists no weight files; finish the "
                         "export before packaging")
    folders = [m.get("model") for m in cfg.get("members") or [] if isinstance(m, dict)
               and is_folder(str(m.get("model")))]
    if cfg.get("backend") == "ensemble" and folders:
        raise ModelError(f"{entry.folder}: member {folders[0]} is a folder, which an installed "
                         "package cannot find; make the ensemble of installed models to "
                         "package it")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    shared_dir = out / SHARED_DIR if shared else None
    dest = out / folder_name(name)
    if dest.exists() and any(dest.iterdir()):
        raise InputError(f"{dest}: already exists; a published model is never overwritten")
    dest.mkdir(parents=True, exist_ok=True)
    files = cfg["files"]
    for file_name, path in model_paths(entry.folder).items():
        if shared_dir is not None and file_name in files:
            if (shared_dir / shared_name(file_name, files[file_name])).is_file():
                continue
        shutil.copyfile(path, dest / file_name)
    if heldout:
        try:
            add_heldout(dest, fingerprint(entry.folder), list(heldout))
        except BaseException:
            shutil.rmtree(dest, ignore_errors=True)
            raise
    return write_packaging(dest)
