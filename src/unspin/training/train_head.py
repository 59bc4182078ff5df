"""Train a new span classifier on top of an exported model's frozen encoder (needs torch).

The encoder of a shipped model folder (int8 ONNX, run by onnxruntime exactly as at run time)
gives every article's token outputs once; a span classifier with a "no technique" output is then
trained on span examples built from them:
- the gold spans, with their techniques;
- the segments the source model proposes on the training articles (low thresholds, so near
  misses are included): those that touch no gold span are "no technique" (its own false alarms,
  hard negatives), those that mostly cover a gold span (IoU >= 0.5) take that span's technique;
- random word runs of 1-4 words that touch no gold span, as "no technique".
Features are the runtime's (``spans.span_features``), optionally with the token heads'
probabilities (``spans.SIGNALS``), so the head sees at training time what it sees when served.
With a teacher's span labels (``unspin teacher label --spans``, given as ``--distill-from``) the
classifier also learns the teacher's technique probabilities: on the gold spans of the training
articles (beside their gold technique) and on the spans the teacher finds in unlabelled articles
(``--unlabelled``; technique probabilities only, never "no technique" or not).
With reviewers' corrections (``unspin review``, given as ``corrections``) the corrected articles
join the training articles, the latest review of each counting (``review.latest``):
- a *complete* review, one that decided every span the base model finds in the article (it
  reviewed the base model, same fingerprint, and every span ``detect`` gives there has a
  correction at its offsets, a moved span at its old ones), labels the article like gold: its
  kept spans (a moved one at its new boundaries) are the article's spans and the rest of it may
  give "no technique" examples as above (its rejected spans among them, since the base model
  proposes them);
- any other review is *partial*: the reviewer left spans alone, so nothing said of the rest of
  the article; only its kept spans (with their techniques) and its rejected spans ("no
  technique", where no kept span touches them) become examples, and untouched model spans are
  neither positive nor negative.
A corrected training article replaces its gold; a corrected validation article is left out of
training (validation stays held out) and counted in the record.
The best epoch by validation loss is kept; the model is exported with the source encoder and
tokenizer, its decoding tuned on validation like any other.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import shutil
import time
from pathlib import Path

import numpy as np

from ..detect import spans as sp
from ..detect.onnx_spans import MODEL_FILES
from ..detect.predictor import SPAN_HEAD_PREFIX, Predictor, TokenOutputs
from ..errors import ConfigError, InputError, require
from ..techniques import TECHNIQUE_IDS, normalize
from .data import LabeledArticle, read_all_labelled, split_articles
from .export import record_retrained, tune_and_record, write_config
from .soft import distillation_record, read_soft_spans, read_unlabelled
from .tagger import start_run

log = logging.getLogger(__name__)

__all__ = ["span_examples", "partial_examples", "read_corrections", "review_is_complete",
           "check_corrections", "train_head"]

def _iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / max(1, max(a[1], b[1]) - min(a[0], b[0]))


#: SemEval-2023 technique names the 2020 taxonomy merged or spells otherwise (None: no
#: counterpart); the rest are mapped by ``techniques.normalize``.
TECHNIQUES_2023 = {
    "Appeal_to_Hypocrisy": "Whataboutism,Straw_Men,Red_Herring",
    "Straw_Man": "Whataboutism,Straw_Men,Red_Herring",
    "Appeal_to_Popularity": "Bandwagon,Reductio_ad_hitlerum",
    "Guilt_by_Association": "Bandwagon,Reductio_ad_hitlerum",
    "Conversation_Killer": "Thought-terminating_Cliches",
    "False_Dilemma-No_Choice": "Black-and-White_Fallacy",
    "Obfuscation-Vagueness-Confusion": None,
}


def read_extra_spans(folder: str | Path, arts: list[LabeledArticle], window: int = 300
                     ) -> dict[str, list[tuple[int, int, int]]]:
    """A second annotation of the same articles (SemEval-2023 layout: ``train-articles/``,
    ``train-labels/``) as (start, end, technique index) spans on *our* texts: its texts differ
    slightly, so each span's phrase is looked up within ``window`` characters of its offset
    (spans not found, or of a technique without a 2020 counterpart, are skipped)."""
    from ..ingest.text import read_file as read_text_file
    from ..report.semeval import read_span_lines

    folder = Path(folder)
    out: dict[str, list[tuple[int, int, int]]] = {}
    for a in arts:
        labels = folder / "train-labels" / f"article{a.id}.labels"
        text = folder / "train-articles" / f"article{a.id}.txt"
        if not labels.is_file() or not text.is_file():
            continue
        other = read_text_file(text)
        found = []
        for _lineno, _aid, tech, start, end in read_span_lines(labels, skip_bad=True):
            tid = TECHNIQUES_2023[tech] if tech in TECHNIQUES_2023 else normalize(tech)
            phrase = other[start:end]
            if tid is None or not phrase.strip():
                continue
            i = a.text.find(phrase, max(0, start - window))
            if i != -1 and abs(i - start) <= window:
                found.append((i, i + len(phrase), TECHNIQUE_IDS.index(tid)))
        out[a.id] = found
    return out


def _indexed(art: LabeledArticle, techniques: tuple[str, ...]) -> list[tuple[int, int, int]]:
    """The article's gold spans as (start, end, index in ``techniques``); a span of a
    technique the model has no output for (one its training articles never carry) gets
    ``-1``: it is no example, but no "no technique" example may touch it either."""
    return [(s.start, s.end, techniques.index(s.technique) if s.technique in techniques else -1)
            for s in art.spans]


def span_examples(art: LabeledArticle, o: TokenOutputs, pred: Predictor,
                  rng: np.random.RandomState, random_per_gold: float,
                  extra: list[tuple[int, int, int]] = (),
                  techniques: tuple[str, ...] = TECHNIQUE_IDS) -> list[tuple[int, int, int]]:
    """(start, end, class) examples for one article; class ``len(techniques)`` (the model's
    techniques, in head order) is "no technique".

    ``extra``: spans of a second annotation; those touching no gold span become examples
    too, and no "no technique" example may touch one."""
    T = len(techniques)
    gold = _indexed(art, techniques)
    out = [g for g in gold if g[2] >= 0]
    out += [x for x in extra if not any(s < x[1] and x[0] < e for s, e, _k in gold)]
    gold_or_extra = gold + list(extra)
    candidates: set[tuple[int, int]] = set()
    if len(o.offsets):
        for seg in sp.decode_segments(art.text, o.offsets, o.p_in, o.p_begin, 0.1, 0.3):
            candidates.add((seg.start, seg.end))
        for p in pred.detect(art.text, o):
            candidates.add((p.start, p.end))
    words = [m.span() for m in sp._WORD_SPAN_RE.finditer(art.text)]
    want = round(random_per_gold * max(1, len(gold)))
    for _ in range(3 * want):
        if want <= 0 or len(words) < 2:
            break
        i = rng.randint(0, len(words))
        j = min(len(words), i + rng.randint(1, 5))
        start, end = words[i][0], words[j - 1][1]
        if "\n" in art.text[start:end] or any(s < end and start < e
                                               for s, e, _k in gold_or_extra):
            continue
        candidates.add((start, end))
        want -= 1
    for start, end in sorted(candidates):
        if sp.is_trivial(art.text[start:end]):
            continue
        touching = [(s, e, k) for s, e, k in gold if s < end and start < e]
        if not touching:
            if not any(s < end and start < e for s, e, _k in extra):
                out.append((start, end, T))
            continue
        best = max(touching, key=lambda g: _iou((start, end), g[:2]))
        if _iou((start, end), best[:2]) >= 0.5 and (start, end) != best[:2] and best[2] >= 0:
            out.append((start, end, best[2]))
    return out


def partial_examples(art: LabeledArticle, rejected: list[tuple[int, int]],
                     techniques: tuple[str, ...] = TECHNIQUE_IDS) -> list[tuple[int, int, int]]:
    """(start, end, class) examples of a partial review: its kept spans, and its rejected
    spans as "no technique" (class ``len(techniques)``) where no kept span touches them.
    Nothing else in the article is known, so nothing else is an example."""
    kept = _indexed(art, techniques)
    return [k for k in kept if k[2] >= 0] + [
        (s, e, len(techniques)) for s, e in sorted(set(rejected))
                   if not any(ks < e and s < ke for ks, ke, _k in kept)
                   and not sp.is_trivial(art.text[s:e])]


def check_corrections(path: str | Path, run_taxonomy: str, reviews=None) -> None:
    """Refuse, in one line naming both taxonomies, corrections this run cannot train on:
    ``--corrections`` builds a head over a base model (``--init-from``), which speaks one
    taxonomy, so only corrections in that taxonomy. ``reviews``: the file's, when read
    already."""
    from ..review.format import one_taxonomy, read_reviews

    path = Path(path)
    reviews = list(read_reviews(path)) if reviews is None else reviews
    speaks = one_taxonomy(reviews, str(path), "give the reviews of one ('unspin review dump "
                          "--taxonomy 2020')")
    if speaks == run_taxonomy:
        return
    raise ConfigError(f"{path}: the corrections are in the {speaks} taxonomy and this run "
                      f"trains a {run_taxonomy} model; give --init-from a model of the "
                      f"{speaks} taxonomy (a span classifier speaks its base model's)")


def read_corrections(path: str | Path, run_taxonomy: str = "2020") -> tuple[list, dict]:
    """The latest review of each article in a corrections file (``unspin.corrections/1``)
    and what the model's record says of the file: its name and sha256, how many reviews,
    reviewed articles, kept and rejected spans and reviewers, and the models reviewed. Only
    corrections in ``run_taxonomy`` train here (``check_corrections``)."""
    import hashlib

    from ..review.format import latest, read_reviews

    path = Path(path)
    reviews = list(read_reviews(path))
    if not reviews:
        raise InputError(f"{path}: no reviews in this corrections file")
    check_corrections(path, run_taxonomy, reviews)
    counted = latest(reviews)
    record = {
        "file": path.name,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "reviews": len(reviews),
        "articles": len(counted),
        "spans": sum(len(r.kept) for r in counted),
        "rejected_spans": sum(r.counts()["reject"] for r in counted),
        "moved_spans": sum(r.counts()["move"] for r in counted),
        "reviewers": len({r.reviewer for r in counted}),
        "reviewed_models": sorted({f"{r.model.name} ({r.model.fingerprint[:12]})"
                                   for r in counted if r.model}),
        "rule": "latest review of each article; complete reviews label the whole article, "
                "partial ones only their kept and rejected spans",
    }
    return counted, record


def review_is_complete(review, fingerprint: str, found: list[tuple[int, int]]) -> bool:
    """Whether ``review`` decided every span the base model (``fingerprint``) finds in the
    article (``found``: their offsets): then its kept spans are all the article's spans."""
    if review.model is None or review.model.fingerprint != fingerprint:
        return False
    decided = {c.was for c in review.corrections if c.action != "add"}  # a move: its old place
    return all(se in decided for se in found)


