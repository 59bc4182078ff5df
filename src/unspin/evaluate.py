"""The SemEval-2020 Task 11 measures, computed exactly as the task defines them.

- **SI** (span identification): per article, gold spans are merged where they overlap, and so are
  predicted spans, techniques ignored. Every predicted span s and gold span t of the same article
  add |s∩t|/|s| to precision's sum and |s∩t|/|t| to recall's; P = sum / #predicted spans,
  R = sum / #gold spans (over all gold articles), F1 their harmonic mean.
- **Full task**: the same, but spans are merged per technique and only overlap between spans of the
  same technique counts. Per-technique F1 restricts both sides to one technique.
- **TC** (technique classification): for gold spans given, micro-averaged P/R/F1 of the predicted
  technique labels; with one label per gold line this is accuracy.

Spans are ``(article_id, technique, start, end)`` tuples with ``str`` offsets, end exclusive.

Uncertainty: the measures are sums over articles, so ``article_counts`` keeps each article's
sums and ``bootstrap`` resamples articles (with replacement, 10,000 times, seed 2020) to give
a 95% percentile interval; ``paired_bootstrap`` does the same for the difference of two systems
on the same articles, drawing the same articles for both.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError, plural

__all__ = ["Scores", "si_scores", "full_scores", "tc_scores", "merge_intervals",
           "evaluate_files", "format_table", "not_in_gold_line", "Interval", "article_counts",
           "f1_of_counts", "resample_weights", "bootstrap", "paired_bootstrap", "COUNTS"]


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    n_pred: int
    n_gold: int
    per_technique: dict[str, Scores] = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
             "f1": round(self.f1, 4), "n_pred": self.n_pred, "n_gold": self.n_gold}
        if self.per_technique:
            d["per_technique"] = {k: v.to_dict() for k, v in self.per_technique.items()}
        return d


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def merge_intervals(intervals) -> list[tuple[int, int]]:
    """Merge overlapping [start, end) intervals (touching ones stay apart, as sets of chars)."""
    out: list[list[int]] = []
    for s, e in sorted((int(s), int(e)) for s, e in intervals if e > s):
        if out and s < out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _overlap_sums(pred: list[tuple[int, int]], gold: list[tuple[int, int]]):
    """Sums of |s∩t|/|s| and |s∩t|/|t| over overlapping pairs of two *merged* (sorted,
    disjoint) lists, in one sweep: pairs are visited in the order of the plain double loop."""
    p_sum = r_sum = 0.0
    first = 0
    for ps, pe in pred:
        while first < len(gold) and gold[first][1] <= ps:  # ends before this and later preds
            first += 1
        k = first
        while k < len(gold) and gold[k][0] < pe:
            gs, ge = gold[k]
            inter = min(pe, ge) - max(ps, gs)
            if inter > 0:
                p_sum += inter / (pe - ps)
                r_sum += inter / (ge - gs)
            k += 1
    return p_sum, r_sum


def _article_sums(pred_groups: dict, gold_groups: dict, gold_articles) -> dict[str, list]:
    """Per gold article: [precision sum, predicted spans, recall sum, gold spans]."""
    sums: dict[str, list] = {aid: [0.0, 0, 0.0, 0] for aid in gold_articles}
    for key in set(pred_groups) | set(gold_groups):
        if key[0] not in sums:
            continue
        pred = merge_intervals(pred_groups.get(key, []))
        gold = merge_intervals(gold_groups.get(key, []))
        ps, rs = _overlap_sums(pred, gold)
        row = sums[key[0]]
        row[0] += ps
        row[1] += len(pred)
        row[2] += rs
        row[3] += len(gold)
    return sums


def _from_sums(p_sum: float, n_pred: int, r_sum: float, n_gold: int) -> Scores:
    p = p_sum / n_pred if n_pred else 0.0
    r = r_sum / n_gold if n_gold else 0.0
    return Scores(p, r, _f1(p, r), int(n_pred), int(n_gold))


def _score(pred_groups: dict, gold_groups: dict, gold_articles: set[str]) -> Scores:
    rows = _article_sums(pred_groups, gold_groups, gold_articles).values()
    return _from_sums(*(sum(col) for col in zip(*rows))) if rows else _from_sums(0, 0, 0, 0)


def _groups(spans, by_technique: bool) -> dict[tuple, list[tuple[int, int]]]:
    """Spans' (start, end) by article, or by (article, technique)."""
    out: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    for aid, t, s, e in spans:
        out[(aid, t) if by_technique else (aid,)].append((s, e))
    return out


