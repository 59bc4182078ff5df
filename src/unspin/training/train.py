"""``unspin train``: fine-tune the span detector and export the runtime model (needs
``unspin[train]``).

One MiniLM encoder, three heads trained together (``tagger``). Each epoch is validated on the
fixed article split with the same decoding code the runtime uses and the best epoch by SI F1 +
TC F1 + full-task F1 is kept. The export is an int8 ONNX encoder, the span head as numpy arrays,
the tokenizer, thresholds tuned on validation, and a model card (``export``). With
``init_from`` only a new span classifier is trained, over a shipped model's frozen encoder
(``train_head``).
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from ..detect import spans as sp
from ..detect.predictor import DecodeConfig
from ..errors import ConfigError, InputError, require
from ..techniques import taxonomy
from .data import LabeledArticle, read_all_labelled, split_articles
from .export import export_model, export_retrained, kept_epochs
from .heldout import read_heldout_files
from .soft import distillation_record, read_unlabelled
from .tagger import (
    DocData,
    Objective,
    TrainConfig,
    base_encoder_dir,
    best_weights,
    build_model,
    collate,
    distill_loss,
    make_windows,
    open_tokenizer,
    optimiser,
    prepare,
    special_ids,
    start_run,
    torch_predictor,
)
from .train_head import train_head
from .validate import validate

log = logging.getLogger(__name__)

__all__ = ["TrainConfig", "train"]


# ---------------------------------------------------------------------------------------------
# "no technique" examples

def _touches(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def mine_negatives(arts: list[LabeledArticle], model: str, seed: int,
                   random_per_gold: float = 0.0) -> dict[str, list[tuple[int, int]]]:
    """Character spans per article that touch no gold span: the segments ``model`` proposes
    (with low thresholds, so near misses are included) and random word runs of 1-4 words.

    They teach the span classifier's "no technique" output what a false alarm looks like."""
    rng = np.random.RandomState(seed)
    out: dict[str, list[tuple[int, int]]] = {a.id: [] for a in arts}
    pred = None
    if model:
        from ..detect import load

        pred = load(model).predictor
    for a in arts:
        gold = [(s.start, s.end) for s in a.spans]
        found: set[tuple[int, int]] = set()
        if pred is not None:
            o = pred.token_outputs(a.text)
            if len(o.offsets):
                for seg in sp.decode_segments(a.text, o.offsets, o.p_in, o.p_begin, 0.1, 0.3):
                    found.add((seg.start, seg.end))
                for p in pred.detect(a.text, o):
                    found.add((p.start, p.end))
        if random_per_gold > 0:
            words = [m.span() for m in sp._WORD_SPAN_RE.finditer(a.text)]
            want = int(round(random_per_gold * max(1, len(gold))))
            for _ in range(want * 3):
                if len(words) < 2 or want <= 0:
                    break
                i = rng.randint(0, len(words))
                j = min(len(words), i + rng.randint(1, 5))
                start, end = words[i][0], words[j - 1][1]
                if "\n" in a.text[start:end] or (start, end) in found:
                    continue
                found.add((start, end))
                want -= 1
        out[a.id] = sorted(se for se in found if not _touches(gold, *se)
                           and not sp.is_trivial(a.text[se[0]:se[1]]))
    return out


def add_negatives(d: DocData, negatives: list[tuple[int, int]]) -> None:
    """Append "no technique" spans (class index: the number of techniques) to ``d.spans``."""
    none = d.tech.shape[1]
    norm_text = sp.normalise(d.art.text)
    runs = sp.word_runs(norm_text)
    for start, end in negatives:
        a, b = sp.token_range(d.offsets, start, end)
        if a < b:
            d.spans.append((a, b, none, sp.handcrafted(d.art.text, start, end, b - a, norm_text,
                                                    runs)))


# ---------------------------------------------------------------------------------------------
# training loop