def _corrected(reviews, train_arts, val_arts) -> tuple[list, dict, dict]:
    """(corrected articles, rejected offsets by id, counts): a corrected training article's
    gold replaced, a corrected validation article left out."""
    from .data import GoldSpan

    val_ids = {a.id for a in val_arts}
    train_ids = {a.id for a in train_arts}
    arts, rejected, counts = [], {}, {"left_out_validation": 0, "replaced_training": 0}
    for r in reviews:
        if r.id in val_ids:
            counts["left_out_validation"] += 1
            log.warning("article %s is a validation article: its review is left out of "
                        "training", r.id)
            continue
        counts["replaced_training"] += r.id in train_ids
        spans = sorted({(c.start, c.end, c.technique) for c in r.kept})
        arts.append(LabeledArticle(r.id, r.text, [GoldSpan(*s) for s in spans]))
        rejected[r.id] = [(c.start, c.end) for c in r.corrections if c.action == "reject"]
    return arts, rejected, counts


_CARD_ANCHOR = "\n## Training\n"


def _card_corrections(folder: Path, record: dict) -> None:
    """Add what the corrections were to the model card, before its Training section."""
    card = folder / "MODEL_CARD.md"
    text = card.read_text(encoding="utf-8")
    base = record["base_model"]
    lines = [
        "",
        "## Corrections",
        f"- Reviewers' corrections `{record['file']}` (sha256 `{record['sha256'][:16]}…`): "
        f"{record['reviews']} reviews by {record['reviewers']} reviewer(s) of "
        f"{record['articles']} articles, {record['spans']} spans kept "
        f"({record.get('moved_spans', 0)} of them with moved boundaries) and "
        f"{record['rejected_spans']} rejected.",
        f"- {record['trained_articles']} corrected articles joined the training articles "
        f"({record['complete_articles']} complete reviews labelling the whole article, "
        f"{record['partial_articles']} partial ones giving only their reviewed spans; "
        f"{record['replaced_training']} replaced a training article's gold, "
        f"{record['left_out_validation']} of validation articles left out).",
        f"- Base model: `{base['name']}` (fingerprint `{base['fingerprint'][:16]}…`), its "
        "encoder frozen; reviewed models: " + (", ".join(record["reviewed_models"]) or "none")
        + ".",
    ]
    if _CARD_ANCHOR in text:
        text = text.replace(_CARD_ANCHOR, "\n".join(lines) + "\n" + _CARD_ANCHOR, 1)
    else:
        text = text.rstrip("\n") + "\n" + "\n".join(lines) + "\n"
    card.write_text(text, encoding="utf-8")


