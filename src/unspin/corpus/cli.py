"""The corpus commands: ``unspin batch``, ``unspin store load|list|export|delete`` and
``unspin stats``.

Thin, like ``unspin.cli``: parse, call ``corpus``, print. Errors are ``UnspinError``s, which
``unspin.cli.main`` turns into one line and an exit code.
"""

from __future__ import annotations

import sys

from ..options import Options

__all__ = ["add_commands", "DEFAULT_DB", "summary_line", "renamed_timeout"]

DEFAULT_DB = Options.db
GROUPINGS = ("outlet", "author", "technique", "week", "month", "quarter", "year", "target")


def add_commands(sub) -> None:
    """Register the corpus commands on the ``unspin`` sub-parsers."""
    import argparse

    from .batch import FORMATS
    from .stats import MIN_ARTICLES
    from .stream import ARTICLE_TIMEOUT

    b = sub.add_parser("batch", help="analyse a corpus into span and article tables "
                       "(needs unspin[corpus])",
                       description="Analyse every article of INPUT and write articles.parquet, "
                       "spans.parquet, quotes.parquet and targets.parquet (or JSONL) to --out. "
                       "Stopped runs resume where they were.")
    b.add_argument("input", metavar="INPUT",
                   help="folder of .txt/.md/.html files (README, LICENSE and hidden files "
                   "are skipped), or a .jsonl/.csv/.parquet file with id, text and optional "
                   "url, outlet, authors, published, title")
    b.add_argument("--out", required=True, metavar="DIR", help="output folder")
    b.add_argument("--format", choices=FORMATS, default="parquet",
                   help="parquet tables (default) or the Analysis JSON per line")
    b.add_argument("--workers", type=int, help="worker processes (default: all cores)")
    b.add_argument("--article-timeout", type=float,
                   help="seconds per article before it is recorded as failed "
                   f"(default {ARTICLE_TIMEOUT:g}; 0: no limit)")
    b.add_argument("--timeout", dest="old_timeout", type=float, help=argparse.SUPPRESS)
    b.add_argument("--chunk-size", type=int, default=64,
                   help="articles per part file; a resumed run redoes at most one part per worker")
    b.add_argument("--model", help="model name or trained model folder")
    b.add_argument("--min-score", type=float,
                   help="drop spans scoring below this (0-1; default: the model's display "
                        "threshold; 0 keeps every span)")
    b.add_argument("--encoding", help="text encoding of the input (default utf-8)")
    b.add_argument("--max-bytes", type=int, help="fail articles larger than this")
    b.add_argument("--threads", type=int, help="model threads per worker (default cores/workers)")
    b.add_argument("--no-enrich", action="store_true",
                   help="skip quotes and targets (faster; quotes.parquet and targets.parquet "
                   "stay empty)")
    b.add_argument("--fresh", action="store_true",
                   help="discard what an earlier run left in --out and start over")
    b.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="local worker processes (default) or a Ray cluster (needs unspin[ray])")
    b.add_argument("--address", help="Ray cluster address (default: start a local Ray)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=cmd_batch)

    db_default = None  # resolved by Options: --db > config file > $UNSPIN_DB > default
    st = sub.add_parser("store", help="keep batch results in a database (needs unspin[corpus])")
    st_sub = st.add_subparsers(dest="store_command", metavar="ACTION")
    st_sub.required = True
    ld = st_sub.add_parser("load", help="load a batch output folder into the database",
                           description="Upsert a batch run's articles and spans into the "
                           "database: loading the same folder twice changes nothing.")
    ld.add_argument("dir", metavar="DIR", help="output folder of 'unspin batch'")
    ld.add_argument("--db", default=db_default,
                    help=f"SQLAlchemy URL (default $UNSPIN_DB or {DEFAULT_DB}); "
                    "postgresql://user:pass@host/db for PostgreSQL")
    ld.set_defaults(func=cmd_store_load)
    db_help = f"SQLAlchemy URL (default $UNSPIN_DB or {DEFAULT_DB})"
    ls = st_sub.add_parser("list", help="the runs and models in the database, with counts",
                           description="Every model (name@version#fingerprint) with its "
                           "articles, spans, quotes and targets, and every loaded run with "
                           "what its output held and how much of it is still stored.")
    ls.add_argument("--db", default=db_default, help=db_help)
    ls.set_defaults(func=cmd_store_list)
    ex = st_sub.add_parser("export", help="write the database as one CSV or Parquet table",
                           description="One row per span with its article's metadata and "
                           "summary (an article without spans, or a failed one, has one row "
                           "with empty span columns); the columns are listed in the README.")
    ex.add_argument("--to", required=True, metavar="FILE",
                    help="a .csv or .parquet file (written atomically)")
    ex.add_argument("--model", help="only this model: NAME, NAME@VERSION or "
                    "NAME@VERSION#FINGERPRINT (a prefix is enough; default: every model)")
    ex.add_argument("--db", default=db_default, help=db_help)
    ex.set_defaults(func=cmd_store_export)
    de = st_sub.add_parser("delete", help="remove a run's or a model's results (with --yes)",
                           description="Remove the articles a run stored (those no later run "
                           "replaced), or every article of a model, with their spans, quotes "
                           "and targets. Without --yes nothing is deleted: it says what would "
                           "be, and exits 1.")
    which = de.add_mutually_exclusive_group(required=True)
    which.add_argument("--run", metavar="ID", help="a run id, as 'unspin store list' shows it")
    which.add_argument("--model", help="NAME, NAME@VERSION or NAME@VERSION#FINGERPRINT (every "
                       "stored model it names)")
    de.add_argument("--yes", action="store_true", help="really delete")
    de.add_argument("--db", default=db_default, help=db_help)
    de.set_defaults(func=cmd_store_delete)

    sa = sub.add_parser("stats", help="statistics per outlet, author, technique, period or "
                        "target",
                        description="Counts, spans per 1000 words, the share of articles using "
                        "each technique and top phrases, computed in the database. --by week, "
                        "month, quarter or year gives a timeline with empty periods shown; "
                        "--by target ranks the people, groups, countries and organisations "
                        "the spans are aimed at, and how (--outlet NAME: one outlet's).")
    sa.add_argument("--db", default=db_default,
                    help=f"SQLAlchemy URL (default $UNSPIN_DB or {DEFAULT_DB})")
    sa.add_argument("--by", choices=GROUPINGS, required=True)
    sa.add_argument("--model", help="model NAME, NAME@VERSION or NAME@VERSION#FINGERPRINT "
                    "(a prefix of it is enough; default: the latest loaded)")
    sa.add_argument("--top", type=int, default=25,
                    help="groups shown and plotted, largest first, or the last periods of a "
                    "timeline (default 25; CSV has all)")
    sa.add_argument("--min-articles", type=int, default=MIN_ARTICLES, metavar="N",
                    help="groups with fewer articles are marked and their shares not shown; "
                    "with --by target, entities aimed at by fewer articles are ranked last "
                    f"(default {MIN_ARTICLES})")
    sa.add_argument("--outlet", metavar="NAME",
                    help="with --by target: only this outlet's articles")
    sa.add_argument("--plot", metavar="FILE",
                    help="write a chart to this file: .png, .svg or .pdf, by its suffix")
    sa.add_argument("--csv", metavar="CSV", help="write the full table to this CSV file")
    sa.set_defaults(func=cmd_stats)


def cmd_batch(args) -> int:
    from ..errors import plural, shorten
    from .batch import run_batch
    from .records import input_format

    renamed_timeout(args, "article_timeout")
    skipped = []
    if "://" not in args.input and input_format(args.input) == "folder":
        from ..ingest.folder import skipped_files

        skipped = skipped_files(args.input)
    bar = _progress_bar(args)
    try:
        options = Options.resolve(model=args.model, min_score=args.min_score,
                                  encoding=args.encoding, max_bytes=args.max_bytes,
                                  threads=args.threads, article_timeout=args.article_timeout,
                                  enrich=False if args.no_enrich else None)
        result = run_batch(
            args.input, args.out, options, format=args.format, engine=args.engine,
            workers=args.workers, timeout=options.article_timeout or None,
            chunk_size=args.chunk_size,
            fresh=args.fresh, address=args.address, progress=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    if result.already_complete:
        print(f"unspin: {args.out} already holds the finished run of {args.input} "
              "(--fresh redoes it)", file=sys.stderr)
    else:
        print(summary_line(result.articles, result.ok, result.failed, result.spans,
                           result.seconds, result.workers, resumed=result.resumed,
                           rate=result.rate, dest=args.out), file=sys.stderr)
    if skipped:
        print(f"unspin: {plural(len(skipped), 'file')} in {args.input} skipped as not "
              f"articles ({_names(skipped)}); {articles_are()}", file=sys.stderr)
    if result.bad_dates:
        row, value = result.bad_date
        rows = "1 row has" if result.bad_dates == 1 else f"{result.bad_dates} rows have"
        print(f"unspin: warning: {rows} a 'published' value that is not a date (first: row "
              f"{row}, {shorten(value, 40)!r}); kept as given but counted as undated: give "
              "dates as YYYY-MM-DD", file=sys.stderr)
    if result.duplicates:
        print(f"unspin: {result.duplicates} input rows repeat an earlier id: the first of each "
              "is kept, the others are recorded as failed ('duplicate id')", file=sys.stderr)
    if result.failed:
        where = "errors.jsonl" if args.format == "jsonl" else "articles.parquet (status 'failed')"
        print(f"unspin: {result.failed} articles failed; reasons in {args.out}/{where}",
              file=sys.stderr)
        return 1
    return 0


def articles_are() -> str:
    """The rule of ``ingest.folder.is_article``, in words."""
    from ..ingest.folder import ARTICLE_SUFFIXES, NOT_ARTICLES

    names = sorted({n.upper() for n in NOT_ARTICLES} - {"LICENCE"})
    return (f"articles are {', '.join(ARTICLE_SUFFIXES[:-1])} and {ARTICLE_SUFFIXES[-1]} files, "
            f"not hidden and not named {', '.join(names[:-1])} or {names[-1]}")


def _names(paths, shown: int = 3) -> str:
    """A few file names of ``paths``, and how many more."""
    from ..ingest.folder import shown_name

    names = ", ".join(shown_name(p.name) for p in paths[:shown])
    return names + (f" and {len(paths) - shown} more" if len(paths) > shown else "")


def renamed_timeout(args, new: str) -> None:
    """``--timeout``, the old spelling of three settings: its value goes to ``new`` (unless
    that was given too), with a one-line warning naming the new flag."""
    old = getattr(args, "old_timeout", None)
    if old is None:
        return
    flag = "--" + new.replace("_", "-")
    print(f"unspin: warning: --timeout is deprecated; use {flag}", file=sys.stderr)
    if getattr(args, new, None) is None:
        setattr(args, new, old)


def summary_line(articles: int, ok: int, failed: int, spans: int, seconds: float, workers: int,
                 *, resumed: int = 0, rate: float | None = None, dest: str | None = None) -> str:
    """The one line a run of many articles ends with (``batch`` and ``analyze DIR``)."""
    earlier = f", {resumed} done earlier" if resumed else ""
    if rate is None:
        rate = articles / seconds if seconds else 0.0
    where = f" -> {dest}" if dest else ""
    return (f"unspin: {articles} articles ({ok} ok, {failed} failed{earlier}), {spans} spans "
            f"in {seconds:.1f}s ({rate:.1f} articles/s, {workers} workers){where}")


def cmd_store_load(args) -> int:
    from .store import load_dir

    loaded = load_dir(args.dir, Options.resolve(db=args.db).db)
    print(f"unspin: loaded {loaded.articles} articles and {loaded.spans} spans, with "
          f"{loaded.quotes} quotes and {loaded.targets} targets (model {loaded.model}) into "
          f"{loaded.db}", file=sys.stderr)
    same = " (nothing changed)" if not (loaded.new or loaded.updated) else ""
    changed = "; ".join(
        f"{kind}: {getattr(loaded, kind + '_new')} new, {getattr(loaded, kind + '_removed')} "
        f"removed, {getattr(loaded, kind + '_unchanged')} unchanged"
        for kind in ("spans", "quotes", "targets"))
    print(f"unspin: articles: {loaded.new} new, {loaded.updated} updated, {loaded.unchanged} "
          f"unchanged; {changed}{same}", file=sys.stderr)
    if loaded.kept:
        print(f"unspin: {loaded.kept} articles failed in this run and kept their earlier "
              "result", file=sys.stderr)
    if loaded.skipped:
        print(f"unspin: {loaded.skipped} rows with a repeated id were not loaded", file=sys.stderr)
    if loaded.nul_rows:
        more = f" and {len(loaded.nul_rows) - 3} more" if len(loaded.nul_rows) > 3 else ""
        print(f"unspin: warning: NUL characters stored as U+FFFD in {len(loaded.nul_rows)} rows "
              f"({'; '.join(loaded.nul_rows[:3])}{more})", file=sys.stderr)
    return 0


def cmd_store_list(args) -> int:
    from ..errors import plural
    from .store import inventory

    inv = inventory(Options.resolve(db=args.db).db)
    out = [f"Models in {inv.db}"]
    width = max((len(m.label) for m in inv.models), default=5)
    for m in inv.models:
        failed = f" ({m.failed:,} failed)" if m.failed else ""
        out.append(f"  {m.label:<{width}}  {m.articles:>8,} articles{failed}, "
                   f"{m.spans:,} spans, {m.quotes:,} quotes, {m.targets:,} targets, "
                   f"{plural(m.runs, 'run')}")
    if not inv.models:
        out.append("  none")
    out += ["", "Runs"]
    for r in inv.runs:
        articles, ok, failed, spans = r.recorded
        held = ("" if (r.articles, r.spans) == (articles, spans) else
                f"; {r.articles:,} articles and {r.spans:,} spans still stored as it left them")
        out.append(f"  {r.run_id}  {r.model}  loaded {r.loaded_at or '?'}: {articles:,} "
                   f"articles ({ok:,} ok, {failed:,} failed), {spans:,} spans{held}"
                   + (f"\n    input {r.input}" if r.input else ""))
    if not inv.runs:
        out.append("  none")
    print("\n".join(out))
    return 0


def cmd_store_export(args) -> int:
    from .store import export

    done = export(Options.resolve(db=args.db).db, args.to, model=args.model)
    print(f"unspin: {done.rows:,} rows ({done.articles:,} articles, {done.spans:,} spans) "
          f"written to {done.path}", file=sys.stderr)
    return 0


def cmd_store_delete(args) -> int:
    from .store import delete

    d = delete(Options.resolve(db=args.db).db, run=args.run, model=args.model, yes=args.yes)
    counts = (f"{d.articles:,} articles, {d.spans:,} spans, {d.quotes:,} quotes, "
              f"{d.targets:,} targets and {d.runs:,} run records")
    if not d.done:
        print(f"unspin: store delete would remove {d.what} from {d.db}: {counts}; nothing "
              "was deleted: add --yes to delete", file=sys.stderr)
        return 1
    print(f"unspin: deleted {d.what} from {d.db}: {counts}", file=sys.stderr)
    return 0


def cmd_stats(args) -> int:
    from ..errors import ConfigError, require
    from ..files import check_writable
    from .stats import compute, render_table, write_csv

    if args.top < 1:
        raise ConfigError("--top must be at least 1")
    if args.plot:
        from .plots import plot_format

        plot_format(args.plot)
    for path in (args.csv, args.plot):  # before the query: a bad path wastes no work
        if path:
            check_writable(path)
    if args.plot:
        require("matplotlib", "corpus")
    result = compute(Options.resolve(db=args.db).db, args.by, model=args.model,
                     min_articles=args.min_articles, outlet=args.outlet)
    if result.note:
        print(f"unspin: note: {result.note}", file=sys.stderr)
    sys.stdout.write(render_table(result, top=args.top))
    if args.csv:
        write_csv(result, args.csv)
        print(f"unspin: table written to {args.csv}", file=sys.stderr)
    if args.plot:
        from .plots import plot

        plot(result, args.plot, top=args.top)
        print(f"unspin: chart written to {args.plot}", file=sys.stderr)
    return 0


class _Bar:
    """tqdm on stderr, fed with (done, failed) counts."""

    def __init__(self, tqdm, total):
        self.bar = tqdm(total=total, unit="article", file=sys.stderr, dynamic_ncols=True,
                        smoothing=0.05, mininterval=0.5)
        self.failed = 0

    def update(self, done: int, failed: int) -> None:
        self.bar.update(done - self.bar.n)
        if failed != self.failed:
            self.failed = failed
            self.bar.set_postfix(failed=failed, refresh=False)

    def close(self) -> None:
        self.bar.close()


def _progress_bar(args):
    if args.quiet or not sys.stderr.isatty():
        return None
    from ..errors import require
    from .records import count_records

    tqdm = require("tqdm", "corpus").tqdm
    return _Bar(tqdm, count_records(args.input) if "://" not in args.input else None)
