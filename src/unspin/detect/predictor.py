"""Whole-article inference on top of any encoder: windows -> merged token outputs -> spans.

``Predictor`` needs an ``encode(input_ids, attention_mask) -> (hidden, bio_logits, tech_logits)``
function (onnxruntime at run time, torch while training) plus the span-classifier head. Both the
shipped runtime and validation during training go through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from threadpoolctl import ThreadpoolController

from ..errors import ConfigError, ModelError
from ..options import Range
from ..techniques import ALL_IDS, TECHNIQUE_IDS
from . import phrases as ph
from . import spans as sp
from .windows import Tokenized, merge, tokenize, windows

__all__ = ["Predictor", "DecodeConfig", "DECODE_RANGES", "Prediction", "TokenOutputs",
           "SPAN_HEAD_PREFIX"]

#: head.npz arrays of a model's second, third, ... span classifier: ``span_head1_w1``, ...
SPAN_HEAD_PREFIX = "span_head"

EncodeFn = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]


@dataclass
class DecodeConfig:
    """Decoding thresholds, tuned on the validation split and stored with the model."""

    window: int = 254
    stride: int = 190
    batch: int = 8
    si_threshold: float = 0.5  # a word is inside a span above this probability ...
    si_seed: float | None = None  # ... and a span is kept if one word reaches this (None: same)
    second_label: float = 0.35  # add a segment's second technique at this probability
    token_threshold: float = 0.6  # per-technique token-head spans: words above this
    use_token_head: bool = True
    per_technique: dict[str, float] = field(default_factory=dict)  # optional overrides
    #: techniques annotators (almost) never mark on one word alone; a one-word span is never
    #: given one of these (taken from the training data by ``spans.multiword_techniques``)
    multiword: list[str] = field(default_factory=list)
    # The fields below are off by default, so a model folder whose config.json lacks them
    # (minilm-spans.v1) decodes exactly as it was validated.
    #: cut spans at blank lines and at the end of the title line (annotators never cross them)
    cut_breaks: bool = False
    #: Repetition only for a span whose words occur at least this often in the text (0: off)
    repetition_min: int = 0
    #: drop a span whose probability of carrying any technique (the span classifier's
    #: "no technique" output, when the head has one) is below this
    min_span_prob: float = 0.0
    #: multiply a span's score by its probability of carrying any technique
    span_prob_score: bool = False
    #: a span's score uses the token head's peak for its technique in place of the peak
    #: "inside a span" probability (the two heads agreeing ranks spans better)
    score_token_head: bool = False
    #: the span classifier also reads the token heads' probabilities (``spans.SIGNALS``)
    span_signals: bool = False
    #: drop trailing words a span (almost) never ends on ("and", "of", "in": ``spans.DANGLING``)
    trim_dangling: bool = False
    #: score given to a mocking "in chief" title as Name calling (``spans.mock_titles``; 0: off)
    mock_titles: float = 0.0
    #: a span that cuts a quotation mid-way grows to its other mark, or is cut back at the
    #: mark (``phrases.whole_quotes``)
    whole_quotes: bool = False
    #: span ends follow the parse: no span ends on a word waiting for its head, a one-word
    #: compound noun or phrasal verb grows to its phrase (``phrases.complete_phrases``; spaCy)
    complete_phrases: bool = False
    #: one-word spans joined in the parse to a span of the same technique a few words away
    #: become one span (``phrases.join_fragments``; spaCy)
    join_fragments: bool = False
    #: spans with a (calibrated) score below this are not shown unless asked for
    #: (``Options.min_score`` defaults to it; 0: show all). Decoding itself ignores it.
    display_threshold: float = 0.0
    #: isotonic map from raw to calibrated score: {"x": [...], "y": [...]} (empty: raw scores)
    calibration: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def problem(cls, key: str, value) -> str | None:
        """What is wrong with ``value`` for the decode setting ``key`` (its type, range or
        technique ids), or None when nothing is; ``key`` must name a field.

        >>> DecodeConfig.problem("si_threshold", 2)
        "'si_threshold' must be between 0 and 1.01 (got 2)"
        """
        default = _DEFAULTS[key]
        if isinstance(default, bool):
            ok, kind = isinstance(value, bool), "true or false"
        elif isinstance(default, int):
            ok, kind = isinstance(value, int) and not isinstance(value, bool), "an integer"
        elif isinstance(default, float) or default is None:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            ok, kind = ok or (default is None and value is None), "a number"
        else:
            ok, kind = isinstance(value, type(default)), f"a JSON {type(default).__name__}"
        if not ok:
            return f"{key!r} must be {kind}, not {value!r}"
        allowed = DECODE_RANGES.get(key)
        if allowed is not None and value is not None and value not in allowed:
            return f"{key!r} must be {allowed} (got {value!r})"
        if key in ("multiword", "per_technique"):
            unknown = [t for t in value if t not in ALL_IDS]  # the model's: Predictor
            if unknown:
                return f"{key!r} names an unknown technique {unknown[0]!r}"
        if key == "per_technique":
            bad = [t for t, v in value.items() if not _is_threshold(v)]
            if bad:
                return (f"'per_technique' threshold of {bad[0]} must be {THRESHOLD} "
                        f"(got {value[bad[0]]!r})")
        return None

    @classmethod
    def check_rules(cls, rules) -> dict:
        """``rules`` (``unspin train --decode-rules``) if every key names a setting and every
        value fits it; otherwise a ConfigError naming the first bad one, before any training
        is spent on it.

        >>> DecodeConfig.check_rules({"cut_breaks": True, "mock_titles": 0.5})
        {'cut_breaks': True, 'mock_titles': 0.5}
        >>> DecodeConfig.check_rules({"mock_titles": "x"})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        unspin.errors.ConfigError: decode rule 'mock_titles' must be a number, not 'x'
        """
        if not isinstance(rules, dict):
            raise ConfigError("decode rules must be a JSON object, e.g. '{\"cut_breaks\": true}'")
        for key, value in rules.items():
            if key not in cls.__dataclass_fields__:
                raise ConfigError(f"unknown decode rule {key!r}; known: {_known()}")
            problem = cls.problem(key, value)
            if problem:
                raise ConfigError(f"decode rule {problem}")
        return rules

    @classmethod
    def from_dict(cls, d: dict, source: str = "the model's config.json") -> DecodeConfig:
        """The decoding stored with a model (``config.json``'s ``decode``). A setting this
        unspin does not know, or a value that does not fit, is a ModelError naming it: decoding
        without a rule the model was validated with would silently give other spans.

        >>> DecodeConfig.from_dict({"cut_breaks": True, "trim_dangling": True}).cut_breaks
        True
        >>> DecodeConfig.from_dict({"cut_brakes": True})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        unspin.errors.ModelError: the model's config.json: unknown decode setting 'cut_brakes' ...
        """
        if not isinstance(d, dict):
            raise ModelError(f"{source}: 'decode' must be a JSON object")
        for key, value in d.items():
            if key not in cls.__dataclass_fields__:
                raise ModelError(f"{source}: unknown decode setting {key!r} (a model made for "
                                 f"a newer unspin? upgrade unspin); known: {_known()}")
            problem = cls.problem(key, value)
            if problem:
                raise ModelError(f"{source}: decode setting {problem}")
        config = cls(**d)
        if config.stride > config.window:
            raise ModelError(f"{source}: decode setting 'stride' ({config.stride}) must be at "
                             f"most 'window' ({config.window}), or words between windows are "
                             "never read")
        return config


#: Thresholds on a probability; above 1 a rule is off (tuning tries 1.01 for "never").
THRESHOLD = Range(0, 1.01)
#: The range of every numeric decode setting, written once: ``DecodeConfig.problem`` reads it
#: for ``--decode-rules`` and for every model's config.json.
DECODE_RANGES: dict[str, Range] = {
    "window": Range(1, 510),  # word pieces; the encoder takes 512 positions with [CLS], [SEP]
    "stride": Range(1, 510),
    "batch": Range(1, 4096),
    "si_threshold": THRESHOLD,
    "si_seed": THRESHOLD,
    "second_label": THRESHOLD,
    "token_threshold": THRESHOLD,
    "repetition_min": Range(0),
    "min_span_prob": Range(0, 1),
    "mock_titles": Range(0, 1),
    "display_threshold": Range(0, 1),
}
_DEFAULTS = DecodeConfig().to_dict()


def _known() -> str:
    return ", ".join(sorted(_DEFAULTS))


def _is_threshold(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value in THRESHOLD


@dataclass(frozen=True)
class Prediction:
    start: int
    end: int
    technique: str
    score: float


@dataclass
class TokenOutputs:
    offsets: np.ndarray
    hidden: np.ndarray
    p_in: np.ndarray
    p_begin: np.ndarray
    p_tech: np.ndarray  # (n, techniques) sigmoid of the per-technique token head


def _unique(segs: list[sp.RawSpan]) -> list[sp.RawSpan]:
    """One segment per (start, end), the best scored, in order (two segments can grow into
    the same phrase)."""
    best: dict[tuple[int, int], sp.RawSpan] = {}
    for s in segs:
        key = (s.start, s.end)
        if key not in best or s.score > best[key].score:
            best[key] = s
    return sorted(best.values(), key=lambda s: (s.start, s.end))


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


class Predictor:
    """Decoding for a model whose token and span heads speak ``techniques`` (the ids of its
    taxonomy, in head order; the 2020 fourteen unless given)."""

    def __init__(self, encode: EncodeFn, tokenizer, head: dict[str, np.ndarray],
                 config: DecodeConfig, cls_id: int, sep_id: int,
                 techniques: tuple[str, ...] = TECHNIQUE_IDS):
        unknown = [t for t in (*config.multiword, *config.per_technique)
                   if t not in techniques]
        if unknown:
            raise ModelError(f"decode setting names technique {unknown[0]!r}, which the "
                             "model does not speak")
        self.techniques = tuple(techniques)
        self.encode = encode
        self.tokenizer = tokenizer
        self.head = head
        self.config = config
        self.cls_id = cls_id
        self.sep_id = sep_id

    # -- token level -------------------------------------------------------------------------
    def merged_outputs(self, text: str) -> tuple[Tokenized, np.ndarray]:
        """The text's word pieces and, per piece, the encoder's hidden state, BIO distribution
        and technique sigmoids (n, hidden + 3 + 14), merged over the overlapping windows;
        None in place of the array for a text without word pieces."""
        tok = tokenize(self.tokenizer, text)
        n = len(tok.ids)
        if n == 0:
            return tok, None
        cfg = self.config
        starts, ids, mask = windows(tok.ids, cfg.window, cfg.stride, self.cls_id, self.sep_id)
        hs, bios, techs = [], [], []
        for b in range(0, len(starts), cfg.batch):
            h, bio, tech = self.encode(ids[b:b + cfg.batch], mask[b:b + cfg.batch])
            hs.append(h)
            bios.append(bio)
            techs.append(tech)
        bio_p = sp.softmax(np.concatenate(bios).astype(np.float32))
        tech_p = sp.sigmoid(np.concatenate(techs).astype(np.float32))
        packed = np.concatenate([np.concatenate(hs).astype(np.float32), bio_p, tech_p], axis=-1)
        return tok, merge(n, starts, cfg.window, packed)

    def token_outputs(self, text: str) -> TokenOutputs:
        return self.outputs_of(text, *self.merged_outputs(text))

    def outputs_of(self, text: str, tok: Tokenized, merged: np.ndarray | None) -> TokenOutputs:
        """``token_outputs`` from ``merged_outputs``' result (when both are wanted)."""
        if merged is None:
            z = np.zeros((0,), dtype=np.float32)
            return TokenOutputs(tok.offsets, np.zeros((0, 1), np.float32), z, z,
                                np.zeros((0, len(self.techniques)), np.float32))
        d = merged.shape[1] - 3 - len(self.techniques)
        hidden = merged[:, :d]
        bio = merged[:, d:d + 3]
        # decisions are per word: a word is in a span or not, never half of it
        starts = sp.word_starts(text, tok.offsets)
        p_in = sp.word_mean(bio[:, 1] + bio[:, 2], starts)
        p_begin = np.where(starts, bio[:, 1] / np.maximum(bio[:, 1] + bio[:, 2], 1e-6), 0.0)
        return TokenOutputs(tok.offsets, hidden, p_in, p_begin,
                            sp.word_mean(merged[:, d + 3:], starts))

    # -- span level --------------------------------------------------------------------------
    def has_none_output(self) -> bool:
        """Whether the span classifier has a "no technique" output (it judges spans)."""
        return self.head["w2"].shape[0] > len(self.techniques)

    def span_probs(self, text: str, outputs: TokenOutputs, spans
                   ) -> tuple[np.ndarray, np.ndarray]:
        """For (start, end) character spans: technique probabilities given that the span
        carries one (len(spans), 14), and the probability that it carries any (len(spans),),
        1 for a head without a "no technique" output."""
        T = len(self.techniques)
        if len(spans) == 0:
            return np.zeros((0, T), dtype=np.float32), np.zeros((0,), dtype=np.float32)
        probs = ((outputs.p_in, outputs.p_begin, outputs.p_tech) if self.config.span_signals
                 else None)
        feats = sp.span_features(text, outputs.hidden, outputs.offsets, spans,
                                 token_probs=probs)
        # the head is a few small matrix products: on one BLAS thread they take ~1 ms, while
        # BLAS threads competing with the encoder's threads for the same cores took 10-40 ms
        with _blas().limit(limits=1, user_api="blas"):
            heads = self.span_heads()
            p = sum(sp.softmax(sp.mlp_forward(h, feats)) for h in heads) / len(heads)
            source = self._source_head()
            if source:  # the source model's classifier reads the leading (v1) features
                src_p = sp.softmax(sp.mlp_forward(source, feats[:, :source["w1"].shape[1]]))
        if p.shape[1] == T:
            return p, np.ones(len(p), dtype=np.float32)
        any_ = 1.0 - p[:, T]
        tech = p[:, :T] / np.maximum(any_, 1e-9)[:, None]
        if source:
            tech = (tech + src_p) / 2
        return tech, any_

    def span_heads(self) -> list[dict[str, np.ndarray]]:
        """The span classifiers whose outputs are averaged: the head's plain arrays and, for a
        model trained with several (``train --span-heads K``), its ``span_head<i>_*`` arrays."""
        if not hasattr(self, "_span_heads"):
            more: dict[int, dict[str, np.ndarray]] = {}
            for key, value in self.head.items():
                if key.startswith(SPAN_HEAD_PREFIX):
                    i, name = key[len(SPAN_HEAD_PREFIX):].split("_", 1)
                    more.setdefault(int(i), {})[name] = value
            self._span_heads = [self.head] + [more[i] for i in sorted(more)]
        return self._span_heads

    def _source_head(self) -> dict[str, np.ndarray]:
        """The span classifier of the model whose encoder this one reuses, when its head file
        keeps it (``source_*`` arrays): its technique probabilities are averaged in."""
        if not hasattr(self, "_source"):
            self._source = {k[len("source_"):]: v for k, v in self.head.items()
                            if k.startswith("source_")}
        return self._source

    def classify(self, text: str, outputs: TokenOutputs, spans) -> np.ndarray:
        """Technique probabilities (len(spans), 14) for given (start, end) character spans."""
        return self.span_probs(text, outputs, spans)[0]

    def segments(self, text: str, outputs: TokenOutputs, threshold: float | None = None,
                 seed: float | None = None) -> list[sp.RawSpan]:
        """Spans of "inside a technique" words (SemEval's first task), before naming them.
        Thresholds default to the config's; its edge rules (``_shape``) apply."""
        cfg = self.config
        if threshold is None:
            threshold, seed = cfg.si_threshold, cfg.si_seed
        return self._shape(text, sp.decode_segments(text, outputs.offsets, outputs.p_in,
                                                    outputs.p_begin, threshold, seed))

    def _shape(self, text: str, segs: list[sp.RawSpan]) -> list[sp.RawSpan]:
        """The config's span-edge rules: cut at breaks, trim dangling words, whole quotations,
        complete phrases."""
        if self.config.cut_breaks:
            segs = sp.cut_at_breaks(text, segs)
        if self.config.trim_dangling:
            segs = sp.trim_dangling(text, segs)
        if self.config.whole_quotes:
            segs = ph.whole_quotes(text, segs)
        if self.config.complete_phrases:
            segs = ph.complete_phrases(text, segs)
            if self.config.cut_breaks:
                segs = sp.cut_at_breaks(text, segs)
        if self.config.whole_quotes or self.config.complete_phrases:
            segs = _unique(segs)
        return segs

    def label(self, text: str, spans) -> np.ndarray:
        """Technique probabilities for spans a person marked (SemEval's second task)."""
        return self.classify(text, self.token_outputs(text), spans)

    def detect(self, text: str, outputs: TokenOutputs | None = None) -> list[Prediction]:
        """Every technique span in ``text``, overlapping where techniques overlap."""
        cfg = self.config
        out = self.token_outputs(text) if outputs is None else outputs
        if len(out.offsets) == 0:
            return []
        segments = self.segments(text, out)
        ids = self.techniques
        multi = np.array([t in cfg.multiword for t in ids])
        # a model that never learnt Repetition has no column for it (-1: none)
        rep = ids.index("Repetition") if "Repetition" in ids else -1
        norm_text = sp.normalise(text) if cfg.repetition_min else ""
        runs = sp.word_runs(norm_text) if cfg.repetition_min else None
        # token-head spans (added below where no segment carries their technique)
        candidates: list[tuple[int, sp.RawSpan]] = []
        if cfg.use_token_head:
            for k, tid in enumerate(ids):
                thr = cfg.per_technique.get(tid, cfg.token_threshold)
                col = out.p_tech[:, k]
                segs = self._shape(text, sp.decode_segments(text, out.offsets, col,
                                                            np.zeros_like(col), thr))
                candidates += [
                    (k, seg) for seg in segs
                    if not (multi[k] and sp.word_count(text[seg.start:seg.end]) <= 1)
                    and not (k == rep and cfg.repetition_min and sp.recurrences(
                        text[seg.start:seg.end], norm_text, runs) < cfg.repetition_min)]
        # one pass of the span classifier over segments (and candidates, if it judges them)
        judge = bool(cfg.min_span_prob or cfg.span_prob_score or cfg.score_token_head)
        spans = [(s.start, s.end) for s in segments]
        extra = sorted({(g.start, g.end) for _k, g in candidates} - set(spans)) if judge else []
        row = {se: i for i, se in enumerate(spans + extra)}
        all_probs, all_any = self.span_probs(text, out, spans + extra)
        found: dict[tuple[int, int, str], float] = {}
        for seg, p, q in zip(segments, all_probs, all_any):
            if q < cfg.min_span_prob:
                continue
            if multi.any() and sp.word_count(text[seg.start:seg.end]) <= 1:
                p = np.where(multi, 0.0, p)
            if cfg.repetition_min and sp.recurrences(text[seg.start:seg.end], norm_text,
                                                     runs) < cfg.repetition_min:
                p = p.copy()
                p[rep] = 0.0 if rep >= 0 else p[rep]
            if cfg.span_prob_score:
                p = p * q
            order = np.argsort(-p)
            if cfg.score_token_head:
                a, b = sp.token_range(out.offsets, seg.start, seg.end)
                peak = out.p_tech[a:max(b, a + 1)].max(0)
            for rank, k in enumerate(order[:2]):
                if rank == 1 and p[k] < cfg.second_label:
                    break
                found[(seg.start, seg.end, ids[k])] = float(
                    (peak[k] if cfg.score_token_head else seg.score) * p[k])
        taken: dict[str, list[tuple[int, int]]] = {}
        for s, e, t in found:
            taken.setdefault(t, []).append((s, e))
        for k, seg in candidates:
            tid = ids[k]
            if any(s < seg.end and seg.start < e for s, e in taken.get(tid, ())):
                continue
            pp = qq = 1.0
            if judge:
                i = row[(seg.start, seg.end)]
                pp, qq = float(all_probs[i, k]), float(all_any[i])
            if qq < cfg.min_span_prob:
                continue
            found[(seg.start, seg.end, tid)] = float(
                seg.score * (qq if cfg.span_prob_score else 1.0)
                * (pp if cfg.score_token_head else 1.0))
        if cfg.calibration:
            x, y = cfg.calibration["x"], cfg.calibration["y"]
            found = {key: float(np.interp(v, x, y)) for key, v in found.items()}
        if cfg.join_fragments:
            found = ph.join_fragments(text, found)
        name_calling = next((t for t in ids if t.startswith("Name_Calling")), None)
        if cfg.mock_titles and name_calling:
            for s, e in sp.mock_titles(text):
                key = (s, e, name_calling)
                found[key] = max(found.get(key, 0.0), cfg.mock_titles)
        preds = [Prediction(s, e, t, round(v, 4)) for (s, e, t), v in found.items()]
        preds.sort(key=lambda p: (p.start, p.end, p.technique))
        return preds
