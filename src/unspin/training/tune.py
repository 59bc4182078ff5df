"""Re-tune a model's decoding thresholds as a new version: ``unspin tune SRC DATA --out DST``,
with decoding rules added if asked (``--decode-rules``).

A published model never changes behaviour under its name, so tuning never rewrites a folder:
the model files are copied to a new folder, the thresholds are tuned there on the validation
split, and the copy gets a new version (its own name, card and fingerprint). Weights are
copied byte for byte.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from ..detect.onnx_spans import OnnxSpanDetector, read_config
from ..detect.registry import installed, model_paths
from ..detect.spans import multiword_techniques
from ..errors import ConfigError, InputError, ModelError
from .data import read_labeled, split_ids
from .export import full_name, tune_and_record
from .tagger import TrainConfig

__all__ = ["retune", "next_version"]


def next_version(version: str) -> str:
    """The version after ``version``: ``1`` -> ``1.1``, ``1.1`` -> ``1.2``, ``2-x`` -> ``2-x.1``.

    >>> next_version("1"), next_version("1.1"), next_version("3.9")
    ('1.1', '1.2', '3.10')
    """
    m = re.fullmatch(r"(\d+)\.(\d+)", version)
    return f"{m.group(1)}.{int(m.group(2)) + 1}" if m else f"{version}.1"


def retune(src: str | Path, data: str | Path, out: str | Path,
           version: str | None = None, decode_rules: dict | None = None) -> tuple[dict, str]:
    """Copy the model in ``src`` (a folder) to ``out`` as a new version, tune its decoding on
    the validation split of ``data``, rewrite the copy's config and card. ``decode_rules``
    (as ``unspin train --decode-rules``) are added to the model's decoding before the
    thresholds are tuned with them. Returns the validation metrics and the new versioned
    name."""
    from ..detect.predictor import DecodeConfig

    added = DecodeConfig.check_rules(decode_rules or {})  # refused before anything is copied
    src, out = Path(src), Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ConfigError(f"{out}: already exists; give a new, empty folder for the new version")
    if out.resolve() == src.resolve():
        raise ConfigError("--out must be a new folder: a model is never re-tuned in place")
    config = read_config(src)
    OnnxSpanDetector(src)  # every file checked before anything is copied
    if "train" not in config or "validation" not in config:
        raise ModelError(f"{src}: config.json has no training record; cannot re-tune it")
    train_cfg = dict(config["train"])
    train_cfg["bio_weights"] = tuple(train_cfg.get("bio_weights", TrainConfig.bio_weights))
    cfg = TrainConfig(**{k: v for k, v in train_cfg.items()
                         if k in TrainConfig.__dataclass_fields__})
    cfg.version = version or next_version(str(config.get("version", cfg.version)))
    cfg.decode_rules = {**(cfg.decode_rules or {}), **added}
    name = full_name(cfg.name, cfg.version)
    if name in installed() or name == config.get("name"):
        raise ConfigError(f"{name} is already a model's name; give another --version")
    arts = read_labeled(data, config.get("taxonomy"))  # in the model's own technique names
    train_ids, val_ids = split_ids([a.id for a in arts], cfg.val_percent)
    by_id = {a.id: a for a in arts}
    val_arts = [by_id[i] for i in val_ids]
    if not val_arts:
        raise InputError(f"{data}: no validation articles to tune on")
    out.mkdir(parents=True, exist_ok=True)
    for file_name, path in model_paths(src).items():
        shutil.copyfile(path, out / file_name)
    extra = {k: v for k, v in config.items()
             if k not in ("name", "version", "techniques", "decode", "files")}
    extra["tuned_from"] = {"name": config.get("name"), "version": config.get("version"),
                           **({"decode_rules_added": added} if added else {})}
    extra["train"] = {**extra.get("train", {}), "version": cfg.version,
                      "decode_rules": cfg.decode_rules}
    multiword = multiword_techniques([by_id[i] for i in train_ids])
    return tune_and_record(OnnxSpanDetector(out), cfg, val_arts, multiword, extra), name
