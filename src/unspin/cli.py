"""The ``unspin`` command: parse arguments, call the library, print. Errors are translated to
one line and an exit code here and nowhere else (0 ok, 1 failure, 2 usage)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import ConfigError, InputError, ModelError, UnspinError

if TYPE_CHECKING:
    from .options import Options

log = logging.getLogger("unspin")

from .report import FORMATS, MANY_FORMATS  # noqa: E402  (cheap: report modules load lazily)

# ---------------------------------------------------------------------------------------------
# helpers

def write_output(text: str, out: str | None) -> None:
    """Write to ``out`` atomically, or to stdout; a closed or full stdout is a one-line
    InputError (a broken pipe is left to ``main``: the reader has gone, nothing to say)."""
    if not out or out == "-":
        if sys.stdout is None:
            raise InputError("stdout is closed; write to a file with -o FILE")
        try:
            sys.stdout.write(text)
            if text and not text.endswith("\n"):
                sys.stdout.write("\n")
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as exc:  # ValueError: write to a closed file
            _drop_stdout()
            raise InputError(f"stdout: cannot write ({getattr(exc, 'strerror', None) or exc}); "
                             "write to a file with -o FILE") from None
        return
    from .files import write_atomic

    write_atomic(out, text)


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush of what could not be
    written (a full disk, a closed pipe) does not print a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass


def resolve_options(args, **extra) -> Options:
    """The one ``Options`` for this command: its arguments over config file, environment and
    defaults (options a command does not take are simply absent from ``args``)."""
    from .options import Options

    given = {name: getattr(args, name, None) for name in (
        "model", "min_score", "techniques", "encoding", "max_bytes", "fetch_timeout",
        "article_timeout", "threads")}
    if getattr(args, "allow_private", False):
        given["allow_private"] = True
    if getattr(args, "no_enrich", False):
        given["enrich"] = False
    if getattr(args, "any_language", False):
        given["any_language"] = True
    if given["techniques"] is not None and not given["techniques"].replace(",", "").strip():
        raise ConfigError("--techniques needs at least one technique (see 'unspin techniques'); "
                          "leave it out to keep all")
    options = Options.resolve(**given, **extra)
    from .detect.registry import resolve

    try:  # a name that is no model is a usage error, found before any input is read
        resolve(options.model)
    except ModelError as exc:
        raise ConfigError(str(exc)) from None
    return options


def expand_sources(sources: list[str], kind: str | None) -> list[tuple[str, str | None]]:
    """Command-line sources with folders expanded into their articles (SemEval-layout
    ``article<ID>.txt`` files are read as plain text, so offsets match the files). A file
    named twice (or also inside a folder given) is analysed once, with a warning."""
    from .ingest.folder import list_articles

    out: list[tuple[str, str | None]] = []
    for src in sources:
        path = Path(src)
        if src != "-" and "://" not in src and os.path.isdir(src):  # False for bad names
            files = list(list_articles(path).values())
            if not files:
                raise InputError(f"{src}: no articles (.txt, .md or .html files) in this folder")
            ptc = all(f.name.startswith("article") and f.suffix == ".txt" for f in files)
            out += [(str(f), kind or ("text" if ptc else None)) for f in files]
        else:
            out.append((src, kind))
    seen: dict[str, str] = {}
    kept = []
    for src, k in out:
        key = src if src == "-" or "://" in src else os.path.realpath(src)
        if key in seen:
            print(f"unspin: warning: {src} is given twice (as {seen[key]}); analysed once",
                  file=sys.stderr)
            continue
        seen[key] = src
        kept.append((src, k))
    return kept


# ---------------------------------------------------------------------------------------------
# commands

def cmd_analyze(args) -> int:
    from .corpus.cli import renamed_timeout
    from .pipeline import analyze
    from .report import render, render_many

    tty = sys.stdout is not None and sys.stdout.isatty()  # None: stdout closed (>&-)
    fmt = args.format or ("terminal" if tty and not args.output else "json")
    renamed_timeout(args, "fetch_timeout")
    options = resolve_options(args)
    sources = expand_sources(args.sources, args.kind)
    if len(sources) == 1:
        analysis = analyze(sources[0][0], options, kind=sources[0][1])
        write_output(render(analysis, fmt), args.output)
        return 0
    if fmt not in MANY_FORMATS:
        raise ConfigError(f"--format {fmt} shows one article; use {', '.join(MANY_FORMATS)} "
                          "for several")
    import time

    from .corpus import stream
    from .corpus.cli import summary_line
    from .corpus.pool import cpu_count

    started = time.monotonic()
    workers = min(len(sources), cpu_count())
    results, failed = [], 0
    progress = _Progress(len(sources), started) if _shows_progress(args) else None
    # worker processes with the batch per-article timeout; outcomes come back in input order
    try:
        for outcome in stream.analyze_each(sources, options, workers=workers,
                                           timeout=options.article_timeout or None):
            if outcome.error:
                failed += 1
                if progress:
                    progress.clear()
                print(f"unspin: skipped: {outcome.error}", file=sys.stderr)
            else:
                results.append(outcome.analysis)
            if progress:
                progress.show(len(results) + failed, failed)
    finally:
        if progress:
            progress.clear()
    if results:
        write_output(render_many(results, fmt), args.output)
    print(summary_line(len(sources), len(results), failed, sum(len(a.spans) for a in results),
                       time.monotonic() - started, workers, dest=args.output), file=sys.stderr)
    return 1 if failed else 0


def _shows_progress(args) -> bool:
    """A progress line is for a person watching: on a terminal (stderr), and not with -q."""
    return (not getattr(args, "quiet", False) and sys.stderr is not None
            and sys.stderr.isatty())


class _Progress:
    """One line on stderr, rewritten in place as articles finish (``\r``), removed at the
    end: ``unspin: 12/400 articles, 1 failed, 0:42``."""

    def __init__(self, total: int, started: float):
        self.total, self.started, self.width = total, started, 0
        self.show(0, 0)

    def show(self, done: int, failed: int) -> None:
        import time

        seconds = int(time.monotonic() - self.started)
        line = (f"unspin: {done}/{self.total} articles" + (f", {failed} failed" if failed else "")
                + f", {seconds // 60}:{seconds % 60:02d}")
        self._write("\r" + line.ljust(self.width))
        self.width = len(line)

    def clear(self) -> None:
        if self.width:
            self._write("\r" + " " * self.width + "\r")
            self.width = 0

    @staticmethod
    def _write(text: str) -> None:
        try:
            sys.stderr.write(text)
            sys.stderr.flush()
        except (OSError, ValueError):  # a terminal that went away: the analysis goes on
            pass


def cmd_label_spans(args) -> int:
    from .pipeline import load_detector
    from .report.semeval import label_template

    text, problems = label_template(Path(args.articles), Path(args.template),
                                    load_detector(resolve_options(args)))
    for problem in problems:
        print(f"unspin: {problem}", file=sys.stderr)
    write_output(text, args.output)
    if problems:
        print(f"unspin: {len(problems)} articles could not be labelled", file=sys.stderr)
        return 1
    return 0


def cmd_evaluate(args) -> int:
    from .evaluate import evaluate_files, format_table, not_in_gold_line

    result = evaluate_files(args.gold, args.pred, args.split)
    warning = not_in_gold_line(result)
    if warning:
        print(f"unspin: warning: {warning}", file=sys.stderr)
    write_output(json.dumps(result, indent=2) if args.json else format_table(result), None)
    return 0


def _needs_training_extra() -> None:
    """Checked before any data is read: the hint gives the install order."""
    from .errors import require

    require("torch", "train")
    require("transformers", "train")


def _config_from(cls, args, **values):
    """A training config dataclass: ``values``, then every field given on the command line."""
    from dataclasses import fields

    given = {f.name: getattr(args, f.name) for f in fields(cls)
             if getattr(args, f.name, None) is not None}
    return cls(**{**values, **given})


def _f1_line(m: dict) -> str:
    return (f"SI F1 {m['si']['f1']:.4f}  TC F1 {m['tc']['f1']:.4f}  "
            f"full F1 {m['full']['f1']:.4f}")


def cmd_train(args) -> int:
    _needs_training_extra()
    from .training.train import TrainConfig, base_taxonomy, train

    cfg = _config_from(TrainConfig, args)
    if args.taxonomy and cfg.init_from:  # named, even the default 2020: the base must speak it
        base_taxonomy(cfg, named=True)

    def on_epoch(m: dict) -> None:
        if "si" in m:  # the whole model, validated on the SemEval measures
            line = _f1_line(m)
        elif "val_loss" not in m:  # --all-labelled: nothing left to validate on
            line = f"not validated (all articles trained on, {m['seconds']:.0f} s)"
        else:  # a span classifier over a frozen encoder (--init-from)
            line = (f"train loss {m['train_loss']:.4f}  validation loss {m['val_loss']:.4f}  "
                    f"accuracy {m['val_accuracy']:.4f}")
        head = f" (span classifier {m['head']})" if m.get("head") else ""
        print(f"epoch {m['epoch']}{head}: {line}", file=sys.stderr, flush=True)

    metrics = train(args.data, args.out, cfg, progress=not args.quiet, on_epoch=on_epoch,
                    corrections=args.corrections, decode_from=args.decode_from,
                    heldout=args.heldout)
    if metrics.get("exported") is False:
        print(f"{metrics['epochs']} epochs trained on every labelled article into {args.out}; "
              "export the epoch its recipe chose by running the same command again with "
              "--decode-from RECIPE_MODEL")
        return 0
    print(f"model {cfg.name}.v{cfg.version} written to {args.out}: SI F1 "
          f"{metrics['si']['f1']:.4f}, TC F1 {metrics['tc']['f1']:.4f}, full-task F1 "
          f"{metrics['full']['f1']:.4f}")
    return 0


def cmd_teacher_train(args) -> int:
    _needs_training_extra()
    from .training.teacher import TeacherConfig, train_teacher

    cfg = _config_from(TeacherConfig, args)

    def on_epoch(m: dict) -> None:
        scores = _f1_line(m) if "si" in m else "not validated (all articles trained on)"
        print(f"epoch {m['epoch']}: {scores}  ({m['seconds']:.0f} s, "
              f"{m['tokens_per_s']} tokens/s)", file=sys.stderr, flush=True)

    best = train_teacher(args.data, args.out, cfg, on_epoch=on_epoch)
    if "si" not in best:
        print(f"teacher written to {args.out}: {best['epoch']} epochs on every labelled "
              "article; export an epoch with 'unspin teacher export --epoch N --decode-from "
              "MODEL'")
        return 0
    print(f"teacher written to {args.out}: best epoch {best['epoch']}, SI F1 "
          f"{best['si']['f1']:.4f}, TC F1 {best['tc']['f1']:.4f}, full-task F1 "
          f"{best['full']['f1']:.4f}")
    return 0


def cmd_teacher_label(args) -> int:
    _needs_training_extra()
    from .training.teacher import soft_labels, source_articles

    # every source read before any is labelled: a bad one is said before an hour of work
    sources = [source_articles(source, args.split, args.limit or 0) for source in args.articles]
    written = left = 0
    for arts in sources:
        w, x = soft_labels(args.teacher, arts, args.out, threads=args.threads or 0,
                           stride=args.stride or 190, spans=args.spans,
                           epoch=args.epoch or 0, unfinished=args.unfinished)
        written, left = written + w, left + x
    print(f"soft labels of {written} articles written to {args.out}" + (
        f"; {left} it trained on left to the other folds' teachers" if left else ""))
    return 0


def cmd_teacher_merge(args) -> int:
    from .training.soft import merge_soft

    n = merge_soft(args.folders, args.out)
    print(f"soft labels of {n} articles merged from {len(args.folders)} teachers into "
          f"{args.out}")
    return 0


def cmd_teacher_export(args) -> int:
    _needs_training_extra()
    from .training.teacher_export import export_teacher

    m = export_teacher(args.run, args.out, args.name, args.version, unfinished=args.unfinished,
                       data=args.data, threads=args.threads or 0, epoch=args.epoch or 0,
                       decode_from=args.decode_from, heldout=args.heldout)
    print(f"model {args.name}.v{args.version} written to {args.out}: SI F1 {m['si']['f1']:.4f}, "
          f"TC F1 {m['tc']['f1']:.4f}, full-task F1 {m['full']['f1']:.4f}")
    return 0


def cmd_tune(args) -> int:
    from .detect.registry import resolve
    from .training.tune import retune

    metrics, name = retune(resolve(args.model).folder, args.data, args.out, args.version,
                           args.decode_rules)
    print(f"{name} written to {args.out}: SI F1 {metrics['si']['f1']:.4f}, TC F1 "
          f"{metrics['tc']['f1']:.4f}, full-task F1 {metrics['full']['f1']:.4f}")
    return 0


def cmd_ensemble(args) -> int:
    from .training.ensemble import make_ensemble

    m = make_ensemble(args.members, args.out, args.name, args.version or "1", args.weights,
                      args.data, args.decode_from, args.heldout, args.threads or 0)
    print(f"model {args.name}.v{args.version or '1'} written to {args.out}: SI F1 "
          f"{m['si']['f1']:.4f}, TC F1 {m['tc']['f1']:.4f}, full-task F1 {m['full']['f1']:.4f}")
    return 0


def cmd_models(args) -> int:
    from .detect import describe
    from .detect.registry import installed, origin
    from .options import DEFAULT_MODEL

    entries = list(installed().values())
    models = [describe(e.folder) for e in entries]
    if args.json:
        write_output(json.dumps([{**m.to_dict(), "origin": origin(e)}
                                 for m, e in zip(models, entries)], indent=2), None)
        return 0
    if not entries:
        print(f"unspin: no model is installed; from a checkout: pip install -e "
              f"models/{DEFAULT_MODEL.replace('.', '-')}", file=sys.stderr)
        return 1
    rows = [("name", "version", "fingerprint", "size", "from")]
    for m, e in zip(models, entries):
        mark = " (default)" if m.name == DEFAULT_MODEL else ""
        rows.append((m.name + mark, m.version, m.fingerprint[:16], f"{m.size / 1e6:.1f} MB",
                     origin(e)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    write_output("".join("  ".join(c.ljust(w) for c, w in zip(r[:4], widths)) + "  " + r[4]
                         + "\n" for r in rows), None)
    return 0


def cmd_package(args) -> int:
    from .training.package import distribution_name, package

    folder = package(args.model, args.out, shared=args.shared, heldout=args.heldout)
    name = json.loads((folder / "config.json").read_text(encoding="utf-8"))["name"]
    print(f"{distribution_name(name)} written to {folder}: pip install {folder}")
    return 0


def cmd_serve(args) -> int:
    from .errors import require

    require("fastapi", "serve")
    require("uvicorn", "serve")
    from .corpus.cli import renamed_timeout
    from .server import serve
    from .server.config import check_exposure

    renamed_timeout(args, "request_timeout")
    options = resolve_options(
        args, max_text_bytes=args.max_text_bytes, request_timeout=args.request_timeout,
        concurrency=args.concurrency, max_queue=args.max_queue,
        cors_origins=args.cors_origin or None, db=args.db)
    check_exposure(options, args.host)  # refused before saying it serves
    from .pipeline import load_detector

    load_detector(options)  # a broken model is one line here, not a traceback from the workers
    if args.workers > 1:  # each worker loads its own; the parent's copy would sit idle
        import gc

        from .detect import unload

        unload()
        gc.collect()
    logging.getLogger("unspin.access").setLevel(logging.INFO)
    print(f"unspin: serving on http://{args.host}:{args.port} (Ctrl-C to stop)", file=sys.stderr)
    serve(options, host=args.host, port=args.port, workers=args.workers)
    return 0


def cmd_techniques(args) -> int:
    from .techniques import listing, taxonomy

    spoken = None
    name = args.taxonomy
    if args.model:
        from .detect import spoken_techniques

        model_taxonomy, spoken = spoken_techniques(args.model)
        if name and name != model_taxonomy:
            raise ConfigError(f"{args.model} speaks the {model_taxonomy} taxonomy, not "
                              f"{name}; leave out --taxonomy")
        name = model_taxonomy
    tax = taxonomy(name)
    if args.json:
        write_output(json.dumps(listing(tax, spoken), indent=2), None)
        return 0
    write_output(tax.table(shutil.get_terminal_size((100, 24)).columns, spoken), None)
    return 0


def cmd_extension(args) -> int:
    from .browser_extension import write

    folder, archive, mark = write(args.out, server=args.server)
    print(f"browser extension written to {folder} (and {archive}); load it unpacked from "
          f"chrome://extensions (Firefox: about:debugging, its manifest.json); bookmarklet in "
          f"{mark}")
    return 0


# ---------------------------------------------------------------------------------------------
# parser

class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one line like every other error (exit 2)."""

    def error(self, message: str):
        self.exit(2, f"unspin: error: {message} (see '{self.prog} --help')\n")


