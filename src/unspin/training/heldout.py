"""Held-out scores on model cards: the records ``benchmarks/quality.py --json`` writes, read
for one model (by fingerprint), and the card section that shows them with their intervals.

No torch here, and nothing from the export or packaging modules (both use this one).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..detect.registry import read_config
from ..errors import InputError

__all__ = ["read_heldout_scores", "read_heldout_files", "heldout_lines", "add_heldout"]


def read_heldout_scores(path: Path, recipe: dict) -> dict:
    """The recipe model's cross-fitted scores on all held-out articles, and its paired
    differences against the baseline where the file has them, from a
    ``benchmarks/quality.py --json`` file; ``gold`` and ``view`` say which labels scored it
    (the 2023 labels, or a 2023 model's 14-class view on the 2020 labels)."""
    try:
        bench = json.loads(path.read_text(encoding="utf-8"))
        entry = next((m for m in bench["models"].values()
                      if m.get("fingerprint") == recipe["fingerprint"]), None)
    except (OSError, ValueError, KeyError, AttributeError) as exc:
        raise InputError(f"{path}: not a benchmarks/quality.py --json file ({exc})") from None
    if entry is None:
        raise InputError(f"{path}: scores no model with {recipe['name']}'s fingerprint")
    if "minus_baseline" not in entry and bench.get("gold", "2020") == "2020":
        raise InputError(f"{path}: scores {recipe['name']} against no baseline")
    scores = {"articles": bench["articles"]["all"], "model": recipe["name"],
              "baseline": bench["baseline"], "cpu": bench.get("cpu", "?"),
              "gold": bench.get("gold", "2020"), "view": bench.get("view"),
              "scores": {k: entry["scores"]["cross-fitted"]["all"][k]
                         for k in ("si", "tc", "full")}}
    if "minus_baseline" in entry:
        scores.update(minus_baseline={k: entry["minus_baseline"]["cross-fitted"]["all"][k]
                                      for k in ("si", "tc", "full")},
                      ship=bool(entry.get("ship")),
                      rule="paired full-task interval above 0 and SI interval not below 0")
    return scores


def read_heldout_files(files, recipe: dict) -> dict | list[dict]:
    """``read_heldout_scores`` of one file (a path) or several: one record, or a list of them
    (what a config's ``heldout`` holds)."""
    paths = [files] if isinstance(files, (str, Path)) else list(files)
    records = [read_heldout_scores(Path(f), recipe) for f in paths]
    return records[0] if len(records) == 1 else records


def heldout_lines(h: dict | list | None, about: list[str] | None = None,
                  column: str = "this model") -> list[str]:
    """Scores on the 124 held-out articles with intervals and the ship rule's verdict, from
    ``benchmarks/quality.py --json`` (``extra["heldout"]``: one such record, or a list of
    them, e.g. a 2023 model on the 2023 labels and in its 14-class view); ``about`` replaces
    the lines that say what was scored, ``column`` names the scored model in the table."""
    if not h:
        return []
    if isinstance(h, list):
        return [line for one in h for line in heldout_lines(one, about, column)]

    def iv(d, sign=""):
        return f"{d['point']:{sign}.3f} [{d['low']:{sign}.3f}, {d['high']:{sign}.3f}]"

    names = {"si": "SI F1", "tc": "TC accuracy", "full": "full-task F1"}
    about = about or [
        "The 49 validation and 75 SemEval-2020 development articles, no model trained on",
        "them; decoding thresholds (and the display threshold) cross-fitted over 5 folds;"]
    gold = h.get("gold", "2020")
    labels = (" on their SemEval-2023 labels" if gold == "2023" else
              " in the 14-class view" if h.get("view") else "")
    view = (["Scored on the SemEval-2020 labels through the documented 23 -> 14 mapping."]
            if h.get("view") else [])
    paired = "minus_baseline" in h
    lines = [f"## Held-out articles{labels} ({h['articles']}, 95% bootstrap intervals)", "",
             *view, *about,
             (f"differences paired against `{h['baseline']}` (`benchmarks/quality.py`). "
              if paired else "`benchmarks/quality.py`. ") + f"CPU: {h['cpu']}.", ""]
    if not paired:
        lines += [f"| measure | {column} |", "|---|---|"]
        return lines + [f"| {label} | {iv(h['scores'][k])} |" for k, label in names.items()] + [""]
    lines += [f"| measure | {column} | minus {h['baseline']} |", "|---|---|---|"]
    lines += [f"| {label} | {iv(h['scores'][k])} | {iv(h['minus_baseline'][k], '+')} |"
              for k, label in names.items()]
    if h.get("view"):  # another taxonomy's model is no candidate for the default
        return lines + [""]
    return lines + ["", f"Ship rule ({h['rule']}): {'met' if h['ship'] else 'not met'}.", ""]


def add_heldout(folder: Path, scored: str, files: list) -> None:
    """Put held-out scores on the model in ``folder`` (config.json's ``heldout`` and a card
    section): ``files`` are ``benchmarks/quality.py --json`` files that scored the same model
    before, as fingerprint ``scored`` (weights and decoding are unchanged; the config and card
    change, so the packaged model has a fingerprint of its own)."""
    cfg = read_config(folder)
    held = read_heldout_files(files, {"name": cfg.get("name", "?"), "fingerprint": scored})
    for r in held if isinstance(held, list) else [held]:
        r["scored_fingerprint"] = scored
    cfg["heldout"] = held
    (folder / "config.json").write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
    card = folder / "MODEL_CARD.md"
    text = card.read_text(encoding="utf-8") if card.is_file() else f"# {cfg.get('name')}\n"
    section = "\n".join(heldout_lines(cfg["heldout"], [
        "This model's weights and decoding, scored before this section was added to its card",
        f"(fingerprint `{scored[:16]}…`), on the 49 validation and 75 SemEval-2020 development",
        "articles, none of which it trained on (its epoch and shipped thresholds were chosen on",
        "the 49); decoding thresholds cross-fitted over 5 folds;"]))
    at = text.find("## Known limits")
    text = (text[:at] + section + "\n" + text[at:]) if at >= 0 else (text + "\n" + section)
    card.write_text(text, encoding="utf-8")