def _articles(gold, articles) -> set[str]:
    return set(articles) if articles is not None else {g[0] for g in gold}


def si_scores(gold, pred, articles=None) -> Scores:
    """SI precision/recall/F1. ``articles``: the gold article ids (default: those with spans).

    >>> si_scores([("1", "Doubt", 0, 10)], [("1", "Slogans", 5, 15)]).f1
    0.5
    """
    return _score(_groups(pred, False), _groups(gold, False), _articles(gold, articles))


def full_scores(gold, pred, articles=None, techniques=None) -> Scores:
    """Full-task P/R/F1 (overlap counted only between spans of one technique) and per technique."""
    arts = _articles(gold, articles)
    g, p = _groups(gold, True), _groups(pred, True)
    total = _score(p, g, arts)
    names = sorted({k[1] for k in g} | {k[1] for k in p}) if techniques is None else techniques
    per = {}
    for tech in names:
        per[tech] = _score({k: v for k, v in p.items() if k[1] == tech},
                           {k: v for k, v in g.items() if k[1] == tech}, arts)
    return Scores(total.precision, total.recall, total.f1, total.n_pred, total.n_gold, per)


def tc_scores(gold, pred) -> Scores:
    """Micro P/R/F1 of technique labels on given spans, matched by (article, start, end).

    >>> tc_scores([("1", "Doubt", 0, 5), ("1", "Slogans", 9, 12)],
    ...           [("1", "Doubt", 0, 5), ("1", "Doubt", 9, 12)]).f1
    0.5
    """
    gold_by, pred_by = _techniques_by_span(gold), _techniques_by_span(pred)
    tp: Counter = Counter()
    n_pred_t: Counter = Counter()
    n_gold_t: Counter = Counter()
    for key, counts in gold_by.items():
        n_gold_t.update(counts)
        tp.update(counts & pred_by.get(key, Counter()))
    for counts in pred_by.values():
        n_pred_t.update(counts)
    per = {}
    for tech in sorted(set(n_gold_t) | set(n_pred_t)):
        p = tp[tech] / n_pred_t[tech] if n_pred_t[tech] else 0.0
        r = tp[tech] / n_gold_t[tech] if n_gold_t[tech] else 0.0
        per[tech] = Scores(p, r, _f1(p, r), n_pred_t[tech], n_gold_t[tech])
    n_pred, n_gold, hits = sum(n_pred_t.values()), sum(n_gold_t.values()), sum(tp.values())
    p = hits / n_pred if n_pred else 0.0
    r = hits / n_gold if n_gold else 0.0
    return Scores(p, r, _f1(p, r), n_pred, n_gold, per)


# -- uncertainty: bootstrap over articles ------------------------------------------------------

#: The columns of ``article_counts``: what the micro measures sum over articles.
COUNTS = ("precision sum", "predicted spans", "recall sum", "gold spans")

#: Bootstrap defaults: resamples, seed and level of every interval unspin reports.
RESAMPLES, SEED, LEVEL = 10_000, 2020, 0.95


def article_counts(measure: str, gold, pred, articles) -> np.ndarray:
    """Per article (rows in the order of ``articles``) the four sums ``COUNTS`` of a micro
    measure: ``measure`` is ``"si"``, ``"full"`` or ``"tc"`` (for TC the sums are correct
    labels, labels given, correct labels, gold labels). Summing rows and taking
    ``f1_of_counts`` gives the measure's F1 on those articles, so articles can be resampled.

    >>> article_counts("si", [("a", "Doubt", 0, 10)], [("a", "X", 5, 15)], ["a", "b"]).tolist()
    [[0.5, 1.0, 0.5, 1.0], [0.0, 0.0, 0.0, 0.0]]
    """
    ids = list(articles)
    if measure == "tc":
        rows = _tc_article_sums(gold, pred, ids)
    elif measure in ("si", "full"):
        by = measure == "full"
        rows = _article_sums(_groups(pred, by), _groups(gold, by), ids)
    else:
        raise ValueError(f"unknown measure {measure!r}: si, full or tc")
    return np.array([rows[a] for a in ids], dtype=np.float64).reshape(len(ids), 4)


def _techniques_by_span(rows) -> dict[tuple, Counter]:
    """(article, start, end) -> how many times each technique is given to that exact span."""
    by: dict[tuple, Counter] = defaultdict(Counter)
    for aid, t, s, e in rows:
        by[(aid, int(s), int(e))][t] += 1
    return by