def _whole(low: int, high: int | None = None):
    """An argparse type: a whole number from ``low`` (to ``high``)."""
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            span = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"must be a whole number {span} (got {raw!r})")
        return value
    return parse


def _setting(name: str, kind: type = int):
    """An argparse type for the setting ``name``: a number of ``kind`` in the range that
    ``options.RANGES`` gives it (the one place the bounds are written)."""
    from .options import RANGES

    allowed = RANGES[name]
    what = "a whole number" if kind is int else "a number"

    def parse(raw: str):
        try:
            value = kind(raw)
        except ValueError:
            value = None
        if value is None or value != value or value not in allowed:  # value != value: NaN
            raise argparse.ArgumentTypeError(f"must be {what} {allowed} (got {raw!r})")
        return value
    return parse


def _fold(raw: str) -> str:
    """An argparse type: ``K/N``, fold K of N (``training.data.parse_fold``)."""
    from .training.data import parse_fold

    try:
        k, n = parse_fold(raw)
    except InputError as e:
        raise argparse.ArgumentTypeError(str(e).removeprefix(f"fold {raw!r}: ")) from None
    return f"{k}/{n}"


def _positive(raw: str) -> float:
    """An argparse type: a number above 0."""
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number above 0 (got {raw!r})")
    return value


def _rules(raw: str) -> dict:
    """An argparse type: decoding rules as a JSON object (``{"cut_breaks": true}``)."""
    example = """e.g. '{"cut_breaks": true}'"""
    try:
        value = json.loads(raw)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"not JSON ({e.msg} at character {e.pos}); write the "
                                         f"rules as an object, {example}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"must be a JSON object, {example} (got {raw!r})")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="unspin", description="Show how a news article persuades: "
                "find propaganda techniques and mark their spans.")
    p.add_argument("--version", action="version", version=f"unspin {__version__}")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv: debug)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    a = sub.add_parser("analyze", aliases=["analyse"],
                       help="find techniques in articles (file, folder, URL or -)")
    a.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="text/Markdown/HTML file, folder of articles, http(s) URL, or - for stdin")
    a.add_argument("-f", "--format", choices=FORMATS,
                   help="output format (default: terminal on a TTY, else json)")
    a.add_argument("-o", "--output", help="write to this file instead of stdout")
    a.add_argument("--model", help="model name or trained model folder")
    a.add_argument("--min-score", type=float,
                   help="drop spans scoring below this (0-1; default: the model's display "
                        "threshold; 0 keeps every span)")
    a.add_argument("--techniques", help="comma-separated techniques to keep (ids, names or codes)")
    a.add_argument("--kind", choices=("text", "markdown", "html", "url"),
                   help="force the input kind instead of guessing it")
    a.add_argument("--encoding", help="text encoding of files (default utf-8)")
    a.add_argument("--max-bytes", type=int, help="refuse inputs larger than this")
    a.add_argument("--allow-private", action="store_true",
                   help="allow URLs on private, loopback or link-local addresses")
    a.add_argument("--fetch-timeout", type=float,
                   help="seconds to wait for a URL (default 20)")
    a.add_argument("--article-timeout", type=float,
                   help="with several sources: seconds one article may take before it is "
                   "skipped (default 300; 0: no limit)")
    a.add_argument("--timeout", dest="old_timeout", type=float, help=argparse.SUPPRESS)
    a.add_argument("--no-enrich", action="store_true",
                   help="skip quotes, targets and claims (faster)")
    a.add_argument("--any-language", action="store_true",
                   help="analyse text that is clearly not English (refused otherwise: the "
                   "models read English only); its report carries a warning")
    a.add_argument("-q", "--quiet", action="store_true",
                   help="with several sources: no progress line on a terminal")
    a.set_defaults(func=cmd_analyze)

    ls = sub.add_parser("label-spans", help="name the technique of given spans (SemEval TC)")
    ls.add_argument("articles", help="folder of article<ID>.txt files")
    ls.add_argument("template", help="lines ID<TAB>anything<TAB>start<TAB>end")
    ls.add_argument("-o", "--output", help="write to this file instead of stdout")
    ls.add_argument("--model", help="model name or trained model folder")
    ls.set_defaults(func=cmd_label_spans)

    ev = sub.add_parser("evaluate", help="score predictions with the SemEval-2020 measures")
    ev.add_argument("gold", help="PTC-layout folder or TSV of gold spans")
    ev.add_argument("pred", help="TSV of predicted spans: ID<TAB>technique<TAB>start<TAB>end")
    ev.add_argument("--split", choices=("all", "validation", "train"), default="all",
                    help="score only the fixed validation (or training) articles")
    ev.add_argument("--json", action="store_true", help="print JSON")
    ev.set_defaults(func=cmd_evaluate)

    tr = sub.add_parser("train", help="train a detector (needs unspin[train])")
    tr.add_argument("data", help="PTC-layout or SemEval-2023 folder, or JSONL of labelled "
                    "articles")
    tr.add_argument("--out", required=True, help="folder for checkpoints and the exported model")
    tr.add_argument("--taxonomy", choices=("2020", "2023"),
                    help="the techniques the model learns, in the labels' names: 2020 "
                    "(default; with --init-from, the base model's) or 2023 (e.g. a SemEval-2023 "
                    "folder's train-labels/)")
    tr.add_argument("--name", required=True,
                    help="the new model's name (it is known as NAME.vVERSION)")
    tr.add_argument("--version", help="the new model's version (default 1)")
    tr.add_argument("--epochs", type=_whole(1))
    tr.add_argument("--batch-size", dest="batch_size", type=_whole(1))
    tr.add_argument("--lr", dest="lr_encoder", type=_positive, help="encoder learning rate")
    tr.add_argument("--seed", type=_whole(0))
    tr.add_argument("--max-steps", dest="max_steps", type=_whole(0),
                    help="stop after N steps (smoke)")
    tr.add_argument("--limit-articles", dest="limit_articles", type=_whole(0),
                    help="train on the first N articles only (smoke)")
    tr.add_argument("--span-jitter", dest="span_jitter", type=_whole(0),
                    help="also train the span classifier on gold spans moved by <= N tokens")
    tr.add_argument("--none-class", dest="none_class", action="store_true", default=None,
                    help="give the span classifier a 'no technique' output trained on negatives")
    tr.add_argument("--hard-negatives", dest="hard_negatives", metavar="MODEL",
                    help="mine 'no technique' spans from this model's false alarms")
    tr.add_argument("--random-negatives", dest="random_negatives", type=_positive, metavar="R",
                    help="random word runs touching no gold span, per gold span, as negatives")
    tr.add_argument("--decode-rules", dest="decode_rules", type=_rules, metavar="JSON",
                    help='decoding rules for the export, e.g. \'{"cut_breaks": true}\'')
    tr.add_argument("--init-from", dest="init_from", metavar="MODEL",
                    help="keep this model's encoder frozen; train only a new span classifier, "
                    "in this model's taxonomy (2020 or 2023)")
    tr.add_argument("--span-signals", dest="span_signals", action="store_true", default=None,
                    help="the span classifier also reads the token heads' probabilities")
    tr.add_argument("--calibrate", action="store_true", default=None,
                    help="calibrate span scores on validation (isotonic)")
    tr.add_argument("--head-dropout", dest="head_dropout", type=float,
                    help="span classifier dropout (with --init-from)")
    tr.add_argument("--span-heads", dest="span_heads", type=_whole(1, 16), metavar="K",
                    help="train K span classifiers (seeds seed, seed+1, ...) and average them "
                    "(with --init-from; default 1)")
    tr.add_argument("--keep-source-head", dest="keep_source_head", action="store_true",
                    default=None, help="average technique probabilities with the --init-from "
                    "model's span classifier")
    tr.add_argument("--corrections", metavar="FILE",
                    help="reviewers' corrections ('unspin review import'): the reviewed "
                    "articles join the training articles (needs --init-from)")
    tr.add_argument("--extra-labels", dest="extra_labels", metavar="DIR",
                    help="a second annotation of the training articles (SemEval-2023 layout)")
    tr.add_argument("--distill-from", dest="distill_from", metavar="SOFT",
                    help="a teacher's soft labels (from 'unspin teacher label'): distil them")
    tr.add_argument("--distill-weight", dest="distill_weight", type=_positive, metavar="W",
                    help="weight of the soft-label loss (default 1)")
    tr.add_argument("--unlabelled", metavar="DIR",
                    help="unlabelled articles trained on the teacher's soft labels only")
    tr.add_argument("--unlabelled-limit", dest="unlabelled_limit", type=_whole(0), metavar="N",
                    help="use only the first N unlabelled articles")
    tr.add_argument("--lr-heads", dest="lr_heads", type=_positive, help="head learning rate")
    tr.add_argument("--all-labelled", dest="all_labelled", action="store_true", default=None,
                    help="train on every labelled article (training and development), nothing "
                    "validated: the shipped retrain of a recipe chosen on held-out articles")
    tr.add_argument("--decode-from", dest="decode_from", metavar="MODEL_DIR",
                    help="with --all-labelled: the model exported from the same recipe's "
                    "held-out run; its chosen epoch and its decoding are taken, and the run "
                    "stops at that epoch")
    tr.add_argument("--heldout", metavar="JSON", nargs="+", help="with --decode-from: the "
                    "benchmarks/quality.py --json files that scored that model, for the card "
                    "(e.g. on the 2023 labels and in the 14-class view)")
    tr.add_argument("--threads", type=_setting("threads"), help="torch threads (default all cores)")
    tr.add_argument("--quiet", action="store_true", help="no progress bar")
    tr.set_defaults(func=cmd_train)

    te = sub.add_parser("teacher", help="fine-tune a larger encoder as a teacher and write its "
                        "soft labels for distillation (needs unspin[train])")
    te_sub = te.add_subparsers(dest="action", required=True)
    tt = te_sub.add_parser("train", help="fine-tune the teacher (lower layers frozen, cached)")
    tt.add_argument("data", help="PTC-layout folder or JSONL of labelled articles")
    tt.add_argument("--base", required=True,
                    help="folder of the pretrained all-mpnet-base-v2 (sha256 checked)")
    tt.add_argument("--out", required=True, help="folder for the teacher and its checkpoints")
    tt.add_argument("--freeze", type=_whole(0), help="lower layers kept frozen (default 8)")
    tt.add_argument("--epochs", type=_whole(1))
    tt.add_argument("--lr", dest="lr_encoder", type=_positive, help="encoder learning rate")
    tt.add_argument("--max-steps", dest="max_steps", type=_whole(0),
                    help="stop after N steps (smoke)")
    tt.add_argument("--limit-articles", dest="limit_articles", type=_whole(0),
                    help="train on the first N articles only (smoke)")
    tt.add_argument("--all-labelled", dest="all_labelled", action="store_true", default=None,
                    help="train on every labelled article, development articles included (a "
                    "PTC folder with dev-articles/); nothing is validated: for the shipped "
                    "retrain of a recipe chosen on the held-out articles")
    tt.add_argument("--fold", type=_fold, metavar="K/N",
                    help="train without fold K of N (folds by article id): run it for each K, "
                    "label with each run and 'unspin teacher merge' the labels, for out-of-fold "
                    "soft labels on every training article and the N teachers' average on "
                    "unlabelled ones")
    tt.add_argument("--threads", type=_setting("threads"), help="torch threads (default all cores)")
    tt.set_defaults(func=cmd_teacher_train)
    tl = te_sub.add_parser("label", help="write the teacher's soft labels for articles")
    tl.add_argument("teacher", help="the folder 'unspin teacher train' wrote")
    tl.add_argument("articles", nargs="+",
                    help="PTC-layout folders, JSONL files or folders of article<ID>.txt")
    tl.add_argument("--out", required=True, help="folder for the soft labels (<ID>.npz)")
    tl.add_argument("--split", choices=("all", "train"), default="train",
                    help="of labelled data, label only the training articles (default) or all "
                    "(a PTC folder's development articles included)")
    tl.add_argument("--limit", type=_whole(0), help="label at most N articles of each source")
    tl.add_argument("--stride", type=_whole(1, 254),
                    help="word pieces between window starts (default 190; 254: no overlap)")
    tl.add_argument("--spans", action="store_true",
                    help="also the span classifier's technique probabilities on gold spans and "
                    "on the teacher's own spans (for 'unspin train --init-from')")
    tl.add_argument("--epoch", type=_whole(1), help="label with this epoch's weights, not the "
                    "best (checkpoints/epoch-N.pt)")
    tl.add_argument("--unfinished", action="store_true",
                    help="label with the best epoch so far of a run still training")
    tl.add_argument("--threads", type=_setting("threads"), help="torch threads (default all cores)")
    tl.set_defaults(func=cmd_teacher_label)
    tm = te_sub.add_parser("merge", help="average several teachers' soft labels into one "
                           "folder (out of fold for the runs of one --fold split)")
    tm.add_argument("folders", nargs="+", help="folders 'unspin teacher label' wrote, one per "
                    "teacher")
    tm.add_argument("--out", required=True, help="new folder for the merged soft labels")
    tm.set_defaults(func=cmd_teacher_merge)
    tx = te_sub.add_parser("export", help="write a teacher run as a model package (int8 ONNX, "
                           "files of at most 30 MB): the accurate tier")
    tx.add_argument("run", help="the folder 'unspin teacher train' wrote")
    tx.add_argument("--out", required=True, help="new, empty folder for the model")
    tx.add_argument("--name", required=True, help="the model's name (known as NAME.vVERSION)")
    tx.add_argument("--version", default="1", help="the model's version (default 1)")
    tx.add_argument("--unfinished", action="store_true",
                    help="export the best epoch so far of a run still training")
    tx.add_argument("--epoch", type=_whole(1), help="export this epoch's weights, not the best "
                    "(runs keep every epoch's)")
    tx.add_argument("--decode-from", dest="decode_from", metavar="MODEL_DIR",
                    help="take decoding thresholds and score map from this model folder instead "
                    "of tuning (needed for an --all-labelled run: the model exported from the "
                    "same recipe's held-out run)")
    tx.add_argument("--heldout", metavar="JSON", help="with --decode-from: the "
                    "'benchmarks/quality.py --json' file that scored that model, for the card")
    tx.add_argument("--data", help="the labelled data the run was trained on (default: the "
                    "path the run recorded)")
    tx.add_argument("--threads", type=_setting("threads"), help="threads (default all cores)")
    tx.set_defaults(func=cmd_teacher_export)

    tu = sub.add_parser("tune", help="re-tune a model's decoding thresholds on the validation "
                        "split, as a new model version in a new folder")
    tu.add_argument("model", help="model name or trained model folder to start from")
    tu.add_argument("data", help="the PTC-layout folder or JSONL it was trained on")
    tu.add_argument("--out", required=True, help="new, empty folder for the new version")
    tu.add_argument("--version", help="the new version (default: the next one, 1 -> 1.1)")
    tu.add_argument("--decode-rules", dest="decode_rules", type=_rules, metavar="JSON",
                    help='decoding rules to add before tuning, e.g. \'{"cut_breaks": true, '
                    '"trim_dangling": true}\'')
    tu.set_defaults(func=cmd_tune)

    en = sub.add_parser("ensemble", help="make an ensemble model of installed models (their "
                        "probabilities averaged, decoded once), as a new model in a new folder")
    en.add_argument("members", nargs="+", metavar="MODEL",
                    help="member models (names or folders); the first one's word pieces are the "
                    "grid")
    en.add_argument("--out", required=True, help="new, empty folder for the ensemble")
    en.add_argument("--name", required=True, help="the ensemble's name (NAME.vVERSION)")
    en.add_argument("--version", help="its version (default 1)")
    en.add_argument("--weights", nargs="+", type=_positive, metavar="W",
                    help="one weight per member (default equal)")
    en.add_argument("--data", required=True,
                    help="labelled data (PTC layout) whose validation articles tune it")
    en.add_argument("--decode-from", dest="decode_from", metavar="ENSEMBLE_DIR",
                    help="take the thresholds of this ensemble (of the recipe's held-out "
                    "members) instead of tuning: for members retrained on every article")
    en.add_argument("--heldout", metavar="JSON", nargs="+", help="with --decode-from: the "
                    "benchmarks/quality.py --json files that scored that ensemble, for the card")
    en.add_argument("--threads", type=_setting("threads"), help="threads per member")
    en.set_defaults(func=cmd_ensemble)

    mo = sub.add_parser("models", help="list the installed models")
    mo.add_argument("--json", action="store_true", help="print JSON")
    mo.set_defaults(func=cmd_models)

    pk = sub.add_parser("package", help="make a model folder or installed model an installable "
                        "package (pip install OUT/NAME-vN)")
    pk.add_argument("model", help="installed model name or model folder")
    pk.add_argument("--out", required=True, help="folder to write the package folder into")
    pk.add_argument("--shared", action="store_true",
                    help="leave out weight files already kept in OUT/shared/ (for a "
                    "checkout's models/ folder: --out models --shared)")
    pk.add_argument("--heldout", metavar="JSON", nargs="+",
                    help="benchmarks/quality.py --json files that scored this model: its "
                    "held-out scores go on the packaged copy's card and config")
    pk.set_defaults(func=cmd_package)

    sv = sub.add_parser("serve", help="HTTP API and web page (needs unspin[serve])")
    sv.add_argument("--host", default="127.0.0.1",
                    help="address to listen on (default 127.0.0.1, this machine only; 0.0.0.0: "
                    "every interface, then also set UNSPIN_API_KEYS)")
    sv.add_argument("--port", type=_whole(1, 65535), default=8000,
                    help="TCP port to listen on (default 8000)")
    sv.add_argument("--workers", type=_whole(1, 256), default=1, help="server processes")
    sv.add_argument("--model", help="model name or trained model folder")
    sv.add_argument("--allow-private", action="store_true",
                    help="allow URLs on private, loopback or link-local addresses")
    sv.add_argument("--max-text-bytes", type=_setting("max_text_bytes"),
                    help="request text cap (default 500 kB)")
    sv.add_argument("--request-timeout", type=_setting("request_timeout", float),
                    help="seconds per request, queue wait included (default 60)")
    sv.add_argument("--timeout", dest="old_timeout", type=float, help=argparse.SUPPRESS)
    sv.add_argument("--concurrency", type=_setting("concurrency"),
                    help="analyses at once per process (default 1)")
    sv.add_argument("--max-queue", type=_setting("max_queue"),
                    help="requests waiting before 503 (default 8)")
    sv.add_argument("--cors-origin", action="append", help="allow this origin (repeatable)")
    sv.add_argument("--db", help="store where POST /v1/corrections (the page's 'Save "
                    "corrections') saves reviews (default sqlite:///unspin.db)")
    sv.set_defaults(func=cmd_serve)

    te = sub.add_parser("techniques", help="list the techniques unspin finds")
    te.add_argument("--json", action="store_true")
    te.add_argument("--taxonomy", choices=("2020", "2023"),
                    help="which taxonomy to list: 2020 (SemEval-2020, 14 techniques; the "
                    "default) or 2023 (SemEval-2023, 23 in six groups)")
    te.add_argument("--model", help="list the taxonomy this model speaks, marking the "
                    "techniques it cannot find")
    te.set_defaults(func=cmd_techniques)

    ex = sub.add_parser("extension", help="write the browser extension (unpacked and zipped) "
                        "and a bookmarklet that show unspin's findings on the page you read")
    ex.add_argument("--out", required=True, help="folder to write them into")
    ex.add_argument("--server", default="http://127.0.0.1:8000",
                    help="the unspin serve address the bookmarklet asks (default "
                    "http://127.0.0.1:8000; the extension's is set in its options page)")
    ex.set_defaults(func=cmd_extension)
    from .corpus.cli import add_commands  # batch, store, stats
    from .review.cli import add_commands as add_review  # review config/export/import/apply

    add_commands(sub)
    add_review(sub)
    return p


