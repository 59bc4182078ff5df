"""Models by versioned name, found as installed packages, and the identity of a model folder.

A published name (``"minilm-spans.v1"``) always means the same behaviour: new weights, decoding
or export make a new version. Each model is its own distribution (``unspin-model-minilm-spans-v1``)
that advertises its name on the ``unspin.models`` entry-point group, pointing at the package
that holds its files; ``pip install models/minilm-spans-v1`` (or a wheel) is all it takes for
``--model minilm-spans.v1`` to work, and no code names a model. Adding a backend is one entry in
``BACKENDS``.

A model's files are ``config.json``, ``MODEL_CARD.md`` and the weight files that ``config.json``
lists with their sha256 (``files``). A weight file that several versions share is stored once,
in ``models/shared/`` of a checkout as ``<stem>-<sha256[:12]><suffix>``: an editable install
reads it from there, a built wheel carries a copy. Either way its sha256 is checked on load.

A model's identity is its *fingerprint*: a sha256 over the name and sha256 of each of its files,
so any change to any of them gives a different fingerprint, and moving a file does not.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from ..errors import ModelError, UnspinError
from ..options import DEFAULT_MODEL

__all__ = ["ModelEntry", "BACKENDS", "DEFAULT_MODEL", "ENTRY_POINT_GROUP", "SHARED_DIR",
           "installed", "resolve", "read_config", "sha256_file", "fingerprint", "model_paths",
           "model_file", "shared_name", "origin", "is_folder", "member_target", "members_size"]

#: The entry-point group model packages advertise their versioned names on.
ENTRY_POINT_GROUP = "unspin.models"

#: Where a checkout keeps weight files that several model versions share (beside the models).
SHARED_DIR = "shared"

#: Backends by name -> "module:class" (imported only when a model of that backend loads).
BACKENDS: dict[str, str] = {"onnx-spans": "unspin.detect.onnx_spans:OnnxSpanDetector",
                            "ensemble": "unspin.detect.ensemble:EnsembleDetector"}


@dataclass(frozen=True)
class ModelEntry:
    """A model known by name: which backend runs it, where its files are, which package."""

    name: str
    backend: str
    folder: Path
    package: str | None = None  # the distribution that installed it; None for a bare folder


@lru_cache(maxsize=1)
def installed() -> dict[str, ModelEntry]:
    """Every installed model by versioned name, read from the entry points once per process.

    A package whose advertised folder is gone (a deleted editable checkout) is left out.
    """
    found: dict[str, ModelEntry] = {}
    for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        folder = _package_folder(ep.value)
        if folder is None or not (folder / "config.json").is_file():
            continue
        found[ep.name] = ModelEntry(ep.name, _backend(folder), folder,
                                    ep.dist.name if ep.dist else None)
    return found


def _package_folder(module: str) -> Path | None:
    """The folder of an importable package, found without importing it."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(spec.origin).parent if spec.origin else None


def _backend(folder: Path) -> str:
    try:
        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "onnx-spans"
    return str(cfg.get("backend", "onnx-spans"))