def _tc_article_sums(gold, pred, ids) -> dict[str, list]:
    gold_by, pred_by = _techniques_by_span(gold), _techniques_by_span(pred)
    sums: dict[str, list] = {aid: [0, 0, 0, 0] for aid in ids}
    for key, counts in gold_by.items():
        if key[0] in sums:
            hits = sum((counts & pred_by.get(key, Counter())).values())
            sums[key[0]][0] += hits
            sums[key[0]][2] += hits
            sums[key[0]][3] += sum(counts.values())
    for key, counts in pred_by.items():
        if key[0] in sums:
            sums[key[0]][1] += sum(counts.values())
    return sums


def f1_of_counts(totals: np.ndarray) -> np.ndarray:
    """F1 of summed ``COUNTS`` along the last axis (0 where nothing was predicted or found)."""
    totals = np.asarray(totals, dtype=np.float64)
    p_sum, n_pred, r_sum, n_gold = np.moveaxis(totals, -1, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n_pred > 0, p_sum / n_pred, 0.0)
        r = np.where(n_gold > 0, r_sum / n_gold, 0.0)
        return np.where(p + r > 0, 2 * p * r / (p + r), 0.0)


@dataclass(frozen=True)
class Interval:
    """A measure on a set of articles and its percentile bootstrap interval."""

    point: float
    low: float
    high: float
    level: float = LEVEL

    def __str__(self) -> str:
        return f"{self.point:.3f} [{self.low:.3f}, {self.high:.3f}]"

    def to_dict(self) -> dict:
        """Six decimals: a card that prints these to three shows what ``__str__`` shows (four
        decimals rounded again to three could differ in the last digit)."""
        return {"point": round(self.point, 6), "low": round(self.low, 6),
                "high": round(self.high, 6), "level": self.level}


def resample_weights(n: int, resamples: int = RESAMPLES, seed: int = SEED) -> np.ndarray:
    """(resamples, n): how often each of ``n`` articles is drawn in each bootstrap resample
    (``n`` draws with replacement); the same seed gives the same resamples."""
    if n <= 0:
        raise InputError("no articles to resample")
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(resamples, n)) + n * np.arange(resamples)[:, None]
    return np.bincount(draws.ravel(), minlength=resamples * n).reshape(resamples, n).astype(
        np.float64)