def learnt_techniques(taxonomy_name: str, arts: list[LabeledArticle]) -> tuple[str, ...]:
    """The techniques a model gets an output for: all fourteen of 2020 (as every 2020 model
    has); in another taxonomy only those the training articles carry, so a technique no
    article shows (four of 2023's in the PTC articles) is never predicted from noise, and
    the model says it does not detect it.

    >>> from unspin.training.data import GoldSpan
    >>> learnt_techniques("2023", [LabeledArticle("1", "x y", [GoldSpan(0, 1, "Doubt")])])
    ('Doubt',)
    """
    ids = taxonomy(taxonomy_name).ids
    if taxonomy(taxonomy_name).name == "2020":
        return ids
    seen = {s.technique for a in arts for s in a.spans}
    return tuple(t for t in ids if t in seen)


def _trained_by(config: dict) -> dict:
    """The settings that shape the weights (not the name, threads or what applies only at
    export, so a run can be resumed as another version or on more cores); a setting a
    checkpoint or config made before it existed does not record had its default then (a
    checkpoint made before there was a choice of taxonomy learned the 2020 one, one made
    before ``all_labelled`` existed was validated, one before ``span_heads`` had one)."""
    return {k: v for k, v in {**asdict(TrainConfig()), **config}.items()
            if k not in ("decode_rules", "threads", "name", "version")}


#: settings a recipe's retrain on every article may differ in from the recipe's held-out run;
#: its soft labels (``distill_from``) are those of the recipe's teacher retrained on every
#: article too, so they lie in another folder (each folder's soft.json names its teacher)
_NOT_RECIPE = ("name", "version", "threads", "all_labelled", "decode_rules", "distill_from")


def read_recipe(decode_from: str | Path, cfg: TrainConfig) -> dict:
    """The config of the model exported from a recipe's held-out run (``decode_from``), with
    ``"epoch"``, the epoch that run chose on validation, and ``"fingerprint"``. A run on every
    labelled article takes that epoch's weights and that model's decoding; its training
    settings must be the recipe's, so a mismatch is refused naming the first difference."""
    from ..detect.registry import fingerprint, read_config, resolve

    folder = resolve(decode_from).folder
    recipe = read_config(folder)
    trained = recipe.get("train")
    heads = isinstance(trained, dict) and bool(trained.get("init_from"))
    # a whole model's epochs are chosen by "select", a span classifier's by validation loss
    mark = "val_loss" if heads else "select"
    history = [h for h in (recipe.get("validation") or {}).get("history") or [] if mark in h]
    if (not history or not isinstance(trained, dict)
            or set(trained) - set(TrainConfig.__dataclass_fields__) or recipe.get("recipe")):
        raise InputError(f"{decode_from}: not a model exported by 'unspin train' with "
                         "per-epoch validation (its recipe and chosen epoch are not recorded); "
                         "give the recipe run's folder")
    if heads != bool(cfg.init_from):
        raise ConfigError(
            f"{decode_from} is a span classifier recipe (over {trained.get('init_from')}): "
            "retrain it with the same --init-from" if heads else
            f"{decode_from} is a whole model's recipe, not a span classifier's: leave out "
            "--init-from")
    # compared as the config records them (JSON: tuples read back as lists); a setting an
    # older config does not record had its default then
    mine = json.loads(json.dumps(_trained_by(asdict(cfg))))
    theirs = json.loads(json.dumps(_trained_by(trained)))
    if cfg.decode_rules and cfg.decode_rules != (trained.get("decode_rules") or {}):
        raise ConfigError(f"--decode-rules: a retrain decodes as {decode_from} does, unchanged; "
                          "leave them out")
    if bool(cfg.distill_from) != bool(trained.get("distill_from")):
        raise ConfigError(f"{decode_from} was trained " + (
            "with a teacher's soft labels: give --distill-from the same teacher retrained on "
            "every article" if trained.get("distill_from") else
            "without soft labels: leave out --distill-from"))
    if heads and mine.get("init_from") != theirs.get("init_from"):
        _check_retrained_base(cfg.init_from, trained.get("init_from"), decode_from,
                              (recipe.get("encoder_from") or {}).get("sha256"))
    for key in sorted(set(mine) | set(theirs)):
        if key == "init_from" and heads:  # checked above: the same base, or its retrain
            continue
        if key not in _NOT_RECIPE and mine.get(key) != theirs.get(key):
            raise ConfigError(f"{decode_from} was trained with {key}={theirs.get(key)!r}, this "
                              f"run with {mine.get(key)!r}: a retrain takes its recipe's "
                              "settings")
    if heads:  # each span classifier's epoch of least validation loss
        recipe["head_epochs"] = list(kept_epochs(history).values())
    else:
        recipe["epoch"] = int(max(history, key=lambda h: h["select"])["epoch"])
    recipe["fingerprint"] = fingerprint(folder)
    return recipe


