"""Statistics over a store, per outlet, author, month or technique, aggregated in SQL.

For each group: articles, words, spans, spans per 1000 words, and for each technique the spans
and the share of the group's articles using it. ``--by technique`` gives each technique's spans,
articles, share of all articles, density and its most frequent phrases. Only articles analysed
without error count, for one model (the latest loaded unless one is named).

The heavy work is a few ``GROUP BY`` queries, so a store with a million spans answers in about a
second; Python only shapes the (small) results.

>>> s = compute("sqlite:///unspin.db", "outlet")       # doctest: +SKIP
>>> print(render_table(s))                              # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError, InputError
from ..files import write_atomic
from ..techniques import BY_ID, TECHNIQUE_IDS

__all__ = ["Stats", "Group", "TechniqueRow", "compute", "render_table", "write_csv", "to_csv",
           "GROUPINGS"]

GROUPINGS = ("outlet", "author", "month", "technique")
UNKNOWN = {"outlet": "(unknown outlet)", "author": "(no author)", "month": "(undated)"}
_PHRASES = 5


@dataclass
class Group:
    """One outlet, author or month. ``techniques[t] = (spans, articles using t)``."""

    key: str
    articles: int
    words: int
    spans: int
    techniques: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def per_1000_words(self) -> float:
        return 1000 * self.spans / self.words if self.words else 0.0

    def share(self, technique: str) -> float:
        """Share (0-1) of this group's articles with at least one span of ``technique``."""
        return self.techniques.get(technique, (0, 0))[1] / self.articles if self.articles else 0.0


@dataclass
class TechniqueRow:
    technique: str
    spans: int
    articles: int
    share: float  # of all articles
    per_1000_words: float
    phrases: list[tuple[str, int]]

    @property
    def name(self) -> str:
        return BY_ID[self.technique].name if self.technique in BY_ID else self.technique


@dataclass
class Stats:
    by: str
    db: str
    model: tuple[str, str]
    articles: int
    words: int
    spans: int
    groups: list[Group] = field(default_factory=list)
    techniques: list[TechniqueRow] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def per_1000_words(self) -> float:
        return 1000 * self.spans / self.words if self.words else 0.0

    def technique_order(self) -> list[str]:
        """Techniques, most used (by articles) first."""
        if self.techniques:
            return [t.technique for t in self.techniques]
        used: dict[str, int] = {}
        for g in self.groups:
            for t, (_s, a) in g.techniques.items():
                used[t] = used.get(t, 0) + a
        return sorted(TECHNIQUE_IDS, key=lambda t: (-used.get(t, 0), t))


# ---------------------------------------------------------------------------------------------
# queries

def compute(url: str, by: str, *, model: str | None = None) -> Stats:
    """Statistics from the store at ``url`` grouped ``by`` outlet, author, month or technique."""
    if by not in GROUPINGS:
        raise ConfigError(f"--by {by}: use one of {', '.join(GROUPINGS)}")
    from ..errors import require
    from .store import StoreError, _reason, connect, tables

    sa = require("sqlalchemy", "corpus")
    engine = connect(url)
    started = time.monotonic()
    try:
        with engine.connect() as conn:
            _md, runs, articles, authors, per_article, per_author, spans = tables()
            if not sa.inspect(conn).has_table("articles"):
                raise InputError(f"{engine.shown_url}: no batch results here; load some with "
                                 "'unspin store load OUT --db ...'")
            name, version = _pick_model(conn, sa, runs, articles, model, engine.shown_url)
            ok = sa.and_(articles.c.model_name == name, articles.c.model_version == version,
                         articles.c.status == "ok")
            total = conn.execute(sa.select(
                sa.func.count(), sa.func.coalesce(sa.func.sum(articles.c.words), 0),
                sa.func.coalesce(sa.func.sum(articles.c.spans), 0)).where(ok)).one()
            stats = Stats(by, engine.shown_url, (name, version), int(total[0]), int(total[1]),
                          int(total[2]))
            if by == "technique":
                stats.techniques = _by_technique(conn, sa, per_article, spans, name, version,
                                                 stats)
            else:
                stats.groups = _by_group(conn, sa, articles, authors,
                                         per_author if by == "author" else per_article, ok, by,
                                         (name, version))
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"{engine.shown_url}: query failed ({_reason(exc, engine.url)})"
                         ) from None
    finally:
        engine.dispose()
    stats.seconds = time.monotonic() - started
    return stats


