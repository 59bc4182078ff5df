"""Statistics over a store, per outlet, author, technique, period or target, aggregated in SQL.

For each group: articles, words, spans, spans per 1000 words, and for each technique the spans
and the share of the group's articles using it. A group with fewer than ``min_articles``
articles is marked: its shares would be noise (one article makes 100%). ``--by week|month|
quarter|year`` is a timeline: every period from the first to the last, empty ones included,
and a series per outlet (a store with no dated article has no timeline: ``InputError``).
``--by technique`` gives each technique's spans, articles, share of
all articles, density and the phrases that recur most (see ``store.phrase``). ``--by target``
ranks the entities (people, groups, countries, organisations) the spans are aimed at: per entity
its targeted spans, the articles aiming at it (and their share of the articles analysed with
enrichment), the techniques used on it and the outlets doing it; ``outlet`` narrows it to one
outlet. An entity aimed at by fewer than ``min_articles`` articles is ranked after the others
and marked: one article's subject is not an outlet's pattern. Only articles
analysed without error count, for one model: name, version and fingerprint (the latest loaded
unless one is named).

Reviewed articles (``unspin review import --db``, the web page's "Save corrections": reviews in
the same database, matched by article id) are counted a second time as *reviewed*: beside the
model's counts, each group's and technique's counts with every reviewed article's spans as its
latest review leaves them (its rejected spans struck, relabelled and moved ones changed, added
ones added, spans the reviewer left alone as the model found them), and how many articles were
reviewed. ``--by target`` gives no reviewed counts (a review says nothing of targets). Only
reviews of this model's spans (the model a review names: name, version, fingerprint; a review
naming none counts) in its taxonomy count; articles reviewed only in the other taxonomy or only
as another model's output are left out of the reviewed counts, and a note says how many.

The heavy work is a few ``GROUP BY`` queries, so a store with a million spans answers in about a
second; Python only shapes the (small) results.

>>> s = compute("sqlite:///unspin.db", "outlet")       # doctest: +SKIP
>>> print(render_table(s))                              # doctest: +SKIP
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from dataclasses import dataclass, field

from ..errors import ConfigError, InputError, plural
from ..files import write_atomic
from ..techniques import BY_ID, TAXONOMY_2023, taxonomy
from .store import model_label

__all__ = ["Stats", "Group", "TechniqueRow", "TargetRow", "compute", "render_table", "write_csv",
           "to_csv", "GROUPINGS", "PERIODS", "MIN_ARTICLES"]

PERIODS = ("week", "month", "quarter", "year")
GROUPINGS = ("outlet", "author", "technique", *PERIODS, "target")
UNDATED = "(undated)"
UNKNOWN = {"outlet": "(unknown outlet)", "author": "(no author)",
           **dict.fromkeys(PERIODS, UNDATED)}
MIN_ARTICLES = 5  # below this, a group's shares are too noisy to compare
_PHRASES = 5  # per technique, recurring (said at least twice)
_MAX_PERIODS = 5_000  # a timeline longer than this shows its dated periods only


@dataclass
class Group:
    """One outlet, author or month. ``techniques[t] = (spans, articles using t)``."""

    key: str
    articles: int
    words: int
    spans: int
    techniques: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: articles of the group with a review, and the group's spans and ``techniques`` counted
    #: with those articles' spans as reviewed (the model's where no review exists)
    reviewed: int = 0
    reviewed_spans: int = 0
    reviewed_techniques: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def per_1000_words(self) -> float:
        return 1000 * self.spans / self.words if self.words else 0.0

    def share(self, technique: str) -> float:
        """Share (0-1) of this group's articles with at least one span of ``technique``."""
        return self.techniques.get(technique, (0, 0))[1] / self.articles if self.articles else 0.0

    def reviewed_share(self, technique: str) -> float:
        """``share`` with the reviewed articles' spans as reviewed."""
        return (self.reviewed_techniques.get(technique, (0, 0))[1] / self.articles
                if self.articles else 0.0)


@dataclass
class TechniqueRow:
    technique: str
    spans: int
    articles: int
    share: float  # of all articles
    per_1000_words: float
    phrases: list[tuple[str, int]]
    reviewed_spans: int = 0  # spans and articles with the reviewed articles' spans as reviewed
    reviewed_articles: int = 0

    @property
    def name(self) -> str:
        return _technique_name(self.technique)


@dataclass
class TargetRow:
    """One entity the spans are aimed at. ``techniques[t]``: spans of technique ``t`` aimed at
    it; ``outlets[o] = (spans, articles)``; ``share``: of the articles analysed with enrichment
    (in scope), those aiming at least one span at it (0-1)."""

    entity: str
    kind: str
    spans: int
    articles: int
    share: float
    techniques: dict[str, int] = field(default_factory=dict)
    outlets: dict[str, tuple[int, int]] = field(default_factory=dict)

    def top_techniques(self, n: int = 3) -> list[tuple[str, int]]:
        """The ``n`` techniques most aimed at it: (technique, spans), most first."""
        return sorted(self.techniques.items(), key=lambda x: (-x[1], x[0]))[:n]


