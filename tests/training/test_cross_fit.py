"""Cross-fitted decoding: thresholds are never tuned on the articles they decode, the folds are
fixed, and the encoder runs once per article (its outputs cached on disk)."""

import re

import numpy as np
import pytest

from unspin.detect.predictor import DecodeConfig, Predictor, TokenOutputs
from unspin.techniques import TECHNIQUE_IDS
from unspin.training import validate as vd
from unspin.training.data import GoldSpan, LabeledArticle

T = len(TECHNIQUE_IDS)
LOADED = TECHNIQUE_IDS.index("Loaded_Language")


def _article(i: int, rng) -> tuple[LabeledArticle, TokenOutputs]:
    """An article whose 'encoder' is sure about two gold words and unsure about the rest."""
    words = [f"w{i}x{k}" for k in range(12)]
    text = " ".join(words) + "."
    offs = np.array([(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", text)])
    gold_words = sorted(rng.choice(12, 2, replace=False))
    p_in = rng.uniform(0.0, 0.4, len(offs)).astype(np.float32)
    for k in gold_words:
        p_in[k] = rng.uniform(0.5, 0.95)
    spans = [GoldSpan(int(offs[k][0]), int(offs[k][1]), "Loaded_Language") for k in gold_words]
    outs = TokenOutputs(offs, np.ones((len(offs), 4), np.float32), p_in,
                        np.ones(len(offs), np.float32), np.zeros((len(offs), T), np.float32))
    return LabeledArticle(f"a{i:02d}", text, spans), outs


def _predictor() -> Predictor:
    d = 4
    bias = np.full(T, -5.0, np.float32)
    bias[LOADED] = 5.0
    head = {"w1": np.zeros((4, 4 * d + 7), np.float32), "b1": np.zeros(4, np.float32),
            "w2": np.zeros((T, 4), np.float32), "b2": bias,
            "mean": np.zeros(4 * d + 7, np.float32), "std": np.ones(4 * d + 7, np.float32)}
    return Predictor(None, None, head, DecodeConfig(si_threshold=0.5, use_token_head=False),
                     0, 0)


@pytest.fixture
def corpus():
    rng = np.random.default_rng(0)
    pairs = [_article(i, rng) for i in range(10)]
    return [a for a, _o in pairs], {a.id: o for a, o in pairs}


def test_folds_are_fixed_balanced_and_independent_of_order():
    ids = [f"art{i}" for i in range(124)]
    folds = vd.fold_of(ids)
    assert folds == vd.fold_of(list(reversed(ids)))
    sizes = np.bincount(list(folds.values()))
    assert sizes.tolist() == [25, 25, 25, 25, 24]
    assert vd.fold_of(ids, seed=1) != folds


def test_thresholds_are_never_tuned_on_the_articles_they_decode(corpus, monkeypatch):
    arts, outs = corpus
    tuned_on = []
    real = vd.validate

    def spy(pred, on, tune, outputs=None):
        tuned_on.append({a.id for a in on})
        return real(pred, on, tune, outputs)

    monkeypatch.setattr(vd, "validate", spy)
    pred = _predictor()
    shipped = pred.config
    decoded, configs = vd.cross_fitted(pred, arts, outs)
    assert pred.config is shipped  # the model's own config is left as it was
    assert set(decoded) == {a.id for a in arts} and len(configs) == vd.FOLDS
    folds = vd.fold_of([a.id for a in arts])
    for k, seen in enumerate(tuned_on):
        held = {i for i, f in folds.items() if f == k}
        assert held and not held & seen and held | seen == set(decoded)
    # each article is decoded as decode() does at its fold's thresholds
    for aid, got in decoded.items():
        pred.config = configs[folds[aid]]
        art = next(a for a in arts if a.id == aid)
        assert got == vd.decode(pred, art, outs[aid])
        assert all(t == "Loaded_Language" for _a, t, _s, _e in got.full + got.tc)


def test_encoder_outputs_are_computed_once_and_read_back(corpus, tmp_path):
    arts, outs = corpus
    calls = []

    class Encoder:
        def token_outputs(self, text):
            calls.append(text)
            return next(outs[a.id] for a in arts if a.text == text)

    first = vd.cached_outputs(Encoder(), arts, tmp_path / "model")
    assert len(calls) == len(arts)
    again = vd.cached_outputs(Encoder(), arts, tmp_path / "model")
    assert len(calls) == len(arts)  # nothing recomputed
    for a in arts:
        assert np.array_equal(again[a.id].p_in, first[a.id].p_in)
    changed = [LabeledArticle(arts[0].id, arts[0].text + " ", arts[0].spans)]
    with pytest.raises(StopIteration):  # a changed text is not taken from the cache
        vd.cached_outputs(Encoder(), changed, tmp_path / "model")
