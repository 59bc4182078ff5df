"""Synthetic labelled articles for the training smoke tests."""

import json

import pytest

from unspin.training.data import is_validation

SENTENCES = [
    ("The {w} regime keeps lying to its own people.", "Loaded_Language", ["corrupt", "brutal"]),
    ("Only a {w} would believe the minister now.", "Name_Calling,Labeling", ["fool", "traitor"]),
    ("Is this really the best our leaders can do?", "Doubt", [None]),
    ("Experts say the plan is {w}.", "Appeal_to_Authority", ["sound", "safe"]),
]


def synthetic_articles(n_train=6, n_val=2):
    arts, train, val, i = [], 0, 0, 0
    while train < n_train or val < n_val:
        aid = f"s{i}"
        i += 1
        held = is_validation(aid)
        if (held and val >= n_val) or (not held and train >= n_train):
            continue
        val += held
        train += not held
        text, spans = f"Report number {i}\n\n", []
        for k, (tpl, tech, words) in enumerate(SENTENCES * 3):
            w = words[(i + k) % len(words)]
            sentence = tpl.format(w=w) if w else tpl
            start = len(text) + (sentence.index(w) if w else 0)
            end = start + (len(w) if w else len(sentence) - 1)
            spans.append({"start": start, "end": end, "technique": tech})
            text += sentence + " Officials met on Tuesday.\n"
        arts.append({"id": aid, "text": text, "spans": spans})
    return arts


@pytest.fixture
def synthetic_jsonl():
    """``synthetic_jsonl(**kw)``: the JSONL text of ``synthetic_articles(**kw)``."""
    def make(**kw):
        return "\n".join(json.dumps(a) for a in synthetic_articles(**kw)) + "\n"
    return make


def ptc_folder(root, arts_by_part):
    """A PTC-layout folder: ``<part>-articles/article<ID>.txt`` and TC labels per part."""
    for part, arts in arts_by_part.items():
        (root / f"{part}-articles").mkdir(parents=True)
        labels = root / f"{part}-labels-task2-technique-classification"
        labels.mkdir()
        for a in arts:
            (root / f"{part}-articles" / f"article{a['id']}.txt").write_text(a["text"])
            (labels / f"article{a['id']}.task2-TC.labels").write_text("".join(
                f"{a['id']}\t{s['technique']}\t{s['start']}\t{s['end']}\n" for s in a["spans"]))
    return root


def quality_json(path, fingerprint, point, diff=None, ship=True, **top):
    """A ``benchmarks/quality.py --json`` file scoring one model (by ``fingerprint``) with
    the same interval ``point`` for SI, TC and full-task F1, and ``diff`` against the baseline
    when given; ``top``: more top-level keys (``gold``, ``view``)."""
    import json

    def each(iv):
        return {"cross-fitted": {"all": {k: iv for k in ("si", "tc", "full")}}}

    entry = {"fingerprint": fingerprint, "scores": each(point)}
    if diff is not None:
        entry.update(minus_baseline=each(diff), ship=ship)
    path.write_text(json.dumps({"cpu": "test CPU", "articles": {"all": 124},
                                "baseline": "minilm-spans.v5", **top,
                                "models": {"m": entry}}))
    return path