@dataclass
class Stats:
    """``model``: (name, version, fingerprint). ``series``: for a timeline, each outlet's
    groups, one per dated period of ``groups``. ``note``: something to tell the reader (the
    model chosen among several fingerprints). For ``--by target``: ``targets`` ranked,
    ``outlet`` the one outlet asked for, ``enriched`` the articles analysed with enrichment,
    ``targeted`` the spans with a target, ``outlet_articles`` each outlet's enriched articles,
    and ``fine`` the rows (entity, kind, outlet, technique, spans, articles) behind the CSV.
    ``reviewed``: the articles with a review; ``reviewed_spans``: all spans with their spans
    as reviewed; ``reviewed_model_spans`` and ``reviewed_kept``: the model's spans in those
    articles and theirs after review. Statistics are always of one model, so of the one
    ``taxonomy`` it speaks; its name is shown when it is not 2020."""

    by: str
    db: str
    model: tuple[str, str, str]
    articles: int
    words: int
    spans: int
    groups: list[Group] = field(default_factory=list)
    techniques: list[TechniqueRow] = field(default_factory=list)
    seconds: float = 0.0
    min_articles: int = MIN_ARTICLES
    note: str | None = None
    series: dict[str, list[Group]] = field(default_factory=dict)
    targets: list[TargetRow] = field(default_factory=list)
    outlet: str | None = None
    enriched: int = 0
    targeted: int = 0
    outlet_articles: dict[str, int] = field(default_factory=dict)
    fine: list[tuple] = field(default_factory=list)
    reviewed: int = 0
    reviewed_spans: int = 0
    reviewed_model_spans: int = 0
    reviewed_kept: int = 0
    #: the taxonomy of the model's techniques (one model, so one taxonomy: never mixed)
    taxonomy: str = "2020"

    @property
    def per_1000_words(self) -> float:
        return 1000 * self.spans / self.words if self.words else 0.0

    @property
    def model_label(self) -> str:
        return model_label(*self.model)

    @property
    def timeline(self) -> bool:
        return self.by in PERIODS

    def few(self, group: Group | TargetRow) -> bool:
        """True when ``group`` has too few articles for its shares to mean much (an entity:
        too few articles aim at it to call it a pattern)."""
        return group.articles < self.min_articles

    def technique_order(self) -> list[str]:
        """Techniques, most used (by articles) first."""
        if self.techniques:
            return [t.technique for t in self.techniques]
        used: dict[str, int] = {}
        for g in self.groups:
            for t, (_s, a) in g.techniques.items():
                used[t] = used.get(t, 0) + a
        return sorted(taxonomy(self.taxonomy).ids, key=lambda t: (-used.get(t, 0), t))


# ---------------------------------------------------------------------------------------------
# queries

def compute(url: str, by: str, *, model: str | None = None,
            min_articles: int = MIN_ARTICLES, outlet: str | None = None) -> Stats:
    """Statistics from the store at ``url`` grouped ``by`` outlet, author, technique, week,
    month, quarter, year or target. ``model``: NAME, NAME@VERSION or NAME@VERSION#FINGERPRINT
    (a prefix). ``outlet`` (``--by target`` only): that outlet's articles alone. Never creates
    a database.

    >>> s = compute("sqlite:///unspin.db", "target", outlet="Gazette")   # doctest: +SKIP
    >>> s.targets[0].entity, s.targets[0].top_techniques(1)              # doctest: +SKIP
    ('Jane Smith', [('Loaded_Language', 6)])
    """
    if by not in GROUPINGS:
        raise ConfigError(f"--by {by}: use one of {', '.join(GROUPINGS)}")
    if min_articles < 1:
        raise ConfigError("--min-articles must be at least 1")
    if outlet is not None and by != "target":
        raise ConfigError("--outlet works with --by target (the other groupings show every "
                          "outlet already)")
    from ..errors import require
    from .store import StoreError, _reason, check_schema, connect, tables

    sa = require("sqlalchemy", "corpus")
    engine = connect(url, create=False)
    started = time.monotonic()
    try:
        with engine.connect() as conn:
            t = tables()
            runs, articles, authors, spans = t.runs, t.articles, t.authors, t.spans
            per_article, per_author = t.techniques, t.by_author
            check_schema(conn, engine.shown_url)
            if not sa.inspect(conn).has_table("articles"):
                raise InputError(f"{engine.shown_url}: no batch results here; load some with "
                                 "'unspin store load OUT --db ...'")
            chosen, note = _pick_model(conn, sa, runs, articles, model, engine.shown_url)
            ok = sa.and_(_of_model(articles, chosen), articles.c.status == "ok")
            if outlet is not None:
                ok = sa.and_(ok, articles.c.outlet == outlet)
            total = conn.execute(sa.select(
                sa.func.count(), sa.func.coalesce(sa.func.sum(articles.c.words), 0),
                sa.func.coalesce(sa.func.sum(articles.c.spans), 0)).where(ok)).one()
            stats = Stats(by, engine.shown_url, chosen, int(total[0]), int(total[1]),
                          int(total[2]), min_articles=min_articles, note=note,
                          taxonomy=_taxonomy_of(conn, sa, articles, ok, engine.shown_url))
            if by == "target":
                stats.outlet = outlet
                _by_target(conn, sa, t, ok, chosen, stats, engine.shown_url)
            elif by == "technique":
                stats.techniques = _by_technique(conn, sa, per_article, spans, chosen, stats)
            elif by in PERIODS:
                stats.groups, stats.series = _by_period(conn, sa, articles, per_article, ok, by,
                                                        chosen)
                if stats.articles and all(g.key == UNDATED for g in stats.groups):
                    which = ("its one article has no" if stats.articles == 1 else
                             f"none of its {stats.articles:,} articles has a")
                    raise InputError(
                        f"{engine.shown_url}: no dates: {which} 'published' date, so there is "
                        f"no timeline by {by}; give 'published' as YYYY-MM-DD in the batch "
                        "input, or group --by outlet, author, technique or target")
            else:
                stats.groups = _by_group(conn, sa, articles, authors,
                                         per_author if by == "author" else per_article, ok, by,
                                         chosen)
            if by != "target":
                _add_reviewed(conn, sa, t, ok, chosen, stats, engine.shown_url)
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"{engine.shown_url}: query failed ({_reason(exc, engine.url)})"
                         ) from None
    finally:
        engine.dispose()
    stats.seconds = time.monotonic() - started
    return stats