def _check_retrained_base(base: str, recipe_base: str, decode_from,
                          recipe_base_print: str | None = None) -> None:
    """A span classifier recipe's retrain builds over its recipe's base model (``--init-from``,
    by any name or folder that holds it) or over that base retrained on every labelled
    article (a model whose config names it as its recipe, by fingerprint): the classifier
    then reads an encoder that learnt every article too. Any other base is refused.

    ``recipe_base_print``: the base's fingerprint as the recipe recorded it (``encoder_from``),
    which holds wherever the run starts (``recipe_base`` may name a folder relative to where
    the recipe was trained, or one gone since)."""
    from ..detect.registry import fingerprint, read_config, resolve
    from ..errors import UnspinError

    if recipe_base_print is None:
        try:
            recipe_base_print = fingerprint(resolve(recipe_base).folder)
        except UnspinError:
            recipe_base_print = None
    folder = resolve(base).folder
    made_from = (read_config(folder).get("recipe") or {}).get("fingerprint")
    if recipe_base_print is None or (made_from != recipe_base_print
                                     and fingerprint(folder) != recipe_base_print):
        raise ConfigError(f"{decode_from} was trained with init_from={recipe_base!r}, this run "
                          f"with {base!r}: a retrain builds over the recipe's base model or "
                          "over that model retrained on every labelled article (whose config "
                          "names it as its recipe)")


#: names never published, or withdrawn, that no new model may take (a name is a promise)
RETIRED = {"minilm-spans.v6": "a candidate that failed the ship rule, withdrawn; the next fast "
                              "version is v7"}


def _same_folder(out: str | Path, model: str | Path) -> bool:
    """Whether ``out`` is the folder of ``model`` (a name or folder; False if it resolves to
    none: that is reported where the model is read)."""
    from ..detect.registry import resolve
    from ..errors import UnspinError

    try:
        return Path(out).resolve() == resolve(model).folder.resolve()
    except UnspinError:
        return False


def check_name(name: str, version: str) -> str:
    """The versioned name of a new model, refused when empty, malformed or already published."""
    from ..detect.registry import installed
    from .export import full_name

    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", name or ""):
        raise ConfigError("give the new model a name with --name (lower-case letters, digits, "
                          "'-' and '_', for example --name my-spans)")
    if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z._-]{0,31}", version or ""):
        raise ConfigError(f"--version {version!r}: use letters, digits, '.', '-' or '_'")
    full = full_name(name, version)
    if full in RETIRED:
        raise ConfigError(f"{full} is a retired name ({RETIRED[full]}); choose another "
                          "--version")
    if full in installed():
        raise ConfigError(f"{full} is the name of a published model; choose another --name "
                          "or --version")
    return full