def _teacher_spans(folder: str | Path, arts: list[LabeledArticle]
                   ) -> dict[str, dict[tuple[int, int], np.ndarray]]:
    """The teacher's technique probabilities of each training article's gold spans."""
    if not Path(folder).is_dir():
        raise InputError(f"{folder}: no such folder of soft labels")
    out = {}
    for a in arts:
        got = read_soft_spans(folder, a.id)
        if got is None:
            continue
        gold = {(x.start, x.end) for x in a.spans}
        out[a.id] = {(int(s), int(e)): p for (s, e), p, score in zip(*got)
                     if (int(s), int(e)) in gold and score >= 1.0}
    if not out:
        raise InputError(f"{folder}: no span labels for the training articles (write them "
                         "with 'unspin teacher label --spans')")
    return out


def _unlabelled_spans(cfg) -> list:
    """The unlabelled articles the teacher found spans in, each with its span labels."""
    arts = []
    for a in read_unlabelled(cfg.unlabelled, cfg.unlabelled_limit):
        got = read_soft_spans(cfg.distill_from, a.id)
        if got is not None and len(got[0]):
            arts.append((a, got))
    if not arts:
        raise ConfigError(f"{cfg.unlabelled}: the teacher's span labels in {cfg.distill_from} "
                          "cover none of these articles")
    return arts


