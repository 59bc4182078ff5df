"""The models a server offers (``GET /v1/models``, the web page's model list): every installed
model and the server's own, each with a short hint of speed and quality read from its config.

A model is offered by the name a client sends back as ``options.model``: an installed model's
registered name; the server's own model is marked ``default`` (sent as no model at all, so a
server started with a model folder offers that folder without giving clients its path).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from ..detect import registry

__all__ = ["available", "hint"]

#: Encoders that make a model fast (MiniLM-L6: 6 layers, 384 wide) and slow (base-size).
_FAST = ("minilm-l6", "minilm-l12")
_SLOW = ("mpnet-base", "bert-base", "roberta-base", "deberta")


def _config(folder: Path) -> dict:
    try:
        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return cfg if isinstance(cfg, dict) else {}


def _card_line(folder: Path) -> str | None:
    """The first sentence of the model card's first paragraph."""
    try:
        text = (folder / "MODEL_CARD.md").read_text(encoding="utf-8")
    except OSError:
        return None
    for para in text.split("\n\n"):
        para = " ".join(para.split())
        if para and not para.startswith(("#", "-", "|")):
            first = para.split(". ")[0].rstrip(".")
            return first if len(first) <= 90 else first[:89] + "…"
    return None


def hint(folder: Path) -> str:
    """Speed and quality in a few words: the encoder (fast MiniLM or a slower base-size one)
    and the full-task F1 the model (or its recipe) measured on the 124 held-out articles, with
    its interval; for a model never scored on them, its point on its validation articles.

    >>> hint(Path("models/minilm-spans-v5"))  # doctest: +SKIP
    'fast (all-MiniLM-L6-v2) · full-task F1 0.248 [0.217, 0.276] on 124 held-out articles'
    """
    cfg = _config(folder)
    encoder = cfg.get("base_encoder") if isinstance(cfg.get("base_encoder"), dict) else {}
    name = str(encoder.get("model") or "").rsplit("/", 1)[-1]
    params = encoder.get("parameters")
    parts = []
    if name:
        low = name.lower()
        speed = ("fast" if any(k in low for k in _FAST) else
                 "slower" if any(k in low for k in _SLOW) or
                 (isinstance(params, (int, float)) and params >= 80e6) else None)
        size = f", {params / 1e6:.0f}M parameters" if isinstance(params, (int, float)) else ""
        parts.append(f"{speed} ({name}{size})" if speed else f"{name}{size}")
    members = cfg.get("members") if cfg.get("backend") == "ensemble" else None
    if isinstance(members, list):
        names = [str(m.get("model", "?")) for m in members if isinstance(m, dict)]
        parts.append("ensemble of " + " + ".join(names) + " (their times together)")
    val = cfg.get("validation") if isinstance(cfg.get("validation"), dict) else {}
    held = cfg.get("heldout") or _published_heldout(folder, cfg)
    own = str(cfg.get("taxonomy", "2020"))  # the record on the labels the model speaks
    held = next((h for h in held if isinstance(h, dict) and h.get("gold", "2020") == own
                 and not h.get("view")), held[0]) if isinstance(held, list) and held else held
    try:
        if isinstance(held, dict):  # the held-out scores beat a validation split's points
            full = held["scores"]["full"]
            parts.append(f"full-task F1 {float(full['point']):.3f} "
                         f"[{float(full['low']):.3f}, {float(full['high']):.3f}] on "
                         f"{held['articles']} held-out articles"
                         + (f" ({held['gold']} labels)" if held.get("gold", "2020") != "2020"
                            else "")
                         + (" (its recipe)" if cfg.get("recipe") else ""))
        elif not val.get("trained_on"):
            f1 = float(val["metrics"]["full"]["f1"])
            n = val.get("articles")
            parts.append(f"full-task F1 {f1:.3f}" + (
                f" on {n} validation articles (thresholds tuned on them)"
                if isinstance(n, int) else ""))
    except (KeyError, TypeError, ValueError):
        pass
    if not parts:
        line = _card_line(folder)
        if line:
            parts.append(line)
    return " · ".join(parts)


@functools.cache
def _heldout_table() -> dict:
    """``heldout.json``: the held-out scores of the models published before a model's config
    kept its own (minilm-spans.v1 – v5), by fingerprint."""
    path = Path(__file__).with_name("heldout.json")
    return json.loads(path.read_text(encoding="utf-8"))["models"]


def _published_heldout(folder: Path, cfg: dict) -> dict | None:
    """A published model's held-out record from ``heldout.json``, found by its fingerprint
    (its weight files' hashes as its config lists them: checked again when it loads)."""
    files = cfg.get("files")
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        return None
    try:
        return _heldout_table().get(registry.fingerprint(folder, files))
    except OSError:
        return None


def available(default_model) -> list[dict]:
    """The models to offer: ``{"name", "version", "default", "hint"}`` for the server's own
    model (first, ``default`` true) and every installed one, by name."""
    own = registry.resolve(default_model)
    own_cfg = _config(own.folder)
    out = [{"name": own.name if own.package or own.name in registry.installed() else
            str(own_cfg.get("name") or Path(own.name).name),
            "version": str(own_cfg.get("version") or ""), "default": True,
            "hint": hint(own.folder)}]
    own_folder = own.folder.resolve()
    for name, entry in registry.installed().items():
        if entry.folder.resolve() == own_folder:
            continue
        out.append({"name": name, "version": str(_config(entry.folder).get("version") or ""),
                    "default": False, "hint": hint(entry.folder)})
    return out