def reviewed_spans(spans: list[tuple[int, int, str]], review) -> list[tuple[int, int, str]]:
    """An article's spans (start, end, technique) as ``review`` leaves them: its rejected
    spans struck, its relabelled and moved ones changed, its accepted and added ones there
    (once), the others as they were.

    >>> from unspin.review.format import Correction, Review
    >>> r = Review("a", "They are traitors.", (Correction("reject", 0, 4, "Doubt"),
    ...            Correction("move", 9, 18, "Name_Calling,Labeling", None, 9, 17)), None, "ana",
    ...            "2025-03-01T12:00:00Z")
    >>> reviewed_spans([(0, 4, "Doubt"), (9, 17, "Name_Calling,Labeling"), (5, 8, "Doubt")], r)
    [(5, 8, 'Doubt'), (9, 18, 'Name_Calling,Labeling')]
    """
    out = set(spans)
    for c in review.corrections:
        if c.action != "add":
            out.discard((*c.was, c.original or c.technique))
    out |= {(c.start, c.end, c.technique) for c in review.kept}
    return sorted(out)


def _add_reviewed(conn, sa, t, ok, model, stats: Stats, shown: str) -> None:
    """Count the reviewed articles of ``stats`` a second time with their spans as reviewed
    (the latest review of each, from the ``reviews`` table ``unspin review`` keeps)."""
    import json

    from ..review.format import latest, parse_review
    from ..review.store import review_tables

    stats.reviewed_spans = stats.spans  # until a review says otherwise
    for g in stats.groups:
        g.reviewed_spans, g.reviewed_techniques = g.spans, dict(g.techniques)
    for r in stats.techniques:
        r.reviewed_spans, r.reviewed_articles = r.spans, r.articles
    if not sa.inspect(conn).has_table("reviews"):
        return
    t_reviews = review_tables()[1]
    try:
        stored = [parse_review(json.loads(record)) for record in conn.execute(
            sa.select(t_reviews.c.record).order_by(t_reviews.c.review_id)).scalars()]
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{shown}: a stored review cannot be read ({exc})") from None
    # a review in another taxonomy names other techniques, and one of another model's spans
    # corrects spans this model may not have: neither is counted with the model's
    reviews = {r.id: r for r in latest(r for r in stored if r.taxonomy == stats.taxonomy
                                       and _reviewed_model(r, model))}
    a, by = t.articles, stats.by
    ours = {r.id for r in stored if r.taxonomy == stats.taxonomy}  # each article in one note
    _note_left_out(conn, sa, a, ok, stats, sorted(
        {r.id for r in stored if r.taxonomy != stats.taxonomy} - ours),
        f"reviewed only in another taxonomy than the model's {stats.taxonomy}")
    _note_left_out(conn, sa, a, ok, stats, sorted(ours - set(reviews)),
                   f"reviewed only as another model's output than {model_label(*model)}")
    if not reviews:
        return
    column = {"week": "day", "quarter": "month", "year": "month"}.get(by, by)
    keys: dict[str, list[str]] = {}
    model_spans: dict[str, list[tuple[int, int, str]]] = {}
    ids = sorted(reviews)
    for n in range(0, len(ids), 500):  # bounded IN lists
        chunk = ids[n:n + 500]
        for aid, value in conn.execute(sa.select(
                a.c.article_id, a.c.outlet if column in ("technique", "author")
                else a.c[column]).where(ok, a.c.article_id.in_(chunk))):
            if by in PERIODS:
                keys[aid] = [_period(value, by)]
            elif by == "outlet":
                keys[aid] = [value or UNKNOWN[by]]
            else:
                keys[aid] = []
            model_spans[aid] = []
        if by == "author":
            for aid, author in conn.execute(sa.select(t.authors.c.article_id, t.authors.c.author)
                                            .where(_of_model(t.authors, model),
                                                   t.authors.c.article_id.in_(chunk))):
                if aid in keys:
                    keys[aid].append(author)
            for aid in chunk:
                if aid in keys and not keys[aid]:
                    keys[aid] = [UNKNOWN[by]]
        for aid, start, end, technique in conn.execute(
                sa.select(t.spans.c.article_id, t.spans.c.start, t.spans.c.end,
                          t.spans.c.technique).where(_of_model(t.spans, model),
                                                     t.spans.c.article_id.in_(chunk))):
            if aid in model_spans:
                model_spans[aid].append((start, end, technique))
    groups = {g.key: g for g in stats.groups}
    total: dict[str, list[int]] = {}  # technique -> [spans, articles] change ("*": all spans)
    per_group: dict[str, dict[str, list[int]]] = {}
    for aid, before in model_spans.items():
        after = reviewed_spans(before, reviews[aid])
        stats.reviewed += 1
        stats.reviewed_model_spans += len(before)
        stats.reviewed_kept += len(after)
        change = {"*": [len(after) - len(before), 0]}
        for sign, spans in ((-1, before), (1, after)):
            for technique in {x[2] for x in spans}:
                c = change.setdefault(technique, [0, 0])
                c[0] += sign * sum(x[2] == technique for x in spans)
                c[1] += sign
        for into in [total] + [per_group.setdefault(k, {}) for k in keys[aid] if k in groups]:
            for technique, (dn, da) in change.items():
                d = into.setdefault(technique, [0, 0])
                d[0] += dn
                d[1] += da
        for k in keys[aid]:
            if k in groups:
                groups[k].reviewed += 1
    stats.reviewed_spans = stats.spans + total.get("*", [0, 0])[0]
    for g in stats.groups:
        d = per_group.get(g.key, {})
        g.reviewed_spans = g.spans + d.get("*", [0, 0])[0]
        g.reviewed_techniques = {}
        for technique in (set(g.techniques) | set(d)) - {"*"}:
            n, m = g.techniques.get(technique, (0, 0))
            dn, dm = d.get(technique, (0, 0))
            if n + dn or m + dm:
                g.reviewed_techniques[technique] = (n + dn, m + dm)
    for r in stats.techniques:
        dn, dm = total.get(r.technique, (0, 0))
        r.reviewed_spans, r.reviewed_articles = r.spans + dn, r.articles + dm