def _unlabelled_examples(cfg, arts: list, pred: Predictor, source, ckpt: Path
                         ) -> tuple[np.ndarray, np.ndarray, int]:
    """Features and teacher probabilities of the spans the teacher found in unlabelled
    articles (``_unlabelled_spans``), and how many articles gave some."""
    key = f"{source.info.fingerprint}:unlabelled:{len(arts)}:{_digest([a for a, _g in arts])}"
    outs, _s = _token_outputs(pred, [a for a, _g in arts], ckpt / "unlabelled_outputs.pkl", key)
    xs, qs = [], []
    for a, (where, probs, _score) in arts:
        if not len(outs[a.id].offsets):
            continue
        ex = [(int(s), int(e), -1) for s, e in where]
        xs.append(_features(a, outs[a.id], ex, cfg.span_signals))
        qs.append(probs / np.maximum(probs.sum(1, keepdims=True), 1e-9))
    return np.concatenate(xs), np.concatenate(qs).astype(np.float32), len(xs)


def _digest(arts) -> str:
    """What a cache of token outputs was computed from: the articles' ids and texts."""
    h = hashlib.sha256()
    for a in arts:
        h.update(f"{a.id}\t{len(a.text)}\t".encode())
        h.update(a.text.encode())
    return h.hexdigest()[:16]