def _pick_model(conn, sa, runs, articles, wanted: str | None, shown: str) -> tuple[str, str]:
    name, _, version = (wanted or "").partition("@")
    q = sa.select(articles.c.model_name, articles.c.model_version,
                  sa.func.max(runs.c.loaded_at).label("loaded")).select_from(
        articles.outerjoin(runs, runs.c.run_id == articles.c.run_id)).group_by(
        articles.c.model_name, articles.c.model_version)
    found = [(r[0], r[1], r[2] or "") for r in conn.execute(q)]
    if name:
        found = [f for f in found if f[0] == name and (not version or f[1] == version)]
        if not found:
            raise InputError(f"{shown}: no articles analysed with model {wanted}")
    if not found:
        raise InputError(f"{shown}: no batch results here; load some with 'unspin store load'")
    best = max(found, key=lambda f: (f[2], f[1]))
    return best[0], best[1]


def _by_group(conn, sa, articles, authors, per_article, ok, by, model) -> list[Group]:
    """Totals per group from ``articles``; per group and technique from ``article_techniques``
    or ``author_techniques`` (one row per article, technique [and author], the group key copied
    in, so this GROUP BY reads one table along an index)."""
    if by == "author":
        g = sa.func.coalesce(authors.c.author, UNKNOWN[by]).label("g")
        totals_from = articles.outerjoin(authors, sa.and_(
            authors.c.article_id == articles.c.article_id,
            authors.c.model_name == articles.c.model_name,
            authors.c.model_version == articles.c.model_version))
    else:
        g = sa.func.coalesce(articles.c[by], UNKNOWN[by]).label("g")
        totals_from = articles
    g2 = sa.func.coalesce(per_article.c[by], UNKNOWN[by]).label("g")
    techniques_from = per_article
    q = (sa.select(g, sa.func.count(), sa.func.coalesce(sa.func.sum(articles.c.words), 0),
                   sa.func.coalesce(sa.func.sum(articles.c.spans), 0))
         .select_from(totals_from).where(ok).group_by(g))
    groups = {r[0]: Group(r[0], int(r[1]), int(r[2]), int(r[3])) for r in conn.execute(q)}
    q = (sa.select(g2, per_article.c.technique, sa.func.sum(per_article.c.spans), sa.func.count())
         .select_from(techniques_from)
         .where(per_article.c.model_name == model[0], per_article.c.model_version == model[1])
         .group_by(g2, per_article.c.technique))
    for key, technique, n_spans, n_articles in conn.execute(q):
        if key in groups:
            groups[key].techniques[technique] = (int(n_spans), int(n_articles))
    if by == "month":
        return sorted(groups.values(), key=lambda x: (x.key.startswith("("), x.key))
    return sorted(groups.values(), key=lambda x: (-x.articles, -x.spans, x.key))


def _by_technique(conn, sa, per_article, spans, name, version, stats: Stats) -> list[TechniqueRow]:
    q = (sa.select(per_article.c.technique, sa.func.sum(per_article.c.spans), sa.func.count())
         .where(per_article.c.model_name == name, per_article.c.model_version == version)
         .group_by(per_article.c.technique))
    counts = {t: (int(n), int(a)) for t, n, a in conn.execute(q)}
    mine = sa.and_(spans.c.model_name == name, spans.c.model_version == version)
    grouped = (sa.select(spans.c.technique, spans.c.phrase, sa.func.count().label("n"))
               .where(mine).group_by(spans.c.technique, spans.c.phrase).subquery())
    rank = sa.func.row_number().over(partition_by=grouped.c.technique,
                                     order_by=(grouped.c.n.desc(), grouped.c.phrase)).label("rk")
    ranked = sa.select(grouped.c.technique, grouped.c.phrase, grouped.c.n, rank).subquery()
    phrases: dict[str, list[tuple[str, int]]] = {}
    for t, p, n in conn.execute(sa.select(ranked.c.technique, ranked.c.phrase, ranked.c.n)
                                .where(ranked.c.rk <= _PHRASES)
                                .order_by(ranked.c.technique, ranked.c.rk)):
        phrases.setdefault(t, []).append((p or "", int(n)))
    rows = []
    for t in set(TECHNIQUE_IDS) | set(counts):
        n, a = counts.get(t, (0, 0))
        rows.append(TechniqueRow(t, n, a, a / stats.articles if stats.articles else 0.0,
                                 1000 * n / stats.words if stats.words else 0.0,
                                 phrases.get(t, [])))
    return sorted(rows, key=lambda r: (-r.articles, -r.spans, r.technique))