def _reviewed_model(review, model: tuple[str, str, str]) -> bool:
    """Whether ``review`` corrected this model's spans: the same name and version, and the
    same fingerprint (a shortened one as its prefix). A review that names no model counts."""
    m = review.model
    if m is None:
        return True
    theirs, ours = (m.fingerprint or "").lower(), (model[2] or "").lower()
    return (m.name, str(m.version)) == (model[0], str(model[1])) and (
        not theirs or not ours or ours.startswith(theirs) or theirs.startswith(ours))


def _note_left_out(conn, sa, a, ok, stats: Stats, ids: list[str], why: str) -> None:
    """Say (``stats.note``) how many of the chosen articles have only reviews that are left
    out of the reviewed counts, and ``why``."""
    found = 0
    for n in range(0, len(ids), 500):  # bounded IN lists
        found += conn.execute(sa.select(sa.func.count()).select_from(a).where(
            ok, a.c.article_id.in_(ids[n:n + 500]))).scalar() or 0
    if found:
        said = f"{plural(found, 'article')} {why}: not counted as reviewed"
        stats.note = f"{stats.note}; {said}" if stats.note else said


def _of_model(table, model: tuple[str, str, str]):
    import sqlalchemy as sa

    return sa.and_(table.c.model_name == model[0], table.c.model_version == model[1],
                   table.c.model_fingerprint == model[2])


def _taxonomy_of(conn, sa, articles, ok, shown: str) -> str:
    """The one taxonomy of the chosen articles (a store made before the column: 2020). Rows
    of one model in two taxonomies cannot be counted together: refused, in one line."""
    if "taxonomy" not in {c["name"] for c in sa.inspect(conn).get_columns("articles")}:
        return "2020"
    found = sorted({t or "2020" for (t,) in conn.execute(
        sa.select(articles.c.taxonomy).where(ok).distinct())})
    if len(found) > 1:
        raise InputError(f"{shown}: the chosen articles are in the {' and '.join(found)} "
                         "taxonomies, whose technique counts do not add up; load each "
                         "model's results under its own name and pick one with --model")
    return found[0] if found else "2020"


def _pick_model(conn, sa, runs, articles, wanted: str | None,
                shown: str) -> tuple[tuple[str, str, str], str | None]:
    """The model asked for (or the latest loaded), and a note when several fingerprints share
    its name and version."""
    base, _, prefix = (wanted or "").partition("#")
    name, _, version = base.partition("@")
    q = sa.select(articles.c.model_name, articles.c.model_version, articles.c.model_fingerprint,
                  sa.func.max(runs.c.loaded_at)).select_from(
        articles.outerjoin(runs, runs.c.run_id == articles.c.run_id)).group_by(
        articles.c.model_name, articles.c.model_version, articles.c.model_fingerprint)
    found = [(r[0], r[1], r[2], r[3] or "") for r in conn.execute(q)]
    if not found:
        raise InputError(f"{shown}: no batch results here; load some with 'unspin store load'")
    if name:
        held = ", ".join(sorted(model_label(*f[:3]) for f in found))
        found = [f for f in found if f[0] == name and (not version or f[1] == version)
                 and f[2].startswith(prefix.lower())]
        if not found:
            raise InputError(f"{shown}: no articles analysed with model {wanted} (this store "
                             f"holds {held})")
    best = max(found, key=lambda f: (f[3], f[1], f[2]))
    same = sorted((f for f in found if f[:2] == best[:2]), key=lambda f: f[3], reverse=True)
    note = None
    if len(same) > 1:
        others = ", ".join(model_label(*f[:3]) for f in same[1:])
        note = (f"{best[0]}@{best[1]} has {len(same)} fingerprints in this store (models that "
                f"behave differently); showing {best[2][:12]}, the latest loaded; the others "
                f"with --model: {others}")
    return best[:3], note


def _by_group(conn, sa, articles, authors, per_article, ok, by, model) -> list[Group]:
    """Totals per group from ``articles``; per group and technique from ``article_techniques``
    or ``author_techniques`` (one row per article, technique [and author], the group key copied
    in, so this GROUP BY reads one table along an index)."""
    if by == "author":
        g = sa.func.coalesce(authors.c.author, UNKNOWN[by]).label("g")
        totals_from = articles.outerjoin(authors, sa.and_(
            authors.c.article_id == articles.c.article_id,
            authors.c.model_name == articles.c.model_name,
            authors.c.model_version == articles.c.model_version,
            authors.c.model_fingerprint == articles.c.model_fingerprint))
    else:
        g = sa.func.coalesce(articles.c[by], UNKNOWN[by]).label("g")
        totals_from = articles
    g2 = sa.func.coalesce(per_article.c[by], UNKNOWN[by]).label("g")
    q = (sa.select(g, sa.func.count(), sa.func.coalesce(sa.func.sum(articles.c.words), 0),
                   sa.func.coalesce(sa.func.sum(articles.c.spans), 0))
         .select_from(totals_from).where(ok).group_by(g))
    groups = {r[0]: Group(r[0], int(r[1]), int(r[2]), int(r[3])) for r in conn.execute(q)}
    q = (sa.select(g2, per_article.c.technique, sa.func.sum(per_article.c.spans), sa.func.count())
         .where(_of_model(per_article, model)).group_by(g2, per_article.c.technique))
    for key, technique, n_spans, n_articles in conn.execute(q):
        if key in groups:
            groups[key].techniques[technique] = (int(n_spans), int(n_articles))
    return sorted(groups.values(), key=lambda x: (-x.articles, -x.spans, x.key))