class _OwnRecords(logging.Filter):
    """Lets through unspin's own log records only."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name == "unspin" or record.name.startswith("unspin.")


def setup_logging(verbose: int) -> None:
    """Log to stderr by verbosity. Without ``-v`` only unspin's own warnings show: a library's
    log lines (trafilatura logs "ERROR ... empty HTML tree" for a page unspin then reports in
    one line) would only confuse. ``-v`` adds unspin's progress and other libraries'
    warnings; ``-vv`` shows everything at debug level. Calling it again replaces the handler."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "unspin_cli", False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler()
    handler.unspin_cli = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    if verbose < 1:
        handler.addFilter(_OwnRecords())
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose >= 2 else logging.WARNING)
    log.setLevel(logging.WARNING - 10 * min(verbose, 2))
    # the HTML extractor reports routine page clean-up as warnings and errors
    logging.getLogger("trafilatura").setLevel(logging.DEBUG if verbose >= 2 else logging.ERROR)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose)
    try:
        code = args.func(args)
        _flush_stdout()  # what print() left buffered: a full disk shows here, as one line
        return code
    except UnspinError as exc:
        print(f"unspin: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("unspin: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (| head): nothing more to say
        _drop_stdout()
        return 1


def _flush_stdout() -> None:
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as exc:
        _drop_stdout()
        raise InputError(f"stdout: cannot write ({getattr(exc, 'strerror', None) or exc}); "
                         "write to a file with -o FILE") from None


if __name__ == "__main__":
    sys.exit(main())
