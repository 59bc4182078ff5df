"""The ``unspin review`` commands: export for review, the Label Studio config, import reviews,
dump the store's reviews, apply them as training data. Thin: parse, call ``unspin.review``,
print."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import ConfigError, InputError, plural
from ..techniques import TAXONOMIES

__all__ = ["add_commands"]

TARGETS = ("labelstudio", "jsonl")
TAXONOMY_NAMES = tuple(TAXONOMIES)


def _write(text: str, out: str | None) -> None:
    if out and out != "-":
        from ..files import write_atomic

        write_atomic(out, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def _dest(out: str | None) -> str:
    return f" to {out}" if out and out != "-" else ""


def cmd_config(args) -> int:
    from .labelstudio import labelling_config

    name = args.taxonomy
    if args.model:
        from ..detect import spoken_techniques
        from ..errors import ModelError

        try:
            spoken = spoken_techniques(args.model)[0]
        except ModelError as exc:
            raise ConfigError(str(exc)) from None
        if name and name != spoken:
            raise ConfigError(f"{args.model} speaks the {spoken} taxonomy, not {name}; leave "
                              "out --taxonomy")
        name = spoken
    _write(labelling_config(name), args.output)
    return 0


def _in_taxonomy(reviews) -> str:
    """' in the 2023 taxonomy' (or both) for a summary line; nothing for 2020 alone."""
    found = sorted({r.taxonomy for r in reviews})
    if found in ([], ["2020"]):
        return ""
    return f" in the {' and '.join(found)} taxonom{'ies' if len(found) > 1 else 'y'}"


def _one_taxonomy(reviews, wanted: str | None, where: str, verb: str) -> list:
    """The reviews of the taxonomy ``wanted``; without it, all of them when they speak one,
    else refused in one line (their techniques do not mix)."""
    from .format import one_taxonomy

    if wanted is None:
        one_taxonomy(reviews, where, f"give --taxonomy 2020 or --taxonomy 2023 to {verb} one")
        return reviews
    chosen = [r for r in reviews if r.taxonomy == wanted]
    if not chosen:
        raise InputError(f"{where}: no reviews in the {wanted} taxonomy "
                         f"({plural(len(reviews), 'review')} in another)")
    return chosen


def cmd_export(args) -> int:
    from ..detect.registry import resolve
    from ..errors import ModelError
    from ..options import Options
    from .export import analyses, pending_lines
    from .labelstudio import tasks

    options = Options.resolve(model=args.model, min_score=args.min_score, enrich=False)
    try:  # a name that is no model is a usage error, found before any input is read
        resolve(options.model)
    except ModelError as exc:
        raise ConfigError(str(exc)) from None
    items = list(analyses(args.sources, options))
    if args.to == "labelstudio":
        text = json.dumps(tasks(items), ensure_ascii=False, indent=1) + "\n"
        speaks = items[0].taxonomy if items else "2020"
        then = ("import it into a Label Studio project labelled with 'unspin review config"
                + (f" --taxonomy {speaks}'" if speaks != "2020" else "'"))
    else:
        text = pending_lines(items)
        then = "one line per article with the model's spans"
    _write(text, args.output)
    print(f"unspin: {plural(len(items), 'article')} with "
          f"{plural(sum(len(a.spans) for a in items), 'span')} exported for review"
          f"{_dest(args.output)} ({then})", file=sys.stderr)
    return 0


def _read_import(path: Path, reviewer: str | None):
    """(reviews, tasks nobody annotated) from a Label Studio JSON export or corrections JSONL."""
    from .format import read_reviews
    from .labelstudio import reviews_from_export

    try:
        with path.open("rb") as fh:
            head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if head.startswith(b"["):
        try:
            export = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{path}: not a Label Studio JSON export ({exc})") from None
        try:
            return reviews_from_export(export, reviewer=reviewer)
        except InputError as exc:
            raise InputError(f"{path}: {exc}") from None
    reviews = list(read_reviews(path))
    if reviewer:
        from dataclasses import replace

        reviews = [replace(r, reviewer=reviewer) for r in reviews]
    return reviews, 0


def _counts_line(reviews) -> str:
    from .format import ACTIONS

    totals = {a: sum(r.counts()[a] for r in reviews) for a in ACTIONS}
    return ", ".join(f"{a} {n}" for a, n in totals.items())


def cmd_import(args) -> int:
    from .format import dump_reviews

    path = Path(args.file)
    reviews, unannotated = _read_import(path, args.reviewer)
    if not reviews:
        raise InputError(f"{path}: no submitted review in it"
                         + (f" ({plural(unannotated, 'task')} not annotated yet)"
                            if unannotated else ""))
    if args.output or not args.db:
        _write(dump_reviews(reviews), args.output)
    stored = ""
    if args.db:
        from ..options import Options
        from .store import save_reviews

        saved, known = save_reviews(Options.resolve(db=args.db).db, reviews)
        stored = f"; {saved} saved in the store" + (f", {known} already there" if known else "")
    articles = len({r.id for r in reviews})
    print(f"unspin: {plural(len(reviews), 'review')} of {plural(articles, 'article')}"
          f"{_in_taxonomy(reviews)} ({_counts_line(reviews)}){_dest(args.output)}{stored}"
          + (f"; {plural(unannotated, 'task')} not annotated" if unannotated else ""),
          file=sys.stderr)
    return 0


def cmd_apply(args) -> int:
    from .format import latest, read_reviews, training_lines

    if not args.files and not args.db:
        raise ConfigError("give corrections files, or --db URL to read the reviews in the "
                          "store")
    reviews = [r for f in args.files for r in read_reviews(f)]
    if args.db:
        from ..options import Options
        from .store import read_stored

        reviews += read_stored(Options.resolve(db=args.db).db)
    if not reviews:
        raise InputError("no reviews to apply")
    reviews = _one_taxonomy(reviews, args.taxonomy, "the reviews", "apply")
    counted = latest(reviews)
    _write(training_lines(counted), args.output)
    print(f"unspin: {plural(len(counted), 'reviewed article')} "
          f"({plural(sum(len(r.kept) for r in counted), 'span')}) written as training data"
          f"{_in_taxonomy(counted)}"
          f"{_dest(args.output)}, the latest of {plural(len(reviews), 'review')} for each",
          file=sys.stderr)
    return 0


def cmd_dump(args) -> int:
    from ..options import Options
    from .format import dump_reviews
    from .store import read_stored

    url = Options.resolve(db=args.db).db
    reviews = read_stored(url)
    if not reviews:
        raise InputError(f"{url}: no reviews in this store; save some from the web page "
                         "('unspin serve --db') or with 'unspin review import FILE --db'")
    reviews = _one_taxonomy(reviews, args.taxonomy, url, "dump")
    _write(dump_reviews(reviews), args.output)
    print(f"unspin: {plural(len(reviews), 'review')} of "
          f"{plural(len({r.id for r in reviews}), 'article')}{_in_taxonomy(reviews)} "
          f"({_counts_line(reviews)})"
          f"{_dest(args.output)}", file=sys.stderr)
    return 0


def add_commands(sub) -> None:
    """Register ``unspin review`` on the ``unspin`` sub-parsers."""
    r = sub.add_parser("review", help="correct unspin's spans (Label Studio or JSON Lines) "
                       "and turn the corrections into training data",
                       description="Export articles with unspin's spans for review, import "
                       "the reviewers' corrections, apply them as training data for "
                       "'unspin train'.")
    rs = r.add_subparsers(dest="action", metavar="ACTION", required=True)

    c = rs.add_parser("config", help="print the Label Studio labelling config (XML)",
                      description="Print the labelling config of a Label Studio project for "
                      "reviewing unspin's spans: one label per technique of the reviewed "
                      "model's taxonomy.")
    c.add_argument("-o", "--output", help="write to this file instead of stdout")
    c.add_argument("--taxonomy", choices=TAXONOMY_NAMES,
                   help="the techniques as labels: 2020 (14, the default) or 2023 (23)")
    c.add_argument("--model", help="the taxonomy of this model (name or folder)")
    c.set_defaults(func=cmd_config)

    e = rs.add_parser("export", help="articles with unspin's spans as tasks to review",
                      description="Analyse articles (or read unspin's JSON analyses) and write "
                      "them as Label Studio tasks with unspin's spans as predictions, or as "
                      "JSON Lines.")
    e.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="article file, folder of articles, http(s) URL, or a .json/.jsonl file "
                   "of analyses ('unspin analyze --format json')")
    e.add_argument("--to", choices=TARGETS, default="labelstudio",
                   help="Label Studio tasks (default) or JSON Lines")
    e.add_argument("-o", "--output", help="write to this file instead of stdout")
    e.add_argument("--model", help="model name or trained model folder for the articles")
    e.add_argument("--min-score", type=float, help="leave out spans scoring below this (0-1)")
    e.set_defaults(func=cmd_export)

    i = rs.add_parser("import", help="read reviews: a Label Studio JSON export or corrections "
                      "JSON Lines",
                      description="Turn a Label Studio JSON export of a project made with "
                      "'unspin review export' (or a corrections file) into corrections JSON "
                      "Lines, and/or save them in the store.")
    i.add_argument("file", metavar="FILE", help="Label Studio JSON export or corrections .jsonl")
    i.add_argument("-o", "--output", help="write the corrections to this file (default: stdout "
                   "unless --db is given)")
    i.add_argument("--db", help="also save the reviews in this database (sqlite:///FILE.db or "
                   "postgresql://...)")
    i.add_argument("--reviewer", help="name the reviewer of every review (Label Studio exports "
                   "name annotators by number)")
    i.set_defaults(func=cmd_import)

    d = rs.add_parser("dump", help="the reviews in the store as corrections JSON Lines",
                      description="Write every review saved in the store (the web page's "
                      "'Save corrections', 'review import --db') as corrections JSON Lines, "
                      "for 'unspin train --corrections' or another store.")
    d.add_argument("--db", help="the store (default sqlite:///unspin.db, as for 'unspin serve')")
    d.add_argument("-o", "--output", help="write to this file instead of stdout")
    d.add_argument("--taxonomy", choices=TAXONOMY_NAMES,
                   help="only the reviews in this taxonomy (needed when the store has both)")
    d.set_defaults(func=cmd_dump)

    a = rs.add_parser("apply", help="corrections -> training data for 'unspin train'",
                      description="Write the latest review of each article as training data "
                      "(JSON Lines of id, text and spans).")
    a.add_argument("files", nargs="*", metavar="FILE", help="corrections .jsonl files")
    a.add_argument("--db", help="also the reviews saved in this database")
    a.add_argument("-o", "--output", help="write to this file instead of stdout")
    a.add_argument("--taxonomy", choices=TAXONOMY_NAMES,
                   help="only the reviews in this taxonomy (needed when they are in both)")
    a.set_defaults(func=cmd_apply)