def _by_period(conn, sa, articles, per_article, ok, by, model):
    """A timeline: groups for every period from the first dated one to the last (empty ones
    too), the undated last; and per outlet, its groups for the same periods. Grouped in SQL by
    day (weeks) or month, then rolled up into periods here (a few thousand rows at most)."""
    column = "day" if by == "week" else "month"
    when, when_t = articles.c[column], per_article.c[column]
    outlet = sa.func.coalesce(articles.c.outlet, UNKNOWN["outlet"])
    groups: dict[str, Group] = {}
    for value, n, words, spans in conn.execute(
            sa.select(when, sa.func.count(), sa.func.coalesce(sa.func.sum(articles.c.words), 0),
                      sa.func.coalesce(sa.func.sum(articles.c.spans), 0))
            .where(ok).group_by(when)):
        _add(groups, _period(value, by), n, words, spans)
    for value, technique, n_spans, n_articles in conn.execute(
            sa.select(when_t, per_article.c.technique, sa.func.sum(per_article.c.spans),
                      sa.func.count()).where(_of_model(per_article, model))
            .group_by(when_t, per_article.c.technique)):
        g = groups.get(_period(value, by))
        if g is not None:
            s, a = g.techniques.get(technique, (0, 0))
            g.techniques[technique] = (s + int(n_spans), a + int(n_articles))
    per_outlet: dict[str, dict[str, Group]] = {}
    for value, name, n, words, spans in conn.execute(
            sa.select(when, outlet, sa.func.count(),
                      sa.func.coalesce(sa.func.sum(articles.c.words), 0),
                      sa.func.coalesce(sa.func.sum(articles.c.spans), 0))
            .where(ok).group_by(when, outlet)):
        key = _period(value, by)
        if key != UNDATED:
            _add(per_outlet.setdefault(name, {}), key, n, words, spans)
    keys = _timeline([k for k in groups if k != UNDATED], by)
    timeline = [groups.get(k) or Group(k, 0, 0, 0) for k in keys]
    series = {name: [found.get(k) or Group(k, 0, 0, 0) for k in keys]
              for name, found in per_outlet.items()}
    return timeline + ([groups[UNDATED]] if UNDATED in groups else []), series


def _add(groups: dict[str, Group], key: str, n, words, spans) -> None:
    g = groups.setdefault(key, Group(key, 0, 0, 0))
    g.articles += int(n)
    g.words += int(words)
    g.spans += int(spans)


def _period(value: str | None, by: str) -> str:
    """The period of a ``YYYY-MM-DD`` day (weeks) or ``YYYY-MM`` month.

    >>> _period("2019-01-02", "week"), _period("2019-05", "quarter"), _period(None, "year")
    ('2019-W01', '2019-Q2', '(undated)')
    """
    if not value:
        return UNDATED
    if by == "week":
        year, week, _ = dt.date.fromisoformat(value).isocalendar()
        return f"{year}-W{week:02d}"
    if by == "quarter":
        return f"{value[:4]}-Q{(int(value[5:7]) - 1) // 3 + 1}"
    return value[:4] if by == "year" else value[:7]


def _next(key: str, by: str) -> str:
    """The period after ``key``.

    >>> _next("2019-W52", "week"), _next("2020-12", "month"), _next("2019-Q4", "quarter")
    ('2020-W01', '2021-01', '2020-Q1')
    """
    year = int(key[:4])
    if by == "week":
        year, week, _ = (dt.date.fromisocalendar(year, int(key[6:]), 1) +
                         dt.timedelta(days=7)).isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        n = year * 12 + int(key[5:7])  # the month after, counted from year 0
        return f"{n // 12:04d}-{n % 12 + 1:02d}"
    if by == "quarter":
        q = int(key[6:])
        return f"{year + q // 4:04d}-Q{q % 4 + 1}"
    return f"{year + 1:04d}"


def _timeline(keys: list[str], by: str) -> list[str]:
    """Every period from the first of ``keys`` to the last (the keys sort chronologically)."""
    if not keys:
        return []
    first, last = min(keys), max(keys)
    periods = [first]
    while periods[-1] < last:
        if len(periods) >= _MAX_PERIODS:  # a stray date decades away: no filling
            return sorted(keys)
        periods.append(_next(periods[-1], by))
    return periods


def _by_technique(conn, sa, per_article, spans, model, stats: Stats) -> list[TechniqueRow]:
    q = (sa.select(per_article.c.technique, sa.func.sum(per_article.c.spans), sa.func.count())
         .where(_of_model(per_article, model)).group_by(per_article.c.technique))
    counts = {t: (int(n), int(a)) for t, n, a in conn.execute(q)}
    phrases = _phrases(conn, sa, spans, model)
    rows = []
    for t in set(taxonomy(stats.taxonomy).ids) | set(counts):
        n, a = counts.get(t, (0, 0))
        rows.append(TechniqueRow(t, n, a, a / stats.articles if stats.articles else 0.0,
                                 1000 * n / stats.words if stats.words else 0.0,
                                 phrases.get(t, [])))
    return sorted(rows, key=lambda r: (-r.articles, -r.spans, r.technique))


