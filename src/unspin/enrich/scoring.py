"""Score the enrich stage against hand-marked articles (tests/fixtures/enrich/*.json).

Quote spans match when their character overlap is at least half of their union; a speaker is
right when it names one of the gold aliases (same last word counts: "Kerry" = "John Kerry").
Targets are scored per gold technique span; claims match when a predicted sentence covers at
least half of a gold one (sentence splitters differ at the edges).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..training.data import GoldSpan
from . import enrich

__all__ = ["Counts", "GoldArticle", "load_gold", "score"]


@dataclass
class GoldArticle:
    id: str
    source: str
    text: str
    quotes: list[dict]
    targets: list[dict]
    claims: list[dict]


@dataclass
class Counts:
    """True positives, predictions and gold items of one measure."""

    tp: int = 0
    pred: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.pred if self.pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.pred += other.pred
        self.gold += other.gold


@dataclass
class Report:
    quotes: Counts = field(default_factory=Counts)
    speakers: Counts = field(default_factory=Counts)
    targets: Counts = field(default_factory=Counts)
    claims: Counts = field(default_factory=Counts)

    def rows(self) -> Iterator[tuple[str, Counts]]:
        yield from (("quote spans", self.quotes), ("speakers", self.speakers),
                    ("targets", self.targets), ("claims", self.claims))


def load_gold(path: Path, ptc_dir: Path | None = None) -> list[GoldArticle]:
    """Read a gold file; PTC articles are read from ``ptc_dir`` and checked by sha256."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for art in data["articles"]:
        if art["source"] == "ptc":
            if ptc_dir is None:
                raise FileNotFoundError("PTC articles need ptc_dir (../shared/data/ptc)")
            text = (Path(ptc_dir) / "train-articles" / f"article{art['id']}.txt").read_text(
                encoding="utf-8")
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            if digest != art["text_sha256"]:
                raise ValueError(f"PTC article {art['id']} is not the text that was marked")
        else:
            text = art["text"]
        out.append(GoldArticle(art["id"], art["source"], text, art["quotes"], art["targets"],
                               art["claims"]))
    return out


def _overlap(a: dict, s: int, e: int) -> int:
    return max(0, min(a["end"], e) - max(a["start"], s))


def _same_entity(pred: str | None, gold: list[str] | None) -> bool:
    if not pred or not gold:
        return False
    p = pred.lower().strip()
    for g in gold:
        g = g.lower().strip()
        if p == g or p.split()[-1] == g.split()[-1]:
            return True
    return False


def score_article(art: GoldArticle) -> Report:
    spans = [GoldSpan(t["start"], t["end"], t["technique"]) for t in art.targets]
    result = enrich(art.text, spans)
    rep = Report()
    # quotes: one-to-one, greedy on overlap / union >= 0.5
    used: set[int] = set()
    rep.quotes.pred = len(result.quotes)
    rep.quotes.gold = len(art.quotes)
    rep.speakers.gold = sum(1 for g in art.quotes if g["speaker"])
    rep.speakers.pred = sum(1 for q in result.quotes if q.speaker)
    for g in art.quotes:
        best, best_k = 0.0, None
        for k, q in enumerate(result.quotes):
            if k in used:
                continue
            inter = _overlap(g, q.start, q.end)
            union = max(g["end"], q.end) - min(g["start"], q.start)
            if union and inter / union > best:
                best, best_k = inter / union, k
        if best_k is not None and best >= 0.5:
            used.add(best_k)
            rep.quotes.tp += 1
            if _same_entity(result.quotes[best_k].speaker, g["speaker"]):
                rep.speakers.tp += 1
    # targets: per gold span
    by_span = {t.span: t for t in result.targets}
    for k, g in enumerate(art.targets):
        pred = by_span.get(k)
        rep.targets.gold += g["target"] is not None
        rep.targets.pred += pred is not None
        if pred is not None and _same_entity(pred.entity, g["target"]):
            rep.targets.tp += 1
    # claims: one-to-one, a predicted sentence covering at least half of a gold one
    rep.claims.pred = len(result.claims)
    rep.claims.gold = len(art.claims)
    taken: set[int] = set()
    for g in art.claims:
        for k, c in enumerate(result.claims):
            if k not in taken and _overlap(g, c.start, c.end) * 2 >= g["end"] - g["start"]:
                taken.add(k)
                rep.claims.tp += 1
                break
    return rep


def score(articles: Iterable[GoldArticle]) -> Report:
    """Micro-averaged counts over the articles."""
    total = Report()
    for art in articles:
        rep = score_article(art)
        for (_, a), (_, b) in zip(total.rows(), rep.rows()):
            a.add(b)
    return total
