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
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .errors import InputError, plural

__all__ = ["Scores", "si_scores", "full_scores", "tc_scores", "merge_intervals",
           "evaluate_files", "format_table", "not_in_gold_line"]


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
    p_sum = r_sum = 0.0
    for ps, pe in pred:
        for gs, ge in gold:
            inter = min(pe, ge) - max(ps, gs)
            if inter > 0:
                p_sum += inter / (pe - ps)
                r_sum += inter / (ge - gs)
    return p_sum, r_sum


def _score(pred_groups: dict, gold_groups: dict, gold_articles: set[str]) -> Scores:
    p_sum = r_sum = 0.0
    n_pred = n_gold = 0
    for key in set(pred_groups) | set(gold_groups):
        if key[0] not in gold_articles:
            continue
        pred = merge_intervals(pred_groups.get(key, []))
        gold = merge_intervals(gold_groups.get(key, []))
        n_pred += len(pred)
        n_gold += len(gold)
        ps, rs = _overlap_sums(pred, gold)
        p_sum += ps
        r_sum += rs
    p = p_sum / n_pred if n_pred else 0.0
    r = r_sum / n_gold if n_gold else 0.0
    return Scores(p, r, _f1(p, r), n_pred, n_gold)


def _articles(gold, articles) -> set[str]:
    return set(articles) if articles is not None else {g[0] for g in gold}


def si_scores(gold, pred, articles=None) -> Scores:
    """SI precision/recall/F1. ``articles``: the gold article ids (default: those with spans).

    >>> si_scores([("1", "Doubt", 0, 10)], [("1", "Slogans", 5, 15)]).f1
    0.5
    """
    arts = _articles(gold, articles)
    g, p = defaultdict(list), defaultdict(list)
    for aid, _t, s, e in gold:
        g[(aid,)].append((s, e))
    for aid, _t, s, e in pred:
        p[(aid,)].append((s, e))
    return _score(p, g, arts)


def full_scores(gold, pred, articles=None, techniques=None) -> Scores:
    """Full-task P/R/F1 (overlap counted only between spans of one technique) and per technique."""
    arts = _articles(gold, articles)
    g, p = defaultdict(list), defaultdict(list)
    for aid, t, s, e in gold:
        g[(aid, t)].append((s, e))
    for aid, t, s, e in pred:
        p[(aid, t)].append((s, e))
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
    gold_by: dict[tuple, Counter] = defaultdict(Counter)
    pred_by: dict[tuple, Counter] = defaultdict(Counter)
    for aid, t, s, e in gold:
        gold_by[(aid, int(s), int(e))][t] += 1
    for aid, t, s, e in pred:
        pred_by[(aid, int(s), int(e))][t] += 1
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
    """``evaluate_files``' result as an aligned text table."""
    lines = [f"articles: {result['articles']}",
             f"{'measure':<34}{'P':>8}{'R':>8}{'F1':>8}{'pred':>7}{'gold':>7}"]

    def row(name, s):
        return (f"{name:<34}{s['precision']:>8.4f}{s['recall']:>8.4f}{s['f1']:>8.4f}"
                f"{s['n_pred']:>7}{s['n_gold']:>7}")

    lines.append(row("SI (span identification)", result["si"]))
    if "tc" in result:
        lines.append(row("TC (technique classification)", result["tc"]))
    lines.append(row("full task (span + technique)", result["full"]))
    for tid, s in result["full"]["per_technique"].items():
        lines.append(row("  " + tid, s))
    return "\n".join(lines) + "\n"