def _by_target(conn, sa, t, ok, model, stats: Stats, shown: str) -> None:
    """Fill ``stats`` with the entities the spans are aimed at, from ``targets`` (the article's
    outlet copied in, so every GROUP BY reads that one table along an index)."""
    from .store import has_enrichment

    if not has_enrichment(conn):
        raise InputError(f"{shown}: no targets in this store (it was loaded before the enrich "
                         "stage); load a batch output of this unspin with 'unspin store load'")
    if stats.outlet is not None and not stats.articles:
        known = [o for o, in conn.execute(
            sa.select(t.articles.c.outlet).where(_of_model(t.articles, model),
                                                 t.articles.c.status == "ok",
                                                 t.articles.c.outlet.is_not(None))
            .group_by(t.articles.c.outlet).order_by(sa.func.count().desc()).limit(5))]
        raise InputError(f"{shown}: no articles from outlet {stats.outlet!r}"
                         + (f"; outlets with the most articles: {', '.join(known)}"
                            if known else ""))
    a, x = t.articles, t.targets
    outlet_key = sa.func.coalesce(a.c.outlet, UNKNOWN["outlet"])
    stats.outlet_articles = {o: int(n) for o, n in conn.execute(
        sa.select(outlet_key, sa.func.count()).where(ok, a.c.enrichment.is_not(None))
        .group_by(outlet_key))}
    stats.enriched = sum(stats.outlet_articles.values())
    if not stats.enriched:
        raise InputError(f"{shown}: none of these {stats.articles:,} articles was analysed "
                         "with enrichment (the batch ran with --no-enrich, or before the enrich "
                         "stage); run 'unspin batch' without --no-enrich and load its output")
    mine = _of_model(x, model)
    if stats.outlet is not None:
        mine = sa.and_(mine, x.c.outlet == stats.outlet)
    outlet = x.c.outlet  # grouped as stored, so the GROUP BY follows the index
    distinct = sa.func.count(sa.distinct(x.c.article_id))
    rows: dict[tuple[str, str], TargetRow] = {}
    for entity, kind, n, n_articles in conn.execute(
            sa.select(x.c.entity, x.c.kind, sa.func.count(), distinct).where(mine)
            .group_by(x.c.entity, x.c.kind)):
        rows[entity, kind] = TargetRow(entity, kind or "", int(n), int(n_articles),
                                       int(n_articles) / stats.enriched)
    for entity, kind, name, n, n_articles in conn.execute(
            sa.select(x.c.entity, x.c.kind, outlet, sa.func.count(), distinct).where(mine)
            .group_by(x.c.entity, x.c.kind, outlet)):
        rows[entity, kind].outlets[name or UNKNOWN["outlet"]] = (int(n), int(n_articles))
    for entity, kind, name, technique, n, n_articles in conn.execute(
            sa.select(x.c.entity, x.c.kind, outlet, x.c.technique, sa.func.count(), distinct)
            .where(mine).group_by(x.c.entity, x.c.kind, outlet, x.c.technique)):
        row = rows[entity, kind]
        row.techniques[technique] = row.techniques.get(technique, 0) + int(n)
        stats.fine.append((entity, kind or "", name or UNKNOWN["outlet"], technique, int(n),
                           int(n_articles)))
    def articles_of(names: list[str]) -> list[tuple[str, str, str, str]]:
        """(entity, article id, outlet, technique) of the person-kind rows of ``names``."""
        return [(e, aid, o or UNKNOWN["outlet"], t) for e, aid, o, t in conn.execute(
            sa.select(x.c.entity, x.c.article_id, outlet, x.c.technique).distinct()
            .where(mine, x.c.kind == "person", x.c.entity.in_(names)))]

    rows = _merge_people(rows, stats, articles_of)
    stats.targeted = sum(r.spans for r in rows.values())
    stats.targets = sorted(rows.values(), key=lambda r: (stats.few(r), -r.spans, -r.articles,
                                                          r.entity, r.kind))
    for r in stats.targets:
        r.outlets = dict(sorted(r.outlets.items(), key=lambda o: (-o[1][0], o[0])))


def _merge_people(rows: dict[tuple[str, str], TargetRow], stats: Stats, articles_of
                  ) -> dict[tuple[str, str], TargetRow]:
    """One row per person however articles wrote the name: "Donald J. Trump", "Mr. Trump" and
    a lone "Trump" (when "Donald Trump" is the commonest full name with that surname) are
    counted as "Donald Trump" (``enrich.entities.merge_names``). Spans add up; articles are
    counted once each (``articles_of(names)`` gives the (entity, article, outlet, technique)
    rows of the names merged). ``stats.fine`` is merged the same way."""
    from ..enrich.entities import merge_names

    names = merge_names(e for e, k in rows if k == "person")
    groups: dict[str, list[str]] = {}
    for e, k in rows:
        if k == "person":
            groups.setdefault(names[e], []).append(e)
    merging = {n: g for n, g in groups.items() if g != [n]}
    if not merging:
        return rows
    seen: dict[str, set] = {}
    per_outlet: dict[tuple[str, str], set] = {}
    per_technique: dict[tuple[str, str, str], set] = {}
    for entity, aid, outlet, technique in articles_of(
            sorted({e for g in merging.values() for e in g})):
        name = names[entity]
        seen.setdefault(name, set()).add(aid)
        per_outlet.setdefault((name, outlet), set()).add(aid)
        per_technique.setdefault((name, outlet, technique), set()).add(aid)
    merged: dict[tuple[str, str], TargetRow] = {}
    for (entity, kind), r in rows.items():
        name = names[entity] if kind == "person" else entity
        if name not in merging or kind != "person":
            merged[entity, kind] = r
            continue
        into = merged.get((name, kind))
        if into is None:
            n_articles = len(seen.get(name, ()))
            merged[name, kind] = into = TargetRow(name, r.kind, 0, n_articles,
                                                  n_articles / stats.enriched)
        into.spans += r.spans
        for t, n in r.techniques.items():
            into.techniques[t] = into.techniques.get(t, 0) + n
        for o, (n, _articles) in r.outlets.items():
            into.outlets[o] = (into.outlets.get(o, (0, 0))[0] + n,
                               len(per_outlet.get((name, o), ())))
    fine: dict[tuple, list[int]] = {}
    for entity, kind, outlet, technique, n, n_articles in stats.fine:
        name = names[entity] if kind == "person" else entity
        acc = fine.setdefault((name, kind, outlet, technique), [0, n_articles])
        acc[0] += n
        if kind == "person" and name in merging:
            acc[1] = len(per_technique.get((name, outlet, technique), ()))
    stats.fine = [(*k, n, a) for k, (n, a) in fine.items()]
    return merged