def read_config(folder: Path) -> dict:
    """A model folder's ``config.json`` (name, version, decoding, files, validation record)."""
    cfg_path = Path(folder) / "config.json"
    if not cfg_path.is_file():
        raise ModelError(f"{folder}: not a model folder (no config.json); "
                         "train one with 'unspin train' or see 'unspin models'")
    try:
        return json.loads(cfg_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{cfg_path}: unreadable model config ({exc})") from None


def resolve(model: str | os.PathLike | None) -> ModelEntry:
    """An installed model's name or a model folder (``unspin train`` output) as a ``ModelEntry``."""
    model = DEFAULT_MODEL if model is None else model
    models = installed()
    if str(model) in models:
        return models[str(model)]
    path = Path(model)
    if path.is_dir():
        return ModelEntry(str(path), _backend(path), path)
    if str(model) == DEFAULT_MODEL:
        raise ModelError(f"the default model {DEFAULT_MODEL} is not installed: from a checkout, "
                         f"pip install -e models/{DEFAULT_MODEL.replace('.', '-')}")
    names = ", ".join(models) or "none"
    raise ModelError(f"unknown model {str(model)!r}: give a model folder or an installed model "
                     f"({names}); older versions install from a checkout with "
                     "'pip install models/NAME-vN' (see 'unspin models')")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _listed(folder: Path) -> dict[str, str]:
    """The weight files ``config.json`` lists, name -> sha256 (empty when it lists none)."""
    try:
        cfg = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = cfg.get("files")
    return dict(files) if isinstance(files, dict) else {}


def model_file(folder: Path, name: str, sha256: str | None = None) -> Path:
    """Where a model's file lies: in its folder, else shared beside it (by content hash).

    The shared copy is only looked up by the first 12 hex digits of its sha256; the caller
    checks the whole hash (the backend does on load).
    """
    folder = Path(folder)
    path = folder / name
    if path.is_file() or not sha256:
        return path
    shared = folder.parent / SHARED_DIR / shared_name(name, sha256)
    return shared if shared.is_file() else path


def shared_name(name: str, sha256: str) -> str:
    """A shared weight file's name: ``encoder.onnx`` with sha256 ``1c39…`` is
    ``encoder-1c3905463207.onnx``."""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}-{sha256[:12]}.{suffix}" if dot else f"{name}-{sha256[:12]}"


def is_folder(member: str) -> bool:
    """Whether an ensemble's ``members.json`` names a member by its folder (a path, relative
    to the ensemble's), not by an installed model's name.

    >>> is_folder("minilm-spans.v5"), is_folder("../eval/e3")
    (False, True)
    """
    return any(sep in member for sep in "/\\")


def member_target(folder: Path, member: str) -> str:
    """What to load for an ensemble member: its installed name, or its folder resolved from
    the ensemble's ``folder``."""
    if is_folder(member) and not Path(member).is_absolute():
        return str((Path(folder) / member).resolve())
    return member


def members_size(folder: Path) -> int:
    """The bytes of an ensemble's members' model files (those it loads, not its own), as far
    as they can be found; 0 for a folder that is no ensemble."""
    try:
        members = json.loads((Path(folder) / "members.json").read_text(encoding="utf-8"))
        refs = [m["model"] for m in members["members"]]
    except (OSError, ValueError, KeyError, TypeError):
        return 0
    total = 0
    for ref in refs:
        try:
            total += sum(p.stat().st_size
                         for p in model_paths(resolve(member_target(folder, str(ref))).folder)
                         .values())
        except (UnspinError, OSError):
            continue  # a missing member is reported when the ensemble loads
    return total


def model_paths(folder: Path) -> dict[str, Path]:
    """The files that make up a model, by the name the model knows them: config, card and every
    weight file its config lists (a shared one where it lies).

    A folder whose config lists no files (an unfinished export) counts every regular,
    non-hidden file at its top. Packaging files (``pyproject.toml``, ``__init__.py``...) are
    never part of a model.
    """
    folder = Path(folder)
    listed = _listed(folder)
    if not listed:
        return {p.name: p for p in sorted(folder.iterdir())
                if p.is_file() and not p.name.startswith(".")}
    names = {"config.json": None, "MODEL_CARD.md": None, **listed}
    paths = {n: model_file(folder, n, sha) for n, sha in names.items()}
    return {n: paths[n] for n in sorted(paths) if paths[n].is_file()}


def fingerprint(folder: Path, known: dict[str, str] | None = None) -> str:
    """sha256 over ``name<TAB>sha256`` lines of every model file (``known`` hashes reused)."""
    known = known or {}
    lines = [f"{n}\t{known.get(n) or sha256_file(p)}\n" for n, p in model_paths(folder).items()]
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def origin(entry: ModelEntry) -> str:
    """Where a model came from, for ``unspin models``: its package and how it was installed."""
    if entry.package is None:
        return f"folder {entry.folder}"
    try:
        dist = metadata.distribution(entry.package)
    except metadata.PackageNotFoundError:
        return f"package {entry.package}"
    how = ""
    direct = dist.read_text("direct_url.json")
    if direct:
        try:
            info = json.loads(direct)
        except ValueError:
            info = {}
        if info.get("dir_info", {}).get("editable"):
            how = ", editable"
    return f"package {dist.metadata['Name']} {dist.version}{how}, {entry.folder}"