def base_taxonomy(cfg: TrainConfig, named: bool = False) -> TrainConfig:
    """The run's settings in the taxonomy of its base model (``--init-from``): a span
    classifier speaks its base model's techniques, so a 2023 base makes a 2023 run without
    ``--taxonomy``; a ``--taxonomy`` other than the base model's is refused. ``cfg.taxonomy``
    2020 is also the default, so the base decides unless ``named`` (the user gave it)."""
    from ..detect.registry import read_config, resolve

    base = resolve(cfg.init_from)
    speaks = taxonomy(read_config(base.folder).get("taxonomy") or "2020").name
    if speaks == taxonomy(cfg.taxonomy).name:
        return cfg
    if named or taxonomy(cfg.taxonomy).name != "2020":
        raise ConfigError(f"--init-from {cfg.init_from} speaks the {speaks} taxonomy, not "
                          f"{cfg.taxonomy}: a span classifier learns its base model's "
                          f"techniques, from labels in its names; leave out --taxonomy, or give "
                          f"--init-from a model of the {cfg.taxonomy} taxonomy")
    log.info("%s speaks the %s taxonomy: the span classifier learns its techniques",
             cfg.init_from, speaks)
    return replace(cfg, taxonomy=speaks)


def train(data: str | Path, out: str | Path, cfg: TrainConfig, progress: bool = False,
          on_epoch: Callable[[dict], None] | None = None,
          corrections: str | Path | None = None, decode_from: str | Path | None = None,
          heldout: str | Path | list | None = None) -> dict:
    """Train on labelled data (PTC folder or JSONL), export the runtime model into ``out``.

    ``cfg.name`` names the new model. Resumes from ``out/checkpoints/last.pt`` when present.
    ``progress`` shows a progress bar; ``on_epoch(metrics)`` is called after each epoch's
    validation. ``corrections``: a reviewers' corrections file (``unspin review import``)
    whose articles join the training articles; it needs ``cfg.init_from``, the base model
    (``train_head``). Returns the validation metrics of the exported model.

    ``cfg.all_labelled`` trains on every labelled article; such a run is exported only with
    ``decode_from``, the model of the same recipe's held-out run: its chosen epoch's weights
    are taken (every epoch's are kept, ``checkpoints/epoch-N.pt``) and its decoding, unchanged;
    ``heldout`` (``benchmarks/quality.py --json`` files scoring that model) goes on the card.
    Without ``decode_from`` it trains and returns ``{"exported": False, "epochs": N}``.
    """
    check_name(cfg.name, cfg.version)
    DecodeConfig.check_rules(cfg.decode_rules)
    if cfg.unlabelled and not cfg.distill_from:
        raise ConfigError("--unlabelled needs --distill-from (their only labels are soft)")
    if cfg.init_from:
        cfg = base_taxonomy(cfg)
    if corrections:  # in the run's taxonomy, or refused naming both
        from .train_head import check_corrections

        check_corrections(corrections, taxonomy(cfg.taxonomy).name)
    if taxonomy(cfg.taxonomy).name != "2020" and (cfg.distill_from or cfg.extra_labels):
        raise ConfigError(f"a {taxonomy(cfg.taxonomy).name} model trains without "
                          "--distill-from and --extra-labels: they give 2020 labels (a teacher "
                          "of the fourteen techniques, a second annotation mapped onto them)")
    if cfg.span_heads != 1 and not cfg.init_from:
        raise ConfigError("--span-heads needs --init-from BASE_MODEL: several span classifiers "
                          "are trained over that model's frozen encoder")
    if corrections and not cfg.init_from:
        raise ConfigError("--corrections needs --init-from BASE_MODEL: the corrections train a "
                          "new span classifier over that model's frozen encoder")
    if cfg.all_labelled and corrections:
        raise ConfigError("--all-labelled retrains a recipe on the labelled articles; it does "
                          "not go with --corrections")
    if cfg.all_labelled and cfg.init_from and not decode_from:
        raise ConfigError("--all-labelled with --init-from takes each span classifier's epoch "
                          "from its recipe: give --decode-from RECIPE_MODEL")
    if (decode_from or heldout) and not cfg.all_labelled:
        raise ConfigError("--decode-from and --heldout need --all-labelled (they export a run "
                          "on every labelled article)")
    if heldout and not decode_from:
        raise ConfigError("--heldout goes with --decode-from (the scores are the recipe "
                          "model's)")
    for role, model in (("--decode-from", decode_from), ("--init-from", cfg.init_from)):
        if model and _same_folder(out, model):
            raise ConfigError(f"--out {out} is the {role} model's own folder; write the new "
                              "model into a new folder")
    recipe = read_recipe(decode_from, cfg) if decode_from else None
    if recipe is not None and heldout:
        recipe["heldout"] = read_heldout_files(heldout, recipe)
    if cfg.init_from:
        return train_head(data, out, cfg, on_epoch, corrections=corrections, recipe=recipe)
    torch = require("torch", "train")
    tqdm = require("tqdm", "train").tqdm

    base = base_encoder_dir()
    tokenizer = open_tokenizer(base)
    cls_id, sep_id = special_ids(tokenizer)

    if cfg.all_labelled:
        train_arts, val_arts = read_all_labelled(data, cfg.taxonomy), []
        if cfg.limit_articles:
            train_arts = train_arts[:cfg.limit_articles]
    else:
        train_arts, val_arts = split_articles(data, cfg.val_percent, cfg.limit_articles,
                                              cfg.taxonomy)
    techniques = learnt_techniques(cfg.taxonomy, train_arts)
    docs = [prepare(a, tokenizer, cfg.distill_from, techniques=techniques) for a in train_arts]
    n_unlabelled = 0
    if cfg.unlabelled:
        extra = [prepare(a, tokenizer, cfg.distill_from, labelled=False, techniques=techniques)
                 for a in read_unlabelled(cfg.unlabelled, cfg.unlabelled_limit)]
        extra = [d for d in extra if d.soft is not None]
        n_unlabelled = len(extra)
    if cfg.distill_from and not any(d.soft is not None for d in docs):
        raise InputError(f"{cfg.distill_from}: no soft labels for the training articles")
    if cfg.none_class and (cfg.hard_negatives or cfg.random_negatives):
        t_mine = time.time()
        negatives = mine_negatives(train_arts, cfg.hard_negatives, cfg.seed, cfg.random_negatives)
        for d in docs:
            add_negatives(d, negatives[d.art.id])
        log.info("%d 'no technique' spans mined in %.0f s",
                 sum(map(len, negatives.values())), time.time() - t_mine)
    wins = make_windows(docs, cfg.window, cfg.stride, cfg.span_jitter, cfg.seed)
    if n_unlabelled:
        wins += make_windows(extra, cfg.window, cfg.stride)
    log.info("training on %d articles + %d unlabelled (%d windows), validating on %d",
             len(train_arts), n_unlabelled, len(wins), len(val_arts))

    out, ckpt_dir = start_run(torch, out, cfg)  # data read: a refused run leaves no folder
    model = build_model(torch, base, cfg, techniques)
    objective = Objective(torch, cfg, docs)
    opt, sched, steps_per_epoch = optimiser(torch, cfg, model, len(wins))

    state = {"epoch": 0, "step": 0, "best": -1.0, "history": []}
    last = ckpt_dir / "last.pt"
    if last.exists():
        ck = torch.load(last, weights_only=False)
        if _trained_by(ck.get("config") or {}) != _trained_by(asdict(cfg)):
            raise InputError(f"{last}: checkpoint was made with other settings; use a new --out")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        sched.load_state_dict(ck["sched"])
        state = ck["state"]
        random.setstate(ck["py_rng"])
        np.random.set_state(ck["np_rng"])
        torch.set_rng_state(ck["torch_rng"])
        log.info("resumed at epoch %d, step %d", state["epoch"], state["step"])

    decode = DecodeConfig(window=cfg.window, stride=cfg.stride)
    # a retrain stops at the epoch its recipe chose (the schedule stays the recipe's)
    stop = min(cfg.epochs, recipe["epoch"]) if recipe is not None else cfg.epochs
    while state["epoch"] < stop and not (cfg.max_steps and state["step"] >= cfg.max_steps):
        epoch = state["epoch"]
        model.train()
        order = np.random.RandomState(cfg.seed + epoch).permutation(len(wins))
        bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch + 1}/{cfg.epochs}",
                   disable=not progress, unit="batch")
        t0, tokens, run_loss = time.time(), 0, 0.0
        for b in bar:
            if cfg.max_steps and state["step"] >= cfg.max_steps:
                break
            batch = [wins[i] for i in order[b * cfg.batch_size:(b + 1) * cfg.batch_size]]
            ids, mask, bio, tech, tmask, spans, soft, smask = collate(
                batch, torch, cls_id, sep_id, return_soft=True)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.bf16):
                h, bio_logits, tech_logits = model(ids, mask)
                loss = objective.tokens(bio_logits, tech_logits, bio, tech, tmask)
                if cfg.distill_from and bool(smask.any()):
                    loss = loss + cfg.distill_weight * distill_loss(
                        torch, bio_logits.float(), tech_logits.float(), soft, smask,
                        cfg.tech_loss)
                loss = loss + objective.spans(model, h, spans)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            state["step"] += 1
            tokens += int(mask.sum())
            run_loss = 0.9 * run_loss + 0.1 * loss.item() if b else loss.item()
            bar.set_postfix(loss=f"{run_loss:.3f}", tok_s=f"{tokens / (time.time() - t0):.0f}")
        model.eval()
        seconds = round(time.time() - t0, 1)
        if val_arts:
            metrics, _tuned = validate(torch_predictor(torch, model, tokenizer, decode, cfg.bf16),
                                       val_arts, tune=True)
            log.info("epoch %d: SI F1 %.3f  TC F1 %.3f  full F1 %.3f", epoch + 1,
                     metrics["si"]["f1"], metrics["tc"]["f1"], metrics["full"]["f1"])
        else:  # every labelled article trained on: nothing to validate or choose by
            metrics = {"select": float(epoch + 1)}
        metrics["epoch"] = epoch + 1
        metrics["seconds"] = seconds
        state["history"].append(metrics)
        if on_epoch is not None:
            on_epoch(metrics)
        # every epoch's weights stay (the run's state names the best), so a recipe's epoch,
        # chosen on held-out articles, can be taken from a run on all of them
        torch.save(model.state_dict(), ckpt_dir / f"epoch-{epoch + 1}.pt")
        if metrics["select"] > state["best"]:
            state["best"] = metrics["select"]
            state["best_epoch"] = epoch + 1
        state["epoch"] += 1
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(),
                    "sched": sched.state_dict(), "state": state, "config": asdict(cfg),
                    "py_rng": random.getstate(), "np_rng": np.random.get_state(),
                    "torch_rng": torch.get_rng_state()}, last.with_suffix(".tmp"))
        os.replace(last.with_suffix(".tmp"), last)

    if cfg.all_labelled and recipe is None:
        return {"exported": False, "epochs": state["epoch"]}
    chosen = (ckpt_dir / f"epoch-{recipe['epoch']}.pt" if recipe is not None
              else best_weights(ckpt_dir, state.get("best_epoch")))
    if not chosen.is_file():
        raise InputError(f"{chosen}: not written (the run stopped before that epoch)")
    model.load_state_dict(torch.load(chosen, weights_only=True))
    model.eval()
    distillation = None
    if cfg.distill_from:
        distillation = distillation_record(cfg.distill_from, cfg.distill_weight, n_unlabelled)
    if recipe is not None:
        check_arts = split_articles(data, cfg.val_percent, cfg.limit_articles, cfg.taxonomy)[1]
        return export_retrained(torch, model, tokenizer, base, out, cfg, recipe,
                                state["history"][:recipe["epoch"]], len(train_arts),
                                check_arts, distillation=distillation)
    return export_model(torch, model, tokenizer, base, out, cfg, val_arts, state["history"],
                        n_train=len(train_arts), multiword=sp.multiword_techniques(train_arts),
                        distillation=distillation)