def _interval(point: float, stats: np.ndarray, level: float) -> Interval:
    low, high = np.percentile(stats, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return Interval(float(point), float(low), float(high), level)


def bootstrap(counts, resamples: int = RESAMPLES, seed: int = SEED, level: float = LEVEL,
              weights: np.ndarray | None = None) -> Interval:
    """F1 of per-article ``counts`` (``article_counts``) and its percentile bootstrap interval:
    articles are drawn with replacement and their counts summed again (the SemEval F1s are
    micro measures, so resampled F1s are never averaged). ``weights``: ``resample_weights``
    of this many articles, when already drawn.

    >>> c = [[1, 1, 1, 1]] * 5 + [[0, 1, 0, 1]] * 5
    >>> str(bootstrap(c))
    '0.500 [0.200, 0.800]'
    """
    counts = np.asarray(counts, dtype=np.float64)
    w = resample_weights(len(counts), resamples, seed) if weights is None else weights
    return _interval(float(f1_of_counts(counts.sum(0))), f1_of_counts(w @ counts), level)


def paired_bootstrap(counts_a, counts_b, resamples: int = RESAMPLES, seed: int = SEED,
                     level: float = LEVEL, weights: np.ndarray | None = None) -> Interval:
    """F1(a) - F1(b) for two systems scored on the same articles (rows of ``counts_a`` and
    ``counts_b`` are the same articles, in the same order) and its paired bootstrap interval:
    each resample draws the same articles for both, so what the articles share (some are
    hard for every model) cancels out of the difference.

    >>> a = [[1, 1, 1, 1], [0, 1, 0, 1]]
    >>> str(paired_bootstrap(a, a))
    '0.000 [0.000, 0.000]'
    """
    a, b = np.asarray(counts_a, dtype=np.float64), np.asarray(counts_b, dtype=np.float64)
    if a.shape != b.shape:
        raise InputError(f"paired counts differ in shape: {a.shape} and {b.shape}; both "
                         "systems must be scored on the same articles")
    w = resample_weights(len(a), resamples, seed) if weights is None else weights
    point = float(f1_of_counts(a.sum(0)) - f1_of_counts(b.sum(0)))
    return _interval(point, f1_of_counts(w @ a) - f1_of_counts(w @ b), level)


def evaluate_files(gold_path, pred_path, split: str = "all") -> dict:
    """SI, full-task (and TC, when every prediction is on a gold span) scores of a prediction
    TSV against a PTC-layout folder or a gold TSV; ``split``: all, validation or train.

    Predictions for articles outside the gold set are not scored; the result's
    ``not_in_gold`` (present only when there are some) counts them. When no predicted article
    is in the gold set (or in ``split`` of it), ``InputError``: the scores would mean nothing.
    """
    from pathlib import Path

    from .report.semeval import read_spans_tsv
    from .techniques import TECHNIQUE_IDS

    gold_path = Path(gold_path)
    if gold_path.is_dir():
        from .training.data import read_labeled

        arts = read_labeled(gold_path)
        articles = [a.id for a in arts]
        gold = [(a.id, s.technique, s.start, s.end) for a in arts for s in a.spans]
    else:
        gold = read_spans_tsv(gold_path)
        articles = sorted({g[0] for g in gold})
    known = set(articles)
    if split != "all":
        from .training.data import is_validation

        keep = {a for a in articles if is_validation(a) == (split == "validation")}
        articles = [a for a in articles if a in keep]
        gold = [g for g in gold if g[0] in keep]
    wanted = set(articles)
    predicted = read_spans_tsv(Path(pred_path))
    pred = [p for p in predicted if p[0] in wanted]
    outside = _not_in_gold(predicted, known)
    if predicted and not pred:
        ids = len({p[0] for p in predicted})
        none = "its one article is not" if ids == 1 else f"none of its {ids} articles is"
        if outside["spans"] == len(predicted):
            raise InputError(
                f"{pred_path}: {none} in the gold set {gold_path} (first: {outside['first']}); "
                "the scores would mean nothing: check the article ids")
        raise InputError(f"{pred_path}: {none} in the {split} split of {gold_path}; the scores "
                         "would mean nothing: choose another --split")
    result = {"articles": len(articles),
              "si": si_scores(gold, pred, articles).to_dict(),
              "full": full_scores(gold, pred, articles, TECHNIQUE_IDS).to_dict()}
    if outside["spans"]:
        result["not_in_gold"] = outside
    gold_keys = {(g[0], g[2], g[3]) for g in gold}
    if pred and all((p[0], p[2], p[3]) in gold_keys for p in pred):
        result["tc"] = tc_scores(gold, pred).to_dict()
    return result


def _not_in_gold(pred, known: set[str]) -> dict:
    """Predicted spans whose article is not in the gold set: how many, in how many articles,
    and the first such article."""
    spans = [p for p in pred if p[0] not in known]
    return {"spans": len(spans), "articles": len({p[0] for p in spans}),
            "first": spans[0][0] if spans else None}


def not_in_gold_line(result: dict) -> str | None:
    """The warning for predictions ``evaluate_files`` could not score, or None.

    >>> not_in_gold_line({"not_in_gold": {"spans": 69, "articles": 1, "first": "7"}})
    '69 predicted spans in 1 article not in the gold set (first: 7); they are not scored'
    """
    out = result.get("not_in_gold")
    if not out:
        return None
    return (f"{plural(out['spans'], 'predicted span')} in {plural(out['articles'], 'article')} "
            f"not in the gold set (first: {out['first']}); they are not scored")


def format_table(result: dict) -> str:
    """``evaluate_files``' result as an aligned text table; the first column is as wide as its
    longest name (``Whataboutism,Straw_Men,Red_Herring`` included) and a space more."""
    names = ["  " + tid for tid in result["full"]["per_technique"]]
    width = max(34, *(len(n) + 1 for n in names))
    lines = [f"articles: {result['articles']}",
             f"{'measure':<{width}}{'P':>8}{'R':>8}{'F1':>8}{'pred':>7}{'gold':>7}"]

    def row(name, s):
        return (f"{name:<{width}}{s['precision']:>8.4f}{s['recall']:>8.4f}{s['f1']:>8.4f}"
                f"{s['n_pred']:>7}{s['n_gold']:>7}")

    lines.append(row("SI (span identification)", result["si"]))
    if "tc" in result:
        lines.append(row("TC (technique classification)", result["tc"]))
    lines.append(row("full task (span + technique)", result["full"]))
    for tid, s in result["full"]["per_technique"].items():
        lines.append(row("  " + tid, s))
    return "\n".join(lines) + "\n"
