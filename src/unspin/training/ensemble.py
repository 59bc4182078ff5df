"""``unspin ensemble``: make an ensemble model from installed models (``detect.ensemble``).

The ensemble gets its own name, version, decoding thresholds and card; it holds no weights.
Its thresholds are tuned on the validation articles of ``data`` (none of its members may have
trained on them for the figures to mean anything), or, for an ensemble of members retrained on
every labelled article, taken unchanged from the ensemble of the same recipe's held-out members
(``decode_from``), as ``unspin train --all-labelled`` does for one model.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import shutil
from datetime import date
from pathlib import Path

from ..detect.ensemble import MEMBERS_FILE, EnsembleDetector
from ..detect.predictor import DecodeConfig
from ..detect.registry import fingerprint, installed, read_config, resolve
from ..errors import ConfigError, InputError
from ..techniques import taxonomy
from .data import split_articles
from .export import calibrate_scores, full_name
from .heldout import heldout_lines, read_heldout_files
from .package import write_packaging
from .validate import validate

__all__ = ["make_ensemble"]

log = logging.getLogger(__name__)


def _member_entry(model: str, out: Path, weight: float) -> dict:
    """How ``members.json`` names a member: an installed model by its name, a folder by its
    path relative to the ensemble (so the two can move together)."""
    entry = resolve(model)
    ref = model if model in installed() else os.path.relpath(entry.folder.resolve(),
                                                             out.resolve())
    return {"model": ref, "fingerprint": fingerprint(entry.folder), "weight": weight}


def make_ensemble(members: list[str], out: str | Path, name: str, version: str = "1",
                  weights: list[float] | None = None, data: str | Path | None = None,
                  decode_from: str | Path | None = None,
                  heldout: str | Path | list | None = None,
                  threads: int = 0) -> dict:
    """Write the ensemble ``NAME.vVERSION`` of ``members`` into the new folder ``out`` and
    return its scores on the validation articles of ``data``.

    >>> make_ensemble(["mpnet-spans.v1", "minilm-spans.v5"], "runs/ens", "my-ensemble",
    ...               data="../shared/data/ptc")  # doctest: +SKIP
    """
    from .train import check_name

    check_name(name, version)
    out = Path(out)
    if len(members) < 2:
        raise ConfigError("an ensemble needs at least two member models")
    weights = list(weights or [1.0] * len(members))
    if len(weights) != len(members) or any(w <= 0 for w in weights):
        raise ConfigError(f"give one positive weight per member ({len(members)})")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"{out}: already exists; write the ensemble into a new folder")
    if data is None:
        raise ConfigError("give the labelled data whose validation articles the ensemble is "
                          "tuned or checked on (--data)")
    recipe = read_config(resolve(decode_from).folder) if decode_from else None
    if recipe is not None and (recipe.get("backend") != "ensemble"
                               or len(recipe.get("members") or []) != len(members)):
        raise ConfigError(f"--decode-from {decode_from}: not an ensemble of {len(members)} "
                          "members (give the ensemble made of the recipe's held-out runs)")
    if heldout and recipe is None:
        raise ConfigError("--heldout goes with --decode-from (the scores are the recipe's)")
    nested = [m for m in members if resolve(m).backend == "ensemble"]
    if nested:
        raise ConfigError(f"member {nested[0]} is itself an ensemble; give its members instead")
    entries = [_member_entry(m, out, w) for m, w in zip(members, weights)]
    prints = [e["fingerprint"] for e in entries]
    twice = next((i for i, f in enumerate(prints) if f in prints[:i]), None)
    if twice is not None:  # allowed (it checks that averaging a model leaves it as it is)
        log.warning("%s is the same model as %s (same fingerprint): it will run twice and count "
                    "twice; --weights counts a member more at the cost of one run",
                    members[twice], members[prints.index(prints[twice])])
    first = read_config(resolve(members[0]).folder)
    seen = [m for m in members if _trained_on_validation(read_config(resolve(m).folder))]
    if recipe is None:
        if seen:
            log.warning("%s trained on the validation articles the ensemble's thresholds are "
                        "tuned on, so they will fit articles it remembers; for a fair tuning "
                        "make the ensemble of held-out runs and give it as --decode-from",
                        ", ".join(seen))
    _train, val_arts = split_articles(data, taxonomy_name=first.get("taxonomy"))
    if recipe is not None:
        recipe["fingerprint"] = fingerprint(Path(decode_from))
        if heldout:
            recipe["heldout"] = read_heldout_files(heldout, recipe)
    # written beside ``out`` and moved there whole, so a run stopped half-way leaves no
    # loadable half-made model (folder members' relative paths hold from both places)
    work = out.with_name(f".{out.name}.partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        metrics = _write(work, name, version, entries, first, val_arts, recipe, threads, data,
                         bool(seen))
        if out.exists():
            out.rmdir()  # empty (checked above)
        os.replace(work, out)
        return metrics
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _trained_on_validation(config: dict) -> bool:
    """Whether a model trained on its data's validation articles (a retrain on every
    labelled article)."""
    return bool((config.get("validation") or {}).get("trained_on")
                or (config.get("train") or {}).get("all_labelled"))


def _write(out: Path, name: str, version: str, entries: list[dict], first: dict, val_arts,
           recipe: dict | None, threads: int, data, member_trained: bool) -> dict:
    members_text = json.dumps({"members": entries}, indent=2) + "\n"
    (out / MEMBERS_FILE).write_text(members_text, encoding="utf-8")
    if recipe is not None:
        decode = DecodeConfig.from_dict(recipe["decode"])
    else:  # the first member's rules; thresholds, score map and display threshold anew
        decode = DecodeConfig.from_dict(first["decode"])
        decode.calibration = {}
        decode.display_threshold = 0.0
    tax = taxonomy(first.get("taxonomy"))
    config = {"name": full_name(name, version), "version": version, "backend": "ensemble",
              **({} if tax.name == "2020" else {"taxonomy": tax.name}),
              "techniques": list(first["techniques"]), "decode": decode.to_dict(),
              "files": {MEMBERS_FILE: hashlib.sha256(members_text.encode()).hexdigest()},
              "members": entries}
    _save(out, config)
    pred = EnsembleDetector(out, threads=threads).predictor
    outs = {a.id: pred.token_outputs(a.text) for a in val_arts}
    if recipe is None:
        metrics, tuned = validate(pred, val_arts, tune=True, outputs=outs)
        metrics["calibration"] = calibrate_scores(pred, tuned, val_arts, outs)
        config["decode"] = tuned.to_dict()
    else:
        metrics, _ = validate(pred, val_arts, tune=False, outputs=outs)
        config["recipe"] = {"model": recipe["name"], "fingerprint": recipe["fingerprint"],
                            "decode": "thresholds and score map taken from it, unchanged"}
        if recipe.get("heldout"):
            config["heldout"] = recipe["heldout"]
    config["validation"] = {"data": str(Path(data).resolve()), "articles": len(val_arts),
                            "metrics": metrics, "trained_on": member_trained,
                            "tuned_here": recipe is None,
                            "python": platform.python_version(),
                            "date": date.today().isoformat()}
    _save(out, config)
    write_card(out, config)
    write_packaging(out)
    return metrics


def _save(out: Path, config: dict) -> None:
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def write_card(out: Path, config: dict) -> None:
    """The ensemble's model card: its members, how it decodes, what it scored."""
    m = config["validation"]["metrics"]
    members = "\n".join(f"- `{e['model']}` (fingerprint `{e['fingerprint'][:16]}…`, weight "
                        f"{e['weight']:g})" for e in config["members"])
    v = config["validation"]
    lines = [
        f"# Model card: {config['name']}", "",
        "An ensemble: its member models read the same text; their per-word probabilities and",
        "their span classifiers' technique probabilities are averaged (weighted), then decoded",
        "once with this model's own thresholds. It holds no weights: each member is an",
        "installed model, checked against the fingerprint below when the ensemble loads.",
        "Runs on CPU with onnxruntime; its time is the sum of its members' times.", "",
        f"Use: `unspin analyze ARTICLE --model {config['name']}` (every member installed).", "",
        "## Members", "", members, "",
        "## Decoding",
        "- The first member's word pieces are the grid; another member's word probabilities",
        "  are read at its piece covering the same first character.",
        ("- Thresholds and score map taken unchanged from the recipe's ensemble (fingerprint "
         f"`{config['recipe']['fingerprint'][:16]}…`)." if "recipe" in config else
         f"- Thresholds tuned on the {v['articles']} validation articles of the training data "
         "(two span thresholds,"),
        *([] if "recipe" in config else [
            "  the probability of a technique, the second label and the token head), then an",
            "  isotonic score map fitted on them."]),
        "",
        (f"## On the {v['articles']} validation articles (a member trained on them"
         + ("" if "recipe" in config else " and the thresholds were tuned on them") +
         ": not a measure of quality)" if v["trained_on"] else
         f"## Validation ({v['articles']} articles, thresholds tuned on these same articles)"),
        "",
        "| measure | F1 (precision / recall) |", "|---|---|",
        *(f"| {label} | {m[k]['f1']:.3f} ({m[k]['precision']:.3f} / {m[k]['recall']:.3f}) |"
          for k, label in (("si", "SI (span identification)"),
                           ("tc", "TC (technique on gold spans)"),
                           ("full", "Full task (span + technique)"))),
        "",
        *heldout_lines(config.get("heldout"), None if "recipe" not in config else [
            "The ensemble of the recipe's held-out members (trained without these articles),",
            "scored on the 49 validation and 75 SemEval-2020 development articles;",
            "thresholds cross-fitted over 5 folds;"],
            "the recipe" if "recipe" in config else "this model"),
        "## Known limits",
        "- As its members': 2017-2019 English news, mostly US politics; technique labels are",
        "  predictions for a reader to check, not verdicts on an article.",
        "",
        f"Validated {v['date']}.",
    ]
    (out / "MODEL_CARD.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