def _phrases(conn, sa, spans, model) -> dict[str, list[tuple[str, int]]]:
    """Per technique, the phrases said at least twice (counted by ``store.phrase``: case,
    punctuation and spacing folded), most frequent first, each shown in its most common
    written form."""
    mine = sa.and_(_of_model(spans, model), spans.c.phrase.is_not(None))
    n = sa.func.count().label("n")
    grouped = (sa.select(spans.c.technique, spans.c.phrase, n).where(mine)
               .group_by(spans.c.technique, spans.c.phrase).having(sa.func.count() >= 2)
               .subquery())
    rank = sa.func.row_number().over(partition_by=grouped.c.technique,
                                     order_by=(grouped.c.n.desc(), grouped.c.phrase)).label("rk")
    ranked = sa.select(grouped.c.technique, grouped.c.phrase, grouped.c.n, rank).subquery()
    top = {(t, p): int(c) for t, p, c in conn.execute(
        sa.select(ranked.c.technique, ranked.c.phrase, ranked.c.n).where(ranked.c.rk <= _PHRASES))}
    if not top:
        return {}
    forms: dict[tuple[str, str], dict[str, int]] = {}
    for t, p, text, c in conn.execute(
            sa.select(spans.c.technique, spans.c.phrase, spans.c.text, sa.func.count())
            .where(mine, sa.tuple_(spans.c.technique, spans.c.phrase).in_(list(top)))
            .group_by(spans.c.technique, spans.c.phrase, spans.c.text)):
        form = " ".join((text or "").split())
        written = forms.setdefault((t, p), {})
        written[form] = written.get(form, 0) + int(c)
    found: dict[str, list[tuple[str, int]]] = {}
    for (t, p), c in sorted(top.items(), key=lambda x: (-x[1], x[0][1])):
        written = forms.get((t, p)) or {p: c}
        # the most common form; on a tie the one with fewer capitals (not a sentence start)
        form = min(written, key=lambda f: (-written[f], sum(ch.isupper() for ch in f), f))
        found.setdefault(t, []).append((form, c))
    return found


# ---------------------------------------------------------------------------------------------
# output

def _fmt(n: int) -> str:
    return f"{n:,}"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(stats: Stats, top: int = 25) -> str:
    """The statistics as a plain-text table for the terminal: groups largest first (a
    timeline: its last ``top`` periods, in order), techniques with their recurring phrases, or
    the entities most aimed at."""
    if stats.by == "target":
        return _render_targets(stats, top)
    lines = [(f"{stats.by}: {_fmt(stats.articles)} articles, {_fmt(stats.words)} words, "
              f"{_fmt(stats.spans)} spans ({stats.per_1000_words:.2f} per 1000 words), "
              f"model {stats.model_label}{_speaks(stats)}")]
    rev = stats.reviewed > 0
    if rev:
        lines.append(f"reviewed: {plural(stats.reviewed, 'article')} with a review (the latest "
                     f"counts), {plural(stats.reviewed_model_spans, 'span')} by the model in "
                     f"them, {_fmt(stats.reviewed_kept)} after review; "
                     f"{plural(stats.reviewed_spans, 'span')} in all counted that way "
                     "('reviewed' columns)")
    lines.append("")
    if stats.by == "technique":
        lines.append(f"{'technique':<40}{'spans':>9}{'articles':>10}{'share':>7}{'/1000w':>8}"
                     + (f"{'reviewed':>10}{'articles':>10}" if rev else ""))
        for r in stats.techniques:
            lines.append(f"{_cut(r.name, 39):<40}{_fmt(r.spans):>9}{_fmt(r.articles):>10}"
                         f"{r.share:>7.0%}{r.per_1000_words:>8.2f}"
                         + (f"{_fmt(r.reviewed_spans):>10}{_fmt(r.reviewed_articles):>10}"
                            if rev else ""))
            if r.phrases:
                lines.append("    " + " · ".join(f"“{p}” ×{n}" for p, n in r.phrases[:3]))
        lines += ["", ("(phrases said at least twice, counted with case, spacing and "
                       "punctuation folded; --csv lists five per technique)")]
        if rev:
            lines.append("(reviewed: spans and articles with the reviewed articles' spans as "
                         "their reviewers left them)")
        return "\n".join(lines) + "\n"
    order = stats.technique_order()
    lines.append(f"{stats.by:<30}{'articles':>9}{'words':>12}{'spans':>9}{'/1000w':>8}"
                 + (f"{'reviewed':>9}{'spans':>7}" if rev else "")
                 + "  most used techniques (share of articles)")
    shown = stats.groups[-top:] if stats.timeline else stats.groups[:top]
    for g in shown:
        if not g.articles:
            used = "no articles"
        elif stats.few(g):
            used = f"fewer than {stats.min_articles} articles: shares not shown"
        else:
            used = " · ".join(f"{_technique_name(t)} {g.share(t):.0%}" for t in
                              sorted((t for t in order if g.share(t)),
                                     key=lambda t: -g.share(t))[:3])
        density = f"{g.per_1000_words:>8.2f}" if g.words else f"{'–':>8}"
        lines.append(f"{_cut(g.key, 29):<30}{_fmt(g.articles):>9}{_fmt(g.words):>12}"
                     f"{_fmt(g.spans):>9}{density}"
                     + (f"{_fmt(g.reviewed):>9}{_fmt(g.reviewed_spans):>7}" if rev else "")
                     + f"  {used}")
    if len(stats.groups) > top:
        which = "the last" if stats.timeline else "the largest"
        lines.append(f"({which} {top} of {len(stats.groups)} {stats.by}s shown; "
                     "--csv writes all, --top shows more)")
    if any(g.articles and stats.few(g) for g in shown):
        lines.append(f"(shares hidden where fewer than {stats.min_articles} articles: one "
                     "article would make 100%; --min-articles changes this)")
    if rev:
        lines.append("(reviewed: the group's articles with a review, and its spans with theirs "
                     "as reviewed; --csv has each technique's reviewed counts)")
    return "\n".join(lines) + "\n"