def _features(art, o, examples, signals: bool) -> np.ndarray:
    probs = (o.p_in, o.p_begin, o.p_tech) if signals else None
    return sp.span_features(art.text, o.hidden, o.offsets, [(s, e) for s, e, _k in examples],
                            token_probs=probs)


def _token_outputs(pred: Predictor, arts, cache: Path, key: str
                   ) -> tuple[dict[str, TokenOutputs], float]:
    """Token outputs by article id (cached in ``cache``) and the seconds computing them took."""
    if cache.is_file():
        with open(cache, "rb") as fh:
            stored = pickle.load(fh)
        if stored.get("key") == key:
            return stored["outputs"], stored.get("seconds", 0.0)
    t0 = time.time()
    outs = {a.id: pred.token_outputs(a.text) for a in arts}
    seconds = round(time.time() - t0, 1)
    log.info("token outputs of %d articles in %.0f s", len(arts), seconds)
    with open(cache.with_suffix(".tmp"), "wb") as fh:
        pickle.dump({"key": key, "outputs": outs, "seconds": seconds}, fh,
                    protocol=pickle.HIGHEST_PROTOCOL)
    cache.with_suffix(".tmp").replace(cache)
    return outs, seconds


def _training_cost(seconds: float, epochs: int, heads: int = 1, kept: list[int] = ()) -> str:
    """What training ``heads`` span classifiers took: ``epochs`` each, or on a recipe's
    retrain (``kept``: each classifier's epoch) the epochs up to the kept ones, which end it."""
    if kept:
        ran = "/".join(map(str, kept))
        done = f"{ran} epoch{'' if list(kept) == [1] else 's'} (of the {epochs} scheduled)"
    else:
        done = f"{epochs} epochs"
    return f"{seconds:.0f} s for {done}" + (f", {heads} classifiers" if heads > 1 else "")


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or "CPU"