# ---------------------------------------------------------------------------------------------
# output

def _fmt(n: int) -> str:
    return f"{n:,}"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(stats: Stats, top: int = 25) -> str:
    """The statistics as a plain-text table for the terminal."""
    m = "@".join(stats.model)
    lines = [f"{stats.by}: {_fmt(stats.articles)} articles, {_fmt(stats.words)} words, "
             f"{_fmt(stats.spans)} spans ({stats.per_1000_words:.2f} per 1000 words), model {m}",
             ""]
    if stats.by == "technique":
        lines.append(f"{'technique':<40}{'spans':>9}{'articles':>10}{'share':>7}{'/1000w':>8}"
                     "  top phrases")
        for r in stats.techniques:
            phrases = ", ".join(f"“{_cut(p, 24)}” ×{n}" for p, n in r.phrases[:3])
            lines.append(f"{_cut(r.name, 39):<40}{_fmt(r.spans):>9}{_fmt(r.articles):>10}"
                         f"{r.share:>7.0%}{r.per_1000_words:>8.2f}  {phrases}")
        return "\n".join(lines) + "\n"
    order = stats.technique_order()
    lines.append(f"{stats.by:<30}{'articles':>9}{'words':>12}{'spans':>9}{'/1000w':>8}"
                 "  most used techniques (share of articles)")
    shown = stats.groups[-top:] if stats.by == "month" else stats.groups[:top]
    for g in shown:
        used = sorted((t for t in order if g.share(t)), key=lambda t: -g.share(t))[:3]
        top3 = " · ".join(f"{BY_ID[t].name if t in BY_ID else t} {g.share(t):.0%}" for t in used)
        lines.append(f"{_cut(g.key, 29):<30}{_fmt(g.articles):>9}{_fmt(g.words):>12}"
                     f"{_fmt(g.spans):>9}{g.per_1000_words:>8.2f}  {top3}")
    if len(stats.groups) > top:
        which = "the last" if stats.by == "month" else "the largest"
        lines.append(f"({which} {top} of {len(stats.groups)} {stats.by}s shown; "
                     "--csv writes all, --top shows more)")
    return "\n".join(lines) + "\n"


def to_csv(stats: Stats) -> str:
    """Tidy CSV: one row per group and technique (or per technique for ``--by technique``)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    model = "@".join(stats.model)
    if stats.by == "technique":
        w.writerow(["technique", "name", "spans", "articles", "share_of_articles",
                    "per_1000_words", "top_phrases", "model"])
        for r in stats.techniques:
            w.writerow([r.technique, r.name, r.spans, r.articles, f"{r.share:.4f}",
                        f"{r.per_1000_words:.4f}", "; ".join(f"{p} ({n})" for p, n in r.phrases),
                        model])
        return buf.getvalue()
    w.writerow([stats.by, "articles", "words", "spans", "per_1000_words", "technique",
                "technique_spans", "technique_articles", "share_of_articles", "model"])
    for g in stats.groups:
        for t in stats.technique_order():
            n, a = g.techniques.get(t, (0, 0))
            w.writerow([g.key, g.articles, g.words, g.spans, f"{g.per_1000_words:.4f}", t, n, a,
                        f"{g.share(t):.4f}", model])
    return buf.getvalue()


def write_csv(stats: Stats, path) -> None:
    """Write ``to_csv`` output atomically."""
    write_atomic(path, to_csv(stats))