def _render_targets(stats: Stats, top: int) -> str:
    scope = f"outlet {stats.outlet}: " if stats.outlet is not None else ""
    lines = [(f"target: {scope}{plural(stats.articles, 'article')} ({stats.enriched:,} with "
              f"enrichment), {plural(stats.spans, 'span')}, {stats.targeted:,} aimed at "
              f"{plural(len(stats.targets), 'entity').replace('entitys', 'entities')}, "
              f"model {stats.model_label}{_speaks(stats)}"), ""]
    if not stats.targets:
        lines.append("(no span is aimed at a person, group, country or organisation here)")
        return "\n".join(lines) + "\n"
    per_outlet = stats.outlet is None and len(stats.outlet_articles) > 1
    lines.append(f"{'entity':<30}{'kind':<9}{'spans':>7}{'articles':>10}{'share':>7}"
                 "  most used on it (spans)")
    shown = stats.targets[:top]
    small = stats.enriched < stats.min_articles
    for r in shown:
        used = " · ".join(f"{_technique_name(t)} {n}" for t, n in r.top_techniques())
        share = f"{'–':>7}" if small else f"{r.share:>7.0%}"
        name = _cut(r.entity, 27) + " *" if stats.few(r) else _cut(r.entity, 29)
        lines.append(f"{name:<30}{_cut(r.kind, 8):<9}{_fmt(r.spans):>7}"
                     f"{_fmt(r.articles):>10}{share}  {used}")
        if per_outlet:
            lines.append("    by outlet: " + " · ".join(
                f"{_cut(o, 30)} {n}" for o, (n, _a) in list(r.outlets.items())[:4])
                + (f" · {len(r.outlets) - 4} more outlets" if len(r.outlets) > 4 else ""))
    if len(stats.targets) > top:
        lines.append(f"(the {top} most aimed at of {len(stats.targets):,} entities shown; --csv "
                     "writes all, --top shows more)")
    if any(stats.few(r) for r in shown):
        lines.append(f"(* fewer than {stats.min_articles} articles aim at it: ranked last, one "
                     "article's subject is not a pattern; --min-articles changes this)")
    if small:
        lines.append(f"(shares hidden: fewer than {stats.min_articles} articles with enrichment)")
    if per_outlet:
        lines.append("(by outlet: spans aimed at it in each outlet; --outlet NAME shows one)")
    return "\n".join(lines) + "\n"


def _technique_name(technique: str) -> str:
    """A technique's name in either taxonomy (an id they share is one technique)."""
    known = BY_ID.get(technique) or TAXONOMY_2023.by_id.get(technique)
    return known.name if known else technique


def _speaks(stats: Stats) -> str:
    """`` (2023 taxonomy)`` after the model's label, nothing for 2020 (as before the choice)."""
    return "" if stats.taxonomy == "2020" else f" ({stats.taxonomy} taxonomy)"


def to_csv(stats: Stats) -> str:
    """Tidy CSV: one row per group and technique (or per technique for ``--by technique``);
    every group, including those under the minimum (``articles`` tells them) and the empty
    periods of a timeline. The ``reviewed_*`` columns count the reviewed articles' spans as
    reviewed (the same as the model's columns where no article has a review)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    model = stats.model_label
    if stats.by == "target":
        w.writerow(["entity", "kind", "outlet", "technique", "spans", "articles",
                    "entity_spans", "entity_articles", "outlet_articles", "model"])
        rank = {(r.entity, r.kind): i for i, r in enumerate(stats.targets)}
        for entity, kind, outlet, technique, n, a in sorted(
                stats.fine, key=lambda f: (rank[f[0], f[1]], f[2], -f[4], f[3])):
            r = stats.targets[rank[entity, kind]]
            w.writerow([entity, kind, outlet, technique, n, a, r.spans, r.articles,
                        stats.outlet_articles.get(outlet, 0), model])
        return buf.getvalue()
    if stats.by == "technique":
        w.writerow(["technique", "name", "spans", "articles", "share_of_articles",
                    "per_1000_words", "top_phrases", "model", "reviewed_spans",
                    "reviewed_articles"])
        for r in stats.techniques:
            w.writerow([r.technique, r.name, r.spans, r.articles, f"{r.share:.4f}",
                        f"{r.per_1000_words:.4f}", "; ".join(f"{p} ({n})" for p, n in r.phrases),
                        model, r.reviewed_spans, r.reviewed_articles])
        return buf.getvalue()
    w.writerow([stats.by, "articles", "words", "spans", "per_1000_words", "technique",
                "technique_spans", "technique_articles", "share_of_articles", "model",
                "reviewed_articles", "reviewed_spans", "reviewed_technique_spans",
                "reviewed_technique_articles", "reviewed_share_of_articles"])
    for g in stats.groups:
        for t in stats.technique_order():
            n, a = g.techniques.get(t, (0, 0))
            rn, ra = g.reviewed_techniques.get(t, (0, 0))
            w.writerow([g.key, g.articles, g.words, g.spans, f"{g.per_1000_words:.4f}", t, n, a,
                        f"{g.share(t):.4f}", model, g.reviewed, g.reviewed_spans, rn, ra,
                        f"{g.reviewed_share(t):.4f}"])
    return buf.getvalue()


def write_csv(stats: Stats, path) -> None:
    """Write ``to_csv`` output atomically."""
    write_atomic(path, to_csv(stats))