def train_head(data: str | Path, out: str | Path, cfg, on_epoch=None,
               corrections: str | Path | None = None, recipe: dict | None = None) -> dict:
    """Train a span classifier with a "no technique" output over the frozen encoder of
    ``cfg.init_from`` and export the model into ``out``; ``corrections``: a corrections file
    whose reviewed articles join the training articles (see the module docstring). Returns the
    validation metrics.

    With ``cfg.all_labelled`` (and ``recipe``, ``train.read_recipe`` of the same recipe's
    held-out run) the classifiers train on every labelled article, nothing validated: each is
    kept at the epoch its counterpart in the recipe chose, and the recipe's decoding is taken
    unchanged (``export.record_retrained``)."""
    from ..detect.onnx_spans import OnnxSpanDetector
    from ..detect.registry import model_paths, resolve
    from ..errors import UnspinError

    torch = require("torch", "train")
    src = resolve(cfg.init_from).folder
    source = OnnxSpanDetector(src, threads=cfg.threads or 0)
    pred = source.predictor  # decodes as the source model was validated (mining)
    if cfg.keep_source_head and pred.has_none_output():
        made = (source.config.get("encoder_from") or {}).get("model")
        try:  # named only where it can be had
            hint = f", or build over {made}, the model it was made from" if made and resolve(
                made) else ""
        except UnspinError:
            hint = ""
        raise ConfigError(f"--keep-source-head averages in a base model's plain span classifier; "
                          f"{cfg.init_from}'s has a 'no technique' output: leave out "
                          f"--keep-source-head{hint}")
    techs = pred.techniques  # the source model's, in head order (its taxonomy's it learnt)
    T = len(techs)
    no_soft = np.zeros(T, dtype=np.float32)

    if cfg.all_labelled:
        train_arts, val_arts = read_all_labelled(data, cfg.taxonomy), []
        if len(recipe["head_epochs"]) != cfg.span_heads:
            raise ConfigError(f"{recipe['name']} has {len(recipe['head_epochs'])} span "
                              f"classifiers, this run {cfg.span_heads}")
    else:
        train_arts, val_arts = split_articles(data, cfg.val_percent, cfg.limit_articles,
                                              cfg.taxonomy)
    # the teacher's span labels are read before anything is written
    teach = _teacher_spans(cfg.distill_from, train_arts) if cfg.distill_from else {}
    unlabelled = _unlabelled_spans(cfg) if cfg.unlabelled else []
    reviews, fixed = (read_corrections(corrections, cfg.taxonomy) if corrections
                      else ([], None))
    fixed_arts, rejected, fixed_counts = _corrected(reviews, train_arts, val_arts)
    if reviews:
        by_review = {r.id: r for r in reviews}
        replaced = {a.id for a in fixed_arts}
        train_arts = [a for a in train_arts if a.id not in replaced]
    out, ckpt = start_run(torch, out, cfg)
    key = (f"{source.info.fingerprint}:{len(train_arts)}:{len(val_arts)}:"
           f"{_digest(train_arts + val_arts)}")
    outs, encode_seconds = _token_outputs(pred, train_arts + val_arts,
                                          ckpt / "token_outputs.pkl", key)

    rng = np.random.RandomState(cfg.seed)

    extra = read_extra_spans(cfg.extra_labels, train_arts) if cfg.extra_labels else {}
    if extra:
        log.info("%d spans of a second annotation on %d training articles",
                 sum(map(len, extra.values())), len(extra))

    complete: set[str] = set()
    if fixed_arts:
        key = f"{source.info.fingerprint}:corrections:" + hashlib.sha256(
            "".join(f"{a.id}\t{a.text}" for a in fixed_arts).encode()).hexdigest()
        fixed_outs, _s = _token_outputs(pred, fixed_arts, ckpt / "corrections_outputs.pkl",
                                        key)
        outs = {**outs, **fixed_outs}
        for a in fixed_arts:
            found = [(p.start, p.end) for p in pred.detect(a.text, outs[a.id])]
            if review_is_complete(by_review[a.id], source.info.fingerprint, found):
                complete.add(a.id)
        log.info("%d corrected articles: %d complete reviews, %d partial", len(fixed_arts),
                 len(complete), len(fixed_arts) - len(complete))

    def build(group):
        xs, ys, qs = [], [], []
        for a in group:
            if a.id in rejected and a.id not in complete:
                ex = partial_examples(a, rejected[a.id], techs)
            else:
                ex = span_examples(a, outs[a.id], pred, rng, cfg.random_negatives,
                                   extra.get(a.id, ()), techs)
            if ex:
                xs.append(_features(a, outs[a.id], ex, cfg.span_signals))
                ys.append(np.array([k for _s, _e, k in ex], dtype=np.int64))
                known = teach.get(a.id, {})
                qs.append(np.stack([known.get((s, e), no_soft) if k < T else no_soft
                                    for s, e, k in ex]))
        return np.concatenate(xs), np.concatenate(ys), np.concatenate(qs)

    t0 = time.time()
    x_tr, y_tr, q_tr = build(train_arts + fixed_arts)  # PTC examples drawn first, as without
    x_va, y_va, _q = (build(val_arts) if val_arts else
                      (x_tr[:0], y_tr[:0], q_tr[:0]))  # all labelled: nothing validated
    n_unlabelled = 0
    if cfg.unlabelled:
        x_un, q_un, n_unlabelled = _unlabelled_examples(cfg, unlabelled, pred, source, ckpt)
        x_tr = np.concatenate([x_tr, x_un])
        y_tr = np.concatenate([y_tr, np.full(len(x_un), -1, dtype=np.int64)])
        q_tr = np.concatenate([q_tr, q_un])
    taught = q_tr.sum(1) > 0  # examples with the teacher's probabilities
    if teach:
        log.info("teacher's technique probabilities on %d span examples", int(taught.sum()))
    log.info("span examples: %d training (%d 'no technique'), %d validation, in %.0f s",
             len(y_tr), int((y_tr == T).sum()), len(y_va), time.time() - t0)
    mean = x_tr.mean(0).astype(np.float32)
    std = np.maximum(x_tr.std(0), 1e-3).astype(np.float32)

    nn = torch.nn
    loss_fn = nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing, reduction="none")
    xt = torch.from_numpy((x_tr - mean) / std)
    yt = torch.from_numpy(y_tr)
    qt = torch.from_numpy(q_tr)

    def batch_loss(logits, y, q):
        """Gold-class cross-entropy where there is a gold class (y >= 0), plus the teacher's
        technique probabilities against the technique part of the output (given a technique),
        weighted by ``distill_weight``, where the teacher gave them; mean over the batch."""
        hard = y >= 0
        total = loss_fn(logits[hard], y[hard]).sum() if bool(hard.any()) else logits.sum() * 0
        soft = q.sum(1) > 0
        if bool(soft.any()):
            logp = torch.log_softmax(logits[soft][:, :T], dim=1)
            total = total - cfg.distill_weight * (q[soft] * logp).sum()
        return total / len(y)

    xv = torch.from_numpy((x_va - mean) / std)
    yv = torch.from_numpy(y_va)
    steps = int(np.ceil(len(yt) / cfg.batch_size))
    examples_seconds = round(time.time() - t0, 1)

    def fit(seed: int, label: str, keep: int = 0):
        """One span classifier from ``seed`` (its initial weights, dropout and order): the
        model at its best epoch by validation loss (at epoch ``keep`` when given: nothing
        validated), and the per-epoch history."""
        torch.manual_seed(seed)
        model = nn.Sequential(nn.Dropout(cfg.head_dropout),
                              nn.Linear(x_tr.shape[1], cfg.head_hidden),
                              nn.GELU(approximate="tanh"), nn.Dropout(cfg.head_dropout),
                              nn.Linear(cfg.head_hidden, T + 1))
        opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr_heads,
                                weight_decay=cfg.weight_decay)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr_heads,
                                                    total_steps=steps * cfg.epochs,
                                                    pct_start=cfg.warmup)
        best, best_state, history = float("inf"), None, []
        for epoch in range(cfg.epochs):
            started = time.time()
            model.train()
            order = torch.from_numpy(np.random.RandomState(seed + epoch).permutation(len(yt)))
            total = 0.0
            for b in range(steps):
                idx = order[b * cfg.batch_size:(b + 1) * cfg.batch_size]
                loss = batch_loss(model(xt[idx]), yt[idx], qt[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
                total += float(loss.detach()) * len(idx)
            model.eval()
            entry = {"epoch": epoch + 1, "train_loss": round(total / len(yt), 4),
                     **({"head": label} if label else {})}
            if keep:
                val_loss = 0.0 if epoch + 1 == keep else float("inf")
                entry["seconds"] = round(time.time() - started, 1)
            else:
                with torch.no_grad():
                    logits = model(xv)
                    val_loss = float(nn.functional.cross_entropy(logits, yv))
                    acc = float((logits.argmax(1) == yv).float().mean())
                entry.update(val_loss=round(val_loss, 4), val_accuracy=round(acc, 4))
            history.append(entry)
            if on_epoch is not None:
                on_epoch(history[-1])
            if val_loss < best:
                best = val_loss
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            if keep and epoch + 1 == keep:  # the schedule is the recipe's; later epochs unused
                break
        model.load_state_dict(best_state)
        return model, history

    t_train = time.time()
    keep = recipe["head_epochs"] if cfg.all_labelled else [0] * cfg.span_heads
    fitted = [fit(cfg.seed + i, f"{i + 1}/{cfg.span_heads}" if cfg.span_heads > 1 else "",
                  keep[i]) for i in range(cfg.span_heads)]
    model = fitted[0][0]
    history = [h for _m, hist in fitted for h in hist]
    n_tokens = sum(len(o.offsets) for o in outs.values())
    threads = torch.get_num_threads()
    cost = {"machine": f"{cpu_name()}, {threads} thread{'s' if threads != 1 else ''}",
            "encoder pass over all articles (once)": (
                f"{encode_seconds:.0f} s "
                f"({n_tokens / max(encode_seconds, 1e-9):.0f} tokens/s)"
                if encode_seconds else "cached"),
            "span examples": f"{examples_seconds:.0f} s",
            "span classifier training": _training_cost(time.time() - t_train, cfg.epochs,
                                                       cfg.span_heads,
                                                       keep if cfg.all_labelled else ())}

    def arr(t):
        return t.detach().float().cpu().numpy()

    def params(m):
        return {"w1": arr(m[1].weight), "b1": arr(m[1].bias),
                "w2": arr(m[4].weight), "b2": arr(m[4].bias), "mean": mean, "std": std}

    # the first classifier under the plain names, the others as span_head<i>_* (averaged at run
    # time, ``Predictor.span_heads``)
    head = params(model)
    for i, (m, _h) in enumerate(fitted[1:], start=1):
        head.update({f"{SPAN_HEAD_PREFIX}{i}_{k}": v for k, v in params(m).items()})
    if cfg.keep_source_head:
        head.update({f"source_{k}": v for k, v in source.predictor.head.items()
                     if not k.startswith(("source_", SPAN_HEAD_PREFIX))})
    try:  # a failed export leaves no loadable half-made model (the checkpoints stay)
        source_files = model_paths(src)  # a file several versions share lies beside the folder
        for name in ("encoder.onnx", "tokenizer.json"):
            shutil.copyfile(source_files[name], out / name)
        np.savez(out / "head.npz", **head)
        from dataclasses import asdict

        from ..detect.predictor import DecodeConfig

        decode = DecodeConfig(window=source.predictor.config.window,
                              stride=source.predictor.config.stride, span_signals=cfg.span_signals)
        extra = {"train": asdict(cfg), "base_encoder": source.config.get("base_encoder", {}),
                 "encoder_from": {"model": source.info.name, "sha256": source.info.fingerprint}}
        if source.config.get("distillation"):
            extra["distillation"] = source.config["distillation"]
        if teach:
            extra["span_distillation"] = {
                **distillation_record(cfg.distill_from, cfg.distill_weight, n_unlabelled),
                "gold_spans": int((taught & (y_tr >= 0)).sum()),
                "unlabelled_spans": int((y_tr < 0).sum())}
        if fixed is not None:
            extra["corrections"] = {
                **fixed, **fixed_counts, "trained_articles": len(fixed_arts),
                "complete_articles": len(complete),
                "partial_articles": len(fixed_arts) - len(complete),
                "base_model": {"name": source.info.name, "fingerprint": source.info.fingerprint}}
        write_config(out, cfg, decode, extra, techs)
        extra["validation"] = {"split": f"sha256(id) % 100 < {cfg.val_percent}",
                               "history": history, "train_articles": len(train_arts),
                               "cost": cost,
                               "span_examples": {"train": len(y_tr),
                                                 "train_no_technique": int((y_tr == T).sum()),
                                                 "teacher_labelled": int(taught.sum()),
                                                 "unlabelled_articles": n_unlabelled,
                                                 "validation": len(y_va)}}
        if recipe is not None:  # a recipe's retrain: its decoding, unchanged
            check_arts = split_articles(data, cfg.val_percent, cfg.limit_articles,
                                        cfg.taxonomy)[1]
            recipe_decode = DecodeConfig.from_dict(recipe["decode"])
            write_config(out, cfg, recipe_decode, extra, techs)
            return record_retrained(out, cfg, recipe_decode, recipe, extra, history,
                                    len(train_arts), check_arts)
        metrics = tune_and_record(OnnxSpanDetector(out), cfg, val_arts,
                                  sp.multiword_techniques(train_arts), extra)
        if fixed is not None:
            _card_corrections(out, extra["corrections"])
        return metrics
    except BaseException:
        for name in (*MODEL_FILES, "config.json", "MODEL_CARD.md"):
            (out / name).unlink(missing_ok=True)
        raise
